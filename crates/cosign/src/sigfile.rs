//! Detached signature files: base64 DER as `cosign sign-blob` writes it, or raw bytes.

use crate::error::InputError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Largest signature accepted (RSA-8192 is 1 KiB; anything much larger is not a signature).
const MAX_SIGNATURE_BYTES: usize = 4096;

/// Decodes a signature file's contents into raw signature bytes.
///
/// Text made only of base64 characters (surrounding whitespace ignored) is decoded as base64,
/// which is what cosign writes; anything else is taken as the raw signature (`openssl dgst
/// -sign` and `pkeyutl -sign` write raw DER or raw Ed25519 bytes).
pub fn decode_signature(contents: &[u8], source_name: &str) -> Result<Vec<u8>, InputError> {
    let bad = |detail: &str| InputError::Signature {
        source_name: source_name.to_string(),
        detail: detail.to_string(),
    };
    if contents.len() > MAX_SIGNATURE_BYTES * 2 {
        return Err(bad(&format!(
            "{} bytes is too large for a signature",
            contents.len()
        )));
    }
    let trimmed = contents.trim_ascii();
    if trimmed.is_empty() {
        return Err(bad("empty signature"));
    }
    let looks_base64 = trimmed
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r'));
    let raw = if looks_base64 {
        let compact: Vec<u8> = trimmed
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        STANDARD
            .decode(&compact)
            .map_err(|e| bad(&format!("invalid base64: {e}")))?
    } else {
        contents.to_vec()
    };
    if raw.is_empty() || raw.len() > MAX_SIGNATURE_BYTES {
        return Err(bad(&format!(
            "{} bytes is not a plausible signature length",
            raw.len()
        )));
    }
    Ok(raw)
}

/// Encodes a signature the way cosign writes `.sig` files: standard base64, no newline.
pub fn encode_signature(signature: &[u8]) -> String {
    STANDARD.encode(signature)
}
