//! Key custody: where a signing key lives and how it is reached, without it ever being printed.
//!
//! A key reference ([`KeyRef`]) is one of
//! - `pkcs11:token=...;object=...` (RFC 7512, cosign's form): the key stays inside a token;
//! - `env://NAME`: an encrypted cosign key in an environment variable (CI secrets);
//! - a file path: an encrypted cosign key file, refused when group or others can read it.
//!
//! Every reference opens as a [`Signer`], which signs the way `cosign sign-blob` does.

mod perms;
mod token;
pub mod uri;

pub use perms::check_private_key_file;
pub use token::TokenKey;
pub use uri::Pkcs11Uri;

use super::{decrypt_private_key, PrivateKey, PublicKey};
use crate::error::KeyError;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Something that signs with a private key it never reveals.
pub trait Signer {
    /// The matching public key.
    fn public_key(&self) -> &PublicKey;
    /// Signs `message` as `cosign sign-blob` does (ECDSA DER over SHA-256, RSA PKCS#1 v1.5
    /// with SHA-256, pure Ed25519).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;
    /// Where the key lives, safe to print and log (file path, `env://NAME`, redacted URI).
    fn describe(&self) -> String;
}

/// A decrypted key held in memory (from a file or the environment).
pub struct LocalSigner {
    key: PrivateKey,
    public: PublicKey,
    source: String,
}

impl LocalSigner {
    /// Wraps a decrypted key; `source` says where it came from.
    pub fn new(key: PrivateKey, source: String) -> Result<Self, KeyError> {
        let public = key.public_key()?;
        Ok(LocalSigner {
            key,
            public,
            source,
        })
    }
}

impl Signer for LocalSigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.key.sign(message)
    }
    fn describe(&self) -> String {
        self.source.clone()
    }
}

/// Where a private key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// An encrypted cosign key file.
    File(PathBuf),
    /// `env://NAME`: an encrypted cosign key in this environment variable.
    Env(String),
    /// A key object in a PKCS#11 token.
    Pkcs11(Box<Pkcs11Uri>),
}

impl KeyRef {
    /// Reads `pkcs11:...`, `env://NAME` or a path.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        if text.starts_with("pkcs11:") {
            return Ok(KeyRef::Pkcs11(Box::new(Pkcs11Uri::parse(text)?)));
        }
        if let Some(name) = text.strip_prefix("env://") {
            if name.is_empty() {
                return Err(KeyError::Environment("env:// names no variable".into()));
            }
            return Ok(KeyRef::Env(name.to_string()));
        }
        Ok(KeyRef::File(PathBuf::from(text)))
    }

    /// The reference as it may be printed (a PKCS#11 URI without its PIN).
    pub fn redacted(&self) -> String {
        match self {
            KeyRef::File(path) => path.display().to_string(),
            KeyRef::Env(name) => format!("env://{name}"),
            KeyRef::Pkcs11(uri) => uri.redacted(),
        }
    }

    /// Opens the key. `password` is asked only for encrypted keys (files and `env://`).
    pub fn open(
        &self,
        password: &dyn Fn() -> Result<Zeroizing<String>, KeyError>,
    ) -> Result<Box<dyn Signer>, KeyError> {
        match self {
            KeyRef::File(path) => {
                let key = load_private_key_checked(path, password)?;
                Ok(Box::new(LocalSigner::new(key, path.display().to_string())?))
            }
            KeyRef::Env(name) => {
                let text = Zeroizing::new(std::env::var(name).map_err(|_| {
                    KeyError::Environment(format!("the variable {name} is not set"))
                })?);
                if !text.contains("ENCRYPTED") {
                    return Err(KeyError::Environment(format!(
                        "{name} does not hold an encrypted cosign private key"
                    )));
                }
                let source = format!("env://{name}");
                let key = decrypt_private_key(&text, password()?.as_bytes(), &source)?;
                Ok(Box::new(LocalSigner::new(key, source)?))
            }
            KeyRef::Pkcs11(uri) => Ok(Box::new(TokenKey::open(uri)?)),
        }
    }
}

/// Reads and decrypts a cosign key file after checking nobody else can read it.
pub fn load_private_key_checked(
    path: &Path,
    password: &dyn Fn() -> Result<Zeroizing<String>, KeyError>,
) -> Result<PrivateKey, KeyError> {
    check_private_key_file(path)?;
    let text = Zeroizing::new(super::read_text(path)?);
    decrypt_private_key(&text, password()?.as_bytes(), &path.display().to_string())
}
