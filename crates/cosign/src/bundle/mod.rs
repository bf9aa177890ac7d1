//! Bundle inputs: Sigstore bundles v0.1-v0.3 and cosign's older `--bundle` JSON.

mod legacy;
mod write;

pub use sigstore_types::Bundle;
pub use write::key_bundle;

use crate::error::InputError;

/// Largest bundle file accepted; real bundles are a few KiB.
const MAX_BUNDLE_BYTES: usize = 4 * 1024 * 1024;

/// Parses bundle JSON of either format into a checked Sigstore [`Bundle`].
///
/// cosign's older format (`{base64Signature, cert, rekorBundle}`) is converted to the
/// equivalent v0.1 bundle (hashedrekord entry with its signed entry timestamp), so both go
/// through the same verifier.
pub fn parse_bundle(json: &[u8], source_name: &str) -> Result<Bundle, InputError> {
    let bad = |detail: String| InputError::Bundle {
        source_name: source_name.to_string(),
        detail,
    };
    if json.len() > MAX_BUNDLE_BYTES {
        return Err(bad(format!(
            "{} bytes is too large for a bundle",
            json.len()
        )));
    }
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| bad(format!("not JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| bad("not a JSON object".into()))?;
    let text = if object.contains_key("mediaType") {
        // Parse the original text, not the re-serialised value: DSSE verification hashes the
        // envelope exactly as it was written.
        String::from_utf8(json.to_vec()).map_err(|_| bad("not UTF-8".into()))?
    } else if object.contains_key("base64Signature") {
        legacy::to_sigstore_v01(object).map_err(bad)?.to_string()
    } else {
        return Err(bad(
            "neither a Sigstore bundle (mediaType) nor a cosign bundle (base64Signature)".into(),
        ));
    };
    Bundle::from_json(&text).map_err(|e| bad(format!("invalid bundle: {e}")))
}

/// Whether the bundle carries any signing-time evidence (log entries or RFC 3161 tokens).
pub fn has_time_evidence(bundle: &Bundle) -> bool {
    let material = &bundle.verification_material;
    !material.tlog_entries.is_empty()
        || !material
            .timestamp_verification_data
            .rfc3161_timestamps
            .is_empty()
}

/// The bundle's `publicKey.hint`, if it is a key-signed bundle.
pub fn public_key_hint(bundle: &Bundle) -> Option<&str> {
    match &bundle.verification_material.content {
        sigstore_types::bundle::VerificationMaterialContent::PublicKey(id) => Some(&id.hint),
        _ => None,
    }
}
