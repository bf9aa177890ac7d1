//! Private keys: generation, PKCS#8 import/export and signing in cosign's formats.

use super::pem;
use super::public::PublicKey;
use super::signature::KeyAlgorithm;
use crate::error::KeyError;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// RSA modulus size for generated keys (cosign accepts 2048 and up).
const RSA_BITS: usize = 3072;

enum Inner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// A private signing key (never printed: `Debug` shows only the public fingerprint).
pub struct PrivateKey {
    inner: Inner,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.public_key() {
            Ok(key) => write!(f, "PrivateKey({} {})", key.algorithm(), key.fingerprint()),
            Err(_) => f.write_str("PrivateKey(<unencodable>)"),
        }
    }
}

impl PrivateKey {
    /// Generates a fresh key from the operating system's random source.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self, KeyError> {
        let mut rng = rand_core::OsRng;
        let inner = match algorithm {
            KeyAlgorithm::EcdsaP256 => Inner::P256(p256::ecdsa::SigningKey::random(&mut rng)),
            KeyAlgorithm::EcdsaP384 => Inner::P384(p384::ecdsa::SigningKey::random(&mut rng)),
            KeyAlgorithm::Ed25519 => Inner::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng)),
            KeyAlgorithm::Rsa => Inner::Rsa(Box::new(
                rsa::RsaPrivateKey::new(&mut rng, RSA_BITS)
                    .map_err(|e| KeyError::Crypto(e.to_string()))?,
            )),
        };
        Ok(Self { inner })
    }

    /// Reads an unencrypted PKCS#8 DER private key of a supported algorithm.
    pub fn from_pkcs8_der(der: &[u8], source_name: &str) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| KeyError::Malformed {
            source_name: source_name.to_string(),
            detail: format!("not a PKCS#8 private key: {e}"),
        })?;
        let malformed = |e: pkcs8::Error| KeyError::Malformed {
            source_name: source_name.to_string(),
            detail: format!("invalid private key: {e}"),
        };
        let inner = match key_algorithm(&info, source_name)? {
            KeyAlgorithm::EcdsaP256 => {
                Inner::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(malformed)?)
            }
            KeyAlgorithm::EcdsaP384 => {
                Inner::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(malformed)?)
            }
            KeyAlgorithm::Ed25519 => {
                Inner::Ed25519(ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(malformed)?)
            }
            KeyAlgorithm::Rsa => Inner::Rsa(Box::new(
                rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(malformed)?,
            )),
        };
        Ok(Self { inner })
    }

    /// Reads an unencrypted PEM private key as openssl writes them: `PRIVATE KEY` (PKCS#8),
    /// `EC PRIVATE KEY` (SEC1) or `RSA PRIVATE KEY` (PKCS#1). Used by `import-key-pair`.
    pub fn from_plain_pem(text: &str, source_name: &str) -> Result<Self, KeyError> {
        let block = pem::parse_first(text, source_name)?;
        let contents = Zeroizing::new(block.contents);
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&contents, source_name),
            "EC PRIVATE KEY" => from_sec1(&contents, source_name),
            "RSA PRIVATE KEY" => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                let key = rsa::RsaPrivateKey::from_pkcs1_der(&contents).map_err(|e| {
                    KeyError::Malformed {
                        source_name: source_name.to_string(),
                        detail: format!("invalid PKCS#1 RSA key: {e}"),
                    }
                })?;
                Ok(Self {
                    inner: Inner::Rsa(Box::new(key)),
                })
            }
            other => Err(KeyError::Malformed {
                source_name: source_name.to_string(),
                detail: format!("expected an unencrypted private key PEM block, found {other}"),
            }),
        }
    }

    /// Encodes the key as PKCS#8 DER (what cosign encrypts inside its key files).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let doc = match &self.inner {
            Inner::P256(k) => k.to_pkcs8_der(),
            Inner::P384(k) => k.to_pkcs8_der(),
            Inner::Ed25519(k) => k.to_pkcs8_der(),
            Inner::Rsa(k) => k.to_pkcs8_der(),
        }
        .map_err(|e| KeyError::Crypto(format!("pkcs#8 encoding failed: {e}")))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        use spki::EncodePublicKey;
        let doc = match &self.inner {
            Inner::P256(k) => k.verifying_key().to_public_key_der(),
            Inner::P384(k) => k.verifying_key().to_public_key_der(),
            Inner::Ed25519(k) => k.verifying_key().to_public_key_der(),
            Inner::Rsa(k) => k.to_public_key().to_public_key_der(),
        }
        .map_err(|e| KeyError::Crypto(format!("spki encoding failed: {e}")))?;
        PublicKey::from_spki_der(doc.as_bytes(), "generated key")
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            Inner::P256(_) => KeyAlgorithm::EcdsaP256,
            Inner::P384(_) => KeyAlgorithm::EcdsaP384,
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
            Inner::Rsa(_) => KeyAlgorithm::Rsa,
        }
    }

    /// Signs `message` the way `cosign sign-blob` does: ECDSA (either curve) as DER over SHA-256,
    /// RSA PKCS#1 v1.5 over SHA-256, pure Ed25519 over the bytes.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let digest: [u8; 32] = Sha256::digest(message).into();
        let crypto = |e: String| KeyError::Crypto(format!("signing failed: {e}"));
        match &self.inner {
            Inner::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| crypto(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.sign_prehash(&digest).map_err(|e| crypto(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Inner::Ed25519(k) => {
                use ed25519_dalek::Signer;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            Inner::Rsa(k) => k
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
                .map_err(|e| crypto(e.to_string())),
        }
    }
}

fn key_algorithm(
    info: &pkcs8::PrivateKeyInfo<'_>,
    source_name: &str,
) -> Result<KeyAlgorithm, KeyError> {
    let unsupported = |detail: String| KeyError::Unsupported {
        source_name: source_name.to_string(),
        detail,
    };
    match info.algorithm.oid.to_string().as_str() {
        "1.2.840.10045.2.1" => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| unsupported("ec key without a named curve".into()))?;
            match curve.to_string().as_str() {
                "1.2.840.10045.3.1.7" => Ok(KeyAlgorithm::EcdsaP256),
                "1.3.132.0.34" => Ok(KeyAlgorithm::EcdsaP384),
                other => Err(unsupported(format!("ec curve {other}"))),
            }
        }
        "1.3.101.112" => Ok(KeyAlgorithm::Ed25519),
        "1.2.840.113549.1.1.1" => Ok(KeyAlgorithm::Rsa),
        other => Err(unsupported(format!("algorithm {other}"))),
    }
}

/// SEC1 `EC PRIVATE KEY`: try each supported curve.
fn from_sec1(der: &[u8], source_name: &str) -> Result<PrivateKey, KeyError> {
    if let Ok(key) = p256::SecretKey::from_sec1_der(der) {
        return Ok(PrivateKey {
            inner: Inner::P256(key.into()),
        });
    }
    if let Ok(key) = p384::SecretKey::from_sec1_der(der) {
        return Ok(PrivateKey {
            inner: Inner::P384(key.into()),
        });
    }
    Err(KeyError::Unsupported {
        source_name: source_name.to_string(),
        detail: "ec private key is not on P-256 or P-384".into(),
    })
}
