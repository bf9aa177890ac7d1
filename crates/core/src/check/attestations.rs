//! Attestations (provenance and publish) of each registry package, verified offline against the
//! embedded Sigstore trusted root, and held to an identity policy npm does not apply: the
//! provenance must name the package's own repository, and a release line must not lose the
//! provenance its earlier versions had (a provenance downgrade).

use std::sync::Arc;

use sigverify_attest::{
    check_identity, detect_downgrade, verify_attestations, AttestationKind, AttestationResult,
    ProvenanceFacts, Severity, Subject, TrustMaterial, VersionInfo,
};
use url::Url;

use crate::config::ProvenanceOptions;
use crate::model::{AttestationSummary, CheckOutcome, PackageResult};
use crate::source::evidence::Evidence;
use crate::source::tarball::TarballSources;
use crate::Code;

/// What the attestation step needs to know about one version.
#[derive(Debug, Clone)]
pub(crate) struct AttestationJob {
    pub registry: Url,
    /// `dist.attestations.url`, when the registry advertises attestations.
    pub advertised: Option<String>,
    /// `dist.attestations.provenance.predicateType`, when the registry advertises provenance:
    /// a document that then holds no provenance bundle has not delivered what it advertised.
    pub advertised_provenance: Option<String>,
    /// An attestations document given by the caller (verifyPackage).
    pub inline: Option<Arc<Vec<u8>>>,
    /// The signed `dist.integrity`.
    pub integrity: String,
    /// The packument's `repository` for the version: unsigned, so a verified provenance is
    /// only accepted once the signed tarball's package.json names the same repository
    /// ([`bind_repository`]).
    pub repository: Option<serde_json::Value>,
    /// Every version of the packument, for downgrade detection.
    pub history: Arc<Vec<VersionInfo>>,
}

/// Verifies the attestations of one version whose registry signature holds; `tarballs` is where
/// the signed package.json a verified provenance is matched against is read from.
pub(crate) async fn attest(
    result: PackageResult,
    job: AttestationJob,
    evidence: &Evidence,
    trust: Option<Arc<TrustMaterial>>,
    options: &ProvenanceOptions,
    tarballs: &TarballSources,
) -> PackageResult {
    let document = match (&job.inline, &job.advertised) {
        (Some(inline), _) => Ok(Some(inline.to_vec())),
        (None, Some(url)) => fetch(evidence, &job, &result, url).await,
        (None, None) => Ok(None),
    };
    match document {
        Err(why) => fail(
            with_provenance(result, "invalid"),
            Code::AttestationFetch,
            why,
        ),
        Ok(None) => absent(result, &job, options),
        Ok(Some(doc)) => {
            let Some(trust) = trust else {
                let why = format!(
                    "{}@{}: attestations are advertised but the registry keys are unavailable",
                    result.name, result.version
                );
                return fail(
                    with_provenance(result, "invalid"),
                    Code::AttestationVerify,
                    why,
                );
            };
            let (job, judged_with) = (Arc::new(job), options.clone());
            let judged = {
                let job = Arc::clone(&job);
                let judge = move || judge_document(result, &job, &doc, &trust, &judged_with);
                crate::work::cpu::on_cpu_pool(judge).await
            };
            match options.repository_match && options.bind_to_tarball {
                true => bind_repository(judged, &job, evidence, tarballs).await,
                false => judged,
            }
        }
    }
}

/// A verified provenance was matched against the packument's `repository`, which the registry
/// signature does not cover: a mirror could rewrite it to the repository of its own build. The
/// match holds only when the signed tarball's package.json (what npm's registry matched the
/// provenance against at publish) names that same repository; a tarball that cannot be read
/// leaves the provenance unbound, which fails.
async fn bind_repository(
    result: PackageResult,
    job: &AttestationJob,
    evidence: &Evidence,
    tarballs: &TarballSources,
) -> PackageResult {
    if result.provenance.as_deref() != Some("verified")
        || result.checks.attestations != CheckOutcome::passed()
    {
        return result;
    }
    let id = result.id();
    let bytes = match tarballs.obtain(&result, &job.integrity, evidence).await {
        Ok(bytes) => bytes,
        Err((code, why)) => {
            let why = format!(
                "{id}: the signed package.json, whose repository the provenance must name, could not be read: {why}"
            );
            return fail(result, code, why);
        }
    };
    let signed = crate::work::cpu::on_cpu_pool(move || signed_repository(&bytes)).await;
    let claimed = job
        .repository
        .as_ref()
        .and_then(sigverify_attest::normalize_repository_value);
    if signed.is_some() && signed == claimed {
        return result;
    }
    let name = |r: Option<String>| r.unwrap_or_else(|| "no repository".into());
    let why = format!(
        "{id}: the registry's document names {} as the repository but the signed package.json names {}: provenance is matched against the signed one",
        name(claimed),
        name(signed)
    );
    fail(result, Code::ProvenanceRepository, why)
}

/// The normalised `repository` of a tarball's package.json.
fn signed_repository(tarball: &[u8]) -> Option<String> {
    let manifest = sigverify_content::read_tarball(tarball).ok()?;
    let package: serde_json::Value = serde_json::from_slice(manifest.package_json()?).ok()?;
    sigverify_attest::normalize_repository_value(&package["repository"])
}

async fn fetch(
    evidence: &Evidence,
    job: &AttestationJob,
    result: &PackageResult,
    url: &str,
) -> Result<Option<Vec<u8>>, String> {
    let id = format!("{}@{}", result.name, result.version);
    match evidence
        .attestations(&job.registry, &result.name, &result.version, url)
        .await
    {
        Ok(Some(doc)) => Ok(Some(doc)),
        Ok(None) => Err(format!(
            "{id}: the registry advertises attestations but answered 404 for them"
        )),
        Err(e) => Err(format!(
            "{id}: the advertised attestations could not be fetched: {e}"
        )),
    }
}

fn fail(mut result: PackageResult, code: Code, why: String) -> PackageResult {
    result.checks.attestations = CheckOutcome::failed(code, why);
    result
}

fn pass(mut result: PackageResult) -> PackageResult {
    result.checks.attestations = CheckOutcome::passed();
    result
}

fn with_provenance(mut result: PackageResult, state: &str) -> PackageResult {
    result.provenance = Some(state.to_string());
    result
}

/// No attestations: fine unless required, or unless the release line had provenance before.
fn absent(
    result: PackageResult,
    job: &AttestationJob,
    options: &ProvenanceOptions,
) -> PackageResult {
    let result = with_provenance(result, "absent");
    if let Some(downgrade) = detect_downgrade(&job.history, &result.version) {
        let why = format!("{}@{}: {}", result.name, result.version, downgrade.message);
        return fail(result, Code::ProvenanceDowngrade, why);
    }
    if options.require {
        let why = format!(
            "{}@{} has no provenance and provenance is required",
            result.name, result.version
        );
        return fail(result, Code::ProvenanceRequired, why);
    }
    pass(result)
}

fn judge_document(
    result: PackageResult,
    job: &AttestationJob,
    doc: &[u8],
    trust: &TrustMaterial,
    options: &ProvenanceOptions,
) -> PackageResult {
    let subject = Subject {
        name: &result.name,
        version: &result.version,
        integrity: &job.integrity,
        tarball_sha512: None,
    };
    let verdicts = match verify_attestations(doc, &subject, trust) {
        Ok(verdicts) => verdicts,
        Err(e) => {
            let why = format!("{}@{}: {e}", result.name, result.version);
            return fail(
                with_provenance(result, "invalid"),
                Code::AttestationVerify,
                why,
            );
        }
    };
    let mut result = result;
    result.attestations = verdicts.iter().map(summarize).collect();
    if let Some(bad) = verdicts.iter().find(|v| !v.is_verified()) {
        return reject(result, bad);
    }
    let facts = verdicts
        .iter()
        .find(|v| v.kind == AttestationKind::Provenance)
        .and_then(|v| v.signer.as_ref());
    let state = provenance_state(&result.attestations);
    let result = with_provenance(result, state);
    if facts.is_none() && job.advertised_provenance.is_some() {
        let why = format!(
            "{}: the registry advertises provenance ({}) but its attestations document holds no provenance bundle",
            result.id(),
            job.advertised_provenance.as_deref().unwrap_or_default()
        );
        return fail(result, Code::AttestationFetch, why);
    }
    if facts.is_none() {
        return absent(result, job, options);
    }
    apply_identity(result, facts, job, options)
}

fn reject(result: PackageResult, bad: &AttestationResult) -> PackageResult {
    let code = match bad.code.as_deref() {
        Some("EATTESTATIONSUBJECT") => Code::AttestationSubject,
        Some("EMISSINGSIGNATUREKEY") => Code::MissingSignatureKey,
        Some("EEXPIREDSIGNATUREKEY") => Code::ExpiredSignatureKey,
        _ => Code::AttestationVerify,
    };
    let why = format!(
        "{}@{} has an invalid {} attestation: {}",
        result.name,
        result.version,
        bad.predicate_type,
        bad.message.as_deref().unwrap_or("verification failed")
    );
    let state = provenance_state(&result.attestations);
    fail(with_provenance(result, state), code, why)
}

/// invalid when a provenance bundle failed, verified when one verified, else absent.
fn provenance_state(attestations: &[AttestationSummary]) -> &'static str {
    let provenance = |status: &str| {
        attestations
            .iter()
            .any(|a| a.kind == "provenance" && a.status == status)
    };
    if provenance("invalid") {
        "invalid"
    } else if provenance("verified") {
        "verified"
    } else {
        "absent"
    }
}

fn apply_identity(
    result: PackageResult,
    facts: Option<&ProvenanceFacts>,
    job: &AttestationJob,
    options: &ProvenanceOptions,
) -> PackageResult {
    let violations = check_identity(facts, job.repository.as_ref(), &options.identity_policy());
    // A check that could not be made (no repository to match the provenance with) is no pass:
    // npm's registry refuses provenance whose package.json names no matching repository, so a
    // document without one has been altered.
    let Some(error) = violations
        .iter()
        .find(|v| v.severity == Severity::Error || v.severity == Severity::Unverifiable)
    else {
        return pass(result);
    };
    let code = match error.code {
        "EPROVENANCEREPOSITORY" | "EPROVENANCENOREPOSITORY" => Code::ProvenanceRepository,
        "EPROVENANCEREQUIRED" => Code::ProvenanceRequired,
        "EPROVENANCEWORKFLOWREF" => Code::ProvenanceWorkflow,
        "EPROVENANCEISSUER" => Code::ProvenanceIssuer,
        _ => Code::ProvenanceIdentity,
    };
    let why = format!("{}@{}: {}", result.name, result.version, error.message);
    fail(result, code, why)
}

fn summarize(v: &AttestationResult) -> AttestationSummary {
    let kind = match v.kind {
        AttestationKind::Provenance => "provenance",
        AttestationKind::Publish => "publish",
        _ => "other",
    };
    AttestationSummary {
        predicate_type: v.predicate_type.clone(),
        kind: kind.to_string(),
        status: if v.is_verified() {
            "verified"
        } else {
            "invalid"
        }
        .to_string(),
        code: v.code.clone(),
        detail: v.detail.clone(),
        message: v.message.clone(),
        signer: v.signer.clone(),
        keyid: v.keyid.clone(),
        log_index: v.log_index,
        signed_at: v.signed_at,
        signed_at_source: v.signed_at_source.map(str::to_string),
    }
}
