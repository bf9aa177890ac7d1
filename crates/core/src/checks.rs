//! Checking registry packages: one packument request per (registry, name), shared by all its
//! versions in the tree; parsing and cryptography on blocking threads; then the attestations of
//! each version whose registry signature holds.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use crate::cached::{CachedFacts, EvidenceCache};
use crate::codes::Code;
use crate::evidence::{Evidence, EvidenceError};
use crate::integrity;
use crate::keyring::{Keyring, RegistryKeys};
use crate::packument::{parse_packument, PackumentFacts};
use crate::provenance::{attest, AttestationJob, ProvenanceOptions};
use crate::registry::Conditional;
use crate::report::{PackageResult, Status};
use crate::signature::{verify_registry_signatures, SignatureVerdict, SignedVersion};
use sigverify_attest::VersionInfo;

/// A registry package to check, with its result pre-filled from the lockfile.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub result: PackageResult,
    pub registry: Url,
    pub lock_integrity: Option<String>,
    /// sha512 SRI of a local tarball to hold against the registry's integrity.
    pub tarball_integrity: Option<String>,
    /// An attestations document given by the caller instead of the registry's.
    pub inline_attestations: Option<Arc<Vec<u8>>>,
}

/// Checks packages against their registries, one packument request per (registry, name).
pub(crate) async fn run_checks(
    evidence: &Evidence,
    keyring: &Keyring,
    checks: Vec<Check>,
    concurrency: usize,
    provenance: &Arc<ProvenanceOptions>,
    cache: &EvidenceCache,
) -> Vec<PackageResult> {
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut results = Vec::new();
    let groups = group_checks(checks);
    // Publish times (key expiry, provenance downgrades) are only in full packuments.
    let full = |registry: &Url| match keyring.get(registry) {
        RegistryKeys::Keys { set, .. } => set.has_expiring_key() || provenance.enabled,
        _ => provenance.enabled,
    };
    let keys: Vec<String> = groups
        .keys()
        .map(|(r, n)| EvidenceCache::key(r, n, full(r)))
        .collect();
    let mut preloaded = cache.preload(&keys).await;
    for ((registry, name), group) in groups {
        let (keys, trust) = match keyring.get(&registry) {
            RegistryKeys::Keys { set, trust, .. } => (Arc::clone(set), trust.clone()),
            other => {
                results.extend(group.into_iter().map(|c| judge_without_keys(c, other)));
                continue;
            }
        };
        let (evidence, limit, provenance) =
            (evidence.clone(), Arc::clone(&limit), Arc::clone(provenance));
        let full = full(&registry);
        let cached = preloaded.remove(&EvidenceCache::key(&registry, &name, full));
        let cache = cache.clone();
        tasks.spawn(async move {
            let source = FactsSource {
                full,
                evidence: &evidence,
                cache: &cache,
                limit: &limit,
            };
            let facts = source.obtain(&registry, &name, cached).await;
            let judge = move || judge_group(facts, group, &keys);
            let judged = tokio::task::spawn_blocking(judge)
                .await
                .expect("judging never panics");
            let mut results = Vec::with_capacity(judged.len());
            for (result, job) in judged {
                results.push(match job.filter(|_| provenance.enabled) {
                    Some(job) => attest(result, job, &evidence, trust.clone(), &provenance).await,
                    None => result,
                });
            }
            results
        });
    }
    while let Some(done) = tasks.join_next().await {
        results.extend(done.expect("check tasks never panic"));
    }
    results
}

fn group_checks(checks: Vec<Check>) -> BTreeMap<(Url, String), Vec<Check>> {
    let mut groups: BTreeMap<(Url, String), Vec<Check>> = BTreeMap::new();
    for check in checks {
        let key = (check.registry.clone(), check.result.name.clone());
        groups.entry(key).or_default().push(check);
    }
    groups
}

fn judge_without_keys(check: Check, keys: &RegistryKeys) -> PackageResult {
    let id = format!("{}@{}", check.result.name, check.result.version);
    match keys {
        RegistryKeys::Unavailable(why) => check.result.fail(
            Status::Invalid,
            Code::KeysUnavailable,
            format!("{id}: cannot verify, the registry's signing keys are unavailable: {why}"),
        ),
        _ => check.result.fail(
            Status::Skipped,
            Code::NoRegistryKeys,
            format!(
                "{id}: the registry {} publishes no signing keys",
                check.registry
            ),
        ),
    }
}

/// Where packument facts come from: the cache when fresh, else the registry (revalidating a
/// cached copy), parsed off the async workers.
struct FactsSource<'a> {
    /// Full packuments carry publish times (key expiry, downgrades); abbreviated ones do not.
    full: bool,
    evidence: &'a Evidence,
    cache: &'a EvidenceCache,
    limit: &'a Semaphore,
}

type Facts = Result<PackumentFacts, (Code, String)>;

impl FactsSource<'_> {
    async fn obtain(&self, registry: &Url, name: &str, cached: Option<CachedFacts>) -> Facts {
        if let Some(c) = cached.as_ref().filter(|c| c.fresh) {
            return Ok(c.facts.clone());
        }
        let validators = cached
            .as_ref()
            .map(|c| c.validators.clone())
            .unwrap_or_default();
        let answer = {
            let _permit = self
                .limit
                .acquire()
                .await
                .expect("semaphore is never closed");
            self.evidence
                .packument_conditional(registry, name, self.full, &validators)
                .await
        };
        let key = EvidenceCache::key(registry, name, self.full);
        match answer {
            Ok(Conditional::NotModified) => {
                let c = cached.ok_or((
                    Code::BadPackument,
                    "the registry answered 304 to an unconditional request".to_string(),
                ))?;
                self.cache.store(&key, &c.facts, &c.validators);
                Ok(c.facts)
            }
            Ok(Conditional::Body { bytes, validators }) => {
                let parse = move || {
                    parse_packument(&bytes).map_err(|e| (Code::BadPackument, e.to_string()))
                };
                let facts = tokio::task::spawn_blocking(parse)
                    .await
                    .expect("parsing never panics")?;
                self.cache.store(&key, &facts, &validators);
                Ok(facts)
            }
            Ok(Conditional::NotFound) => Err((
                Code::NoPackument,
                "the registry answered 404 for its packument".into(),
            )),
            Err(e) => Err((evidence_code(&e), e.to_string())),
        }
    }
}

fn judge_group(
    facts: Facts,
    group: Vec<Check>,
    keys: &crate::keys::KeySet,
) -> Vec<(PackageResult, Option<AttestationJob>)> {
    // The release history (for downgrade checks) is shared by every version of the group.
    let history = facts
        .as_ref()
        .map(|f| Arc::new(history(f)))
        .unwrap_or_default();
    group
        .into_iter()
        .map(|check| match &facts {
            Ok(facts) => judge_one(facts, check, keys, &history),
            Err((code, why)) => {
                let id = format!("{}@{}", check.result.name, check.result.version);
                let result = check
                    .result
                    .fail(Status::Invalid, *code, format!("{id}: {why}"));
                (result, None)
            }
        })
        .collect()
}

fn evidence_code(e: &EvidenceError) -> Code {
    match e {
        EvidenceError::Fetch(_) => Code::RegistryUnreachable,
        EvidenceError::NotInStore(_) | EvidenceError::Io { .. } => Code::NoEvidence,
    }
}

/// Judges one version: its signatures first (as npm), then the lockfile's and tarball's
/// integrity; returns what the attestation step needs when the signature holds (or is missing).
pub(crate) fn judge_one(
    facts: &PackumentFacts,
    check: Check,
    keys: &crate::keys::KeySet,
    history: &Arc<Vec<VersionInfo>>,
) -> (PackageResult, Option<AttestationJob>) {
    let registry = check.registry.clone();
    let inline = check.inline_attestations.clone();
    let result = judge_signatures(facts, check, keys);
    if !matches!(result.status, Status::Verified | Status::Missing) {
        return (result, None);
    }
    let Some(version) = facts.versions.get(&result.version) else {
        return (result, None);
    };
    let job = AttestationJob {
        registry,
        advertised: version.attestations_url.clone(),
        inline,
        integrity: result.integrity.clone().unwrap_or_default(),
        repository: version.repository.clone(),
        history: Arc::clone(history),
    };
    (result, Some(job))
}

/// Every version's publish time and whether it advertised provenance (for downgrades).
fn history(facts: &PackumentFacts) -> Vec<VersionInfo> {
    facts
        .versions
        .iter()
        .map(|(version, v)| VersionInfo {
            version: version.clone(),
            published: facts.published.get(version).copied(),
            has_provenance: v.provenance_predicate.is_some(),
        })
        .collect()
}

fn judge_signatures(
    facts: &PackumentFacts,
    check: Check,
    keys: &crate::keys::KeySet,
) -> PackageResult {
    let (name, version) = (check.result.name.clone(), check.result.version.clone());
    let id = format!("{name}@{version}");
    let Some(facts_v) = facts.versions.get(&version) else {
        let why = format!("{id}: the registry does not list version {version}");
        return check
            .result
            .fail(Status::Invalid, Code::VersionNotFound, why);
    };
    let Some(integrity) = facts_v.integrity.clone() else {
        let why = format!("{id}: the registry gives no dist.integrity to verify");
        return check.result.fail(Status::Invalid, Code::BadPackument, why);
    };
    let mut result = check.result;
    result.integrity = Some(integrity.clone());
    if result.resolved.is_none() {
        result.resolved = facts_v.tarball.clone();
    }
    let signed = SignedVersion {
        name: &name,
        version: &version,
        integrity: &integrity,
        published: facts.published.get(&version).copied(),
    };
    match verify_registry_signatures(&signed, &facts_v.signatures, keys) {
        SignatureVerdict::Missing => result.fail(
            Status::Missing,
            Code::MissingSignature,
            format!(
                "{id} has a missing registry signature but the registry is providing signing keys"
            ),
        ),
        SignatureVerdict::Invalid {
            code,
            keyid,
            message,
        } => {
            result.keyids = vec![keyid];
            result.fail(Status::Invalid, code, message)
        }
        SignatureVerdict::Verified { keyids, .. } => {
            result.keyids = keyids;
            check_integrity(
                result,
                &integrity,
                check.lock_integrity,
                check.tarball_integrity,
            )
        }
    }
}

fn check_integrity(
    result: PackageResult,
    signed: &str,
    lockfile: Option<String>,
    tarball: Option<String>,
) -> PackageResult {
    let id = format!("{}@{}", result.name, result.version);
    if let Some(lock) = lockfile.filter(|l| integrity::conflicts(l, signed)) {
        let why =
            format!("{id}: the lockfile pins integrity {lock} but the registry signed {signed}");
        return result.fail(Status::Invalid, Code::IntegrityMismatch, why);
    }
    if let Some(tarball) = tarball.filter(|t| integrity::conflicts(t, signed)) {
        let why = format!("{id}: the tarball hashes to {tarball} but the registry signed {signed}");
        return result.fail(Status::Invalid, Code::IntegrityMismatch, why);
    }
    result
}
