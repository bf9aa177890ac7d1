//! Judging the versions of one packument: registry signatures first (as npm), then the
//! lockfile's and tarball's integrity; what the attestation step needs is handed back.

use std::sync::Arc;
use std::time::Instant;

use sigverify_attest::VersionInfo;

use crate::cache::facts::Facts;
use crate::check::attestations::AttestationJob;
use crate::check::integrity::check_integrity;
use crate::check::internal::{split_internal, InternalTrust};
use crate::check::signature;
use crate::model::{CheckOutcome, PackageResult};
use crate::source::keys::KeySet;
use crate::source::packument::{PackumentFacts, VersionFacts};
use crate::Code;
use url::Url;

/// A registry package to check, with its result pre-filled from the lockfile.
#[derive(Debug, Clone)]
pub(crate) struct RegistryCheck {
    pub result: PackageResult,
    pub registry: Url,
    /// A local tarball whose bytes must be the ones the registry signed (verify_package).
    pub tarball: Option<Arc<Vec<u8>>>,
    /// An attestations document given by the caller instead of the registry's.
    pub inline_attestations: Option<Arc<Vec<u8>>>,
}

/// Judges every check of a group on the facts of its packument (or fails them all with the
/// reason the facts could not be had).
pub(crate) fn judge_group(
    facts: &Facts,
    group: Vec<RegistryCheck>,
    keys: Option<&KeySet>,
    internal: Option<&InternalTrust>,
) -> Vec<(PackageResult, Option<AttestationJob>)> {
    // The release history (for downgrade checks) is shared by every version of the group.
    let history = facts
        .as_ref()
        .map(|f| Arc::new(f.release_history()))
        .unwrap_or_default();
    group
        .into_iter()
        .map(|check| match facts {
            Ok(facts) => {
                let started = Instant::now();
                let (mut result, job) = judge_one(facts, check, keys, &history, internal);
                result.timing.verify = started.elapsed();
                (result, job)
            }
            Err((code, why)) => {
                let mut result = check.result;
                let message = format!("{}: {why}", result.id());
                result.checks.registry_signature = CheckOutcome::failed(*code, message);
                (result, None)
            }
        })
        .collect()
}

/// Judges one version: its signatures first (as npm), then the lockfile's and tarball's
/// integrity; returns what the attestation step needs when the signature holds (or is missing).
/// Without registry keys only the internal signatures of the packument and the integrity are
/// judged.
fn judge_one(
    facts: &PackumentFacts,
    check: RegistryCheck,
    keys: Option<&KeySet>,
    history: &Arc<Vec<VersionInfo>>,
    internal: Option<&InternalTrust>,
) -> (PackageResult, Option<AttestationJob>) {
    let (registry, inline, tarball) = (
        check.registry.clone(),
        check.inline_attestations.clone(),
        check.tarball.clone(),
    );
    let mut result = check.result;
    let Some((version, integrity)) = signed_version(facts, &mut result) else {
        return (result, None);
    };
    let published = facts.published.get(&result.version).copied();
    let npm_signatures = split_internal(&mut result, &version.signatures, &integrity, internal);
    let lockfile = result.lockfile_integrity.clone();
    let Some(keys) = keys else {
        let why = format!(
            "{}: the registry {registry} publishes no signing keys",
            result.id()
        );
        result.checks.registry_signature = CheckOutcome::not_applicable(Code::NoRegistryKeys, why);
        check_integrity(
            &mut result,
            &integrity,
            lockfile.as_deref(),
            tarball.as_deref().map(Vec::as_slice),
        );
        return (result, None);
    };
    signature::judge(&mut result, &integrity, published, &npm_signatures, keys);
    if result
        .checks
        .registry_signature
        .code
        .is_some_and(|c| c != Code::MissingSignature)
    {
        // The lockfile is still held to the packument's integrity: a swapped pin is its own
        // failure, which an exception for the signature (`codes: [EINTEGRITYSIGNATURE]`) must
        // not excuse along with it.
        check_integrity(
            &mut result,
            &integrity,
            lockfile.as_deref(),
            tarball.as_deref().map(Vec::as_slice),
        );
        let why = format!(
            "{}: not reached, its registry signature failed",
            result.id()
        );
        result.checks.attestations = CheckOutcome::off(why);
        return (result, None);
    }
    check_integrity(
        &mut result,
        &integrity,
        lockfile.as_deref(),
        tarball.as_deref().map(Vec::as_slice),
    );
    let job = AttestationJob {
        registry,
        advertised: version.attestations_url.clone(),
        advertised_provenance: version.provenance_predicate.clone(),
        inline,
        integrity,
        repository: version.repository.clone(),
        history: Arc::clone(history),
    };
    (result, Some(job))
}

/// The packument's entry for the checked version and its signed integrity, after filling the
/// facts the result reports (integrity, tarball URL, declared repository); `None` with the
/// registry signature check failed when the version or its integrity is missing.
fn signed_version<'f>(
    facts: &'f PackumentFacts,
    result: &mut PackageResult,
) -> Option<(&'f VersionFacts, String)> {
    let id = result.id();
    let Some(version) = facts.versions.get(&result.version) else {
        let why = format!(
            "{id}: the registry does not list version {}",
            result.version
        );
        result.checks.registry_signature = CheckOutcome::failed(Code::VersionNotFound, why);
        return None;
    };
    version.report_into(result);
    let Some(integrity) = version.integrity.clone() else {
        let why = format!("{id}: the registry gives no dist.integrity to verify");
        result.checks.registry_signature = CheckOutcome::failed(Code::BadPackument, why);
        return None;
    };
    Some((version, integrity))
}
