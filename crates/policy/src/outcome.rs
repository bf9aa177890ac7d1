//! What a decision is made of: the outcome, and each check that was run.

use serde::{Deserialize, Serialize};
use sigverify_codes::Code;

/// The verdict on one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every required check passed and nothing is worth a warning.
    Pass,
    /// Nothing required failed (or an exception excused it), but something deserves attention.
    Warn,
    /// A required check failed.
    Fail,
}

/// One check that was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Name: `registry-signature`, `provenance`, `provenance.repository`, `approvals`, ...
    pub check: String,
    /// True when it passed.
    pub passed: bool,
    /// False for advisory checks: failing them gives `Warn`, not `Fail`.
    pub required: bool,
    /// Stable code of the failure (or of an informative pass such as a skip).
    pub code: Option<Code>,
    /// What was found.
    pub message: String,
    /// The evidence the check looked at.
    pub evidence: serde_json::Value,
}

impl Outcome {
    /// The more severe of two outcomes.
    pub(crate) fn max_with(self, other: Outcome) -> Outcome {
        let rank = |o: Outcome| match o {
            Outcome::Pass => 0,
            Outcome::Warn => 1,
            Outcome::Fail => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}
