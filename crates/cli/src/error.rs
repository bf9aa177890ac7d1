//! Errors that stop a command before it can judge anything (exit code 2).

use sigverify_core::VerifyError;
use sigverify_policy::PolicyError;

/// A usage or configuration error, with its stable code and what to do.
#[derive(Debug)]
pub struct CliError {
    /// Stable code (`ELOCKFILEPARSE`, `EPOLICYPARSE`, `EREPORTSPEC`, ...).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub remediation: String,
}

impl From<VerifyError> for CliError {
    fn from(e: VerifyError) -> Self {
        CliError {
            code: e.code().into(),
            message: e.to_string(),
            remediation: e.remediation(),
        }
    }
}

impl From<PolicyError> for CliError {
    fn from(e: PolicyError) -> Self {
        CliError {
            code: e.code().into(),
            message: e.to_string(),
            remediation: e.remediation().to_string(),
        }
    }
}

impl From<sigverify_reports::SpecError> for CliError {
    fn from(e: sigverify_reports::SpecError) -> Self {
        let remediation =
            "use --report FORMAT=FILE[,FORMAT=FILE...] with json, sarif, junit, html, markdown"
                .into();
        CliError {
            code: "EREPORTSPEC".into(),
            message: e.to_string(),
            remediation,
        }
    }
}

impl CliError {
    /// An error with a fixed code.
    pub fn new(code: &str, message: String, remediation: &str) -> Self {
        CliError {
            code: code.into(),
            message,
            remediation: remediation.into(),
        }
    }
}
