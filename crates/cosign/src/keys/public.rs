//! Public keys: parsing (PEM SPKI or certificate), fingerprints and signature verification.

use super::pem;
use super::raw;
pub use super::signature::{KeyAlgorithm, Message, SignatureMismatch};
use crate::error::KeyError;
use sha2::{Digest, Sha256};
use spki::der::{Decode, Encode};
use spki::DecodePublicKey;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_ED25519: &str = "1.3.101.112";
const OID_RSA: &str = "1.2.840.113549.1.1.1";

#[derive(Clone)]
enum Inner {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(Box<rsa::RsaPublicKey>),
}

/// The validity window of the certificate a key was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateWindow {
    /// `notBefore` of the certificate.
    pub not_before: chrono::DateTime<chrono::Utc>,
    /// `notAfter` of the certificate.
    pub not_after: chrono::DateTime<chrono::Utc>,
}

/// A parsed, supported public key together with its SPKI DER encoding.
#[derive(Clone)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    inner: Inner,
    certificate: Option<CertificateWindow>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({} {})", self.algorithm(), self.fingerprint())
    }
}

impl PublicKey {
    /// Parses a PEM `PUBLIC KEY` (SPKI) or a PEM `CERTIFICATE` (its key, plus its validity window).
    pub fn from_pem(text: &str, source_name: &str) -> Result<Self, KeyError> {
        let block = pem::parse_first(text, source_name)?;
        match block.label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&block.contents, source_name),
            "CERTIFICATE" => Self::from_certificate_der(&block.contents, source_name),
            other => Err(KeyError::Malformed {
                source_name: source_name.to_string(),
                detail: format!("expected a PUBLIC KEY or CERTIFICATE PEM block, found {other}"),
            }),
        }
    }

    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8], source_name: &str) -> Result<Self, KeyError> {
        let malformed = |detail: String| KeyError::Malformed {
            source_name: source_name.to_string(),
            detail,
        };
        let info = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| malformed(format!("not a DER SubjectPublicKeyInfo: {e}")))?;
        let inner = decode_inner(&info, der, source_name)?;
        // Re-encode so the fingerprint is over canonical DER even if the input had trailing data.
        let spki_der = info.to_der().map_err(|e| malformed(e.to_string()))?;
        Ok(Self {
            spki_der,
            inner,
            certificate: None,
        })
    }

    /// Parses an X.509 certificate (DER) and takes its subject public key and validity window.
    pub fn from_certificate_der(der: &[u8], source_name: &str) -> Result<Self, KeyError> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| KeyError::Malformed {
            source_name: source_name.to_string(),
            detail: format!("not a DER X.509 certificate: {e}"),
        })?;
        let tbs = &cert.tbs_certificate;
        let spki = tbs
            .subject_public_key_info
            .to_der()
            .map_err(|e| KeyError::Malformed {
                source_name: source_name.to_string(),
                detail: e.to_string(),
            })?;
        let mut key = Self::from_spki_der(&spki, source_name)?;
        key.certificate = Some(CertificateWindow {
            not_before: to_chrono(tbs.validity.not_before.to_system_time()),
            not_after: to_chrono(tbs.validity.not_after.to_system_time()),
        });
        Ok(key)
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

    /// The key fingerprint used everywhere in this crate: lower-case hex SHA-256 of the SPKI DER
    /// (the same value Sigstore clients put in a bundle's `publicKey.hint`).
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(&self.spki_der))
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// The key as a PEM `PUBLIC KEY` block (cosign's `cosign.pub` format).
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki_der)
    }

    /// The validity window of the certificate this key came from, if it came from one.
    pub fn certificate_window(&self) -> Option<CertificateWindow> {
        self.certificate
    }

    /// Verifies a detached signature as `cosign sign-blob` and `openssl dgst -sha256 -sign`
    /// make them: ECDSA DER over SHA-256 (P-384 also accepts SHA-384), RSA PKCS#1 v1.5 over
    /// SHA-256, pure Ed25519 over the bytes.
    pub fn verify(&self, message: Message<'_>, signature: &[u8]) -> Result<(), SignatureMismatch> {
        let alg = self.algorithm();
        match &self.inner {
            Inner::P256(key) => raw::verify_p256(key, message, signature),
            Inner::P384(key) => raw::verify_p384(key, message, signature),
            Inner::Ed25519(key) => raw::verify_ed25519(key, message, signature),
            Inner::Rsa(key) => raw::verify_rsa(key, message, signature),
        }
        .map_err(|e| match e {
            SignatureMismatch::Invalid(_) => SignatureMismatch::Invalid(alg),
            other => other,
        })
    }
}

fn decode_inner(
    info: &spki::SubjectPublicKeyInfoRef<'_>,
    der: &[u8],
    source_name: &str,
) -> Result<Inner, KeyError> {
    let unsupported = |detail: String| KeyError::Unsupported {
        source_name: source_name.to_string(),
        detail,
    };
    let malformed = |e: spki::Error| KeyError::Malformed {
        source_name: source_name.to_string(),
        detail: format!("invalid key encoding: {e}"),
    };
    let alg = info.algorithm.oid.to_string();
    match alg.as_str() {
        OID_EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| unsupported("ec key without a named curve".into()))?
                .to_string();
            match curve.as_str() {
                OID_P256 => Ok(Inner::P256(
                    p256::ecdsa::VerifyingKey::from_public_key_der(der).map_err(malformed)?,
                )),
                OID_P384 => Ok(Inner::P384(
                    p384::ecdsa::VerifyingKey::from_public_key_der(der).map_err(malformed)?,
                )),
                other => Err(unsupported(format!("ec curve {other}"))),
            }
        }
        OID_ED25519 => Ok(Inner::Ed25519(
            ed25519_dalek::VerifyingKey::from_public_key_der(der).map_err(malformed)?,
        )),
        OID_RSA => Ok(Inner::Rsa(Box::new(
            rsa::RsaPublicKey::from_public_key_der(der).map_err(malformed)?,
        ))),
        other => Err(unsupported(format!("algorithm {other}"))),
    }
}

fn to_chrono(time: std::time::SystemTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::from(time)
}
