//! CA keys: generated into cosign's encrypted format (mode 0600) or kept in a PKCS#11 token,
//! and used by rcgen through the same [`Signer`] as package signing.

use super::state::write_atomic;
use crate::error::{material, CertError};
use sigverify_cosign::error::KeyError;
use sigverify_cosign::keys::custody::{KeyRef, LocalSigner, Pkcs11Uri, Signer, TokenKey};
use sigverify_cosign::keys::{encrypt_private_key, KeyAlgorithm, PrivateKey};
use std::path::Path;
use zeroize::Zeroizing;

/// Where passwords come from (COSIGN_PASSWORD or a prompt), asked only when needed.
pub type PasswordFn<'a> = &'a dyn Fn() -> Result<Zeroizing<String>, KeyError>;

/// Creates a CA key: in the token the URI names (generated there when absent), else a new
/// P-256 key encrypted into `dir/file`. Returns the signer and what `ca.json` records.
pub(crate) fn create(
    dir: &Path,
    file: &str,
    token: Option<&Pkcs11Uri>,
    password: PasswordFn<'_>,
) -> Result<(Box<dyn Signer>, String), CertError> {
    if let Some(uri) = token {
        let key = match TokenKey::open(uri) {
            Ok(key) => key,
            Err(_) => TokenKey::generate(uri, KeyAlgorithm::EcdsaP256)?,
        };
        return Ok((Box::new(key), uri.stored()));
    }
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)?;
    let encrypted = encrypt_private_key(&key, password()?.as_bytes())?;
    write_atomic(&dir.join(file), encrypted.as_bytes(), 0o600)?;
    let signer = LocalSigner::new(key, dir.join(file).display().to_string())?;
    Ok((Box::new(signer), file.to_string()))
}

/// Opens a CA key recorded in `ca.json`.
pub(crate) fn open(
    dir: &Path,
    recorded: &str,
    password: PasswordFn<'_>,
) -> Result<Box<dyn Signer>, CertError> {
    let key_ref = if recorded.starts_with("pkcs11:") {
        KeyRef::parse(recorded)?
    } else {
        KeyRef::File(dir.join(recorded))
    };
    Ok(key_ref.open(password)?)
}

/// A [`Signer`] as rcgen's signing key. Only algorithms whose signature our signers produce
/// exactly as X.509 names it: ECDSA P-256 with SHA-256, Ed25519, RSA PKCS#1 v1.5 with SHA-256.
pub(crate) struct RcgenKey<'a> {
    signer: &'a dyn Signer,
    raw_public: Vec<u8>,
    algorithm: &'static rcgen::SignatureAlgorithm,
}

impl<'a> RcgenKey<'a> {
    pub(crate) fn new(signer: &'a dyn Signer) -> Result<Self, CertError> {
        use spki::der::Decode;
        let public = signer.public_key();
        let algorithm = match public.algorithm() {
            KeyAlgorithm::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeyAlgorithm::Ed25519 => &rcgen::PKCS_ED25519,
            KeyAlgorithm::Rsa => &rcgen::PKCS_RSA_SHA256,
            other => {
                return Err(CertError::Usage(format!(
                    "a CA key must be ecdsa-p256, ed25519 or rsa, not {other}"
                )))
            }
        };
        let spki = spki::SubjectPublicKeyInfoRef::from_der(public.spki_der())
            .map_err(|e| material(signer.describe(), e))?;
        Ok(RcgenKey {
            signer,
            raw_public: spki.subject_public_key.raw_bytes().to_vec(),
            algorithm,
        })
    }
}

impl rcgen::PublicKeyData for RcgenKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.raw_public
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.algorithm
    }
}

impl rcgen::SigningKey for RcgenKey<'_> {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.signer
            .sign(message)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}
