//! Why a certificate signature, a CA operation or trust material failed, each with its stable
//! code from the catalog (`sigverify-codes`) and what to do.

use sigverify_codes::Code;
use sigverify_cosign::error::{Coded, InputError, KeyError};

/// A failure of the PKI layer.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// No path from the certificate to a trusted root.
    #[error("{0}")]
    Chain(String),
    /// A certificate of the chain had expired at the checked instant.
    #[error("{what} expired at {not_after}; {when}")]
    Expired {
        /// Which certificate.
        what: String,
        /// Its notAfter (RFC 3339).
        not_after: String,
        /// The instant checked and where it came from.
        when: String,
    },
    /// A certificate of the chain was not yet valid at the checked instant.
    #[error("{what} is not valid before {not_before}; {when}")]
    NotYetValid {
        /// Which certificate.
        what: String,
        /// Its notBefore (RFC 3339).
        not_before: String,
        /// The instant checked and where it came from.
        when: String,
    },
    /// The CA revoked the certificate.
    #[error("{what} (serial {serial}) was revoked at {at} ({reason}); {when}")]
    Revoked {
        /// Which certificate.
        what: String,
        /// Its serial (hex).
        serial: String,
        /// Effective revocation time (RFC 3339).
        at: String,
        /// The CRL reason.
        reason: String,
        /// The instant checked.
        when: String,
    },
    /// Wrong (extended) key usage or a CA certificate used to sign.
    #[error("{0}")]
    KeyUsage(String),
    /// A name outside a CA's name constraints.
    #[error("{0}")]
    NameConstraint(String),
    /// The identity or issuer claim is not the expected one.
    #[error("{0}")]
    Identity(String),
    /// A CRL that does not verify or uses unsupported features.
    #[error("{0}")]
    CrlInvalid(String),
    /// No current CRL for a certificate whose revocation must be checked.
    #[error("{0}")]
    CrlUnavailable(String),
    /// An RFC 3161 timestamp that does not verify.
    #[error("{0}")]
    Timestamp(String),
    /// The signature does not verify over the artifact with the certificate's key.
    #[error("{0}")]
    Signature(String),
    /// Malformed evidence (a certificate or bundle that cannot be read).
    #[error("{0}")]
    Evidence(String),
    /// Trust material or CA state that cannot be used (a configuration error).
    #[error("{path}: {detail}")]
    Material {
        /// The file or folder.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The timestamp authority could not be reached or answered badly while signing.
    #[error("timestamp authority {url}: {detail}")]
    Tsa {
        /// The TSA URL.
        url: String,
        /// What went wrong.
        detail: String,
    },
    /// A CA operation that cannot be done as asked (a usage error).
    #[error("{0}")]
    Usage(String),
    /// A key could not be loaded or used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// An input could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
}

impl CertError {
    /// The catalog code, for failures that judge evidence.
    pub fn catalog_code(&self) -> Option<Code> {
        Some(match self {
            Self::Chain(_) => Code::CertChain,
            Self::Expired { .. } => Code::CertExpired,
            Self::NotYetValid { .. } => Code::CertNotYetValid,
            Self::Revoked { .. } => Code::CertRevoked,
            Self::KeyUsage(_) => Code::CertUsage,
            Self::NameConstraint(_) => Code::CertNameConstraint,
            Self::Identity(_) => Code::CertIdentity,
            Self::CrlInvalid(_) => Code::CrlInvalid,
            Self::CrlUnavailable(_) => Code::CrlUnavailable,
            Self::Timestamp(_) => Code::Timestamp,
            Self::Signature(_) => Code::BadSignature,
            Self::Evidence(_) => Code::InternalSignatureRead,
            Self::Key(KeyError::Permissions { .. }) => Code::KeyPermissions,
            _ => return None,
        })
    }
}

impl Coded for CertError {
    fn code(&self) -> &'static str {
        match (self.catalog_code(), self) {
            (_, Self::Key(e)) => e.code(),
            (_, Self::Input(e)) => e.code(),
            (Some(code), _) => code.as_str(),
            (None, Self::Material { .. }) => "ECAMATERIAL",
            (None, Self::Tsa { .. }) => "ETSAUNAVAILABLE",
            (None, _) => "EUSAGE",
        }
    }
    fn remediation(&self) -> &'static str {
        match (self.catalog_code(), self) {
            (_, Self::Key(e)) => e.remediation(),
            (_, Self::Input(e)) => e.remediation(),
            (Some(code), _) => code.remediation(),
            (None, Self::Material { .. }) => {
                "check the CA folder or the trust material files (PEM certificates and CRLs) the policy or the options name"
            }
            (None, Self::Tsa { .. }) => {
                "check --timestamp-server-url (an RFC 3161 endpoint reachable from here), or sign without it"
            }
            (None, _) => "see --help for the accepted options",
        }
    }
    fn is_config(&self) -> bool {
        match self {
            Self::Key(e) => e.is_config(),
            Self::Input(e) => e.is_config(),
            Self::Material { .. } | Self::Usage(_) | Self::Tsa { .. } => true,
            _ => false,
        }
    }
}

/// Shorthand for a [`CertError::Material`].
pub(crate) fn material(path: impl std::fmt::Display, detail: impl std::fmt::Display) -> CertError {
    CertError::Material {
        path: path.to_string(),
        detail: detail.to_string(),
    }
}
