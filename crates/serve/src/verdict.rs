//! What the gate does with each decided version: serve it, serve it with a warning (the
//! environment is in warn mode), keep it from installers because the policy fails it, or keep
//! it from installers because its evidence could not be obtained now (fail closed: never served
//! as verified, and a 503 rather than a 403 where it is asked for, since a retry may succeed).

use serde_json::{json, Value};
use sigverify_codes::Code;
use sigverify_core::PackageResult;
use sigverify_policy::Outcome;

/// Why a version is not served as verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `name@version`.
    pub package: String,
    /// The version.
    pub version: String,
    /// The first failing required check (`registry-signature`, `provenance`, ...).
    pub check: String,
    /// Its stable code.
    pub code: Code,
    /// What was found.
    pub message: String,
}

/// The gate's verdict on one version.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Passed (or only advisory checks failed).
    Serve,
    /// The policy fails it, but the environment is in warn mode: served, and said so.
    Warn(Failure),
    /// The policy fails it: removed from packuments, its tarball refused with 403.
    Block(Failure),
    /// Only evidence that could not be obtained fails it: removed, its tarball answered 503.
    Unverifiable(Failure),
}

impl Verdict {
    /// True when the version is kept from installers.
    pub fn withheld(&self) -> bool {
        matches!(self, Verdict::Block(_) | Verdict::Unverifiable(_))
    }
}

/// The verdict on a decided result (`enforce`: the environment's mode is enforce).
pub fn verdict_of(result: &PackageResult, enforce: bool) -> Verdict {
    let Some(decision) = &result.decision else {
        // Never decided: nothing says it is good.
        return Verdict::Unverifiable(undecided(result));
    };
    if decision.outcome != Outcome::Fail {
        return Verdict::Serve;
    }
    let failing: Vec<_> = decision
        .checks
        .iter()
        .filter(|c| !c.passed && c.required)
        .collect();
    let first = failing.first();
    let failure = Failure {
        package: result.id(),
        version: result.version.clone(),
        check: first.map_or_else(|| "policy".into(), |c| c.check.clone()),
        code: first
            .and_then(|c| c.code)
            .or(result.code)
            .unwrap_or(Code::NotChecked),
        message: first.map_or_else(|| result.id(), |c| c.message.clone()),
    };
    let operational = !failing.is_empty()
        && failing
            .iter()
            .all(|c| c.code.is_some_and(|code| code.is_operational()));
    match (enforce, operational) {
        (false, _) => Verdict::Warn(failure),
        (true, true) => Verdict::Unverifiable(failure),
        (true, false) => Verdict::Block(failure),
    }
}

fn undecided(result: &PackageResult) -> Failure {
    Failure {
        package: result.id(),
        version: result.version.clone(),
        check: "policy".into(),
        code: Code::NotChecked,
        message: format!("{}: no decision was reached", result.id()),
    }
}

impl Failure {
    /// `1.2.3 EINTEGRITYSIGNATURE` for the response header.
    pub fn short(&self) -> String {
        format!("{} {}", self.version, self.code)
    }

    /// The JSON an installer and a log line get: package, version, check, code, message,
    /// remediation.
    pub fn to_json(&self) -> Value {
        json!({
            "package": self.package,
            "version": self.version,
            "check": self.check,
            "code": self.code.as_str(),
            "message": self.message,
            "remediation": self.code.remediation(),
        })
    }
}
