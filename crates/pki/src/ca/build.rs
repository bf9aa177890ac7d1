//! The certificate profiles of the CA: root, intermediate and code-signing leaf, and its CRLs.

use super::keys::RcgenKey;
use crate::cert::Cert;
use crate::error::CertError;
use chrono::{DateTime, Utc};
use der::Encode;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyUsagePurpose, SanType, SerialNumber,
};
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

/// Fulcio's OIDC issuer extension (a DER UTF8String).
const ISSUER_V2: &[u64] = &[1, 3, 6, 1, 4, 1, 57264, 1, 8];
/// Fulcio's legacy issuer extension (the raw string).
const ISSUER_V1: &[u64] = &[1, 3, 6, 1, 4, 1, 57264, 1, 1];
const NAME_CONSTRAINTS: &[u64] = &[2, 5, 29, 30];

/// The identity a signing certificate is issued to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// An email address (rfc822Name SAN), for people.
    Email(String),
    /// A URI (uniformResourceIdentifier SAN), for workloads such as CI jobs.
    Uri(String),
}

impl Identity {
    /// The identity as text.
    pub fn as_str(&self) -> &str {
        match self {
            Identity::Email(s) | Identity::Uri(s) => s,
        }
    }

    /// An email when it has an `@` and no scheme, else a URI (which must have a scheme).
    pub fn parse(text: &str) -> Result<Self, CertError> {
        if text.contains("://") || text.starts_with("urn:") {
            return Ok(Identity::Uri(text.to_string()));
        }
        match text.split_once('@') {
            Some((local, host)) if !local.is_empty() && host.contains('.') => {
                Ok(Identity::Email(text.to_string()))
            }
            _ => Err(CertError::Usage(format!(
                "'{text}' is neither an email address nor a URI with a scheme"
            ))),
        }
    }
}

/// Profile of a CA certificate.
pub(crate) struct CaProfile<'a> {
    pub common_name: String,
    pub organization: &'a str,
    pub path_len: u8,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    pub permitted_emails: &'a [String],
    pub permitted_uris: &'a [String],
}

/// A CA certificate: `CA:TRUE` with a path length, `keyCertSign` + `cRLSign`, code signing as
/// its only extended key usage (it restricts what it issues), and name constraints when given.
/// Self-signed without an issuer.
pub(crate) fn ca_certificate(
    profile: &CaProfile<'_>,
    subject_key: &RcgenKey<'_>,
    issuer: Option<&Issuer<'_, RcgenKey<'_>>>,
) -> Result<Cert, CertError> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, profile.common_name.as_str());
    dn.push(DnType::OrganizationName, profile.organization);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(profile.path_len));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    params.not_before = to_time(profile.not_before)?;
    params.not_after = to_time(profile.not_after)?;
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = issuer.is_some();
    if !profile.permitted_emails.is_empty() || !profile.permitted_uris.is_empty() {
        params.custom_extensions.push(name_constraints(
            profile.permitted_emails,
            profile.permitted_uris,
        )?);
    }
    let cert = match issuer {
        Some(issuer) => params.signed_by(subject_key, issuer),
        None => params.self_signed(subject_key),
    }
    .map_err(|e| CertError::Usage(format!("cannot make the CA certificate: {e}")))?;
    Cert::from_der(cert.der()).map_err(CertError::Evidence)
}

/// A short-lived code-signing certificate: empty subject, the identity as a critical SAN,
/// `digitalSignature`, `codeSigning`, and the issuer URL in Fulcio's extensions.
pub(crate) fn leaf_certificate(
    identity: &Identity,
    issuer_url: Option<&str>,
    public_key_spki: &[u8],
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    issuer: &Issuer<'_, RcgenKey<'_>>,
) -> Result<Cert, CertError> {
    let bad = |e: rcgen::Error| CertError::Usage(format!("cannot make the certificate: {e}"));
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    let san = match identity {
        Identity::Email(email) => SanType::Rfc822Name(email.clone().try_into().map_err(bad)?),
        Identity::Uri(uri) => SanType::URI(uri.clone().try_into().map_err(bad)?),
    };
    params.subject_alt_names = vec![san];
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    params.not_before = to_time(not_before)?;
    params.not_after = to_time(not_after)?;
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    if let Some(url) = issuer_url {
        let utf8 = der::asn1::Utf8StringRef::new(url)
            .and_then(|s| s.to_der())
            .map_err(|e| CertError::Usage(format!("issuer URL: {e}")))?;
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(ISSUER_V2, utf8));
        params
            .custom_extensions
            .push(CustomExtension::from_oid_content(
                ISSUER_V1,
                url.as_bytes().to_vec(),
            ));
    }
    let subject = rcgen::SubjectPublicKeyInfo::from_der(public_key_spki).map_err(bad)?;
    let cert = params.signed_by(&subject, issuer).map_err(bad)?;
    Cert::from_der(cert.der()).map_err(CertError::Evidence)
}

/// Name constraints as a critical extension: permitted email hosts/addresses and URI hosts.
/// rcgen has no URI subtrees, so the extension is encoded here.
fn name_constraints(emails: &[String], uris: &[String]) -> Result<CustomExtension, CertError> {
    let ia5 = |s: &String| {
        der::asn1::Ia5String::new(s)
            .map_err(|e| CertError::Usage(format!("name constraint '{s}': {e}")))
    };
    let mut permitted = Vec::new();
    for email in emails {
        permitted.push(subtree(GeneralName::Rfc822Name(ia5(email)?)));
    }
    for uri in uris {
        permitted.push(subtree(GeneralName::UniformResourceIdentifier(ia5(uri)?)));
    }
    let value = NameConstraints {
        permitted_subtrees: Some(permitted),
        excluded_subtrees: None,
    }
    .to_der()
    .map_err(|e| CertError::Usage(format!("name constraints: {e}")))?;
    let mut ext = CustomExtension::from_oid_content(NAME_CONSTRAINTS, value);
    ext.set_criticality(true);
    Ok(ext)
}

fn subtree(base: GeneralName) -> GeneralSubtree {
    GeneralSubtree {
        base,
        minimum: 0,
        maximum: None,
    }
}

/// 16 random bytes, first bit clear: a positive serial of 127 bits.
fn random_serial() -> SerialNumber {
    use rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    SerialNumber::from_slice(&bytes)
}

pub(crate) fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime, CertError> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .map_err(|e| CertError::Usage(format!("time {t} out of range: {e}")))
}
