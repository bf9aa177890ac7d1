//! The decide stage: the trust policy applied to each package's typed check outcomes, and the
//! run's exit code. Every entry point (CLI verify and explain, the safe install and its hooks,
//! `verifyTree` / `verifyPackage`, the Jest matchers) goes through here, so they cannot disagree.

mod evidence;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use sigverify_policy::{
    decide, discover, exit_code as policy_exit_code, load_str, select_environment, Environment,
    Format, Mode, Outcome, Policy, SignalOverrides,
};

use crate::config::PolicyChoice;
use crate::error::VerifyError;
use crate::model::{PackageResult, PolicySummary};

/// The policy that applies to a run, and the environment selected in it.
#[derive(Debug, Clone)]
pub struct AppliedPolicy {
    /// The policy (npm's defaults when the project has none).
    pub policy: Policy,
    /// Where it came from, when from a file (or `inline`).
    pub source: Option<String>,
    /// The selected environment.
    pub environment: Environment,
}

impl AppliedPolicy {
    /// Loads the chosen policy for the project in `dir`, selects the environment (`env_name`,
    /// then `NPM_SIGVERIFY_ENV`, then `NODE_ENV`, then the policy's default) and applies the
    /// run's signal overrides to it.
    pub fn load(
        dir: &Path,
        choice: &PolicyChoice,
        env_name: Option<&str>,
        overrides: &SignalOverrides,
    ) -> Result<Self, VerifyError> {
        let (policy, source) = match choice {
            PolicyChoice::Defaults => (Policy::default(), None),
            PolicyChoice::Inline(text) => {
                let format = match text.trim_start().starts_with('{') {
                    true => Format::Json,
                    false => Format::Yaml,
                };
                (
                    load_str("inline policy", text, format)?,
                    Some("inline".to_string()),
                )
            }
            PolicyChoice::File(path) => {
                let loaded =
                    discover(dir, Some(path))?.expect("an explicit policy file loads or fails");
                (loaded.policy, Some(loaded.path.display().to_string()))
            }
            PolicyChoice::Discover => match discover(dir, None)? {
                Some(loaded) => (loaded.policy, Some(loaded.path.display().to_string())),
                None => (Policy::default(), None),
            },
        };
        let vars: HashMap<String, String> = std::env::vars().collect();
        let mut environment = select_environment(&policy, env_name, &vars)?;
        environment.signals = environment.signals.with_overrides(overrides);
        Ok(AppliedPolicy {
            policy,
            source,
            environment,
        })
    }

    /// What the report says of the policy.
    pub fn summary(&self) -> PolicySummary {
        let mode = match self.environment.mode {
            Mode::Warn => "warn",
            Mode::Enforce => "enforce",
        };
        PolicySummary {
            source: self.source.clone(),
            environment: self.environment.name.clone(),
            mode: mode.to_string(),
            allowed_failures: self.environment.allowed_failures,
        }
    }

    /// Decides every package at time `now`.
    pub fn decide_all(&self, packages: &mut [PackageResult], now: DateTime<Utc>) {
        for package in packages {
            let evidence = evidence::of(package, &self.policy);
            package.decision = Some(decide(&self.policy, &self.environment, &evidence, now));
        }
    }

    /// The run's exit code from its decisions: 0 pass (warnings allowed), 1 a failure the
    /// environment enforces, 3 when every failing package failed only for operational reasons
    /// (evidence that could not be obtained).
    pub fn exit_code(&self, packages: &[PackageResult]) -> i32 {
        exit_code_in(packages, &self.environment)
    }

    /// The exit code of a run that judges one package on its own (`verify-package`,
    /// `verifyPackage()`, the Bun scanner): `allowedFailures` is a budget of a whole tree,
    /// which such a run never sees, so it spends none (else every package would pass alone).
    pub fn exit_code_alone(&self, packages: &[PackageResult]) -> i32 {
        let environment = sigverify_policy::Environment {
            allowed_failures: 0,
            ..self.environment.clone()
        };
        exit_code_in(packages, &environment)
    }
}

fn exit_code_in(packages: &[PackageResult], environment: &sigverify_policy::Environment) -> i32 {
    let decisions: Vec<_> = packages.iter().filter_map(|p| p.decision.clone()).collect();
    let code = policy_exit_code(&decisions, environment);
    let failing: Vec<&PackageResult> = packages
        .iter()
        .filter(|p| p.decision.as_ref().map(|d| d.outcome) == Some(Outcome::Fail))
        .collect();
    if code != 0 && !failing.is_empty() && failing.iter().all(|p| is_operational(p)) {
        return 3;
    }
    code
}

/// True when every check that fails the package and every failing policy check is an
/// operational one (the evidence could not be obtained), so nothing is known to be wrong.
fn is_operational(p: &PackageResult) -> bool {
    let Some(decision) = &p.decision else {
        return false;
    };
    decision
        .checks
        .iter()
        .filter(|c| !c.passed && c.required)
        .all(|c| c.code.is_some_and(|code| code.is_operational()))
}
