//! Signing a tarball with a key and its certificate: a cosign-compatible bundle next to the
//! tarball that carries the certificate (v0.3: the leaf, as `cosign sign-blob
//! --new-bundle-format` writes it; v0.2: the leaf and its intermediates), with an RFC 3161
//! timestamp when a TSA is given.

use crate::cert::Cert;
use crate::chain;
use crate::error::CertError;
use crate::timestamp;
use chrono::Utc;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sigstore_types::bundle::{
    CertificateContent, MessageDigest, MessageSignature, Rfc3161Timestamp,
    TimestampVerificationData, VerificationMaterial, VerificationMaterialContent, X509Certificate,
};
use sigstore_types::{
    Bundle, DerCertificate, DigestBytes, HashAlgorithm, MediaType, SignatureBytes,
    SignatureContent, TimestampToken,
};
use sigverify_cosign::keys::custody::Signer;
use sigverify_cosign::sign::{check_label, with_suffix};
use sigverify_cosign::trust::SigningTime;
use std::path::{Path, PathBuf};

/// Which bundle format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BundleVersion {
    /// v0.3 with the leaf certificate only (the current format; intermediates come from the
    /// verifier's trust).
    #[default]
    V03,
    /// v0.2 with the leaf and its intermediates (`x509CertificateChain`).
    V02,
}

/// What to sign and with what.
pub struct CertSignRequest<'a> {
    /// The tarball.
    pub tarball: &'a Path,
    /// The signing key (file, `env://`, token).
    pub signer: &'a dyn Signer,
    /// The key's certificate.
    pub certificate: &'a Cert,
    /// Its chain (`--certificate-chain`: intermediates first, root last).
    pub chain: &'a [Cert],
    /// Signer label for k-of-n sidecars.
    pub label: Option<&'a str>,
    /// Bundle format.
    pub version: BundleVersion,
    /// RFC 3161 TSA URL, if any.
    pub timestamp_url: Option<&'a str>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertSignOutput {
    /// The signed tarball.
    pub artifact: PathBuf,
    /// The bundle written next to it.
    pub bundle_path: PathBuf,
    /// Hex SHA-256 of the tarball.
    pub sha256: String,
    /// Fingerprint of the signing key.
    pub fingerprint: String,
    /// The certificate's identities.
    pub identities: Vec<String>,
    /// The certificate's serial (hex).
    pub serial: String,
    /// True when a TSA timestamp is in the bundle.
    pub timestamped: bool,
}

/// Signs `request.tarball`; the certificate must be for the signing key and valid now, and the
/// chain (when given) must lead it to its root.
pub fn sign_with_certificate(request: &CertSignRequest<'_>) -> Result<CertSignOutput, CertError> {
    check_label(request.label).map_err(|e| CertError::Usage(e.to_string()))?;
    preflight(request)?;
    let io = |p: &Path, e: std::io::Error| CertError::Usage(format!("{}: {e}", p.display()));
    let bytes = std::fs::read(request.tarball).map_err(|e| io(request.tarball, e))?;
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let signature = request.signer.sign(&bytes)?;
    let token = match request.timestamp_url {
        Some(url) => Some(timestamp::request(url, &signature)?),
        None => None,
    };
    let bundle = build_bundle(request, sha256, &signature, token.clone());
    let json = bundle
        .to_json()
        .map_err(|e| CertError::Usage(format!("bundle encoding failed: {e}")))?;
    let infix = request.label.map(|l| format!(".{l}")).unwrap_or_default();
    let bundle_path = with_suffix(request.tarball, &format!("{infix}.sigstore.json"));
    std::fs::write(&bundle_path, json).map_err(|e| io(&bundle_path, e))?;
    Ok(CertSignOutput {
        artifact: request.tarball.to_path_buf(),
        bundle_path,
        sha256: hex::encode(sha256),
        fingerprint: request.signer.public_key().fingerprint(),
        identities: request.certificate.identities(),
        serial: request.certificate.serial_hex(),
        timestamped: token.is_some(),
    })
}

/// Refuses to sign what would never verify: a certificate for another key, one not valid now,
/// or a chain that does not lead it to a root.
fn preflight(request: &CertSignRequest<'_>) -> Result<(), CertError> {
    let cert_key = request.certificate.public_key()?.fingerprint();
    let signing_key = request.signer.public_key().fingerprint();
    if cert_key != signing_key {
        return Err(CertError::Usage(format!(
            "the {} is for key {cert_key}, but the signing key is {signing_key}",
            request.certificate.describe()
        )));
    }
    let roots: Vec<Cert> = request
        .chain
        .iter()
        .filter(|c| c.is_self_issued())
        .cloned()
        .collect();
    let now = SigningTime::Untimestamped(Utc::now());
    if roots.is_empty() {
        // No root to validate against: at least the certificate itself must be current.
        let leaf = request.certificate;
        let t = now.instant();
        if t < leaf.not_before() || t > leaf.not_after() {
            return Err(CertError::Usage(format!(
                "the {} is valid from {} to {}, not now: renew it (npm-sigverify ca renew)",
                leaf.describe(),
                leaf.not_before().to_rfc3339(),
                leaf.not_after().to_rfc3339()
            )));
        }
        return Ok(());
    }
    chain::validate(request.certificate, request.chain, &roots, now).map(|_| ())
}

fn build_bundle(
    request: &CertSignRequest<'_>,
    sha256: [u8; 32],
    signature: &[u8],
    token: Option<Vec<u8>>,
) -> Bundle {
    let der = |c: &Cert| DerCertificate::new(c.der().to_vec());
    let (media_type, content) = match request.version {
        BundleVersion::V03 => (
            MediaType::Bundle0_3,
            VerificationMaterialContent::Certificate(CertificateContent::new(der(
                request.certificate
            ))),
        ),
        BundleVersion::V02 => {
            let certificates = std::iter::once(request.certificate)
                .chain(request.chain.iter().filter(|c| !c.is_self_issued()))
                .map(|c| X509Certificate::new(der(c)))
                .collect();
            (
                MediaType::Bundle0_2,
                VerificationMaterialContent::X509CertificateChain { certificates },
            )
        }
    };
    let mut material = VerificationMaterial::new(content);
    if let Some(token) = token {
        let stamp = Rfc3161Timestamp::new(TimestampToken::new(token));
        material =
            material.with_timestamp_verification_data(TimestampVerificationData::new(vec![stamp]));
    }
    let message = MessageSignature::new(SignatureBytes::from_bytes(signature)).with_message_digest(
        MessageDigest::new(HashAlgorithm::Sha2256, DigestBytes::new(sha256.to_vec())),
    );
    Bundle::new(
        media_type,
        material,
        SignatureContent::MessageSignature(message),
    )
}
