//! DSSE envelopes (the signing format of in-toto attestations): the pre-authentication
//! encoding, signing with a cosign-format key and verifying with its public key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::KeyError;
use crate::keys::{Message, PrivateKey, PublicKey};

/// A DSSE envelope as JSON carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The payload's media type (`application/vnd.in-toto+json`).
    pub payload_type: String,
    /// The payload, base64.
    pub payload: String,
    /// Signatures over the PAE of type and payload.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The signing key's fingerprint (hex SHA-256 of its SPKI DER).
    #[serde(default)]
    pub keyid: String,
    /// The signature, base64.
    pub sig: String,
}

/// Why an envelope does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsseError {
    /// Not a DSSE envelope (JSON shape, base64).
    #[error("not a DSSE envelope: {0}")]
    Malformed(String),
    /// No signature verifies with the key.
    #[error("no signature of the envelope verifies with key {0}")]
    NoValidSignature(String),
}

/// How every pre-authentication encoding starts: a blob signature over bytes that start so
/// could be a DSSE signature (the signer refuses them).
pub const PAE_PREFIX: &[u8] = b"DSSEv1 ";

/// DSSE's pre-authentication encoding: `DSSEv1 <len> <type> <len> <payload>`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// Signs `payload` into an envelope with `key`.
pub fn sign_envelope(
    payload_type: &str,
    payload: &[u8],
    key: &PrivateKey,
) -> Result<Envelope, KeyError> {
    let signature = key.sign(&pae(payload_type, payload))?;
    Ok(Envelope {
        payload_type: payload_type.to_string(),
        payload: STANDARD.encode(payload),
        signatures: vec![EnvelopeSignature {
            keyid: key.public_key()?.fingerprint(),
            sig: STANDARD.encode(signature),
        }],
    })
}

/// Verifies an envelope with `key`: some signature must verify over the PAE. Returns the
/// payload type and the payload.
pub fn verify_envelope(
    envelope: &Envelope,
    key: &PublicKey,
) -> Result<(String, Vec<u8>), DsseError> {
    let payload = STANDARD
        .decode(&envelope.payload)
        .map_err(|e| DsseError::Malformed(format!("payload is not base64: {e}")))?;
    let message = pae(&envelope.payload_type, &payload);
    let verified = envelope.signatures.iter().any(|s| {
        STANDARD
            .decode(&s.sig)
            .is_ok_and(|sig| key.verify(Message::Bytes(&message), &sig).is_ok())
    });
    match verified {
        true => Ok((envelope.payload_type.clone(), payload)),
        false => Err(DsseError::NoValidSignature(key.fingerprint())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyAlgorithm;

    #[test]
    fn pae_is_the_specs_encoding() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn an_envelope_verifies_with_its_key_only_and_not_once_changed() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let envelope = sign_envelope("application/vnd.in-toto+json", b"{}", &key).unwrap();
        let public = key.public_key().unwrap();
        assert_eq!(verify_envelope(&envelope, &public).unwrap().1, b"{}");
        assert!(verify_envelope(&envelope, &other.public_key().unwrap()).is_err());
        let mut changed = envelope.clone();
        changed.payload = STANDARD.encode(b"{\"a\":1}");
        assert!(verify_envelope(&changed, &public).is_err());
        let mut retyped = envelope;
        retyped.payload_type = "text/plain".into();
        assert!(verify_envelope(&retyped, &public).is_err());
    }
}
