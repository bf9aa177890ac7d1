//! The verdict cache: the outcome of a registry package's signature, integrity and attestation
//! checks, reused as-is when nothing it depends on has changed. Verdicts are kept inside their
//! packument's cache entry ([`crate::cache::EntryDraft`]): no extra file or round trip.
//!
//! The key covers everything the verdict is a function of: the tool version, the package
//! (registry, name, version), the lockfile's integrity, this version's packument facts
//! (integrity, signatures, attestation advertisement, repository, publish time), the release
//! history (downgrades), the registry's keys, the trusted root and the attestation options.
//! A key rotation, a changed packument or another trusted root gives another key. What a hit
//! saves: the ECDSA and Sigstore verification and the attestations request (the attestation
//! documents of a version whose verdict is kept are not fetched again). Only `verified` and
//! `missing` verdicts are kept: failures are checked again on every run. Runs with internal
//! signatures (whose validity depends on the time of the run) do not use it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use url::Url;

use crate::config::ProvenanceOptions;
use crate::model::{AttestationSummary, CheckOutcome, CheckState, PackageResult};
use crate::source::packument::PackumentFacts;
use crate::Code;

/// A cached verdict: the outcomes of the registry checks and the evidence they reported.
/// Nothing later checks compare with (integrity, tarball URL, repository) is kept here: those
/// are re-derived from the facts when the verdict is applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Verdict {
    registry_signature: CheckOutcome,
    integrity: CheckOutcome,
    attestations: CheckOutcome,
    keyids: Vec<String>,
    provenance: Option<String>,
    attestations_found: Vec<AttestationSummary>,
}

impl Verdict {
    /// The verdict of a checked result when it is worth keeping: a verified or missing
    /// registry signature, an integrity that passed (or had nothing to compare), attestations
    /// that passed or were off, and no internal signature. Failures are never cached: they are
    /// checked again on every run, so a fixed registry answer is seen at once.
    pub fn of(result: &PackageResult) -> Option<Verdict> {
        let checks = &result.checks;
        let signature_settled = checks.registry_signature.state == CheckState::Passed
            || checks.registry_signature.code == Some(Code::MissingSignature);
        let integrity_ok = matches!(
            checks.integrity.state,
            CheckState::Passed | CheckState::NotApplicable
        );
        let attestations_ok = matches!(
            checks.attestations.state,
            CheckState::Passed | CheckState::Off
        );
        let keep = signature_settled
            && integrity_ok
            && attestations_ok
            && result.internal_signatures.is_empty();
        keep.then(|| Verdict {
            registry_signature: checks.registry_signature.clone(),
            integrity: checks.integrity.clone(),
            attestations: checks.attestations.clone(),
            keyids: result.keyids.clone(),
            provenance: result.provenance.clone(),
            attestations_found: result.attestations.clone(),
        })
    }

    /// The check's result with this verdict; what it reports of its version comes from `facts`.
    pub fn apply(self, mut result: PackageResult, facts: &PackumentFacts) -> PackageResult {
        if let Some(version) = facts.versions.get(&result.version) {
            version.report_into(&mut result);
        }
        result.checks.registry_signature = self.registry_signature;
        result.checks.integrity = self.integrity;
        result.checks.attestations = self.attestations;
        result.keyids = self.keyids;
        result.provenance = self.provenance;
        result.attestations = self.attestations_found;
        result
    }
}

/// What every verdict of a run depends on besides the package: tool, options, trusted root.
pub(crate) fn run_salt(provenance: &ProvenanceOptions, trusted_root: Option<&str>) -> String {
    let root = trusted_root.map_or_else(|| "embedded".to_string(), sha256_hex);
    let parts = [
        // v2: attestation summaries carry their authenticated signing time. v3: a verified
        // provenance is bound to the signed tarball's repository (a v2 verdict was not).
        ("format", "verdict v3".to_string()),
        ("tool", env!("CARGO_PKG_VERSION").to_string()),
        ("provenance", format!("{provenance:?}")),
        ("trustedRoot", root),
    ];
    let refs: Vec<(&str, &str)> = parts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    sigverify_cache::verdict_key(&refs)
}

/// The release history of a packument as one digest (it decides provenance downgrades).
pub(crate) fn history_digest(facts: &PackumentFacts) -> String {
    facts
        .history_digest
        .0
        .get_or_init(|| compute_history_digest(facts))
        .clone()
}

/// Cache entries keep this digest with their facts: a change here needs a new `FACTS_FORMAT`.
///
/// The SHA-256 of one line per version (`version NUL published NUL has_provenance`, the publish
/// time in RFC 3339), sorted, joined by newlines. The lines are written into one buffer and
/// hashed in order, not built one string each (a cold run digests ~90,000 versions).
fn compute_history_digest(facts: &PackumentFacts) -> String {
    let mut text = String::new();
    let mut lines = Vec::with_capacity(facts.versions.len());
    for (version, v) in &facts.versions {
        let start = text.len();
        text.push_str(version);
        text.push('\0');
        if let Some(published) = facts.published.get(version) {
            text.push_str(&published.to_rfc3339());
        }
        let provenance = v.provenance_predicate.is_some();
        text.push_str(if provenance { "\0true" } else { "\0false" });
        lines.push(start..text.len());
    }
    lines.sort_unstable_by(|a, b| text[a.clone()].cmp(&text[b.clone()]));
    let mut hash = Sha256::new();
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            hash.update(b"\n");
        }
        hash.update(text[line].as_bytes());
    }
    hex::encode(hash.finalize())
}

pub(crate) fn verdict_key(
    salt: &str,
    registry: &Url,
    result: &PackageResult,
    facts: &PackumentFacts,
    history: &str,
    keys: &str,
) -> Option<String> {
    let version = &result.version;
    let version_facts = serde_json::to_string(&**facts.versions.get(version)?).ok()?;
    let published = facts
        .published
        .get(version)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    let package = format!("{}@{version}", result.name);
    let parts = [
        ("run", salt),
        ("registry", registry.as_str()),
        ("package", package.as_str()),
        (
            "lockIntegrity",
            result.lockfile_integrity.as_deref().unwrap_or(""),
        ),
        ("versionFacts", version_facts.as_str()),
        ("published", published.as_str()),
        ("history", history),
        ("keys", keys),
    ];
    Some(sigverify_cache::verdict_key(&parts))
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::packument::parse_packument;

    const PACKUMENT: &[u8] = br#"{"name":"a","time":{"1.0.0":"2024-01-01T00:00:00Z"},
        "versions":{"1.0.0":{"dist":{"integrity":"sha512-one","tarball":"https://registry.example/a/-/a-1.0.0.tgz","signatures":[{"keyid":"k","sig":"s1"}]}}}}"#;

    fn result(lock: Option<&str>) -> PackageResult {
        let mut r = PackageResult::new("a", "1.0.0", "node_modules/a", "registry");
        r.lockfile_integrity = lock.map(str::to_string);
        r
    }

    fn registry() -> Url {
        Url::parse("https://registry.example/").unwrap()
    }

    /// The digest as first written (cache entries keep its value).
    fn history_digest_as_first_written(facts: &PackumentFacts) -> String {
        let mut history: Vec<String> = facts
            .release_history()
            .into_iter()
            .map(|h| {
                let published = h.published.map(|t| t.to_rfc3339()).unwrap_or_default();
                format!("{}\u{0}{published}\u{0}{}", h.version, h.has_provenance)
            })
            .collect();
        history.sort();
        sha256_hex(&history.join("\n"))
    }

    #[test]
    fn the_history_digest_keeps_its_bytes() {
        // Versions that are prefixes of others, one with a NUL in its name, times with and
        // without fractions, a version without a time, provenance on some.
        let doc = br#"{"name":"a",
            "time":{"1.0.0":"2024-01-01T00:00:00Z","1.0.0-beta":"2023-12-31T23:59:59.123Z",
                    "1.0.0\u0000x":"2024-02-01T10:00:00.5+02:00","2.0.0":"2024-03-01T00:00:00Z"},
            "versions":{
              "1.0.0":{"dist":{"integrity":"sha512-a","tarball":"https://r.example/a-1.0.0.tgz"}},
              "1.0.0-beta":{"dist":{"integrity":"sha512-b","tarball":"https://r.example/a-b.tgz",
                "attestations":{"url":"https://r.example/att","provenance":{"predicateType":"https://slsa.dev/provenance/v1"}}}},
              "1.0.0\u0000x":{"dist":{"integrity":"sha512-c","tarball":"https://r.example/a-c.tgz"}},
              "1.0.0\u0000":{"dist":{"integrity":"sha512-e","tarball":"https://r.example/a-e.tgz"}},
              "2.0.0":{"dist":{"integrity":"sha512-d","tarball":"https://r.example/a-2.tgz"}},
              "10.0.0":{"dist":{"integrity":"sha512-f","tarball":"https://r.example/a-10.tgz"}}}}"#;
        let facts = parse_packument(doc).unwrap();
        assert!(facts.release_history().iter().any(|h| h.has_provenance));
        assert_eq!(
            compute_history_digest(&facts),
            history_digest_as_first_written(&facts)
        );
        let small = parse_packument(PACKUMENT).unwrap();
        assert_eq!(
            compute_history_digest(&small),
            history_digest_as_first_written(&small)
        );
        let empty = parse_packument(br#"{"name":"a","versions":{}}"#).unwrap();
        assert_eq!(
            compute_history_digest(&empty),
            history_digest_as_first_written(&empty)
        );
    }

    #[test]
    fn every_input_of_a_verdict_changes_its_key() {
        let facts = parse_packument(PACKUMENT).unwrap();
        let history = history_digest(&facts);
        let salt = run_salt(&ProvenanceOptions::default(), None);
        let key = |salt: &str, r: &PackageResult, f: &PackumentFacts, h: &str, k: &str| {
            verdict_key(salt, &registry(), r, f, h, k).unwrap()
        };
        let one = result(Some("sha512-one"));
        let base = key(&salt, &one, &facts, &history, "keys");
        let mut resigned = facts.clone();
        std::sync::Arc::make_mut(resigned.versions.get_mut("1.0.0").unwrap()).signatures[0].sig =
            "s2".into();
        let mut republished = facts.clone();
        republished.published.clear();
        let other_salt = run_salt(&ProvenanceOptions::default(), Some("{}"));
        let others = [
            key(
                &salt,
                &result(Some("sha512-other")),
                &facts,
                &history,
                "keys",
            ),
            key(&salt, &one, &resigned, &history, "keys"),
            key(&salt, &one, &republished, &history, "keys"),
            key(&salt, &one, &facts, "other history", "keys"),
            key(&salt, &one, &facts, &history, "rotated keys"),
            key(&other_salt, &one, &facts, &history, "keys"),
        ];
        for other in others {
            assert_ne!(other, base);
        }
    }

    #[test]
    fn only_passing_verdicts_are_kept() {
        let mut verified = result(None);
        verified.checks.registry_signature = CheckOutcome::passed();
        verified.checks.integrity = CheckOutcome::passed();
        assert!(Verdict::of(&verified).is_some());
        let mut missing = verified.clone();
        missing.checks.registry_signature =
            CheckOutcome::failed(Code::MissingSignature, "m".into());
        assert!(Verdict::of(&missing).is_some());
        let mut invalid = verified.clone();
        invalid.checks.registry_signature =
            CheckOutcome::failed(Code::IntegritySignature, "bad".into());
        assert!(Verdict::of(&invalid).is_none());
        let mut mismatch = verified.clone();
        mismatch.checks.integrity = CheckOutcome::failed(Code::IntegrityMismatch, "x".into());
        assert!(Verdict::of(&mismatch).is_none());
        let mut unreachable = verified.clone();
        unreachable.checks.attestations = CheckOutcome::failed(Code::AttestationFetch, "x".into());
        assert!(Verdict::of(&unreachable).is_none());
    }

    #[test]
    fn an_applied_verdict_takes_what_later_checks_compare_from_the_facts() {
        let facts = parse_packument(PACKUMENT).unwrap();
        let mut judged = result(None);
        judged.checks.registry_signature = CheckOutcome::passed();
        judged.checks.integrity = CheckOutcome::passed();
        judged.integrity = Some("sha512-forged".into());
        judged.resolved = Some("https://evil.example/a.tgz".into());
        let verdict = Verdict::of(&judged).unwrap();
        let applied = verdict.apply(result(None), &facts);
        assert_eq!(applied.integrity.as_deref(), Some("sha512-one"));
        assert_eq!(
            applied.resolved.as_deref(),
            Some("https://registry.example/a/-/a-1.0.0.tgz")
        );
        assert_eq!(applied.checks.registry_signature, CheckOutcome::passed());
    }
}
