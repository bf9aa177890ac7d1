//! Verification failures.

use crate::error::{Coded, InputError, KeyError};
use crate::keys::SignatureMismatch;
use crate::policy::PolicyMismatch;

/// Why a verification did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The detached or bundled signature does not verify with the key.
    #[error(transparent)]
    Signature(#[from] SignatureMismatch),
    /// The bundle's message digest is not the artifact's.
    #[error("artifact mismatch: {0}")]
    Artifact(String),
    /// The certificate's identity claims do not satisfy the policy.
    #[error(transparent)]
    Identity(#[from] PolicyMismatch),
    /// There is no transparency-log entry or timestamp and the no-tlog path was not asked for.
    #[error("no transparency log entry or timestamp: {0}")]
    NoTlog(String),
    /// The bundle kind does not fit the request (e.g. a certificate bundle with `--key`).
    #[error("bundle: {0}")]
    BundleKind(String),
    /// Sigstore bundle verification (certificate chain, SCT, log, timestamps, signature) failed.
    #[error("sigstore verification failed: {0}")]
    Sigstore(#[from] sigstore_verify::Error),
    /// The inputs could not be read or parsed.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A key could not be read.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl Coded for VerifyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Signature(_) => "ESIGNATURE",
            Self::Artifact(_) => "EARTIFACT",
            Self::Identity(_) => "EIDENTITY",
            Self::NoTlog(_) => "ENOTLOG",
            Self::BundleKind(_) => "EBUNDLE",
            Self::Sigstore(e) => sigstore_code(e),
            Self::Input(e) => e.code(),
            Self::Key(e) => e.code(),
        }
    }
    fn remediation(&self) -> &'static str {
        match self {
            Self::Signature(_) => "the artifact changed or was signed by another key: do not install it",
            Self::Artifact(_) => "the bundle belongs to another artifact: do not install this one",
            Self::Identity(_) => "the signer is not the expected identity: check --certificate-identity/-oidc-issuer",
            Self::NoTlog(_) => "use a bundle with a log entry; verify-blob also accepts --insecure-ignore-tlog (knowingly) or --trust FILE (keys valid now)",
            Self::BundleKind(_) => "use --key for key-signed bundles and --certificate-identity for keyless ones",
            Self::Sigstore(_) => "the signature evidence is invalid or from another Sigstore instance: do not trust it",
            Self::Input(e) => e.remediation(),
            Self::Key(e) => e.remediation(),
        }
    }
    fn is_config(&self) -> bool {
        match self {
            Self::Input(e) => e.is_config(),
            Self::Key(e) => e.is_config(),
            _ => false,
        }
    }
}

fn sigstore_code(error: &sigstore_verify::Error) -> &'static str {
    use sigstore_verify::Error as E;
    match error {
        E::IdentityMismatch { .. } | E::IssuerMismatch { .. } => "EIDENTITY",
        E::SignatureInvalid(_) => "ESIGNATURE",
        E::ArtifactMismatch(_) | E::UnsupportedArtifact(_) => "EARTIFACT",
        E::Certificate(_) => "ECERTIFICATE",
        E::TransparencyLog(_) => "ETLOG",
        E::Timestamp(_) => "ETIMESTAMP",
        E::InvalidTrustRoot(_) | E::TrustRoot(_) | E::TrustedCertificate(_) => "ETRUSTEDROOT",
        _ => "EBUNDLE",
    }
}
