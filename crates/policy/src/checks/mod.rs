//! The individual checks behind a decision.
//!
//! Rules about evidence that is present but invalid do not depend on the policy: a bad
//! signature or attestation always fails (npm does the same), whatever the rule requires.
//! `allowUnsigned` only excuses evidence that is absent altogether.

mod internal;
mod provenance;

use crate::decision::{CheckResult, Outcome};
use crate::evidence::{PackageEvidence, SigState};
use crate::exception::Exception;
use crate::model::{EvidenceKind, Policy, Rule};
use serde_json::{json, Value};

/// Accumulates check results and remediation hints.
#[derive(Debug, Default)]
pub(crate) struct Checks {
    results: Vec<CheckResult>,
    hints: Vec<String>,
}

impl Checks {
    /// Records a passed check.
    pub fn pass(&mut self, check: &str, code: Option<&str>, message: String, evidence: Value) {
        self.push(check, true, true, code, message, evidence);
    }

    /// Records a failed required check and its hint.
    pub fn fail(&mut self, check: &str, code: &str, message: String, evidence: Value) {
        self.push(check, false, true, Some(code), message, evidence);
        self.hint(code);
    }

    /// Records a failed advisory check (gives `Warn`).
    pub fn warn(&mut self, check: &str, code: &str, message: String, evidence: Value) {
        self.push(check, false, false, Some(code), message, evidence);
        self.hint(code);
    }

    fn push(
        &mut self,
        check: &str,
        passed: bool,
        required: bool,
        code: Option<&str>,
        message: String,
        evidence: Value,
    ) {
        let code = code.map(str::to_string);
        self.results.push(CheckResult {
            check: check.into(),
            passed,
            required,
            code,
            message,
            evidence,
        });
    }

    fn hint(&mut self, code: &str) {
        let h = hint(code).to_string();
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
        self.warn("exception", "EEXCEPTIONEXPIRED", msg, evidence);
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

/// Runs every evidence check for `rule` with the combined `required` kinds.
pub(crate) fn evidence_checks(
    checks: &mut Checks,
    policy: &Policy,
    rule: &Rule,
    required: &[EvidenceKind],
    ev: &PackageEvidence,
) {
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
}

/// The registry signature, with npm's semantics: invalid fails, missing fails when required,
/// skipped (no keys for that registry) passes.
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
            checks.fail(CHECK, code, msg, json!({ "code": code }));
        }
        SigState::Missing if required && unsigned_ok => {
            let msg = format!("{who} has no registry signature; allowed by allowUnsigned");
            checks.pass(CHECK, Some("EUNSIGNEDALLOWED"), msg, Value::Null);
        }
        SigState::Missing if required => {
            let msg =
                format!("{who} has no registry signature although the registry signs packages");
            checks.fail(CHECK, "EMISSINGSIGNATURE", msg, Value::Null);
        }
        SigState::Skipped { code, reason } if required => {
            let msg = format!("{who}: registry signature not checked: {reason}");
            checks.pass(CHECK, Some(code), msg, json!({ "reason": reason }));
        }
        SigState::Missing | SigState::Skipped { .. } => {}
    }
}

/// What a user can do about a failure code.
pub(crate) fn hint(code: &str) -> &'static str {
    match code {
        "EMISSINGSIGNATURE" => "install the package from a registry that signs it, or add an exception with a reason and an expiry",
        "EINTEGRITYSIGNATURE" | "EMISSINGSIGNATUREKEY" | "EEXPIREDSIGNATUREKEY" => {
            "do not install this version: its registry signature does not verify; refresh the registry keys and report it to the registry if it persists"
        }
        "EATTESTATIONVERIFY" | "EATTESTATIONSUBJECT" => {
            "do not install this version: its provenance attestation does not verify against the published package"
        }
        "EPROVENANCEMISSING" => "use a version published with provenance (npm publish --provenance) or relax the rule",
        "EPROVENANCEDOWNGRADE" => "an earlier version had provenance and this one does not: check with the publisher before trusting it",
        "EPROVENANCEREPOSITORY" | "EPROVENANCEWORKFLOW" | "EPROVENANCEISSUER" | "EPROVENANCEIDENTITY" => {
            "the package was built by a signer the policy does not trust: check who published it, or widen the rule's provenance constraints"
        }
        "EINTERNALSIGNATUREMISSING" => "sign the package with an internal key (npm-sigverify sign) listed in the trust file",
        "EAPPROVALTHRESHOLD" => "collect more approvals: sign the package with additional eligible internal keys",
        "EEXCEPTIONEXPIRED" => "fix the package or renew the exception with a new expiry date and reason",
        "EINTERNALSIGNATURE" => "an internal signature does not verify: re-sign the package or remove the stale signature",
        _ => "see the check message: the evidence for this package did not verify",
    }
}
