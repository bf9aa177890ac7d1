//! Policy decisions over a verification report: maps each package's verdict into the policy's
//! evidence, asks the policy (or npm-equivalent defaults when there is none), and derives the
//! exit code: 0 pass (warnings allowed), 1 policy failure, 3 operational failure only.

use std::collections::HashMap;
use std::path::Path;

use chrono::Utc;
use serde_json::{json, Value};
use sigverify_core::{Code, PackageResult, Report, Status};
use sigverify_policy::{
    decide, discover, exit_code, select_environment, Decision, Environment, InternalSig, Outcome,
    PackageEvidence, Policy, PolicyError, ProvState, RegistryKeys, SigState,
};

/// The policy that applies to a run.
pub struct Applied {
    /// The policy (defaults when the project has none).
    pub policy: Policy,
    /// Where it came from, if from a file.
    pub source: Option<String>,
    /// The selected environment.
    pub environment: Environment,
}

/// Finds the project's policy (or `--policy FILE`) and selects the environment.
pub fn load(
    dir: &Path,
    explicit: Option<&Path>,
    env_name: Option<&str>,
) -> Result<Applied, PolicyError> {
    let loaded = discover(dir, explicit)?;
    let source = loaded.as_ref().map(|l| l.path.display().to_string());
    let policy = loaded.map(|l| l.policy).unwrap_or_default();
    let vars: HashMap<String, String> = std::env::vars().collect();
    let environment = select_environment(&policy, env_name, &vars)?;
    Ok(Applied {
        policy,
        source,
        environment,
    })
}

/// One decision per package, in report order.
pub fn decide_all(applied: &Applied, report: &Report) -> Vec<Decision> {
    let now = Utc::now();
    report
        .packages
        .iter()
        .map(|p| {
            let evidence = pin_keys(evidence(p), p, &applied.policy);
            decide(&applied.policy, &applied.environment, &evidence, now)
        })
        .collect()
}

/// A registry whose keys the policy pins: a signature by any other registry key does not count.
fn pin_keys(mut evidence: PackageEvidence, p: &PackageResult, policy: &Policy) -> PackageEvidence {
    let SigState::Verified { keyids } = &evidence.registry_signature else {
        return evidence;
    };
    let Some(pinned) = pinned_keys(policy, p.registry.as_deref()) else {
        return evidence;
    };
    if keyids.iter().any(|k| pinned.contains(k)) {
        return evidence;
    }
    let message = format!(
        "{}@{} is signed by {} but the policy pins {} for {}",
        p.name,
        p.version,
        keyids.join(", "),
        pinned.join(", "),
        p.registry.as_deref().unwrap_or("its registry")
    );
    evidence.registry_signature = SigState::Invalid {
        code: "EKEYNOTPINNED".into(),
        message,
    };
    evidence
}

fn pinned_keys<'a>(policy: &'a Policy, registry: Option<&str>) -> Option<&'a Vec<String>> {
    let normalize = |url: &str| url.trim_end_matches('/').to_ascii_lowercase();
    let registry = normalize(registry?);
    policy
        .trust
        .registries
        .iter()
        .find(|(url, _)| normalize(url) == registry)
        .and_then(|(_, keys)| match keys {
            RegistryKeys::Pinned(ids) => Some(ids),
            RegistryKeys::Auto => None,
        })
}

/// The run's exit code from its decisions: 3 when every failure is operational (the registry or
/// evidence could not be reached), else the policy's verdict.
pub fn run_exit_code(applied: &Applied, report: &Report, decisions: &[Decision]) -> i32 {
    let failing: Vec<&PackageResult> = report
        .packages
        .iter()
        .zip(decisions)
        .filter(|(_, d)| d.outcome == Outcome::Fail)
        .map(|(p, _)| p)
        .collect();
    let code = exit_code(decisions, &applied.environment);
    if code != 0 && !failing.is_empty() && failing.iter().all(|p| is_operational(p.code)) {
        return 3;
    }
    code
}

fn is_operational(code: Option<Code>) -> bool {
    matches!(
        code,
        Some(
            Code::RegistryUnreachable
                | Code::KeysUnavailable
                | Code::NoEvidence
                | Code::AttestationFetch
                | Code::Deadline
        )
    )
}

fn is_provenance(code: Code) -> bool {
    matches!(
        code,
        Code::AttestationFetch
            | Code::AttestationVerify
            | Code::AttestationSubject
            | Code::ProvenanceDowngrade
            | Code::ProvenanceRequired
            | Code::ProvenanceRepository
            | Code::ProvenanceIdentity
    )
}

/// What the verifier found, in the policy's terms.
pub fn evidence(p: &PackageResult) -> PackageEvidence {
    PackageEvidence {
        name: p.name.clone(),
        version: p.version.clone(),
        location: p.location.clone(),
        registry_signature: signature_state(p),
        provenance: provenance_state(p),
        internal_signatures: internal_signatures(p),
        package_repository: None,
    }
}

/// Each internal signature found; failures without a verifying key are named by where they were.
fn internal_signatures(p: &PackageResult) -> Vec<InternalSig> {
    p.internal_signatures
        .iter()
        .map(|s| InternalSig {
            fingerprint: s.fingerprint.clone().unwrap_or_else(|| s.location.clone()),
            valid: s.valid,
            code: s.code.clone(),
        })
        .collect()
}

fn signature_state(p: &PackageResult) -> SigState {
    let message = p.message.clone().unwrap_or_default();
    if p.status == Status::Verified
        && p.keyids.is_empty()
        && p.internal_signatures.iter().any(|s| s.valid)
    {
        // Verified by internal signatures alone: there was no registry signature to check.
        let (code, reason) = if p.source == "registry" {
            (
                Code::NoRegistryKeys,
                "the registry publishes no signing keys",
            )
        } else {
            (Code::NotRegistry, "not installed from a registry")
        };
        return SigState::Skipped {
            code: code.as_str().to_string(),
            reason: reason.to_string(),
        };
    }
    match (p.status, p.code) {
        (Status::Missing, _) => SigState::Missing,
        (Status::Skipped, code) => SigState::Skipped {
            code: code.map(|c| c.as_str().to_string()).unwrap_or_default(),
            reason: message,
        },
        (Status::Invalid, Some(Code::InternalSignature)) if p.source != "registry" => {
            SigState::Skipped {
                code: Code::NotRegistry.as_str().to_string(),
                reason: "not installed from a registry".to_string(),
            }
        }
        (Status::Invalid, Some(code))
            if !is_provenance(code) && code != Code::InternalSignature =>
        {
            SigState::Invalid {
                code: code.as_str().to_string(),
                message,
            }
        }
        _ if p.keyids.is_empty() => SigState::Missing,
        _ => SigState::Verified {
            keyids: p.keyids.clone(),
        },
    }
}

fn provenance_state(p: &PackageResult) -> ProvState {
    let message = p.message.clone().unwrap_or_default();
    match p.code {
        Some(Code::ProvenanceDowngrade) => {
            return ProvState::Downgrade { previous: message };
        }
        Some(code) if is_provenance(code) => {
            return ProvState::Invalid {
                code: code.as_str().to_string(),
                message,
            };
        }
        _ => {}
    }
    let signer = p.attestations.iter().find_map(|a| a.signer.as_ref());
    match (p.provenance.as_deref(), signer) {
        (Some("verified"), Some(s)) => ProvState::Verified {
            repository: s.source_repository_uri.clone().unwrap_or_default(),
            workflow_ref: s.source_repository_ref.clone().unwrap_or_default(),
            issuer: s.issuer.clone().unwrap_or_default(),
            subject: s.san.clone().unwrap_or_default(),
            log_index: s.log_index.unwrap_or_default(),
        },
        _ => ProvState::Absent,
    }
}

/// The decision fields added to a package's JSON entry.
pub fn decision_json(d: &Decision) -> Value {
    json!({
        "decision": d.outcome,
        "rule": d.rule,
        "checks": d.checks,
        "exception": d.exception,
        "decisionRemediation": d.remediation,
    })
}

/// One audit-log line.
pub fn audit_line(p: &PackageResult, d: &Decision, environment: &str) -> Value {
    json!({
        "time": Utc::now().to_rfc3339(),
        "package": format!("{}@{}", p.name, p.version),
        "location": p.location,
        "status": p.status,
        "code": p.code,
        "decision": d.outcome,
        "rule": d.rule,
        "checks": d.checks,
        "signer": { "keyids": p.keyids, "attestations": p.attestations },
        "environment": environment,
    })
}
