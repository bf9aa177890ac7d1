//! Errors that stop a run before any package is judged: bad arguments or configuration.
//! (A package that fails verification is a result, not an error.)

use crate::config::npmrc::ConfigError;
use crate::source::registry::ClientError;
use sigverify_lockfile::LockfileError;
use sigverify_policy::PolicyError;

/// Why a verification could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The lockfile or tree could not be read.
    #[error(transparent)]
    Lockfile(#[from] LockfileError),
    /// The trust policy cannot be read, or names an unknown environment.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// `.npmrc` or an override is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client could not be set up (cafile, proxy).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// An argument is wrong (e.g. a package spec without a version).
    #[error("{0}")]
    Usage(String),
    /// `--trusted-root` is not a usable Sigstore trusted root.
    #[error("trusted root {0}")]
    TrustedRoot(String),
    /// The trust file of internal keys cannot be read or is malformed.
    #[error("{0}")]
    TrustFile(String),
    /// A certificate authority of the policy has unusable files (roots, CRLs, TSA chains).
    #[error("{0}")]
    CaMaterial(String),
    /// Writing the evidence store failed.
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

impl VerifyError {
    /// A stable code for scripts and the JS API (`err.code`).
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Lockfile(e) => e.code(),
            VerifyError::Policy(e) => e.code(),
            VerifyError::Config(_) => "ECONFIG",
            VerifyError::Client(_) => "ECONFIG",
            VerifyError::Usage(_) => "EUSAGE",
            VerifyError::Write { .. } => "EWRITE",
            VerifyError::TrustedRoot(_) => "ETRUSTEDROOT",
            VerifyError::TrustFile(_) => "ETRUSTFILE",
            VerifyError::CaMaterial(_) => "ECAMATERIAL",
        }
    }

    /// What to do about it.
    pub fn remediation(&self) -> String {
        match self {
            VerifyError::Lockfile(e) => e.remediation().to_string(),
            VerifyError::Policy(e) => e.remediation().to_string(),
            VerifyError::Config(_) => "fix the setting in .npmrc (or the flag) named above".into(),
            VerifyError::Client(_) => {
                "check the cafile and proxy settings in .npmrc and the environment".into()
            }
            VerifyError::Usage(_) => "see `npm-sigverify --help`".into(),
            VerifyError::Write { .. } => "check the output folder exists and is writable".into(),
            VerifyError::TrustFile(_) => "fix the trust file of internal keys (npm-sigverify keys list shows what it holds), or point --trust / trust.internalKeys at the right file".into(),
            VerifyError::CaMaterial(_) => "fix trust.certificateAuthorities in the policy: each path must name PEM certificates (roots, intermediates, TSA chains) or CRLs, relative to the policy file".into(),
            VerifyError::TrustedRoot(_) => "pass a trusted_root.json of your Sigstore deployment (or drop --trusted-root to use the embedded public-good root)".into(),
        }
    }
}
