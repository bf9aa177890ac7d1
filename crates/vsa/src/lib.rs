//! SLSA Verification Summary Attestations (VSA, `https://slsa.dev/verification_summary/v1`)
//! over a verified lockfile: an in-toto statement whose subject is the lockfile (name and
//! SHA-256), with the policy (URI and SHA-256), the verdict and the tool version, signed as a
//! DSSE envelope with a cosign-format key. A later job that holds the public key checks one
//! with [`verify`] instead of verifying the tree again.

use std::path::Path;

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sigverify_codes::Code;
use sigverify_core::Report;
use sigverify_cosign::dsse::{sign_envelope, verify_envelope, Envelope};
use sigverify_cosign::{PrivateKey, PublicKey};

/// The in-toto payload type.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The VSA predicate type.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/verification_summary/v1";
/// Who verified: this tool.
pub const VERIFIER_ID: &str = "https://www.npmjs.com/package/npm-sigverify";
/// The policy URI when no policy file decided (npm's defaults).
pub const DEFAULTS_URI: &str = "npm-sigverify:npm-defaults";

/// What a VSA is about: a lockfile's name and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// The lockfile's file name.
    pub name: String,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
}

impl Subject {
    /// The subject for a lockfile's bytes.
    pub fn of(name: &str, bytes: &[u8]) -> Subject {
        Subject {
            name: name.to_string(),
            sha256: hex::encode(Sha256::digest(bytes)),
        }
    }

    /// The subject for a lockfile on disk.
    pub fn of_file(path: &Path) -> Result<Subject, VsaError> {
        let bytes =
            std::fs::read(path).map_err(|e| VsaError::Io(format!("{}: {e}", path.display())))?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        Ok(Subject::of(&name, &bytes))
    }
}

/// The policy a verdict was decided under: its URI and the SHA-256 of its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// `file:<name>`, or [`DEFAULTS_URI`].
    pub uri: String,
    /// Hex SHA-256 of the policy file (of [`DEFAULTS_URI`] for npm's defaults).
    pub sha256: String,
}

impl PolicyRef {
    /// The policy file at `path`, or npm's defaults for `None`.
    pub fn of(path: Option<&Path>) -> Result<PolicyRef, VsaError> {
        let Some(path) = path else {
            let sha256 = hex::encode(Sha256::digest(DEFAULTS_URI.as_bytes()));
            return Ok(PolicyRef {
                uri: DEFAULTS_URI.into(),
                sha256,
            });
        };
        let bytes =
            std::fs::read(path).map_err(|e| VsaError::Io(format!("{}: {e}", path.display())))?;
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        Ok(PolicyRef {
            uri: format!("file:{name}"),
            sha256: hex::encode(Sha256::digest(&bytes)),
        })
    }
}

/// Why a VSA could not be written or is not accepted.
#[derive(Debug, thiserror::Error)]
pub enum VsaError {
    /// A file could not be read.
    #[error("cannot read {0}")]
    Io(String),
    /// The key could not sign.
    #[error("cannot sign the VSA: {0}")]
    Sign(String),
    /// The envelope, statement or signature is not valid.
    #[error("{0}")]
    Invalid(String),
    /// Valid, but about another lockfile or policy.
    #[error("{0}")]
    Mismatch(String),
    /// Valid, and it records a failed verification.
    #[error("{0}")]
    Failed(String),
}

impl VsaError {
    /// The stable code (`EVSAINVALID`, `EVSAMISMATCH`, `EVSAFAILED`; `EUSAGE` for files).
    pub fn code(&self) -> &'static str {
        match self {
            VsaError::Io(_) | VsaError::Sign(_) => "EUSAGE",
            VsaError::Invalid(_) => Code::VsaInvalid.as_str(),
            VsaError::Mismatch(_) => Code::VsaMismatch.as_str(),
            VsaError::Failed(_) => Code::VsaFailed.as_str(),
        }
    }

    /// What to do about it.
    pub fn remediation(&self) -> &'static str {
        match self {
            VsaError::Io(_) => "check the path and permissions",
            VsaError::Sign(_) => "check the key file and COSIGN_PASSWORD",
            VsaError::Invalid(_) => Code::VsaInvalid.remediation(),
            VsaError::Mismatch(_) => Code::VsaMismatch.remediation(),
            VsaError::Failed(_) => Code::VsaFailed.remediation(),
        }
    }
}

/// The in-toto statement of a verification.
pub fn statement(report: &Report, subject: &Subject, policy: &PolicyRef) -> Value {
    let passed = report.exit_code == 0;
    let s = &report.summary;
    json!({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": subject.name, "digest": {"sha256": subject.sha256}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "verifier": {"id": VERIFIER_ID, "version": {"npm-sigverify": env!("CARGO_PKG_VERSION")}},
            "timeVerified": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "resourceUri": format!("file:{}", subject.name),
            "policy": {"uri": format!("{}#{}", policy.uri, report.policy.environment), "digest": {"sha256": policy.sha256}},
            "verificationResult": if passed { "PASSED" } else { "FAILED" },
            "verifiedLevels": [if passed { "NPM_SIGVERIFY_POLICY_PASSED" } else { "FAILED" }],
            "dependencyLevels": {
                "NPM_SIGVERIFY_PASS": s.pass,
                "NPM_SIGVERIFY_WARN": s.warn,
                "NPM_SIGVERIFY_FAIL": s.fail,
            },
            "slsaVersion": "1.0",
        }
    })
}

/// The signed VSA (a DSSE envelope as JSON) of `report` over `subject` under `policy`.
pub fn write(
    report: &Report,
    subject: &Subject,
    policy: &PolicyRef,
    key: &PrivateKey,
) -> Result<Value, VsaError> {
    let payload = serde_json::to_vec(&statement(report, subject, policy)).expect("JSON renders");
    let envelope =
        sign_envelope(PAYLOAD_TYPE, &payload, key).map_err(|e| VsaError::Sign(e.to_string()))?;
    Ok(serde_json::to_value(envelope).expect("JSON renders"))
}

/// What a checked VSA says.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Checked {
    /// The lockfile it is about.
    pub subject: Subject,
    /// The policy URI (with `#environment`) and digest.
    pub policy: PolicyRef,
    /// `PASSED` or `FAILED`.
    pub verification_result: String,
    /// When it was verified.
    pub time_verified: String,
    /// The tool and version that verified.
    pub verifier: Value,
}

/// Checks a VSA: its signature with `key`, its shape, then (when given) that its subject is
/// `lockfile`, its policy digest is `policy`'s and it was decided in `environment` (the
/// fragment of its policy URI: a pass in a lenient environment is no pass in a strict one), and
/// finally that it records a pass.
pub fn verify(
    envelope: &[u8],
    key: &PublicKey,
    lockfile: Option<&Subject>,
    policy: Option<&PolicyRef>,
    environment: Option<&str>,
) -> Result<Checked, VsaError> {
    let envelope: Envelope = serde_json::from_slice(envelope)
        .map_err(|e| VsaError::Invalid(format!("not a DSSE envelope: {e}")))?;
    let (kind, payload) =
        verify_envelope(&envelope, key).map_err(|e| VsaError::Invalid(e.to_string()))?;
    if kind != PAYLOAD_TYPE {
        return Err(VsaError::Invalid(format!(
            "payload type {kind}, not {PAYLOAD_TYPE}"
        )));
    }
    let checked = parse(&payload)?;
    check_time_verified(&checked.time_verified, chrono::Utc::now())?;
    if let Some(lockfile) = lockfile {
        if lockfile.sha256 != checked.subject.sha256 {
            let why = format!(
                "the VSA is about {} (sha256 {}), not {} (sha256 {})",
                checked.subject.name, checked.subject.sha256, lockfile.name, lockfile.sha256
            );
            return Err(VsaError::Mismatch(why));
        }
    }
    if let Some(policy) = policy {
        if policy.sha256 != checked.policy.sha256 {
            let why = format!(
                "the VSA was decided under {} (sha256 {}), not {} (sha256 {})",
                checked.policy.uri, checked.policy.sha256, policy.uri, policy.sha256
            );
            return Err(VsaError::Mismatch(why));
        }
    }
    if let Some(wanted) = environment {
        let decided_in = checked.policy.uri.rsplit_once('#').map(|(_, env)| env);
        if decided_in != Some(wanted) {
            let why = format!(
                "the VSA was decided in the environment {} ({}), not {wanted}",
                decided_in.unwrap_or("(none)"),
                checked.policy.uri
            );
            return Err(VsaError::Mismatch(why));
        }
    }
    if checked.verification_result != "PASSED" {
        let why = format!(
            "the VSA of {} records {} at {}",
            checked.subject.name, checked.verification_result, checked.time_verified
        );
        return Err(VsaError::Failed(why));
    }
    Ok(checked)
}

/// Clocks disagree by this much at most between the verifier and a checker.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// A VSA says when it was verified; one dated after now was not made by a verifier (it would
/// outlive a revocation by as long as its date says), and one without a date is no VSA.
fn check_time_verified(time: &str, now: chrono::DateTime<chrono::Utc>) -> Result<(), VsaError> {
    let at = chrono::DateTime::parse_from_rfc3339(time).map_err(|e| {
        VsaError::Invalid(format!(
            "timeVerified {time:?} is not an RFC 3339 time: {e}"
        ))
    })?;
    if at > now + CLOCK_SKEW {
        return Err(VsaError::Invalid(format!(
            "timeVerified {time} is in the future (now {now}): no verifier made it"
        )));
    }
    Ok(())
}

/// The statement's fields a check needs, each required.
fn parse(payload: &[u8]) -> Result<Checked, VsaError> {
    let statement: Value = serde_json::from_slice(payload)
        .map_err(|e| VsaError::Invalid(format!("the payload is not JSON: {e}")))?;
    let text = |pointer: &str| {
        statement
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| VsaError::Invalid(format!("the statement has no {pointer}")))
    };
    if text("/_type")? != STATEMENT_TYPE || text("/predicateType")? != PREDICATE_TYPE {
        return Err(VsaError::Invalid(
            "not an in-toto v1 statement with a SLSA VSA v1 predicate".into(),
        ));
    }
    if statement["subject"].as_array().map(Vec::len) != Some(1) {
        return Err(VsaError::Invalid(
            "a lockfile VSA has exactly one subject".into(),
        ));
    }
    Ok(Checked {
        subject: Subject {
            name: text("/subject/0/name")?,
            sha256: text("/subject/0/digest/sha256")?,
        },
        policy: PolicyRef {
            uri: text("/predicate/policy/uri")?,
            sha256: text("/predicate/policy/digest/sha256")?,
        },
        verification_result: text("/predicate/verificationResult")?,
        time_verified: text("/predicate/timeVerified")?,
        verifier: statement["predicate"]["verifier"].clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vsa_dated_after_now_or_undated_is_refused() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert!(check_time_verified("2026-12-06T23:00:00Z", now).is_ok());
        assert!(
            check_time_verified("2026-12-07T00:04:00Z", now).is_ok(),
            "clock skew"
        );
        let future = check_time_verified("2030-01-01T00:00:00Z", now).unwrap_err();
        assert!(future.to_string().contains("in the future"), "{future}");
        assert!(check_time_verified("yesterday", now).is_err());
    }
}
