//! `verify_with_trust_file`: a signature counts only if a trusted key made it while valid.

use super::file::{TrustFile, TrustedKey};
use super::validity::{check_validity, SigningTime, ValidityError};
use crate::bundle::{has_time_evidence, public_key_hint};
use crate::error::{Coded, Failure};
use crate::verify::{
    verify_offline_message, ArtifactInput, Authority, Evidence, VerifyError, VerifyRequest,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sigstore_trust_root::TrustedRoot;

/// The outcome of a trust-file verification, as data.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// True when a trusted key, valid at the signing time, made the signature.
    pub valid: bool,
    /// The failure, when not valid.
    pub failure: Option<Failure>,
    /// The key that verified the signature (also set when it failed only on validity).
    pub fingerprint: Option<String>,
    /// Its owner from the trust file.
    pub owner: Option<String>,
    /// The instant the key's validity was checked at.
    pub checked_at: Option<DateTime<Utc>>,
    /// True when `checked_at` is a verified timestamp, false when it is `now`.
    pub timestamped: bool,
}

/// Either kind of failure on the trust path.
#[derive(Debug, thiserror::Error)]
enum TrustError {
    #[error(transparent)]
    Validity(#[from] ValidityError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

impl TrustError {
    fn to_failure(&self) -> Failure {
        match self {
            Self::Validity(e) => e.to_failure(),
            Self::Verify(e) => e.to_failure(),
        }
    }
}

/// Verifies `evidence` for `artifact` against the trust file at time `now`.
///
/// 1. Candidate keys: the key named by a bundle's `publicKey.hint` if it is in the trust
///    file, otherwise every key. 2. The signature is checked with each candidate; bundles
///    with log entries or RFC 3161 tokens go through `sigstore-verify` (against
///    `trusted_root`) and yield verified signing times. 3. The key must be valid, unrevoked
///    (and within its certificate's window) at every verified signing time, or at `now`
///    when there is none.
pub fn verify_with_trust_file(
    artifact: &ArtifactInput,
    evidence: &Evidence,
    trust: &TrustFile,
    now: DateTime<Utc>,
    trusted_root: &TrustedRoot,
) -> Verdict {
    let mut verdict = Verdict {
        valid: false,
        failure: None,
        fingerprint: None,
        owner: None,
        checked_at: None,
        timestamped: false,
    };
    match find_valid_key(artifact, evidence, trust, now, trusted_root, &mut verdict) {
        Ok(()) => verdict.valid = true,
        Err(e) => verdict.failure = Some(e.to_failure()),
    }
    verdict
}

fn find_valid_key(
    artifact: &ArtifactInput,
    evidence: &Evidence,
    trust: &TrustFile,
    now: DateTime<Utc>,
    root: &TrustedRoot,
    verdict: &mut Verdict,
) -> Result<(), TrustError> {
    let hint = match evidence {
        Evidence::Bundle(bundle) => public_key_hint(bundle).map(normalize_hint),
        Evidence::Signature(_) => None,
    };
    let hinted: Vec<&TrustedKey> = trust
        .keys
        .iter()
        .filter(|k| hint.as_deref() == Some(k.entry.fingerprint.as_str()))
        .collect();
    let candidates: Vec<&TrustedKey> = if hinted.is_empty() {
        trust.keys.iter().collect()
    } else {
        hinted.clone()
    };
    let mut validity_error = None;
    let mut crypto_error = None;
    for key in candidates {
        let times = match signing_times(artifact, evidence, key, now, root) {
            Ok(times) => times,
            Err(e) => {
                crypto_error.get_or_insert(e);
                continue;
            }
        };
        verdict.fingerprint = Some(key.entry.fingerprint.clone());
        verdict.owner = Some(key.entry.owner.clone());
        verdict.checked_at = times.first().map(|t| t.instant());
        verdict.timestamped = matches!(times.first(), Some(SigningTime::Timestamped(_)));
        match times.iter().try_for_each(|t| check_validity(key, *t)) {
            Ok(()) => return Ok(()),
            Err(e) => {
                validity_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = validity_error {
        return Err(e.into());
    }
    Err(no_key_error(
        trust,
        hint.as_deref(),
        !hinted.is_empty(),
        crypto_error,
    ))
}

fn no_key_error(
    trust: &TrustFile,
    hint: Option<&str>,
    hint_trusted: bool,
    crypto_error: Option<VerifyError>,
) -> TrustError {
    match (hint, hint_trusted, crypto_error) {
        (_, _, _) if trust.keys.is_empty() => {
            ValidityError::NotTrusted("the trust file has no keys".into()).into()
        }
        (Some(h), false, _) if !h.is_empty() => ValidityError::NotTrusted(format!(
            "the bundle names key {h}, which is not in the trust file"
        ))
        .into(),
        (_, _, Some(VerifyError::Signature(e))) if !hint_trusted => {
            ValidityError::NotTrusted(format!(
                "none of the {} trusted keys verifies the signature ({e})",
                trust.keys.len()
            ))
            .into()
        }
        (_, _, Some(e)) => e.into(),
        (_, _, None) => {
            ValidityError::NotTrusted("no trusted key verifies the signature".into()).into()
        }
    }
}

/// Checks the signature with one key and returns the times its validity must hold at.
fn signing_times(
    artifact: &ArtifactInput,
    evidence: &Evidence,
    key: &TrustedKey,
    now: DateTime<Utc>,
    root: &TrustedRoot,
) -> Result<Vec<SigningTime>, VerifyError> {
    let untimestamped = vec![SigningTime::Untimestamped(now)];
    match evidence {
        Evidence::Signature(signature) => {
            key.key.verify(artifact.message(), signature)?;
            Ok(untimestamped)
        }
        Evidence::Bundle(bundle) if !has_time_evidence(bundle) => {
            if public_key_hint(bundle).is_none() {
                return Err(VerifyError::BundleKind(
                    "bundle holds a certificate, not a key signature".into(),
                ));
            }
            verify_offline_message(artifact, bundle, &key.key)?;
            Ok(untimestamped)
        }
        Evidence::Bundle(bundle) if !is_message_signature(bundle) => {
            Err(VerifyError::BundleKind(
                "the bundle is a DSSE attestation (a statement about the artifact, such as an SBOM or a review), not a signature of it: a trusted key's signature is a message signature (`sign` and `cosign sign-blob` write one)".into(),
            ))
        }
        Evidence::Bundle(bundle) => {
            let authority = Authority::Key(key.key.clone());
            let request = VerifyRequest {
                artifact,
                evidence,
                authority: &authority,
                trusted_root: root,
                ignore_tlog: false,
            };
            let verified = crate::verify::verify_key_bundle(&request, bundle, &key.key)?;
            if verified.signed_at.is_empty() {
                return Ok(untimestamped);
            }
            Ok(verified
                .signed_at
                .into_iter()
                .map(SigningTime::Timestamped)
                .collect())
        }
    }
}

/// Whether a bundle signs the artifact itself (not a DSSE envelope about it).
fn is_message_signature(bundle: &crate::bundle::Bundle) -> bool {
    matches!(
        bundle.content,
        sigstore_types::SignatureContent::MessageSignature(_)
    )
}

/// Hints are hex (ours) or base64 (other Sigstore clients) of the same SHA-256; compare as hex.
fn normalize_hint(hint: &str) -> String {
    use base64::Engine;
    match base64::engine::general_purpose::STANDARD.decode(hint) {
        Ok(bytes) if bytes.len() == 32 && hint.len() == 44 => hex::encode(bytes),
        _ => hint.to_ascii_lowercase(),
    }
}
