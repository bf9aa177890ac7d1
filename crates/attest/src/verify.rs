//! The pipeline: parse the document, then for each bundle run, in npm's order, the statement
//! checks, the subject checks, the signer selection, the Sigstore cryptography and the
//! registry key validity, and collect one verdict per bundle.

use crate::crypto::{self, Signer};
use crate::error::{AttestationError, DocumentError};
use crate::facts::{self, ProvenanceFacts};
use crate::result::{AttestationKind, AttestationResult, Status};
use crate::statement::{json_type, Statement, IN_TOTO_PAYLOAD_TYPE};
use crate::subject::Subject;
use crate::trust::{RegistryKey, TrustMaterial};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use sigstore_verify::types::bundle::VerificationMaterialContent;
use sigstore_verify::types::{Bundle, DsseEnvelope, SignatureContent};
use sigstore_verify::VerificationResult;

/// Verify every bundle of an attestations document (`/-/npm/v1/attestations/<name>@<version>`)
/// for the package `subject`, offline, with `trust`.
///
/// Returns one [`AttestationResult`] per entry of `attestations`, in order: one bad bundle
/// never hides the verdict of the others. `Err` only when the document itself is unusable.
pub fn verify_attestations(
    doc: &[u8],
    subject: &Subject<'_>,
    trust: &TrustMaterial,
) -> Result<Vec<AttestationResult>, DocumentError> {
    let entries = parse_document(doc)?;
    Ok(entries
        .iter()
        .enumerate()
        .map(|(index, entry)| verify_entry(index, entry, subject, trust))
        .collect())
}

fn parse_document(doc: &[u8]) -> Result<Vec<Value>, DocumentError> {
    let value: Value = serde_json::from_slice(doc).map_err(DocumentError::NotJson)?;
    match value {
        Value::Object(mut obj) => match obj.remove("attestations") {
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(DocumentError::NoAttestations {
                found: json_type(&other),
            }),
            None => Err(DocumentError::NoAttestations {
                found: "no such key",
            }),
        },
        other => Err(DocumentError::NoAttestations {
            found: json_type(&other),
        }),
    }
}

/// Verify one `{predicateType, bundle}` entry into a verdict.
fn verify_entry(
    index: usize,
    entry: &Value,
    subject: &Subject<'_>,
    trust: &TrustMaterial,
) -> AttestationResult {
    let predicate_type = entry
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or("");
    match check_entry(predicate_type, entry, subject, trust) {
        Ok(verified) => verified.into_result(index, predicate_type),
        Err(error) => AttestationResult::invalid(index, predicate_type, &error),
    }
}

/// What a verified bundle proves.
struct Verified {
    signer: Option<ProvenanceFacts>,
    keyid: Option<String>,
    log_index: Option<u64>,
    integrated_time: Option<DateTime<Utc>>,
    signed_at: Option<(DateTime<Utc>, &'static str)>,
}

impl Verified {
    fn into_result(self, index: usize, predicate_type: &str) -> AttestationResult {
        AttestationResult {
            index,
            predicate_type: predicate_type.to_string(),
            kind: AttestationKind::from_predicate_type(predicate_type),
            status: Status::Verified,
            code: None,
            detail: None,
            message: None,
            remediation: None,
            signer: self.signer,
            keyid: self.keyid,
            log_index: self.log_index,
            integrated_time: self.integrated_time,
            signed_at: self.signed_at.map(|(t, _)| t),
            signed_at_source: self.signed_at.map(|(_, s)| s),
        }
    }
}

fn check_entry(
    predicate_type: &str,
    entry: &Value,
    subject: &Subject<'_>,
    trust: &TrustMaterial,
) -> Result<Verified, AttestationError> {
    // 1. Parse into checked types before any cryptography.
    if predicate_type.is_empty() {
        return Err(AttestationError::MissingPredicateType);
    }
    let bundle = parse_bundle(entry)?;
    let envelope = dsse_envelope(&bundle)?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(AttestationError::PayloadType(envelope.payload_type.clone()));
    }
    let statement = Statement::parse(envelope.payload.as_bytes())?;
    // 2. npm's semantic checks (they run before the cryptography in npm too).
    statement.check_types(predicate_type)?;
    subject.check(statement.single_subject()?)?;
    // 3. Who must have signed, 4. the Sigstore checks, 5. registry key validity.
    let kind = AttestationKind::from_predicate_type(predicate_type);
    let key = select_signer(kind, &bundle, envelope, trust)?;
    let signer = key.map_or(Signer::Keyless, |k| Signer::RegistryKey(&k.spki_der));
    let artifact = crypto::sha512_artifact(subject.integrity_sha512()?);
    let result = crypto::verify_bundle(trust.verifier(), &bundle, artifact, signer)?;
    let signed_at = signing_time(&result);
    if let Some(key) = key {
        check_key_validity(key, signed_at.map(|(t, _)| t))?;
    }
    let integrated_time = result.integrated_time().and_then(facts::to_chrono);
    let mut verified = proven_facts(&bundle, &statement, &result, key, integrated_time);
    verified.signed_at = signed_at;
    Ok(verified)
}

fn parse_bundle(entry: &Value) -> Result<Bundle, AttestationError> {
    let raw = entry
        .get("bundle")
        .ok_or_else(|| AttestationError::Bundle("attestation entry has no bundle".into()))?;
    Bundle::deserialize(raw).map_err(|e| AttestationError::Bundle(e.to_string()))
}

fn dsse_envelope(bundle: &Bundle) -> Result<&DsseEnvelope, AttestationError> {
    match &bundle.content {
        SignatureContent::DsseEnvelope(envelope) => Ok(envelope),
        _ => Err(AttestationError::NotDsse),
    }
}

/// npm semantics: a non-empty DSSE keyid must name a registry key, whatever the bundle's
/// material; a key-signed bundle is verified with the key its DSSE keyid names (the hint is
/// unauthenticated and must agree). Provenance must be keyless, publish key-signed.
fn select_signer<'t>(
    kind: AttestationKind,
    bundle: &Bundle,
    envelope: &DsseEnvelope,
    trust: &'t TrustMaterial,
) -> Result<Option<&'t RegistryKey>, AttestationError> {
    let keyid = envelope.signature.keyid.as_str();
    let key = match keyid {
        "" => None,
        id => Some(
            trust
                .registry_key(id)
                .ok_or_else(|| AttestationError::MissingKey(id.into()))?,
        ),
    };
    match &bundle.verification_material.content {
        VerificationMaterialContent::PublicKey(pk) => {
            if kind == AttestationKind::Provenance {
                return Err(material_error(kind));
            }
            let key = key.ok_or_else(|| AttestationError::EmptyKeyid {
                hint: pk.hint.clone(),
            })?;
            if !pk.hint.is_empty() && pk.hint != keyid {
                return Err(AttestationError::KeyHint {
                    hint: pk.hint.clone(),
                    keyid: keyid.into(),
                });
            }
            Ok(Some(key))
        }
        _ if kind == AttestationKind::Publish => Err(material_error(kind)),
        _ => Ok(None),
    }
}

fn material_error(kind: AttestationKind) -> AttestationError {
    match kind {
        AttestationKind::Provenance => AttestationError::Material {
            kind: "provenance",
            expected: "a fulcio certificate (keyless)",
        },
        _ => AttestationError::Material {
            kind: "publish",
            expected: "a registry key",
        },
    }
}

/// When the signature verifiably existed, and which evidence says so: the Rekor v1 integrated
/// time (`tlog`, what npm uses), else the earliest verified RFC 3161 time (`rfc3161`: Rekor v2
/// bundles carry no integrated time).
fn signing_time(result: &VerificationResult) -> Option<(DateTime<Utc>, &'static str)> {
    if let Some(t) = result.integrated_time().and_then(facts::to_chrono) {
        return Some((t, "tlog"));
    }
    let earliest = result.verified_timestamps().iter().min().copied()?;
    facts::to_chrono(earliest).map(|t| (t, "rfc3161"))
}

/// npm: the key is valid when it has no expiry or the log integrated time is before it.
fn check_key_validity(
    key: &RegistryKey,
    signed_at: Option<DateTime<Utc>>,
) -> Result<(), AttestationError> {
    let Some(expires) = key.expires else {
        return Ok(());
    };
    // Fail closed: without an authenticated log time the expiry cannot be checked.
    let integrated = signed_at.ok_or_else(|| AttestationError::NoSigningTime(key.keyid.clone()))?;
    if integrated >= expires {
        return Err(AttestationError::KeyExpired {
            keyid: key.keyid.clone(),
            expires,
            integrated,
        });
    }
    Ok(())
}

fn proven_facts(
    bundle: &Bundle,
    statement: &Statement,
    result: &VerificationResult,
    key: Option<&RegistryKey>,
    integrated_time: Option<DateTime<Utc>>,
) -> Verified {
    let log_index = bundle
        .verification_material
        .tlog_entries
        .first()
        .map(|entry| entry.log_index.get());
    let signer = result.certificate().map(|cert| ProvenanceFacts {
        log_index,
        integrated_time,
        ..facts::extract(cert, &statement.predicate)
    });
    Verified {
        signer,
        keyid: key.map(|k| k.keyid.clone()),
        log_index,
        integrated_time,
        signed_at: None,
    }
}
