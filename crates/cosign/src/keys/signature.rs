//! What a signature is made with and checked over: the key algorithms, the signed message,
//! and why a signature does not verify.

use serde::{Deserialize, Serialize};

/// The key algorithms this crate signs and verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 (cosign's default).
    #[serde(rename = "ecdsa-p256")]
    #[value(name = "ecdsa-p256")]
    EcdsaP256,
    /// ECDSA on NIST P-384.
    #[serde(rename = "ecdsa-p384")]
    #[value(name = "ecdsa-p384")]
    EcdsaP384,
    /// Ed25519 (pure, over the whole message).
    #[serde(rename = "ed25519")]
    #[value(name = "ed25519")]
    Ed25519,
    /// RSA with PKCS#1 v1.5 padding.
    #[serde(rename = "rsa")]
    #[value(name = "rsa")]
    Rsa,
}

impl KeyAlgorithm {
    /// The name used in trust files and listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
            Self::Ed25519 => "ed25519",
            Self::Rsa => "rsa",
        }
    }
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureMismatch {
    /// The signature bytes are not a valid encoding for this key type.
    #[error("signature is not a valid {0} signature encoding")]
    Encoding(KeyAlgorithm),
    /// Well-formed but does not verify.
    #[error("{0} signature does not match the artifact")]
    Invalid(KeyAlgorithm),
    /// Pure Ed25519 needs the artifact bytes, not only a digest.
    #[error("ed25519 signatures need the artifact bytes, a digest is not enough")]
    NeedsBytes,
}

/// The message a detached signature covers: the bytes, or only their SHA-256.
#[derive(Debug, Clone, Copy)]
pub enum Message<'a> {
    /// The whole artifact.
    Bytes(&'a [u8]),
    /// Only the SHA-256 digest of the artifact is known.
    Sha256(&'a [u8; 32]),
}
