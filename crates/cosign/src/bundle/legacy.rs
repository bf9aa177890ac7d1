//! cosign's older `--bundle` JSON (cosign 1.x/2.x `sign-blob --bundle`):
//!
//! ```json
//! {"base64Signature": "<b64 DER>", "cert": "<b64 of the PEM certificate, or empty>",
//!  "rekorBundle": {"SignedEntryTimestamp": "<b64>",
//!                  "Payload": {"body": "<b64 canonical entry>", "integratedTime": 1700000000,
//!                              "logIndex": 123, "logID": "<hex sha256 of the log key>"}}}
//! ```
//!
//! It holds exactly what a v0.1 Sigstore bundle holds (signature, certificate, one log entry
//! with its inclusion promise), so it is rewritten into one and verified by the same code.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

const V01: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";

/// Rewrites the legacy object as v0.1 Sigstore bundle JSON.
pub(super) fn to_sigstore_v01(object: &Map<String, Value>) -> Result<Value, String> {
    let signature = str_field(object, "base64Signature")?;
    let mut material = Map::new();
    match object
        .get("cert")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    {
        Some(cert) => {
            let der = certificate_der(cert)?;
            material.insert(
                "x509CertificateChain".into(),
                json!({"certificates": [{"rawBytes": STANDARD.encode(der)}]}),
            );
        }
        None => {
            material.insert("publicKey".into(), json!({"hint": ""}));
        }
    }
    let entries = match object.get("rekorBundle") {
        Some(Value::Object(rekor)) => vec![tlog_entry(rekor)?],
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err("rekorBundle is not an object".into()),
    };
    material.insert("tlogEntries".into(), Value::Array(entries));
    Ok(json!({
        "mediaType": V01,
        "verificationMaterial": material,
        "messageSignature": {"signature": signature},
    }))
}

fn tlog_entry(rekor: &Map<String, Value>) -> Result<Value, String> {
    let set = str_field(rekor, "SignedEntryTimestamp")?;
    let payload = rekor
        .get("Payload")
        .and_then(Value::as_object)
        .ok_or("rekorBundle.Payload is missing")?;
    let body = str_field(payload, "body")?;
    let integrated_time = int_field(payload, "integratedTime")?;
    let log_index = int_field(payload, "logIndex")?;
    let log_id = hex::decode(str_field(payload, "logID")?)
        .map_err(|e| format!("rekorBundle.Payload.logID is not hex: {e}"))?;
    let (kind, version) = entry_kind(body)?;
    Ok(json!({
        "logIndex": log_index.to_string(),
        "logId": {"keyId": STANDARD.encode(log_id)},
        "kindVersion": {"kind": kind, "version": version},
        "integratedTime": integrated_time.to_string(),
        "inclusionPromise": {"signedEntryTimestamp": set},
        "canonicalizedBody": body,
    }))
}

/// Reads `kind` and `apiVersion` from the canonical entry body.
fn entry_kind(body_b64: &str) -> Result<(String, String), String> {
    let body = STANDARD
        .decode(body_b64)
        .map_err(|e| format!("rekorBundle body is not base64: {e}"))?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| format!("rekorBundle body is not JSON: {e}"))?;
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .ok_or("log entry has no kind")?;
    let version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .ok_or("log entry has no apiVersion")?;
    Ok((kind.to_string(), version.to_string()))
}

/// cosign stores the certificate as base64 of its PEM text; accept base64 DER too.
fn certificate_der(cert_b64: &str) -> Result<Vec<u8>, String> {
    let decoded = STANDARD
        .decode(cert_b64)
        .map_err(|e| format!("cert is not base64: {e}"))?;
    if !decoded.starts_with(b"-----BEGIN") {
        return Ok(decoded);
    }
    let text = String::from_utf8(decoded).map_err(|_| "cert PEM is not text")?;
    let cert = sigstore_types::DerCertificate::from_pem(&text)
        .map_err(|e| format!("cert is not a PEM certificate: {e}"))?;
    Ok(cert.as_bytes().to_vec())
}

fn str_field<'a>(object: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    object
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name} is missing or not a string"))
}

fn int_field(object: &Map<String, Value>, name: &str) -> Result<i64, String> {
    object
        .get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("{name} is missing or not an integer"))
}
