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
//! Every signature is checked with `sigverify_cosign::verify_with_trust_file`: the key must be
//! in the trust file and valid (not expired, not revoked) at a verified timestamp, or now when
//! the evidence carries none.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use sigstore_trust_root::TrustedRoot;
use sigverify_cosign::bundle::parse_bundle;
use sigverify_cosign::sigfile::decode_signature;
use sigverify_cosign::trust::TrustedKey;
use sigverify_cosign::{verify_with_trust_file, ArtifactInput, Coded, Evidence, TrustFile};
use url::Url;

use crate::check::signature::RegistrySignature;
use crate::error::VerifyError;
use crate::model::{CheckOutcome, CheckState, InternalSignature, PackageResult};
use crate::source::evidence::Store;
use crate::Code;

/// The trust file and Sigstore root internal signatures are checked against, at one instant.
pub struct InternalTrust {
    trust: TrustFile,
    root: TrustedRoot,
    now: DateTime<Utc>,
}

impl std::fmt::Debug for InternalTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "InternalTrust({} keys)", self.trust.keys.len())
    }
}

impl InternalTrust {
    /// Loads the trust file; `trusted_root` is a `trusted_root.json` text (the embedded
    /// public-good root when `None`) for bundles that carry log entries or timestamps.
    pub fn load(path: &Path, trusted_root: Option<&str>) -> Result<Self, VerifyError> {
        let trust = TrustFile::load(path).map_err(|e| VerifyError::TrustFile(e.to_string()))?;
        let (text, name) = match trusted_root {
            Some(text) => (text, "--trusted-root"),
            None => (
                sigverify_cosign::trustroot::PUBLIC_GOOD_TRUSTED_ROOT,
                "embedded public-good root",
            ),
        };
        let root = sigverify_cosign::trustroot::parse(text, name)
            .map_err(|e| VerifyError::TrustedRoot(e.to_string()))?;
        Ok(InternalTrust {
            trust,
            root,
            now: Utc::now(),
        })
    }

    /// The trust-file key a `dist.signatures` keyid names, if any.
    pub(crate) fn key_for_keyid(&self, keyid: &str) -> Option<&TrustedKey> {
        let fingerprint = keyid_fingerprint(keyid)?;
        self.trust
            .keys
            .iter()
            .find(|k| k.entry.fingerprint.eq_ignore_ascii_case(&fingerprint))
    }

    /// Judges a `dist.signatures` entry by an internal key over npm's `name@version:integrity`.
    pub(crate) fn judge_registry_entry(
        &self,
        entry: &RegistrySignature,
        message: &str,
    ) -> InternalSignature {
        let location = entry.keyid.clone();
        let Some(key) = self.key_for_keyid(&entry.keyid) else {
            let why = format!("keyid {} is not in the trust file", entry.keyid);
            return InternalSignature::failed("registry", location, "EKEYNOTTRUSTED", why);
        };
        let signature = match base64::engine::general_purpose::STANDARD.decode(&entry.sig) {
            Ok(bytes) => bytes,
            Err(e) => {
                let why = format!("signature by {} is not base64: {e}", entry.keyid);
                return InternalSignature::failed("registry", location, "EBADSIGNATURE", why);
            }
        };
        let only_this_key = TrustFile {
            keys: vec![key.clone()],
        };
        let artifact = ArtifactInput::Bytes(message.as_bytes().to_vec());
        let evidence = Evidence::Signature(signature);
        self.judge(&artifact, &evidence, &only_this_key, "registry", location)
    }

    /// Judges a sidecar or store file (`.sig` or `.sigstore.json`) over the tarball bytes.
    fn judge_file(&self, artifact: &ArtifactInput, path: &Path, source: &str) -> InternalSignature {
        let location = path.display().to_string();
        let evidence = match read_evidence(path) {
            Ok(evidence) => evidence,
            Err((code, why)) => return InternalSignature::failed(source, location, &code, why),
        };
        self.judge(artifact, &evidence, &self.trust, source, location)
    }

    fn judge(
        &self,
        artifact: &ArtifactInput,
        evidence: &Evidence,
        trust: &TrustFile,
        source: &str,
        location: String,
    ) -> InternalSignature {
        let verdict = verify_with_trust_file(artifact, evidence, trust, self.now, &self.root);
        let (code, message) = match verdict.failure {
            Some(f) => (Some(f.code), Some(f.message)),
            None => (None, None),
        };
        InternalSignature {
            source: source.into(),
            location,
            valid: verdict.valid,
            fingerprint: verdict.fingerprint,
            owner: verdict.owner,
            checked_at: verdict.checked_at.map(|t| t.to_rfc3339()),
            timestamped: verdict.timestamped,
            code,
            message,
        }
    }
}

/// `SHA256:<base64>` (npm's keyid form, padded or not) or 64 hex digits, as lower-case hex.
fn keyid_fingerprint(keyid: &str) -> Option<String> {
    let digest = keyid.strip_prefix("SHA256:").unwrap_or(keyid);
    if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(digest.to_ascii_lowercase());
    }
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let bytes = engine.decode(digest.trim_end_matches('=')).ok()?;
    (bytes.len() == 32).then(|| hex::encode(bytes))
}

fn read_evidence(path: &Path) -> Result<Evidence, (String, String)> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let why = format!("cannot read {name}: {e}");
        ("EINTERNALSIGNATUREREAD".to_string(), why)
    })?;
    let coded = |e: &dyn Coded| (e.code().to_string(), e.to_string());
    if name.ends_with(".sigstore.json") {
        let bundle = parse_bundle(&bytes, &name).map_err(|e| coded(&e))?;
        Ok(Evidence::Bundle(Box::new(bundle)))
    } else {
        let signature = decode_signature(&bytes, &name).map_err(|e| coded(&e))?;
        Ok(Evidence::Signature(signature))
    }
}

/// Signature files for `base` in `dir`: `base.sig`, `base.sigstore.json` and
/// `base.<label>.sig` / `base.<label>.sigstore.json`, sorted by name.
pub fn signature_files(dir: &Path, base: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let prefix = format!("{base}.");
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.strip_prefix(&prefix).is_some_and(is_signature_suffix)
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    files
}

/// `sig`, `sigstore.json`, `<label>.sig` or `<label>.sigstore.json` (label without dots).
fn is_signature_suffix(rest: &str) -> bool {
    let label = rest
        .strip_suffix("sigstore.json")
        .or_else(|| rest.strip_suffix("sig"));
    match label {
        Some("") => true,
        Some(label) => label
            .strip_suffix('.')
            .is_some_and(|l| !l.is_empty() && !l.contains('.')),
        None => false,
    }
}

/// Where the internal signature files of registry packages live in an offline store.
pub fn store_signature_dir(store: &Store, registry: &Url, name: &str) -> (PathBuf, String) {
    let dir = store
        .registry_dir(registry)
        .join("-/npm-sigverify/internal");
    match name.split_once('/') {
        Some((scope, bare)) => (dir.join(scope), bare.to_string()),
        None => (dir, name.to_string()),
    }
}

/// What the sidecar and store lookups need.
pub(crate) struct InternalContext {
    pub trust: Arc<InternalTrust>,
    /// The project root (`file:` tarball paths are relative to it).
    pub root: PathBuf,
    /// The offline store, when verifying offline.
    pub store: Option<Store>,
    /// npm's cache folder, where registry tarballs are found by integrity.
    pub npm_cache: Option<PathBuf>,
}

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
                find_and_judge(&mut result, &context);
                settle(&mut result);
                result
            })
            .collect()
    };
    tokio::task::spawn_blocking(work)
        .await
        .expect("internal signature checks never panic")
}

fn find_and_judge(result: &mut PackageResult, context: &InternalContext) {
    if matches!(
        result.checks.registry_signature.code,
        Some(Code::Omitted | Code::NotInstalled)
    ) {
        return;
    }
    match result.source.as_str() {
        "local-tarball" => sidecar_signatures(result, context),
        "registry" => {
            let found = store_signatures(result, context);
            result.internal_signatures.extend(found);
        }
        _ => {}
    }
}

/// Judges the sidecars of a `file:` tarball; the tarball's sha512 becomes the package's
/// integrity (held against the lockfile's, and used by the content check).
fn sidecar_signatures(result: &mut PackageResult, context: &InternalContext) {
    let Some(path) = crate::source::tarball::local_tarball_path(result, &context.root) else {
        return;
    };
    let (Some(dir), Some(base)) = (path.parent(), path.file_name()) else {
        return;
    };
    let files = signature_files(dir, &base.to_string_lossy());
    if files.is_empty() {
        return;
    }
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let why = format!("cannot read the tarball {}: {e}", path.display());
            let location = path.display().to_string();
            let failed = InternalSignature::failed("sidecar", location, "EINTERNALTARBALL", why);
            result.internal_signatures.push(failed);
            return;
        }
    };
    let integrity = crate::check::integrity::sha512_sri(&bytes);
    let found = judge_files(
        &context.trust,
        ArtifactInput::Bytes(bytes),
        &files,
        "sidecar",
    );
    result.internal_signatures.extend(found);
    let lockfile = result.lockfile_integrity.clone();
    crate::check::integrity::check_integrity(result, &integrity, lockfile.as_deref(), None);
    result.integrity = Some(integrity);
}

fn store_signatures(result: &PackageResult, context: &InternalContext) -> Vec<InternalSignature> {
    let (Some(store), Some(registry)) = (&context.store, result.registry.as_deref()) else {
        return Vec::new();
    };
    let Ok(registry) = Url::parse(registry) else {
        return Vec::new();
    };
    let (dir, bare) = store_signature_dir(store, &registry, &result.name);
    let files = signature_files(&dir, &format!("{bare}@{}", result.version));
    if files.is_empty() {
        return Vec::new();
    }
    let tarball = result.integrity.as_deref().and_then(|integrity| {
        let cache = context.npm_cache.as_deref()?;
        sigverify_content::find_cached_tarball(cache, integrity)
    });
    match tarball {
        Some(bytes) => judge_files(&context.trust, ArtifactInput::Bytes(bytes), &files, "store"),
        None => files
            .iter()
            .map(|f| {
                let why = format!(
                    "{}@{}: the signed tarball is not in npm's cache, so {} cannot be checked (run npm ci first)",
                    result.name,
                    result.version,
                    f.display()
                );
                InternalSignature::failed("store", f.display().to_string(), "EINTERNALTARBALL", why)
            })
            .collect(),
    }
}

fn judge_files(
    trust: &InternalTrust,
    artifact: ArtifactInput,
    files: &[PathBuf],
    source: &str,
) -> Vec<InternalSignature> {
    files
        .iter()
        .map(|f| trust.judge_file(&artifact, f, source))
        .collect()
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
