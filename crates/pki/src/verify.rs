//! Verifying a signature made with a certificate from a private CA.
//!
//! Steps, in order: (1) take the leaf certificate, the untrusted chain and the signature from the
//! bundle (or the detached signature and `--certificate`); (2) check the signature over the
//! artifact with the leaf's key; (3) establish the signing time: every RFC 3161 token verified
//! against the configured TSAs, else now; (4) validate the chain to a trusted root at each of
//! those times; (5) check revocation with the CRLs; the identity is the caller's to match.
//! Transparency-log entries are not used as time evidence here: a private CA's signatures are
//! made offline and nothing here can reach a log.

pub use crate::crl::RevocationMode;

use crate::cert::Cert;
use crate::crl::{self, Crl};
use crate::error::CertError;
use crate::{chain, timestamp};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{Bundle, HashAlgorithm, SignatureContent, TsaAuthority};
use sigverify_cosign::policy::Matcher;
use sigverify_cosign::trust::SigningTime;
use sigverify_cosign::ArtifactInput;
use std::path::PathBuf;

/// What a private CA is trusted with: roots, intermediates, CRLs, timestamp authorities.
#[derive(Debug, Clone, Default)]
pub struct CaTrust {
    /// A name for messages (the policy's CA name, or `--ca-roots`).
    pub name: String,
    /// Trusted roots.
    pub roots: Vec<Cert>,
    /// Intermediates to build paths with (not trusted by themselves).
    pub intermediates: Vec<Cert>,
    /// CRLs; when any is given, the leaf's revocation status must be known.
    pub crls: Vec<Crl>,
    /// TSAs whose tokens prove signing times.
    pub timestamp_authorities: Vec<TsaAuthority>,
    /// How revocations affect earlier signatures.
    pub revocation: RevocationMode,
}

/// The files a [`CaTrust`] is loaded from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaFiles {
    /// PEM files of trusted roots.
    pub roots: Vec<PathBuf>,
    /// PEM files of intermediates.
    pub intermediates: Vec<PathBuf>,
    /// CRL files (PEM or DER).
    pub crls: Vec<PathBuf>,
    /// TSA chain files (PEM, TSA certificate first, root last).
    pub timestamp_authorities: Vec<PathBuf>,
    /// How revocations affect earlier signatures.
    pub revocation: RevocationMode,
}

impl CaTrust {
    /// Loads the files; there must be at least one root.
    pub fn load(name: &str, files: &CaFiles) -> Result<Self, CertError> {
        let certs = |paths: &[PathBuf]| -> Result<Vec<Cert>, CertError> {
            let mut all = Vec::new();
            for path in paths {
                all.extend(Cert::load_file(path)?);
            }
            Ok(all)
        };
        let roots = certs(&files.roots)?;
        if roots.is_empty() {
            return Err(crate::error::material(
                name,
                "no root certificate is configured",
            ));
        }
        let mut crls = Vec::new();
        for path in &files.crls {
            crls.extend(Crl::load_file(path)?);
        }
        let timestamp_authorities = files
            .timestamp_authorities
            .iter()
            .map(|p| timestamp::load_authority(p))
            .collect::<Result<_, _>>()?;
        Ok(CaTrust {
            name: name.to_string(),
            roots,
            intermediates: certs(&files.intermediates)?,
            crls,
            timestamp_authorities,
            revocation: files.revocation,
        })
    }
}

/// Signature evidence that carries (or comes with) a certificate.
pub enum CertEvidence<'a> {
    /// A Sigstore bundle with a certificate (v0.3) or a chain (v0.1/v0.2).
    Bundle(&'a Bundle),
    /// A detached signature with the leaf (`--certificate`) and untrusted chain.
    Detached {
        /// Raw signature bytes.
        signature: &'a [u8],
        /// The signing certificate.
        certificate: &'a Cert,
        /// Intermediates shipped with it (`--certificate-chain`).
        chain: &'a [Cert],
    },
}

/// A verified certificate signature.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertVerified {
    /// The email and URI identities of the signing certificate.
    pub identities: Vec<String>,
    /// Its OIDC issuer extension, if any.
    pub oidc_issuer: Option<String>,
    /// Fingerprint (hex SHA-256 of the SPKI) of the signing key.
    pub fingerprint: String,
    /// The certificate serial (hex).
    pub serial: String,
    /// The subjects of the validated path, leaf first.
    pub chain: Vec<String>,
    /// The instants the chain was validated at.
    pub checked_at: Vec<DateTime<Utc>>,
    /// True when those instants are verified timestamps, false when it was now.
    pub timestamped: bool,
    /// True when CRLs were checked.
    pub revocation_checked: bool,
    /// The CA (trust) that validated it.
    pub ca: String,
}

/// Verifies `evidence` over `artifact` against one CA trust at `now`.
pub fn verify_certificate(
    artifact: &ArtifactInput,
    evidence: &CertEvidence<'_>,
    trust: &CaTrust,
    now: DateTime<Utc>,
) -> Result<CertVerified, CertError> {
    let (leaf, shipped, signature) = unpack(artifact, evidence)?;
    let key = leaf.public_key()?;
    key.verify(artifact.message(), &signature).map_err(|e| {
        CertError::Signature(format!(
            "{} does not sign this artifact: {e}",
            leaf.describe()
        ))
    })?;
    let times = signing_times(evidence, &signature, trust, now)?;
    let mut pool = shipped;
    pool.extend(trust.intermediates.iter().cloned());
    let mut path = Vec::new();
    for time in &times {
        path = chain::validate(&leaf, &pool, &trust.roots, *time)?;
        if !trust.crls.is_empty() {
            crl::check_path(&path, &trust.crls, trust.revocation, *time, now)?;
        }
    }
    Ok(CertVerified {
        identities: leaf.identities(),
        oidc_issuer: leaf.oidc_issuer(),
        fingerprint: key.fingerprint(),
        serial: leaf.serial_hex(),
        chain: path.iter().map(|c| c.tbs().subject.to_string()).collect(),
        checked_at: times.iter().map(|t| t.instant()).collect(),
        timestamped: matches!(times.first(), Some(SigningTime::Timestamped(_))),
        revocation_checked: !trust.crls.is_empty(),
        ca: trust.name.clone(),
    })
}

fn signing_times(
    evidence: &CertEvidence<'_>,
    signature: &[u8],
    trust: &CaTrust,
    now: DateTime<Utc>,
) -> Result<Vec<SigningTime>, CertError> {
    let stamped = match evidence {
        CertEvidence::Bundle(bundle) => {
            timestamp::verified_times(bundle, signature, &trust.timestamp_authorities)?
        }
        CertEvidence::Detached { .. } => Vec::new(),
    };
    Ok(if stamped.is_empty() {
        vec![SigningTime::Untimestamped(now)]
    } else {
        stamped.into_iter().map(SigningTime::Timestamped).collect()
    })
}

/// The leaf, the certificates shipped with it, and the signature; the bundle's digest must be
/// the artifact's.
fn unpack(
    artifact: &ArtifactInput,
    evidence: &CertEvidence<'_>,
) -> Result<(Cert, Vec<Cert>, Vec<u8>), CertError> {
    let bundle = match evidence {
        CertEvidence::Detached {
            signature,
            certificate,
            chain,
        } => return Ok(((*certificate).clone(), chain.to_vec(), signature.to_vec())),
        CertEvidence::Bundle(bundle) => bundle,
    };
    let certs = bundle_certificates(bundle)?;
    let SignatureContent::MessageSignature(message) = &bundle.content else {
        return Err(CertError::Evidence(
            "only message-signature bundles are supported with a private CA (not DSSE)".into(),
        ));
    };
    if let Some(digest) = &message.message_digest {
        let actual = artifact.sha256();
        if digest.algorithm != HashAlgorithm::Sha2256 || digest.digest.as_bytes() != actual {
            return Err(CertError::Signature(format!(
                "the bundle is over another artifact (digest {}), not this one (sha256 {})",
                hex::encode(digest.digest.as_bytes()),
                hex::encode(actual)
            )));
        }
    }
    let mut certs = certs.into_iter();
    let leaf = certs
        .next()
        .ok_or_else(|| CertError::Evidence("the bundle's certificate chain is empty".into()))?;
    Ok((leaf, certs.collect(), message.signature.as_bytes().to_vec()))
}

/// The certificates of a bundle, leaf first; an error for a key-signed bundle.
pub fn bundle_certificates(bundle: &Bundle) -> Result<Vec<Cert>, CertError> {
    let ders: Vec<&[u8]> = match &bundle.verification_material.content {
        VerificationMaterialContent::Certificate(c) => vec![c.raw_bytes.as_bytes()],
        VerificationMaterialContent::X509CertificateChain { certificates } => certificates
            .iter()
            .map(|c| c.raw_bytes.as_bytes())
            .collect(),
        _ => {
            return Err(CertError::Evidence(
                "the bundle is signed with a bare key, not a certificate".into(),
            ))
        }
    };
    ders.into_iter()
        .map(|der| Cert::from_der(der).map_err(CertError::Evidence))
        .collect()
}

/// True when the bundle carries a certificate (or chain) rather than a key hint.
pub fn has_certificate(bundle: &Bundle) -> bool {
    !matches!(
        bundle.verification_material.content,
        VerificationMaterialContent::PublicKey(_)
    )
}

/// Checks a verified certificate's identity: one of its email/URI SANs must match `identity`,
/// and, when `issuer` is given, its OIDC issuer extension must match it.
pub fn check_identity(
    verified: &CertVerified,
    identity: &Matcher,
    issuer: Option<&Matcher>,
) -> Result<(), CertError> {
    if !verified.identities.iter().any(|id| identity.matches(id)) {
        return Err(CertError::Identity(format!(
            "the certificate identities {:?} do not match the expected identity {identity}",
            verified.identities
        )));
    }
    if let Some(issuer) = issuer {
        let actual = verified.oidc_issuer.as_deref().unwrap_or_default();
        if !issuer.matches(actual) {
            return Err(CertError::Identity(format!(
                "the certificate's OIDC issuer is {actual:?}, expected {issuer}"
            )));
        }
    }
    Ok(())
}
