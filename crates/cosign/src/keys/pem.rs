//! Minimal PEM handling: find the first block in a text and decode it with any label.

use crate::error::KeyError;

/// One decoded PEM block.
pub(crate) struct PemBlock {
    /// The label after `BEGIN`, e.g. `PUBLIC KEY`.
    pub label: String,
    /// The decoded DER (or, for cosign's encrypted keys, JSON) bytes.
    pub contents: Vec<u8>,
}

/// Finds and decodes the first PEM block in `text`, ignoring any text around it (openssl and
/// cosign both write files where explanatory text may precede the block).
pub(crate) fn parse_first(text: &str, source_name: &str) -> Result<PemBlock, KeyError> {
    let malformed = |detail: &str| KeyError::Malformed {
        source_name: source_name.to_string(),
        detail: detail.to_string(),
    };
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| malformed("no PEM block found"))?;
    let rest = &text[start..];
    let end_marker = rest
        .find("-----END ")
        .ok_or_else(|| malformed("PEM block has no END line"))?;
    let tail = &rest[end_marker + 9..];
    let close = tail
        .find("-----")
        .ok_or_else(|| malformed("PEM END line is not closed"))?;
    let block = &rest[..end_marker + 9 + close + 5];
    // Normalise line endings: Windows-edited key files are common and harmless.
    let block = block.replace("\r\n", "\n");
    let (label, contents) = pem_rfc7468::decode_vec(block.as_bytes())
        .map_err(|e| malformed(&format!("invalid PEM encoding: {e}")))?;
    Ok(PemBlock {
        label: label.to_string(),
        contents,
    })
}

/// Encodes `der` as a PEM block with `label` and LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    // Encoding into a String can only fail for an invalid label, and every caller passes one of
    // our constant labels.
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .unwrap_or_else(|_| String::new())
}
