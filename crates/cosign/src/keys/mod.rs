//! Key material: public keys and fingerprints, private keys, cosign's encrypted key files and
//! password handling.

pub mod custody;
pub mod encrypted;
pub mod password;
mod pem;
pub mod private;
pub mod public;
mod raw;
mod signature;

pub use encrypted::{decrypt_private_key, encrypt_private_key};
pub use password::read_password;
pub use private::PrivateKey;
pub use public::{CertificateWindow, PublicKey};
pub use signature::{KeyAlgorithm, Message, SignatureMismatch};

use crate::error::KeyError;
use std::path::Path;

/// Reads a public key (PEM SPKI or certificate) from a file.
pub fn load_public_key(path: &Path) -> Result<PublicKey, KeyError> {
    let text = read_text(path)?;
    PublicKey::from_pem(&text, &path.display().to_string())
}

/// Reads and decrypts a cosign encrypted private key file.
pub fn load_private_key(path: &Path, password: &[u8]) -> Result<PrivateKey, KeyError> {
    let text = read_text(path)?;
    decrypt_private_key(&text, password, &path.display().to_string())
}

/// Reads a key file as text (PEM is ASCII; anything else is a malformed key, not a panic).
pub fn read_text(path: &Path) -> Result<String, KeyError> {
    let bytes = std::fs::read(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|_| KeyError::Malformed {
        source_name: path.display().to_string(),
        detail: "file is not text (expected PEM)".into(),
    })
}
