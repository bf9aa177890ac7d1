//! The provenance check and the rule's constraints on the signer.

use super::Checks;
use crate::evidence::{PackageEvidence, ProvState};
use crate::model::{Identity, Policy, ProvenanceConstraints, Rule, SubjectMatch};
use crate::pattern::normalize_repository;
use serde_json::{json, Value};
use sigverify_codes::Code;

const CHECK: &str = "provenance";

/// The claims of a verified provenance, normalised for matching.
struct Claims<'a> {
    repository: String,
    workflow_ref: &'a str,
    issuer: &'a str,
    subject: &'a str,
}

/// Checks presence and validity, then (for verified provenance) the rule's constraints.
pub(super) fn check(
    checks: &mut Checks,
    policy: &Policy,
    rule: &Rule,
    required: bool,
    unsigned_ok: bool,
    ev: &PackageEvidence,
) {
    let who = format!("{}@{}", ev.name, ev.version);
    match &ev.provenance {
        ProvState::Verified {
            repository,
            workflow_ref,
            issuer,
            subject,
            log_index,
        } => {
            let evidence = json!({ "repository": repository, "workflowRef": workflow_ref,
                "issuer": issuer, "subject": subject, "logIndex": log_index });
            checks.pass(
                CHECK,
                None,
                format!("{who} has verified provenance from {repository}"),
                evidence,
            );
            let claims = Claims {
                repository: normalize_repository(repository),
                workflow_ref,
                issuer,
                subject,
            };
            constraints(checks, policy, &rule.provenance, &claims, ev);
        }
        ProvState::Invalid { code, message } => {
            checks.fail(
                CHECK,
                *code,
                format!("{who}: invalid provenance: {message}"),
                json!({ "code": code }),
            );
        }
        ProvState::Downgrade { previous } => {
            let msg = format!("{who} has no provenance although {previous} had it");
            let evidence = json!({ "previous": previous });
            match (required, unsigned_ok) {
                (true, false) => checks.fail(CHECK, Code::ProvenanceDowngrade, msg, evidence),
                _ => checks.warn(CHECK, Code::ProvenanceDowngrade, msg, evidence),
            }
        }
        ProvState::Absent if required && unsigned_ok => {
            let msg = format!("{who} has no provenance; allowed by allowUnsigned");
            checks.pass(CHECK, Some(Code::UnsignedAllowed), msg, Value::Null);
        }
        ProvState::Absent if required => {
            checks.fail(
                CHECK,
                Code::ProvenanceRequired,
                format!("{who} has no provenance attestation"),
                Value::Null,
            );
        }
        ProvState::NotChecked if required => {
            let msg = format!("{who}: provenance is required but attestations were not checked");
            checks.fail(CHECK, Code::ProvenanceNotChecked, msg, Value::Null);
        }
        ProvState::Absent | ProvState::NotChecked => {}
    }
}

/// Each constraint the rule sets becomes its own check, so a report says which one failed.
fn constraints(
    checks: &mut Checks,
    policy: &Policy,
    c: &ProvenanceConstraints,
    claims: &Claims,
    ev: &PackageEvidence,
) {
    let repo = &claims.repository;
    if c.repository_match {
        repository_match(checks, claims, ev);
    }
    if !c.repositories.is_empty() {
        let ok = c.repositories.iter().any(|g| g.matches(repo));
        let allowed: Vec<_> = c.repositories.iter().map(|g| g.as_str()).collect();
        let msg = format!(
            "provenance repository {repo} {} {}",
            verdict(ok),
            allowed.join(", ")
        );
        record(
            checks,
            "provenance.repositories",
            ok,
            Code::ProvenanceRepository,
            msg,
            json!({ "repository": repo, "allowed": allowed }),
        );
    }
    if !c.workflow_refs.is_empty() {
        let ok = c
            .workflow_refs
            .iter()
            .any(|g| g.matches(claims.workflow_ref));
        let allowed: Vec<_> = c.workflow_refs.iter().map(|g| g.as_str()).collect();
        let msg = format!(
            "workflow ref {} {} {}",
            claims.workflow_ref,
            verdict(ok),
            allowed.join(", ")
        );
        record(
            checks,
            "provenance.workflowRefs",
            ok,
            Code::ProvenanceWorkflow,
            msg,
            json!({ "workflowRef": claims.workflow_ref, "allowed": allowed }),
        );
    }
    if !c.issuers.is_empty() {
        let ok = c.issuers.iter().any(|i| i == claims.issuer);
        let msg = format!(
            "issuer {} {} {}",
            claims.issuer,
            verdict(ok),
            c.issuers.join(", ")
        );
        record(
            checks,
            "provenance.issuers",
            ok,
            Code::ProvenanceIssuer,
            msg,
            json!({ "issuer": claims.issuer, "allowed": c.issuers }),
        );
    }
    if !c.identities.is_empty() {
        let matched = c.identities.iter().find(|n| {
            policy
                .trust
                .identities
                .get(*n)
                .is_some_and(|id| identity_matches(id, claims))
        });
        let msg = match matched {
            Some(n) => format!("signer {} matches trusted identity '{n}'", claims.subject),
            None => format!(
                "signer {} matches none of the identities {}",
                claims.subject,
                c.identities.join(", ")
            ),
        };
        let evidence = json!({ "subject": claims.subject, "issuer": claims.issuer, "identities": c.identities });
        record(
            checks,
            "provenance.identities",
            matched.is_some(),
            Code::ProvenanceIdentity,
            msg,
            evidence,
        );
    }
}

fn repository_match(checks: &mut Checks, claims: &Claims, ev: &PackageEvidence) {
    let declared = ev.package_repository.as_deref().map(normalize_repository);
    let ok = declared.as_deref() == Some(claims.repository.as_str());
    let msg = match &declared {
        Some(d) => format!(
            "provenance repository {} {} the declared repository {d}",
            claims.repository,
            if ok { "matches" } else { "differs from" }
        ),
        None => format!(
            "provenance repository {} cannot be matched: package.json declares no repository",
            claims.repository
        ),
    };
    let evidence = json!({ "provenance": claims.repository, "declared": declared });
    record(
        checks,
        "provenance.repositoryMatch",
        ok,
        Code::ProvenanceRepository,
        msg,
        evidence,
    );
}

fn identity_matches(id: &Identity, claims: &Claims) -> bool {
    let subject_ok = match &id.subject {
        SubjectMatch::Exact(s) => s == claims.subject,
        SubjectMatch::Regex(r) => r.is_match(claims.subject),
        SubjectMatch::Any => true,
    };
    id.issuer == claims.issuer
        && subject_ok
        && id
            .repository
            .as_ref()
            .is_none_or(|g| g.matches(&claims.repository))
        && id
            .workflow
            .as_ref()
            .is_none_or(|g| g.matches(claims.workflow_ref))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "is allowed by"
    } else {
        "is not allowed by"
    }
}

fn record(checks: &mut Checks, check: &str, ok: bool, code: Code, msg: String, evidence: Value) {
    if ok {
        checks.pass(check, None, msg, evidence);
    } else {
        checks.fail(check, code, msg, evidence);
    }
}
