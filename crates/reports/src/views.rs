//! The derived views every renderer shares: a package's decision, the finding's code, its
//! explanation and fix (kept apart from the model's data types in `model.rs`).

use sigverify_codes::Code;

use crate::model::{Check, Decision, Exception, Package, Signer, Status, UNSPECIFIED_CODE};

impl Package {
    /// The decision: the policy's when it decided, else npm's semantics (invalid and missing
    /// fail).
    pub fn decision(&self) -> Decision {
        match &self.policy {
            Some(d) => d.outcome,
            None => match self.status {
                Status::Invalid | Status::Missing => Decision::Fail,
                Status::Verified | Status::Skipped => Decision::Pass,
            },
        }
    }

    /// The policy rule that decided.
    pub fn rule(&self) -> Option<&str> {
        self.policy.as_ref().map(|d| d.rule.as_str())
    }

    /// The policy's checks (empty when no policy decided).
    pub fn checks(&self) -> &[Check] {
        self.policy.as_ref().map(|d| &d.checks[..]).unwrap_or(&[])
    }

    /// The policy exception that matched, if any.
    pub fn exception(&self) -> Option<&Exception> {
        self.policy.as_ref().and_then(|d| d.exception.as_ref())
    }

    /// The policy check a fail or warn is about: the first failed required check, else the
    /// first failed advisory one. `None` when the decision is pass.
    pub fn finding_check(&self) -> Option<&Check> {
        if self.decision() == Decision::Pass {
            return None;
        }
        let checks = self.checks();
        (checks.iter().find(|c| !c.passed && c.required)).or(checks.iter().find(|c| !c.passed))
    }

    /// The code of the finding: the deciding policy check's, else the verifier's.
    pub fn finding_code(&self) -> Option<Code> {
        self.finding_check().and_then(|c| c.code).or(self.code)
    }

    /// The code to report, as text: [`Package::finding_code`], else [`UNSPECIFIED_CODE`].
    pub fn code(&self) -> &'static str {
        self.finding_code()
            .map(Code::as_str)
            .unwrap_or(UNSPECIFIED_CODE)
    }

    /// The catalog title of [`Package::code`].
    pub fn title(&self) -> &'static str {
        self.finding_code()
            .map(Code::title)
            .unwrap_or("finding without a code")
    }

    /// `name@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// `name@version (location)`, or `name@version` when there is no location.
    pub fn label(&self) -> String {
        match self.location.is_empty() {
            true => self.id(),
            false => format!("{}@{} ({})", self.name, self.version, self.location),
        }
    }

    /// True when the finding is the verifier's own (same code), so its message and
    /// remediation describe it.
    fn verifier_explains(&self) -> bool {
        self.finding_code() == self.code
    }

    /// The explanation of the finding: the verifier's message when the finding is its own,
    /// else the deciding policy check's message, else `name@version: CODE`.
    pub fn explanation(&self) -> String {
        if self.verifier_explains() {
            if let Some(m) = &self.message {
                return m.clone();
            }
        }
        match self.finding_check().map(|c| c.message.as_str()) {
            Some(m) if !m.is_empty() => m.to_string(),
            _ => match &self.message {
                Some(m) => m.clone(),
                None => format!("{}: {}", self.id(), self.code()),
            },
        }
    }

    /// What to do: the verifier's remediation when the finding is its own, else the catalog's
    /// for the finding's code, else the policy's, else a generic one that still says what to do.
    pub fn remediation(&self) -> &str {
        if self.verifier_explains() {
            if let Some(r) = &self.remediation {
                return r;
            }
        }
        if let Some(code) = self.finding_code() {
            return code.remediation();
        }
        let policy = self.policy.as_ref().and_then(|d| d.remediation.first());
        policy
            .map(String::as_str)
            .or(self.remediation.as_deref())
            .unwrap_or("review this package before installing it")
    }

    /// How a policy can accept the finding on purpose, when that is reasonable.
    pub fn policy_hint(&self) -> Option<&'static str> {
        self.finding_code().and_then(Code::policy_hint)
    }

    /// The signer of the first verified provenance attestation.
    pub fn provenance_signer(&self) -> Option<&Signer> {
        self.attestations
            .iter()
            .filter(|a| a.kind == "provenance" && a.status == "verified")
            .find_map(|a| a.signer.as_ref())
    }

    /// The repository a verified provenance was built from.
    pub fn provenance_repository(&self) -> Option<&str> {
        self.provenance_signer()
            .and_then(|s| s.source_repository.as_deref())
    }
}
