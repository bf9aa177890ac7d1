//! Identity policy over verified provenance facts: what npm does not check.

use crate::facts::ProvenanceFacts;
use crate::repository::{normalize_repository, normalize_repository_value};
use serde::Serialize;
use serde_json::Value;

/// Which provenance a package must carry, and who may have built it.
///
/// Pattern lists use `*` as a wildcard for any run of characters (including `/`); an empty
/// list allows everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPolicy {
    /// A package without verified provenance is a violation.
    pub require_provenance: bool,
    /// The provenance source repository must be the package.json `repository`.
    pub repository_match: bool,
    /// Allowed OIDC issuers (patterns), e.g. `https://token.actions.githubusercontent.com`.
    pub allowed_issuers: Vec<String>,
    /// Allowed source repositories in canonical form (patterns), e.g. `github.com/acme/*`.
    pub allowed_repositories: Vec<String>,
    /// Allowed git refs the build ran on (patterns), e.g. `refs/tags/*`. Matched against the
    /// certificate's source repository ref, which is what was built (the workflow file's own
    /// ref can differ for reusable workflows).
    pub allowed_workflow_refs: Vec<String>,
}

impl Default for IdentityPolicy {
    fn default() -> Self {
        Self {
            require_provenance: false,
            repository_match: true,
            allowed_issuers: Vec::new(),
            allowed_repositories: Vec::new(),
            allowed_workflow_refs: Vec::new(),
        }
    }
}

/// How serious a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The policy is violated.
    Error,
    /// A check could not be made (e.g. nothing to compare with); not a pass.
    Unverifiable,
}

/// One policy violation (or unverifiable check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// Stable code, e.g. `EPROVENANCEREPOSITORY`.
    pub code: &'static str,
    /// Error or unverifiable.
    pub severity: Severity,
    /// What is wrong, with the values involved.
    pub message: String,
    /// What to do about it.
    pub remediation: &'static str,
}

impl Violation {
    fn error(code: &'static str, message: String, remediation: &'static str) -> Self {
        Self {
            code,
            severity: Severity::Error,
            message,
            remediation,
        }
    }
}

/// Check verified provenance facts (`None`: the package has no verified provenance) against
/// `policy` and the package.json `repository` field. Empty result: every check passed.
pub fn check_identity(
    facts: Option<&ProvenanceFacts>,
    package_repository: Option<&Value>,
    policy: &IdentityPolicy,
) -> Vec<Violation> {
    let Some(facts) = facts else {
        return require_provenance(policy);
    };
    let repo = facts
        .source_repository_uri
        .as_deref()
        .and_then(normalize_repository);
    let mut violations: Vec<Violation> = check_consistency(repo.as_deref(), facts)
        .into_iter()
        .collect();
    if policy.repository_match {
        violations.extend(check_repository_match(repo.as_deref(), package_repository));
    }
    violations.extend(check_allowed(
        "EPROVENANCEREPOSITORY",
        "source repository",
        repo.as_deref(),
        &policy.allowed_repositories,
    ));
    violations.extend(check_allowed(
        "EPROVENANCEISSUER",
        "oidc issuer",
        facts.issuer.as_deref(),
        &policy.allowed_issuers,
    ));
    let git_ref = facts
        .source_repository_ref
        .as_deref()
        .or(facts.workflow_ref.as_deref());
    violations.extend(check_allowed(
        "EPROVENANCEWORKFLOWREF",
        "build ref",
        git_ref,
        &policy.allowed_workflow_refs,
    ));
    violations
}

/// The signed SLSA predicate (written inside the workflow) must name the repository the
/// certificate (attested by Fulcio) names; a mismatch means the provenance document lies.
/// Checked whatever the policy, like any other integrity property.
fn check_consistency(cert_repo: Option<&str>, facts: &ProvenanceFacts) -> Option<Violation> {
    let claimed = facts.predicate_repository.as_deref()?;
    let claimed_norm = normalize_repository(claimed);
    if cert_repo.is_some() && claimed_norm.as_deref() == cert_repo {
        return None;
    }
    Some(Violation::error(
        "EPROVENANCEINCONSISTENT",
        format!(
            "slsa predicate names repository {claimed} but the signing certificate names {}",
            cert_repo.unwrap_or("none")
        ),
        "the provenance contradicts its own certificate: do not trust this build",
    ))
}

fn require_provenance(policy: &IdentityPolicy) -> Vec<Violation> {
    if !policy.require_provenance {
        return Vec::new();
    }
    vec![Violation::error(
        "EPROVENANCEREQUIRED",
        "package has no verified provenance attestation".into(),
        "publish this package from CI with `npm publish --provenance`, or allow it explicitly",
    )]
}

fn check_repository_match(
    repo: Option<&str>,
    package_repository: Option<&Value>,
) -> Option<Violation> {
    let unverifiable = |message: String| Violation {
        code: "EPROVENANCENOREPOSITORY",
        severity: Severity::Unverifiable,
        message,
        remediation: "add a `repository` field to package.json so provenance can be matched to it",
    };
    let Some(declared) = package_repository.filter(|v| !v.is_null()) else {
        return Some(unverifiable(
            "package.json has no repository: provenance source cannot be compared".into(),
        ));
    };
    let Some(declared_norm) = normalize_repository_value(declared) else {
        return Some(unverifiable(format!(
            "package.json repository {declared} is not a recognisable repository url"
        )));
    };
    match repo {
        Some(built) if built == declared_norm => None,
        built => Some(Violation::error(
            "EPROVENANCEREPOSITORY",
            format!("provenance was built from {} but package.json names {declared_norm}", built.unwrap_or("no repository")),
            "the package was not built from the repository it claims: do not install it until the maintainers explain",
        )),
    }
}

/// `value` must match one of `patterns` (no patterns: no constraint).
fn check_allowed(
    code: &'static str,
    what: &str,
    value: Option<&str>,
    patterns: &[String],
) -> Option<Violation> {
    if patterns.is_empty() || value.is_some_and(|v| patterns.iter().any(|p| wildcard_match(p, v))) {
        return None;
    }
    Some(Violation::error(
        code,
        format!(
            "{what} {} is not allowed (allowed: {})",
            value.unwrap_or("<none>"),
            patterns.join(", ")
        ),
        "the build identity is outside the policy: review the package, or extend the allow-list",
    ))
}

/// `*` matches any run of characters; everything else matches itself (case-sensitive).
pub(crate) fn wildcard_match(pattern: &str, value: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = value.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("github.com/acme/*", "github.com/acme/x"));
        assert!(!wildcard_match("github.com/acme/*", "github.com/acmex/x"));
        assert!(wildcard_match("refs/tags/*", "refs/tags/v1.2.3"));
        assert!(!wildcard_match("refs/tags/*", "refs/heads/main"));
        assert!(wildcard_match("exact", "exact"));
        assert!(!wildcard_match("exact", "exactly"));
        assert!(wildcard_match("a*b*c", "a-b-b-c"));
        assert!(!wildcard_match("ab*ba", "aba"));
        assert!(wildcard_match("*", ""));
    }
}
