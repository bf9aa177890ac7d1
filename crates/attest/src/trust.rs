//! Trust material: the Sigstore trusted root (Fulcio CAs, Rekor and CT log keys, TSAs)
//! and the npm registry keys that sign publish attestations.

use crate::error::TrustError;
use chrono::{DateTime, Utc};
use sigstore_verify::trust_root::TrustedRoot;
use sigstore_verify::types::DerPublicKey;
use sigstore_verify::Verifier;

/// Sigstore's public-good `trusted_root.json`, embedded at build time.
///
/// Byte-identical to the TUF target of `tuf-repo-cdn.sigstore.dev` shipped in sigstore-python
/// 4.5.1 and `@sigstore/tuf` 4.0.2 (see `trust/README.md`).
pub const PUBLIC_GOOD_TRUSTED_ROOT: &[u8] =
    include_bytes!("../trust/public-good-trusted_root.json");

/// One npm registry signing key, as served by `/-/npm/v1/keys` (the caller parses that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryKey {
    /// `SHA256:...` keyid; publish attestations name it in their DSSE `keyid`.
    pub keyid: String,
    /// SubjectPublicKeyInfo DER (the base64-decoded `key` field).
    pub spki_der: Vec<u8>,
    /// End of validity; a bundle logged at or after it is rejected (npm semantics).
    pub expires: Option<DateTime<Utc>>,
}

/// Everything needed to verify attestations offline. Build it once, share it (it is
/// `Send + Sync`), verify many documents with it.
pub struct TrustMaterial {
    verifier: Verifier,
    keys: Vec<RegistryKey>,
}

impl std::fmt::Debug for TrustMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustMaterial")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl TrustMaterial {
    /// Trust the embedded Sigstore public-good root plus `keys`.
    pub fn public_good(keys: Vec<RegistryKey>) -> Result<Self, TrustError> {
        let json = std::str::from_utf8(PUBLIC_GOOD_TRUSTED_ROOT).map_err(|e| {
            TrustError::Verifier(sigstore_verify::Error::InvalidTrustRoot(e.to_string()))
        })?;
        Self::from_trusted_root_json(json, keys)
    }

    /// Trust a given `trusted_root.json` document (e.g. a private Sigstore deployment).
    pub fn from_trusted_root_json(json: &str, keys: Vec<RegistryKey>) -> Result<Self, TrustError> {
        let root = TrustedRoot::from_json(json).map_err(TrustError::Root)?;
        Self::from_trusted_root(&root, keys)
    }

    /// Trust a `trusted_root.json` file.
    pub fn from_trusted_root_file(
        path: impl AsRef<std::path::Path>,
        keys: Vec<RegistryKey>,
    ) -> Result<Self, TrustError> {
        let path = path.as_ref();
        let json = std::fs::read_to_string(path).map_err(|source| TrustError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_trusted_root_json(&json, keys)
    }

    /// Trust an already parsed root.
    pub fn from_trusted_root(
        root: &TrustedRoot,
        keys: Vec<RegistryKey>,
    ) -> Result<Self, TrustError> {
        check_keys(&keys)?;
        // Verifier::new parses every key and certificate once, so that each bundle
        // verification afterwards only does the per-bundle cryptography.
        let verifier = Verifier::new(root).map_err(TrustError::Verifier)?;
        Ok(Self { verifier, keys })
    }

    /// The registry keys, in the order given.
    pub fn registry_keys(&self) -> &[RegistryKey] {
        &self.keys
    }

    /// The registry key with this keyid.
    pub fn registry_key(&self, keyid: &str) -> Option<&RegistryKey> {
        self.keys.iter().find(|k| k.keyid == keyid)
    }

    pub(crate) fn verifier(&self) -> &Verifier {
        &self.verifier
    }
}

/// Reject unusable or ambiguous registry keys up front, so that a bad key set is a
/// configuration error and not 1000 "invalid attestation" verdicts.
fn check_keys(keys: &[RegistryKey]) -> Result<(), TrustError> {
    let mut seen = std::collections::HashSet::new();
    for key in keys {
        if !seen.insert(key.keyid.as_str()) {
            return Err(TrustError::DuplicateKeyid(key.keyid.clone()));
        }
        if key.keyid.is_empty() {
            return Err(TrustError::RegistryKey {
                keyid: String::new(),
                reason: "empty keyid".into(),
            });
        }
        let der = DerPublicKey::new(key.spki_der.clone());
        sigstore_verify::crypto::KeyAlgorithm::from_spki(&der).map_err(|e| {
            TrustError::RegistryKey {
                keyid: key.keyid.clone(),
                reason: e.to_string(),
            }
        })?;
    }
    Ok(())
}
