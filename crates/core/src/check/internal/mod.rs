//! Internal signatures: cosign signatures by the keys of a trust file, for packages npm's
//! registry does not sign (or signs, but a company wants its own approval on top).
//!
//! Where they are found (README, "Internal signatures"):
//! - **sidecars** next to a `file:` tarball: `<tarball>.sig`, `<tarball>.sigstore.json`, and
//!   `<tarball>.<label>.sig` / `<tarball>.<label>.sigstore.json` (one per approver, for k-of-n);
//! - the **offline store**: `<registry dir>/-/npm-sigverify/internal/<name>@<version>[.<label>]`
//!   `.sig` / `.sigstore.json`, over the registry tarball (read from npm's cache, checked
//!   against the signed integrity);
//! - a registry's **`dist.signatures`** entries whose keyid names a trust-file key (npm's
//!   `SHA256:<base64>` form of the key's SHA-256 fingerprint, or the hex fingerprint), over
//!   npm's message `name@version:integrity`.
//!
//! Every key signature is checked with `sigverify_cosign::verify_with_trust_file`: the key must
//! be in the trust file and valid (not expired, not revoked) at a verified timestamp, or now when
//! the evidence carries none. A bundle carrying a certificate is checked against the policy's
//! private CAs (`trust.certificateAuthorities`): chain at the signing time an RFC 3161 timestamp
//! proves (else now), CRLs, and an identity of that CA (`trust.identities` with `ca:`).

mod authority;
mod find;
mod trust;

use crate::model::{CheckOutcome, CheckState, PackageResult};
use crate::source::packument::RegistrySignature;
use crate::Code;

pub(crate) use find::InternalContext;
pub use find::{signature_files, store_signature_dir};
pub use trust::InternalTrust;

/// Looks for sidecar and store signatures of every eligible package, verifies them, and sets
/// each package's internal signature check from all of them (registry entries included).
pub(crate) async fn check_internal(
    results: Vec<PackageResult>,
    context: InternalContext,
) -> Vec<PackageResult> {
    let work = move || {
        results
            .into_iter()
            .map(|mut result| {
                find::find_and_judge(&mut result, &context);
                settle(&mut result);
                result
            })
            .collect()
    };
    tokio::task::spawn_blocking(work)
        .await
        .expect("internal signature checks never panic")
}

/// Sets the internal signature check from every internal signature found: passed when one
/// verifies, failed when all fail (fail closed; unavailable when every failure is a tarball
/// that could not be read), not applicable when none was found.
pub(crate) fn settle(result: &mut PackageResult) {
    let id = result.id();
    let signatures = &result.internal_signatures;
    result.checks.internal_signatures = if signatures.is_empty() {
        CheckOutcome {
            state: CheckState::NotApplicable,
            code: None,
            message: Some(format!("{id}: no internal signature found")),
        }
    } else if signatures.iter().any(|s| s.valid) {
        CheckOutcome::passed()
    } else {
        let first = &signatures[0];
        let all_unreadable = signatures
            .iter()
            .all(|s| s.code.as_deref() == Some("EINTERNALTARBALL"));
        let code = match all_unreadable {
            true => Code::InternalTarball,
            false => Code::InternalSignature,
        };
        let why = format!(
            "{id}: none of its {} internal signature(s) verifies ({}: {})",
            signatures.len(),
            first.location,
            first.message.as_deref().unwrap_or("invalid")
        );
        CheckOutcome::failed(code, why)
    };
}

/// Splits `dist.signatures` into npm's (judged with registry keys) and the internal keys' (judged
/// with the trust file, over the same `name@version:integrity` message).
pub(crate) fn split_internal(
    result: &mut PackageResult,
    signatures: &[RegistrySignature],
    integrity: &str,
    internal: Option<&InternalTrust>,
) -> Vec<RegistrySignature> {
    let Some(trust) = internal else {
        return signatures.to_vec();
    };
    let message = format!("{}@{}:{integrity}", result.name, result.version);
    let (internal_sigs, registry_sigs): (Vec<_>, Vec<_>) = signatures
        .iter()
        .cloned()
        .partition(|s| trust.key_for_keyid(&s.keyid).is_some());
    for entry in &internal_sigs {
        let verdict = trust.judge_registry_entry(entry, &message);
        result.internal_signatures.push(verdict);
    }
    registry_sigs
}

#[cfg(test)]
mod tests {
    use super::trust::keyid_fingerprint;
    use super::*;

    #[test]
    fn keyids_in_npm_and_hex_form_name_the_same_fingerprint() {
        let hex =
            "8e5ddbc2cc2ef343e38e890282 1d28db0e5cd94e0b850004e7b823f5ccf59330".replace(' ', "");
        let b64 = "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA";
        assert_eq!(keyid_fingerprint(b64).as_deref(), Some(hex.as_str()));
        assert_eq!(
            keyid_fingerprint(&hex.to_uppercase()).as_deref(),
            Some(hex.as_str())
        );
        assert_eq!(keyid_fingerprint("SHA256:short"), None);
    }

    #[test]
    fn signature_files_take_labels_but_not_other_versions() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "a-1.0.0.tgz",
            "a-1.0.0.tgz.sig",
            "a-1.0.0.tgz.sigstore.json",
            "a-1.0.0.tgz.alice.sig",
            "a-1.0.0.tgz.bob.sigstore.json",
            "a-1.0.0.tgz.x.y.sig",
            "a-1.0.0.tgz.sig.bak",
            "a-1.0.0.tgz.txt",
            "a-1.0.00.tgz.sig",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let names: Vec<String> = signature_files(dir.path(), "a-1.0.0.tgz")
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "a-1.0.0.tgz.alice.sig",
                "a-1.0.0.tgz.bob.sigstore.json",
                "a-1.0.0.tgz.sig",
                "a-1.0.0.tgz.sigstore.json"
            ]
        );
    }
}
