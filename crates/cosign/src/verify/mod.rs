//! cosign `verify-blob` compatible verification: a key or a keyless identity, against a
//! detached signature or a bundle.
//!
//! Steps, in order: (1) pick the path from the evidence and the authority; (2) for bundles
//! with log entries or timestamps, `sigstore-verify` checks certificate chain, SCT, SET,
//! inclusion proof, checkpoint, RFC 3161 timestamps and the signature; (3) for keyless, our
//! identity policy (exact or regexp, GitHub claims) is applied to the verified certificate;
//! (4) evidence without any log entry is only accepted with `ignore_tlog`, and then the
//! signature alone is checked with the key.

mod artifact;
mod error;

pub use artifact::ArtifactInput;
pub use error::VerifyError;

use crate::bundle::{has_time_evidence, Bundle};
use crate::keys::PublicKey;
use crate::policy::IdentityPolicy;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sigstore_trust_root::TrustedRoot;
use sigstore_types::{HashAlgorithm, SignatureContent};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, Verifier};

/// The signature evidence: a detached signature or a bundle.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// Raw signature bytes (already decoded from base64).
    Signature(Vec<u8>),
    /// A parsed bundle (Sigstore or converted cosign legacy).
    Bundle(Box<Bundle>),
}

/// Who is allowed to have signed.
#[derive(Debug, Clone)]
pub enum Authority {
    /// A public key (cosign `--key`).
    Key(PublicKey),
    /// A keyless identity policy (cosign `--certificate-identity` and friends).
    Identity(IdentityPolicy),
}

/// Everything one verification needs.
pub struct VerifyRequest<'a> {
    /// The artifact.
    pub artifact: &'a ArtifactInput,
    /// The signature or bundle.
    pub evidence: &'a Evidence,
    /// The key or identity policy.
    pub authority: &'a Authority,
    /// The Sigstore trusted root for bundles with log entries.
    pub trusted_root: &'a TrustedRoot,
    /// cosign's `--insecure-ignore-tlog`: accept evidence without log inclusion proof.
    pub ignore_tlog: bool,
}

/// Who signed, as established by a successful verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Signer {
    /// A key, by fingerprint.
    Key {
        /// Hex SHA-256 of the SPKI DER.
        fingerprint: String,
    },
    /// A Fulcio certificate's claims.
    Certificate {
        /// SAN identity (email or URI).
        identity: Option<String>,
        /// OIDC issuer.
        issuer: Option<String>,
    },
}

/// A successful verification.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verified {
    /// Who signed.
    pub signer: Signer,
    /// Verified signing times (Rekor integrated time, RFC 3161 tokens); empty when the
    /// evidence had none.
    pub signed_at: Vec<DateTime<Utc>>,
    /// Whether transparency-log inclusion was verified.
    pub tlog_verified: bool,
}

/// Verifies an artifact's signature evidence against a key or identity policy.
pub fn verify_blob(request: &VerifyRequest<'_>) -> Result<Verified, VerifyError> {
    match (request.evidence, request.authority) {
        (Evidence::Signature(sig), Authority::Key(key)) => {
            verify_detached(request.artifact, sig, key, request.ignore_tlog)
        }
        (Evidence::Signature(_), Authority::Identity(_)) => Err(VerifyError::BundleKind(
            "keyless verification needs a bundle carrying the certificate and log entry".into(),
        )),
        (Evidence::Bundle(bundle), Authority::Key(key)) => verify_key_bundle(request, bundle, key),
        (Evidence::Bundle(bundle), Authority::Identity(policy)) => {
            verify_keyless_bundle(request, bundle, policy)
        }
    }
}

fn verify_detached(
    artifact: &ArtifactInput,
    signature: &[u8],
    key: &PublicKey,
    ignore_tlog: bool,
) -> Result<Verified, VerifyError> {
    if !ignore_tlog {
        // cosign would search Rekor online here; this verifier is offline by design.
        return Err(VerifyError::NoTlog(
            "a detached signature has no log entry and this verifier cannot search rekor".into(),
        ));
    }
    key.verify(artifact.message(), signature)?;
    Ok(key_verified(key, Vec::new(), false))
}

/// Key-signed bundles: with log/timestamp evidence through `sigstore-verify`, without it only
/// on the explicit no-tlog path.
pub(crate) fn verify_key_bundle(
    request: &VerifyRequest<'_>,
    bundle: &Bundle,
    key: &PublicKey,
) -> Result<Verified, VerifyError> {
    if crate::bundle::public_key_hint(bundle).is_none() {
        return Err(VerifyError::BundleKind(
            "bundle holds a certificate, but a key was given".into(),
        ));
    }
    if !has_time_evidence(bundle) {
        if !request.ignore_tlog {
            return Err(VerifyError::NoTlog(
                "the bundle has no log entry and no rfc 3161 timestamp".into(),
            ));
        }
        verify_offline_message(request.artifact, bundle, key)?;
        return Ok(key_verified(key, Vec::new(), false));
    }
    let der = sigstore_types::DerPublicKey::new(key.spki_der().to_vec());
    let mut policy = PublicKeyVerificationPolicy::new(der);
    if request.ignore_tlog {
        policy = policy.skip_tlog_unsafe();
    }
    let verifier = Verifier::new(request.trusted_root)?;
    let result = verifier.verify(request.artifact.as_sigstore(), bundle, &policy)?;
    let times = result
        .verified_timestamps()
        .iter()
        .map(|t| to_chrono(*t))
        .collect();
    Ok(key_verified(key, times, result.tlog_verified()))
}

fn verify_keyless_bundle(
    request: &VerifyRequest<'_>,
    bundle: &Bundle,
    identity: &IdentityPolicy,
) -> Result<Verified, VerifyError> {
    let mut policy = VerificationPolicy::any_identity();
    if request.ignore_tlog {
        policy = policy.skip_tlog_unsafe();
    }
    let verifier = Verifier::new(request.trusted_root)?;
    let result = verifier.verify(request.artifact.as_sigstore(), bundle, &policy)?;
    let cert = result
        .certificate()
        .ok_or_else(|| VerifyError::BundleKind("verified bundle exposes no certificate".into()))?;
    identity.check(cert)?;
    Ok(Verified {
        signer: Signer::Certificate {
            identity: result.identity().map(|san| san.as_str().to_string()),
            issuer: result.issuer().map(str::to_string),
        },
        signed_at: result
            .verified_timestamps()
            .iter()
            .map(|t| to_chrono(*t))
            .collect(),
        tlog_verified: result.tlog_verified(),
    })
}

/// The no-log path for key-signed message-signature bundles (such as the ones `sign`
/// writes): digest binding, then the signature with the key.
pub(crate) fn verify_offline_message(
    artifact: &ArtifactInput,
    bundle: &Bundle,
    key: &PublicKey,
) -> Result<(), VerifyError> {
    let SignatureContent::MessageSignature(message) = &bundle.content else {
        return Err(VerifyError::BundleKind(
            "only message-signature bundles can be verified without a log entry".into(),
        ));
    };
    if let Some(digest) = &message.message_digest {
        if digest.algorithm != HashAlgorithm::Sha2256 {
            return Err(VerifyError::BundleKind(format!(
                "message digest algorithm {:?} is not sha2-256",
                digest.algorithm
            )));
        }
        let actual = artifact.sha256();
        if digest.digest.as_bytes() != actual {
            return Err(VerifyError::Artifact(format!(
                "bundle digest {} is not the artifact's sha256 {}",
                hex::encode(digest.digest.as_bytes()),
                hex::encode(actual)
            )));
        }
    }
    key.verify(artifact.message(), message.signature.as_bytes())?;
    Ok(())
}

fn key_verified(key: &PublicKey, signed_at: Vec<DateTime<Utc>>, tlog: bool) -> Verified {
    Verified {
        signer: Signer::Key {
            fingerprint: key.fingerprint(),
        },
        signed_at,
        tlog_verified: tlog,
    }
}

/// Converts sigstore's `jiff` timestamps into the `chrono` times used in this crate's API.
pub(crate) fn to_chrono(time: jiff::Timestamp) -> DateTime<Utc> {
    let nanos = time.subsec_nanosecond().max(0) as u32;
    DateTime::from_timestamp(time.as_second(), nanos).unwrap_or_default()
}
