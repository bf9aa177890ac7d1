//! Facts a verified provenance bundle proves about the build.
//!
//! Sources, in order of precedence:
//! 1. the Fulcio certificate's CI extensions (`1.3.6.1.4.1.57264.1.8`-`.24`): Fulcio copied them
//!    from the CI's OIDC token, so the workflow could not choose them;
//! 2. the deprecated GitHub extensions (`.1.2`-`.1.6`), the only ones in certificates issued
//!    before Fulcio's provider-neutral arc (early 2023);
//! 3. the signed SLSA predicate (written by the npm CLI inside the workflow), used only for
//!    values the certificate cannot carry (builder id, build type) or as a last fallback.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigstore_verify::crypto::{CertificateInfo, FulcioCiClaims};

/// What a verified provenance attestation proves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceFacts {
    /// OIDC issuer (e.g. `https://token.actions.githubusercontent.com`).
    pub issuer: Option<String>,
    /// Certificate SAN (for GitHub: the workflow URI `...@ref`).
    pub san: Option<String>,
    /// Source repository URI (e.g. `https://github.com/o/r`).
    pub source_repository_uri: Option<String>,
    /// Provider's immutable repository id.
    pub source_repository_id: Option<String>,
    /// Owner URI of the repository.
    pub source_repository_owner_uri: Option<String>,
    /// Provider's immutable owner id.
    pub source_repository_owner_id: Option<String>,
    /// Git ref the build ran on (e.g. `refs/tags/v1.0.0`).
    pub source_repository_ref: Option<String>,
    /// Commit SHA the build ran on.
    pub commit_sha: Option<String>,
    /// Repository visibility at signing time (`public`, `private`, ...).
    pub source_repository_visibility: Option<String>,
    /// Workflow file path inside the repository (e.g. `.github/workflows/publish.yml`).
    pub workflow_path: Option<String>,
    /// Ref the workflow file was taken from.
    pub workflow_ref: Option<String>,
    /// Full build configuration URI (`.../workflow.yml@ref`).
    pub build_config_uri: Option<String>,
    /// Build signer URI (differs from `build_config_uri` for reusable workflows).
    pub build_signer_uri: Option<String>,
    /// Event that triggered the build (`push`, `release`, `workflow_dispatch`, ...).
    pub build_trigger: Option<String>,
    /// Runner environment (`github-hosted` / `self-hosted`).
    pub runner_environment: Option<String>,
    /// CI run URI.
    pub run_invocation_uri: Option<String>,
    /// SLSA builder id from the predicate.
    pub builder_id: Option<String>,
    /// SLSA build type from the predicate.
    pub build_type: Option<String>,
    /// Repository the SLSA predicate names (as written there), for cross-checking.
    pub predicate_repository: Option<String>,
    /// Rekor log index of the verified entry.
    pub log_index: Option<u64>,
    /// Verified Rekor integrated time.
    pub integrated_time: Option<DateTime<Utc>>,
}

/// Build the facts from a verified certificate and the verified statement predicate.
pub(crate) fn extract(cert: &CertificateInfo, predicate: &Value) -> ProvenanceFacts {
    let claims = &cert.ci_claims;
    let pred = PredicateView::new(predicate);
    let mut facts = from_claims(claims);
    facts.issuer = cert.issuer.clone();
    facts.san = cert.identity.as_ref().map(|san| san.as_str().to_string());
    facts.builder_id = pred.builder_id();
    facts.build_type = pred
        .str_at(&["buildType"])
        .or(pred.str_at(&["buildDefinition", "buildType"]));
    facts.predicate_repository = pred.repository();
    fill_from_predicate(&mut facts, &pred);
    fill_workflow(&mut facts);
    facts
}

/// Provider-neutral claims first, deprecated GitHub claims as fallback.
fn from_claims(claims: &FulcioCiClaims) -> ProvenanceFacts {
    let old = &claims.deprecated_github;
    ProvenanceFacts {
        source_repository_uri: claims.source_repository_uri.clone().or_else(|| {
            old.workflow_repository
                .as_ref()
                .map(|r| format!("https://github.com/{r}"))
        }),
        source_repository_id: claims.source_repository_identifier.clone(),
        source_repository_owner_uri: claims.source_repository_owner_uri.clone(),
        source_repository_owner_id: claims.source_repository_owner_identifier.clone(),
        source_repository_ref: claims
            .source_repository_ref
            .clone()
            .or(old.workflow_ref.clone()),
        commit_sha: claims
            .source_repository_digest
            .clone()
            .or(old.workflow_sha.clone()),
        source_repository_visibility: claims.source_repository_visibility_at_signing.clone(),
        build_config_uri: claims.build_config_uri.clone(),
        build_signer_uri: claims.build_signer_uri.clone(),
        build_trigger: claims
            .build_trigger
            .clone()
            .or(old.workflow_trigger.clone()),
        runner_environment: claims.runner_environment.clone(),
        run_invocation_uri: claims.run_invocation_uri.clone(),
        ..ProvenanceFacts::default()
    }
}

/// Last-resort values from the predicate, for certificates that lack the claim.
fn fill_from_predicate(facts: &mut ProvenanceFacts, pred: &PredicateView<'_>) {
    let env = |key: &str| pred.str_at(&["invocation", "environment", key]);
    let github = |key: &str| pred.str_at(&["buildDefinition", "internalParameters", "github", key]);
    if facts.source_repository_id.is_none() {
        facts.source_repository_id =
            env("GITHUB_REPOSITORY_ID").or_else(|| github("repository_id"));
    }
    if facts.source_repository_owner_id.is_none() {
        facts.source_repository_owner_id =
            env("GITHUB_REPOSITORY_OWNER_ID").or_else(|| github("repository_owner_id"));
    }
    if facts.run_invocation_uri.is_none() {
        facts.run_invocation_uri = pred.str_at(&["runDetails", "metadata", "invocationId"]);
    }
}

/// Workflow path and ref from the build configuration URI (or, for old certificates, the SAN,
/// which for GitHub Actions is the same `https://github.com/o/r/<path>@<ref>` form).
fn fill_workflow(facts: &mut ProvenanceFacts) {
    let uri = facts.build_config_uri.as_deref().or(facts.san.as_deref());
    let Some((left, git_ref)) = uri.and_then(|u| u.rsplit_once('@')) else {
        return;
    };
    let path = match facts.source_repository_uri.as_deref() {
        Some(repo) if left.starts_with(&format!("{repo}/")) => &left[repo.len() + 1..],
        _ => left.find("/.github/").map_or(left, |i| &left[i + 1..]),
    };
    facts.workflow_path = Some(path.to_string());
    facts.workflow_ref = Some(git_ref.to_string());
}

/// Read-only accessors over a SLSA v0.2 or v1 predicate.
struct PredicateView<'a>(&'a Value);

impl<'a> PredicateView<'a> {
    fn new(value: &'a Value) -> Self {
        Self(value)
    }

    fn str_at(&self, path: &[&str]) -> Option<String> {
        let mut cur = self.0;
        for key in path {
            cur = cur.get(key)?;
        }
        cur.as_str().map(str::to_string)
    }

    fn builder_id(&self) -> Option<String> {
        self.str_at(&["builder", "id"])
            .or_else(|| self.str_at(&["runDetails", "builder", "id"]))
    }

    /// v1: `externalParameters.workflow.repository`; v0.2: `GITHUB_REPOSITORY` (owner/name).
    fn repository(&self) -> Option<String> {
        self.str_at(&[
            "buildDefinition",
            "externalParameters",
            "workflow",
            "repository",
        ])
        .or_else(|| {
            self.str_at(&["invocation", "environment", "GITHUB_REPOSITORY"])
                .map(|r| format!("https://github.com/{r}"))
        })
    }
}

/// Convert a `jiff` timestamp (sigstore-verify) to chrono.
pub(crate) fn to_chrono(ts: jiff::Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(ts.as_second(), ts.subsec_nanosecond().try_into().ok()?)
}
