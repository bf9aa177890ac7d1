//! The trust material internal signatures are judged against: the trust file of keys, the
//! policy's private certificate authorities and the Sigstore root, at the instant of the run.

use std::path::Path;

use base64::Engine;
use chrono::{DateTime, Utc};
use sigstore_trust_root::TrustedRoot;
use sigverify_cosign::bundle::parse_bundle;
use sigverify_cosign::sigfile::decode_signature;
use sigverify_cosign::trust::TrustedKey;
use sigverify_cosign::{verify_with_trust_file, ArtifactInput, Coded, Evidence, TrustFile};

use super::authority::{judge_certificate, load_authorities, Authority};
use crate::error::VerifyError;
use crate::model::InternalSignature;
use crate::source::packument::RegistrySignature;

/// The trust file, CAs and Sigstore root internal signatures are checked against, at one
/// instant.
pub struct InternalTrust {
    /// The trust file of keys (none when only CAs are trusted: key signatures then fail).
    trust: TrustFile,
    authorities: Vec<Authority>,
    root: TrustedRoot,
    now: DateTime<Utc>,
}

impl std::fmt::Debug for InternalTrust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "InternalTrust({} keys, {} CAs)",
            self.trust.keys.len(),
            self.authorities.len()
        )
    }
}

impl InternalTrust {
    /// Loads the trust file (if any) and the policy's certificate authorities; `trusted_root`
    /// is a `trusted_root.json` text (the embedded public-good root when `None`) for key
    /// bundles that carry log entries or timestamps. `None` when there is nothing to trust.
    pub fn load(
        path: Option<&Path>,
        policy: &sigverify_policy::Trust,
        trusted_root: Option<&str>,
    ) -> Result<Option<Self>, VerifyError> {
        if path.is_none() && policy.ca_identities.is_empty() {
            return Ok(None);
        }
        let trust = match path {
            Some(path) => {
                TrustFile::load(path).map_err(|e| VerifyError::TrustFile(e.to_string()))?
            }
            None => TrustFile { keys: Vec::new() },
        };
        let authorities = load_authorities(policy)?;
        let (text, name) = match trusted_root {
            Some(text) => (text, "--trusted-root"),
            None => (
                sigverify_cosign::trustroot::PUBLIC_GOOD_TRUSTED_ROOT,
                "embedded public-good root",
            ),
        };
        let root = sigverify_cosign::trustroot::parse(text, name)
            .map_err(|e| VerifyError::TrustedRoot(e.to_string()))?;
        Ok(Some(InternalTrust {
            trust,
            authorities,
            root,
            now: Utc::now(),
        }))
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
    pub(super) fn judge_file(
        &self,
        artifact: &ArtifactInput,
        path: &Path,
        source: &str,
    ) -> InternalSignature {
        let location = path.display().to_string();
        let evidence = match read_evidence(path) {
            Ok(evidence) => evidence,
            Err((code, why)) => return InternalSignature::failed(source, location, &code, why),
        };
        if let Evidence::Bundle(bundle) = &evidence {
            if sigverify_pki::verify::has_certificate(bundle) {
                let (cas, now) = (&self.authorities, self.now);
                let judged = judge_certificate(cas, artifact, bundle, source, location, now);
                return self.unless_key_revoked(judged);
            }
        }
        self.judge(artifact, &evidence, &self.trust, source, location)
    }

    /// A key the trust file revokes stays revoked when a certificate vouches for it: `keys
    /// revoke` says the private key is in other hands, and a CA that certified it earlier does
    /// not know that. A certificate signature by such a key counts only when a verified
    /// timestamp puts it before the revocation.
    fn unless_key_revoked(&self, judged: InternalSignature) -> InternalSignature {
        let Some(fingerprint) = judged.fingerprint.as_deref().filter(|_| judged.valid) else {
            return judged;
        };
        let revoked = self.trust.keys.iter().find_map(|k| {
            let entry = &k.entry;
            let same = entry.fingerprint.eq_ignore_ascii_case(fingerprint);
            Some((entry.revoked_at.filter(|_| same)?, entry))
        });
        let Some((revoked_at, entry)) = revoked else {
            return judged;
        };
        let signed_at = judged
            .checked_at
            .as_deref()
            .filter(|_| judged.timestamped)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(self.now, |t| t.with_timezone(&Utc));
        if signed_at < revoked_at {
            return judged;
        }
        let why = format!(
            "{}: signed with a certificate for key {fingerprint}, which the trust file revokes since {revoked_at} ({}); a certificate does not restore a revoked key",
            judged.location,
            entry.revocation_reason.as_deref().unwrap_or("no reason given")
        );
        let mut failed =
            InternalSignature::failed(&judged.source, judged.location, "EKEYREVOKED", why);
        failed.fingerprint = judged.fingerprint;
        failed
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
            identities: Vec::new(),
        }
    }
}

/// `SHA256:<base64>` (npm's keyid form, padded or not) or 64 hex digits, as lower-case hex.
pub(super) fn keyid_fingerprint(keyid: &str) -> Option<String> {
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
