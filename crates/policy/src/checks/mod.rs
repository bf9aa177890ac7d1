//! The individual checks behind a decision.
//!
//! Rules about evidence that is present but invalid do not depend on the policy: a bad
//! signature or attestation always fails (npm does the same), whatever the rule requires.
//! `allowUnsigned` only excuses evidence that is absent altogether.

mod internal;
mod provenance;
mod signals;

use crate::environment::Environment;
use crate::evidence::{OtherState, PackageEvidence, SigState};
use crate::exception::Exception;
use crate::model::{EvidenceKind, Policy, Rule};
use crate::outcome::{CheckResult, Outcome};
use serde_json::{json, Value};
use sigverify_codes::Code;

/// Accumulates check results and remediation hints.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    results: Vec<CheckResult>,
    hints: Vec<String>,
}

impl Checks {
    /// Records a passed check.
    pub fn pass(&mut self, check: &str, code: Option<Code>, message: String, evidence: Value) {
        self.push(check, true, true, code, message, evidence);
    }

    /// Records a failed required check and its hint.
    pub fn fail(&mut self, check: &str, code: Code, message: String, evidence: Value) {
        self.push(check, false, true, Some(code), message, evidence);
        self.hint(code);
    }

    /// Records a failed advisory check (gives `Warn`).
    pub fn warn(&mut self, check: &str, code: Code, message: String, evidence: Value) {
        self.push(check, false, false, Some(code), message, evidence);
        self.hint(code);
    }

    fn push(
        &mut self,
        check: &str,
        passed: bool,
        required: bool,
        code: Option<Code>,
        message: String,
        evidence: Value,
    ) {
        self.results.push(CheckResult {
            check: check.into(),
            passed,
            required,
            code,
            message,
            evidence,
        });
    }

    fn hint(&mut self, code: Code) {
        let h = code.policy_hint().unwrap_or(code.remediation()).to_string();
        if !self.hints.contains(&h) {
            self.hints.push(h);
        }
    }

    /// Records that a matching exception has expired.
    pub fn expired_exception(&mut self, e: &Exception) {
        let msg = format!(
            "exception '{}' expired on {} and no longer excuses failures",
            e.spec, e.expires_text
        );
        let evidence = json!({ "package": e.spec, "reason": e.reason, "expires": e.expires_text });
        self.warn("exception", Code::ExceptionExpired, msg, evidence);
    }

    /// The codes of the failed required checks.
    pub fn failing_codes(&self) -> Vec<Code> {
        let failed = self.results.iter().filter(|c| !c.passed && c.required);
        failed.filter_map(|c| c.code).collect()
    }

    /// `Fail` if a required check failed, `Warn` if an advisory one did, else `Pass`.
    pub fn outcome(&self) -> Outcome {
        if self.results.iter().any(|c| !c.passed && c.required) {
            Outcome::Fail
        } else if self.results.iter().any(|c| !c.passed) {
            Outcome::Warn
        } else {
            Outcome::Pass
        }
    }

    /// The results and the hints.
    pub fn finish(self) -> (Vec<CheckResult>, Vec<String>) {
        (self.results, self.hints)
    }
}

/// Runs every evidence check for `rule` with the combined `required` kinds, then the signals'
/// findings with the environment's actions.
pub(crate) fn evidence_checks(
    checks: &mut Checks,
    policy: &Policy,
    env: &Environment,
    rule: &Rule,
    required: &[EvidenceKind],
    ev: &PackageEvidence,
) {
    if ev.own_code {
        other_checks(checks, ev);
        return;
    }
    // allowUnsigned: a package with no evidence at all is accepted; anything present is checked.
    let unsigned_ok = rule.allow_unsigned && ev.is_unsigned();
    registry_signature(
        checks,
        required.contains(&EvidenceKind::RegistrySignature),
        unsigned_ok,
        ev,
    );
    let need_prov = required.contains(&EvidenceKind::Provenance);
    provenance::check(checks, policy, rule, need_prov, unsigned_ok, ev);
    let need_internal = required.contains(&EvidenceKind::InternalSignature);
    internal::check(checks, rule, need_internal, unsigned_ok, ev);
    other_checks(checks, ev);
    signals::check(checks, env, ev);
}

/// The registry signature, with npm's semantics: invalid fails, missing fails when required,
/// skipped (no keys for that registry) passes; a signature that could not be checked always
/// fails (fail closed).
fn registry_signature(
    checks: &mut Checks,
    required: bool,
    unsigned_ok: bool,
    ev: &PackageEvidence,
) {
    const CHECK: &str = "registry-signature";
    let who = format!("{}@{}", ev.name, ev.version);
    match &ev.registry_signature {
        SigState::Verified { keyids } => {
            let msg = format!("{who} has a verified registry signature");
            checks.pass(CHECK, None, msg, json!({ "keyids": keyids }));
        }
        SigState::Invalid { code, message } => {
            let msg = format!("{who}: invalid registry signature: {message}");
            checks.fail(CHECK, *code, msg, json!({ "code": code }));
        }
        SigState::Unavailable { code, message } => {
            let msg = format!("{who}: registry signature could not be checked: {message}");
            checks.fail(CHECK, *code, msg, json!({ "code": code }));
        }
        SigState::Missing if required && unsigned_ok => {
            let msg = format!("{who} has no registry signature; allowed by allowUnsigned");
            checks.pass(CHECK, Some(Code::UnsignedAllowed), msg, Value::Null);
        }
        SigState::Missing if required => {
            let msg =
                format!("{who} has no registry signature although the registry signs packages");
            checks.fail(CHECK, Code::MissingSignature, msg, Value::Null);
        }
        SigState::Skipped { code, reason } if required => {
            let msg = format!("{who}: registry signature not checked: {reason}");
            checks.pass(CHECK, Some(*code), msg, json!({ "reason": reason }));
        }
        SigState::Missing | SigState::Skipped { .. } => {}
    }
}

/// Integrity, contents and lockfile source: not configurable, so a failure (or a check that
/// could not run) always fails, as an invalid signature does.
fn other_checks(checks: &mut Checks, ev: &PackageEvidence) {
    for other in &ev.other_checks {
        let evidence = json!({ "state": other.state });
        match (other.state, other.code) {
            (OtherState::Passed, code) => {
                checks.pass(&other.check, code, other.message.clone(), evidence)
            }
            (_, Some(code)) => checks.fail(&other.check, code, other.message.clone(), evidence),
            (_, None) => {
                let code = Code::NotChecked;
                checks.fail(&other.check, code, other.message.clone(), evidence)
            }
        }
    }
}
