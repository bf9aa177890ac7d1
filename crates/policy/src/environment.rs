//! Environments (`development`, `staging`, `production`, custom) and how one is selected.

use crate::error::PolicyError;
use crate::model::{EvidenceKind, Mode, Policy};
use crate::signals::Signals;
use std::collections::HashMap;

/// The environment a run applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// Its name.
    pub name: String,
    /// Warn or enforce.
    pub mode: Mode,
    /// Failures tolerated before the exit code turns to 1.
    pub allowed_failures: usize,
    /// Evidence required of every package on top of its rule.
    pub require: Vec<EvidenceKind>,
    /// Where the selection came from: `explicit`, `NPM_SIGVERIFY_ENV`, `NODE_ENV`, `default`,
    /// or `built-in`.
    pub source: &'static str,
    /// The incident signals in this environment (the policy's, with the environment's actions).
    pub signals: Signals,
}

impl Environment {
    /// The strict environment: enforce, no allowed failures, nothing extra required.
    pub fn strict(name: &str, source: &'static str) -> Self {
        Environment {
            name: name.to_string(),
            mode: Mode::Enforce,
            allowed_failures: 0,
            require: Vec::new(),
            source,
            signals: Signals::default(),
        }
    }
}

/// Selects the environment of a run.
///
/// Precedence: `explicit`, then `NPM_SIGVERIFY_ENV`, then `NODE_ENV` (empty values are ignored),
/// then `environments.default`, then a strict `production`.
///
/// An explicit name the policy does not declare is an error. A name taken from a variable that
/// the policy does not declare (Jest sets `NODE_ENV=test`) gets what the default environment
/// requires, enforced, with no allowed failures, under that name: a stray variable must never
/// weaken a run, neither by turning enforcement off nor by dropping the default environment's
/// requirements and signals; only the policy can make an environment lenient.
pub fn select_environment(
    policy: &Policy,
    explicit: Option<&str>,
    env: &HashMap<String, String>,
) -> Result<Environment, PolicyError> {
    if let Some(name) = explicit {
        return declared(policy, name, "explicit").ok_or_else(|| PolicyError::UnknownEnvironment {
            name: name.to_string(),
            known: known_names(policy),
        });
    }
    for var in ["NPM_SIGVERIFY_ENV", "NODE_ENV"] {
        if let Some(name) = env.get(var).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            return Ok(declared(policy, name, var).unwrap_or_else(|| undeclared(policy, name, var)));
        }
    }
    if let Some(env) = policy
        .default_environment
        .as_deref()
        .and_then(|n| declared(policy, n, "default"))
    {
        return Ok(env);
    }
    Ok(Environment {
        signals: policy.signals.clone(),
        ..Environment::strict("production", "built-in")
    })
}

/// A name from a variable the policy does not declare: the default environment's requirements
/// and signals (the policy's own without a default), enforced, nothing tolerated.
fn undeclared(policy: &Policy, name: &str, source: &'static str) -> Environment {
    let default = policy
        .default_environment
        .as_deref()
        .and_then(|n| declared(policy, n, source));
    let (require, signals) = match default {
        Some(env) => (env.require, env.signals),
        None => (Vec::new(), policy.signals.clone()),
    };
    Environment {
        require,
        signals,
        ..Environment::strict(name, source)
    }
}

/// The environment `name` as the policy declares it.
fn declared(policy: &Policy, name: &str, source: &'static str) -> Option<Environment> {
    policy.environments.get(name).map(|spec| Environment {
        name: name.to_string(),
        mode: spec.mode,
        allowed_failures: spec.allowed_failures,
        require: spec.require.clone(),
        source,
        signals: policy.signals.with_patch(&spec.signals),
    })
}

fn known_names(policy: &Policy) -> String {
    if policy.environments.is_empty() {
        return "none".into();
    }
    policy
        .environments
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}
