//! Decisions: the policy applied to one package's evidence, and the exit code of a run.

use crate::checks::{self, Checks};
use crate::environment::Environment;
use crate::evidence::PackageEvidence;
use crate::model::{Mode, Policy, Rule};
use crate::outcome::{CheckResult, Outcome};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An exception that matched the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionUse {
    /// The spec as written (`name@range`).
    pub package: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry as written.
    pub expires: String,
    /// True when it had expired at decision time (it then excuses nothing).
    pub expired: bool,
    /// True when it turned a failure into a warning.
    pub applied: bool,
}

/// The decision on one package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The verdict.
    pub outcome: Outcome,
    /// Pattern of the rule that applied, or `default`.
    pub rule: String,
    /// Every check run, in order.
    pub checks: Vec<CheckResult>,
    /// The exception that matched, if any.
    pub exception: Option<ExceptionUse>,
    /// What to do about failures and warnings, without duplicates.
    pub remediation: Vec<String>,
}

/// The rule used when no policy rule matches, compiled once (its pattern is a regex).
static NPM_DEFAULT_RULE: std::sync::LazyLock<Rule> = std::sync::LazyLock::new(Rule::npm_default);

/// Applies `policy` in `env` to one package's evidence at time `now`.
pub fn decide(
    policy: &Policy,
    env: &Environment,
    evidence: &PackageEvidence,
    now: DateTime<Utc>,
) -> Decision {
    let (rule, rule_name) = match policy.rule_for(&evidence.name) {
        Some(r) => (r, r.pattern.as_str().to_string()),
        None => (&*NPM_DEFAULT_RULE, "default".to_string()),
    };
    let mut required = rule.require.clone();
    required.extend(
        env.require
            .iter()
            .copied()
            .filter(|k| !rule.require.contains(k)),
    );

    let mut checks = Checks::default();
    checks::evidence_checks(&mut checks, policy, env, rule, &required, evidence);
    let mut outcome = checks.outcome();
    let exception = apply_exception(policy, evidence, now, &mut checks, &mut outcome);
    let (checks, remediation) = checks.finish();
    Decision {
        outcome,
        rule: rule_name,
        checks,
        exception,
        remediation,
    }
}

/// Finds the exception for the package: an active one excuses a failure (outcome `Warn`); an
/// expired one excuses nothing and adds an `EEXCEPTIONEXPIRED` warning.
fn apply_exception(
    policy: &Policy,
    evidence: &PackageEvidence,
    now: DateTime<Utc>,
    checks: &mut Checks,
    outcome: &mut Outcome,
) -> Option<ExceptionUse> {
    let matching: Vec<_> = policy
        .exceptions
        .iter()
        .filter(|e| e.matches(&evidence.name, &evidence.version))
        .collect();
    let active = matching.iter().find(|e| !e.is_expired(now));
    let chosen = active.or(matching.first())?;
    let expired = chosen.is_expired(now);
    let applied = !expired && *outcome == Outcome::Fail && chosen.excuses(&checks.failing_codes());
    if applied {
        *outcome = Outcome::Warn;
    }
    if expired {
        checks.expired_exception(chosen);
        *outcome = (*outcome).max_with(Outcome::Warn);
    }
    Some(ExceptionUse {
        package: chosen.spec.clone(),
        reason: chosen.reason.clone(),
        expires: chosen.expires_text.clone(),
        expired,
        applied,
    })
}

/// The process exit code for a run: 0 when the run passes (warnings allowed), 1 on a policy
/// failure.
///
/// In `warn` mode failures are reported but the code stays 0. In `enforce` mode the run fails
/// when more than `allowed_failures` packages have the outcome `Fail`.
pub fn exit_code(decisions: &[Decision], env: &Environment) -> i32 {
    let failures = decisions
        .iter()
        .filter(|d| d.outcome == Outcome::Fail)
        .count();
    match env.mode {
        Mode::Warn => 0,
        Mode::Enforce if failures > env.allowed_failures => 1,
        Mode::Enforce => 0,
    }
}
