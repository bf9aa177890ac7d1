//! Certificates: parsing (PEM bundles or DER) and the fields path validation and identity
//! matching read.

use crate::error::{material, CertError};
use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use sigverify_cosign::keys::PublicKey;
use std::path::Path;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};

/// A parsed X.509 certificate together with the DER it was parsed from.
#[derive(Clone)]
pub struct Cert {
    der: Vec<u8>,
    parsed: x509_cert::Certificate,
}

impl std::fmt::Debug for Cert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cert({})", self.describe())
    }
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Cert {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, String> {
        let parsed = x509_cert::Certificate::from_der(der)
            .map_err(|e| format!("not a DER X.509 certificate: {e}"))?;
        Ok(Cert {
            der: der.to_vec(),
            parsed,
        })
    }

    /// Every certificate in a PEM text (or one DER certificate), in order.
    pub fn parse_all(bytes: &[u8], source: &str) -> Result<Vec<Cert>, CertError> {
        let blocks = pem_blocks(bytes, "CERTIFICATE", source)?;
        blocks
            .iter()
            .map(|der| Cert::from_der(der).map_err(|e| material(source, e)))
            .collect()
    }

    /// Reads every certificate of a PEM (or DER) file.
    pub fn load_file(path: &Path) -> Result<Vec<Cert>, CertError> {
        let bytes = std::fs::read(path).map_err(|e| material(path.display(), e))?;
        let certs = Cert::parse_all(&bytes, &path.display().to_string())?;
        if certs.is_empty() {
            return Err(material(path.display(), "holds no certificate"));
        }
        Ok(certs)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The PEM encoding.
    pub fn to_pem(&self) -> String {
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// The parsed `TBSCertificate`.
    pub fn tbs(&self) -> &x509_cert::TbsCertificate {
        &self.parsed.tbs_certificate
    }

    /// The parsed certificate.
    pub fn parsed(&self) -> &x509_cert::Certificate {
        &self.parsed
    }

    /// DER of the subject name (names are compared as DER).
    pub fn subject_der(&self) -> Vec<u8> {
        self.tbs().subject.to_der().unwrap_or_default()
    }

    /// DER of the issuer name.
    pub fn issuer_der(&self) -> Vec<u8> {
        self.tbs().issuer.to_der().unwrap_or_default()
    }

    /// True when subject and issuer are the same name.
    pub fn is_self_issued(&self) -> bool {
        self.subject_der() == self.issuer_der()
    }

    /// The serial number, lower-case hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.tbs().serial_number.as_bytes())
    }

    /// `notBefore`.
    pub fn not_before(&self) -> DateTime<Utc> {
        to_chrono(&self.tbs().validity.not_before)
    }

    /// `notAfter`.
    pub fn not_after(&self) -> DateTime<Utc> {
        to_chrono(&self.tbs().validity.not_after)
    }

    /// DER of the SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> Vec<u8> {
        self.tbs()
            .subject_public_key_info
            .to_der()
            .unwrap_or_default()
    }

    /// The subject public key, as the cosign crate reads keys.
    pub fn public_key(&self) -> Result<PublicKey, CertError> {
        PublicKey::from_spki_der(&self.spki_der(), &self.describe())
            .map_err(|e| CertError::Evidence(e.to_string()))
    }

    /// Hex SHA-256 of the whole certificate.
    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(&self.der))
    }

    /// A typed extension and its criticality; a malformed one is an error.
    pub fn extension<'a, T>(&'a self) -> Result<Option<(bool, T)>, String>
    where
        T: der::Decode<'a> + const_oid::AssociatedOid,
    {
        self.tbs()
            .get::<T>()
            .map_err(|e| format!("{}: malformed extension {}: {e}", self.describe(), T::OID))
    }

    /// `basicConstraints`, if present.
    pub fn basic_constraints(&self) -> Result<Option<BasicConstraints>, String> {
        Ok(self.extension::<BasicConstraints>()?.map(|(_, bc)| bc))
    }

    /// True when `basicConstraints` says this is a CA.
    pub fn is_ca(&self) -> bool {
        matches!(self.basic_constraints(), Ok(Some(bc)) if bc.ca)
    }

    /// `keyUsage`, if present.
    pub fn key_usage(&self) -> Result<Option<KeyUsage>, String> {
        Ok(self.extension::<KeyUsage>()?.map(|(_, ku)| ku))
    }

    /// The extended key usages, if the extension is present.
    pub fn extended_key_usage(&self) -> Result<Option<Vec<ObjectIdentifier>>, String> {
        Ok(self.extension::<ExtendedKeyUsage>()?.map(|(_, eku)| eku.0))
    }

    /// The subject alternative names.
    pub fn subject_alt_names(&self) -> Result<Vec<GeneralName>, String> {
        Ok(self
            .extension::<SubjectAltName>()?
            .map(|(_, san)| san.0)
            .unwrap_or_default())
    }

    /// The email and URI identities of the SAN extension, in order.
    pub fn identities(&self) -> Vec<String> {
        let names = self.subject_alt_names().unwrap_or_default();
        names
            .iter()
            .filter_map(|name| match name {
                GeneralName::Rfc822Name(email) => Some(email.to_string()),
                GeneralName::UniformResourceIdentifier(uri) => Some(uri.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The OIDC issuer of the Fulcio extension (`1.3.6.1.4.1.57264.1.8`, else the legacy `.1`).
    pub fn oidc_issuer(&self) -> Option<String> {
        let der = sigstore_types::DerCertificate::new(self.der.clone());
        sigstore_crypto::parse_certificate_info(&der).ok()?.issuer
    }

    /// Fulcio-style claims for identity matching (`sigverify_cosign::IdentityPolicy`).
    pub fn claims(&self) -> Result<sigstore_crypto::CertificateInfo, CertError> {
        let der = sigstore_types::DerCertificate::new(self.der.clone());
        sigstore_crypto::parse_certificate_info(&der)
            .map_err(|e| CertError::Evidence(format!("{}: {e}", self.describe())))
    }

    /// How the certificate is named in messages: its first identity, else its subject.
    pub fn describe(&self) -> String {
        match self.identities().first() {
            Some(identity) => format!("certificate of {identity}"),
            None => format!("certificate '{}'", self.tbs().subject),
        }
    }
}

/// `Time` as chrono.
pub(crate) fn to_chrono(time: &x509_cert::time::Time) -> DateTime<Utc> {
    let since = time.to_unix_duration();
    DateTime::from_timestamp(since.as_secs() as i64, 0).unwrap_or_default()
}

/// The DER of every PEM block labelled `label` in `bytes`, or `bytes` itself when it is DER.
pub(crate) fn pem_blocks(
    bytes: &[u8],
    label: &str,
    source: &str,
) -> Result<Vec<Vec<u8>>, CertError> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(vec![bytes.to_vec()]);
    };
    if !text.contains("-----BEGIN") {
        return Ok(if bytes.first() == Some(&0x30) {
            vec![bytes.to_vec()]
        } else {
            Vec::new()
        });
    }
    let text = text.replace("\r\n", "\n");
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(&begin) {
        let after = &rest[start..];
        let stop = after
            .find(&end)
            .ok_or_else(|| material(source, format!("a {label} PEM block has no END line")))?;
        let block = &after[..stop + end.len()];
        let (_, der) = pem_rfc7468::decode_vec(block.as_bytes())
            .map_err(|e| material(source, format!("invalid {label} PEM: {e}")))?;
        out.push(der);
        rest = &after[stop + end.len()..];
    }
    Ok(out)
}
