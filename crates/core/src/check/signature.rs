//! npm registry signatures: ECDSA P-256 / SHA-256 over `name@version:integrity`.
//!
//! Semantics follow npm (pacote `registry.js`): every signature made by a key the registry
//! publishes must verify, and its key must not have expired before the version was published
//! (a version without a publish time counts as published on 2015-01-01, like npm). One
//! deliberate difference: a signature whose keyid the registry does not publish is ignored when
//! another signature by a published key verifies (a registry may add signatures by keys a client
//! does not know yet); when no signature names a published key the version fails with
//! `EMISSINGSIGNATUREKEY`, as in npm.

use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, TimeZone, Utc};

use crate::model::{CheckOutcome, PackageResult};
use crate::source::keys::{KeySet, RegistryKey};
pub use crate::source::packument::RegistrySignature;
use crate::Code;

/// What the registry signed for one version.
#[derive(Debug, Clone, Copy)]
pub struct SignedVersion<'a> {
    /// The real package name (not an alias).
    pub name: &'a str,
    /// The exact version.
    pub version: &'a str,
    /// `dist.integrity` exactly as the registry serves it.
    pub integrity: &'a str,
    /// `time[version]` of the full packument, when known.
    pub published: Option<DateTime<Utc>>,
}

/// The verdict on a version's registry signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureVerdict {
    /// Every signature by a published key verified; `ignored` lists unknown keyids passed over.
    Verified {
        keyids: Vec<String>,
        ignored: Vec<String>,
    },
    /// The version carries no signature.
    Missing,
    /// A signature failed; `keyid` names the offending key or keyid.
    Invalid {
        code: Code,
        keyid: String,
        message: String,
    },
}

/// npm's stand-in publish time for versions whose packument has no `time` entry.
pub fn missing_time_cutoff() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2015, 1, 1, 0, 0, 0).unwrap()
}

/// Judges the signatures of one version against the registry's keys.
pub fn verify_registry_signatures(
    signed: &SignedVersion,
    signatures: &[RegistrySignature],
    keys: &KeySet,
) -> SignatureVerdict {
    if signatures.is_empty() {
        return SignatureVerdict::Missing;
    }
    let id = format!("{}@{}", signed.name, signed.version);
    let message = format!("{id}:{}", signed.integrity);
    let (mut keyids, mut ignored) = (Vec::new(), Vec::new());
    for signature in signatures {
        let Some(key) = keys.find(&signature.keyid) else {
            ignored.push(signature.keyid.clone());
            continue;
        };
        if let Some(invalid) = check_one(&id, &message, signed.published, signature, key) {
            return invalid;
        }
        keyids.push(key.keyid.clone());
    }
    if keyids.is_empty() {
        return SignatureVerdict::Invalid {
            code: Code::MissingSignatureKey,
            keyid: ignored[0].clone(),
            message: format!(
                "{id} has a registry signature with keyid: {} but no corresponding public key can be found",
                ignored[0]
            ),
        };
    }
    SignatureVerdict::Verified { keyids, ignored }
}

/// Checks one signature by a published key: expiry first (as npm), then the ECDSA signature.
fn check_one(
    id: &str,
    message: &str,
    published: Option<DateTime<Utc>>,
    signature: &RegistrySignature,
    key: &RegistryKey,
) -> Option<SignatureVerdict> {
    let published = published.unwrap_or_else(missing_time_cutoff);
    if let Some(expires) = key.expires.filter(|e| published >= *e) {
        return Some(SignatureVerdict::Invalid {
            code: Code::ExpiredSignatureKey,
            keyid: key.keyid.clone(),
            message: format!(
                "{id} has a registry signature with keyid: {} but the corresponding public key has expired {} (published {})",
                key.keyid,
                expires.to_rfc3339(),
                published.to_rfc3339()
            ),
        });
    }
    if ecdsa_p256_verifies(&key.point, message.as_bytes(), &signature.sig) {
        return None;
    }
    Some(SignatureVerdict::Invalid {
        code: Code::IntegritySignature,
        keyid: key.keyid.clone(),
        message: format!(
            "{id} has an invalid registry signature with keyid: {}",
            key.keyid
        ),
    })
}

/// Verifies a base64 DER ECDSA P-256/SHA-256 signature. Like node/OpenSSL (and so npm), high-S
/// signatures are accepted; anything that is not base64 DER is simply not a valid signature.
pub fn ecdsa_p256_verifies(point: &[u8], message: &[u8], sig_b64: &str) -> bool {
    let Ok(der) = STANDARD.decode(sig_b64.trim()) else {
        return false;
    };
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
        .verify(message, &der)
        .is_ok()
}

/// Sets the registry signature check of `result` from the version's `signatures` (npm's
/// entries only: internal keys' entries are split off before) and returns the keyids that
/// verified.
pub(crate) fn judge(
    result: &mut PackageResult,
    integrity: &str,
    published: Option<DateTime<Utc>>,
    signatures: &[RegistrySignature],
    keys: &KeySet,
) {
    let (name, version) = (result.name.clone(), result.version.clone());
    let signed = SignedVersion {
        name: &name,
        version: &version,
        integrity,
        published,
    };
    result.checks.registry_signature = match verify_registry_signatures(&signed, signatures, keys) {
        SignatureVerdict::Missing => CheckOutcome::failed(
            Code::MissingSignature,
            format!(
                "{}@{} has a missing registry signature but the registry is providing signing keys",
                name, version
            ),
        ),
        SignatureVerdict::Invalid {
            code,
            keyid,
            message,
        } => {
            result.keyids = vec![keyid];
            CheckOutcome::failed(code, message)
        }
        SignatureVerdict::Verified { keyids, .. } => {
            result.keyids = keyids;
            CheckOutcome::passed()
        }
    };
}
