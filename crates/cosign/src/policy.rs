//! Identity policy for keyless (certificate) signatures: who may have signed.
//!
//! Matching follows cosign: `--certificate-identity` / `--certificate-oidc-issuer` compare
//! exactly; the `-regexp` variants use an unanchored regular expression search, as Go's
//! `regexp.MatchString` does in cosign — write `^...$` to pin the whole value. The GitHub
//! workflow claims compare exactly against the certificate's (deprecated, GitHub-specific)
//! Fulcio extensions, falling back to their provider-neutral successors when absent.

use sigstore_crypto::CertificateInfo;

/// How one claim is matched.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// The claim equals this string.
    Exact(String),
    /// The claim contains a match of this regular expression.
    Regex(regex::Regex),
}

impl Matcher {
    /// Builds a matcher from an exact value or a regular expression (exactly one of them).
    pub fn from_options(exact: Option<&str>, regexp: Option<&str>) -> Result<Option<Self>, String> {
        match (exact, regexp) {
            (Some(_), Some(_)) => {
                Err("give either the exact value or the -regexp form, not both".into())
            }
            (Some(value), None) => Ok(Some(Self::Exact(value.to_string()))),
            (None, Some(pattern)) => regex::Regex::new(pattern)
                .map(|re| Some(Self::Regex(re)))
                .map_err(|e| format!("invalid regular expression {pattern:?}: {e}")),
            (None, None) => Ok(None),
        }
    }

    /// Whether `value` satisfies the matcher.
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Exact(expected) => expected == value,
            Self::Regex(re) => re.is_match(value),
        }
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Exact(value) => write!(f, "{value:?}"),
            Self::Regex(re) => write!(f, "regexp {:?}", re.as_str()),
        }
    }
}

/// Expected GitHub Actions workflow claims (cosign's `--certificate-github-workflow-*`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubClaims {
    /// `owner/repo` (extension .1.5).
    pub repository: Option<String>,
    /// e.g. `refs/heads/main` (.1.6).
    pub git_ref: Option<String>,
    /// Commit SHA (.1.3).
    pub sha: Option<String>,
    /// Workflow display name (.1.4).
    pub name: Option<String>,
    /// Triggering event, e.g. `push` (.1.2).
    pub trigger: Option<String>,
}

/// A keyless identity policy. Build one with [`IdentityPolicy::new`]; [`IdentityPolicy::any`]
/// accepts any identity and exists only for tests and diagnostics.
#[derive(Debug, Clone)]
pub struct IdentityPolicy {
    identity: Option<Matcher>,
    issuer: Option<Matcher>,
    github: GithubClaims,
}

/// Why a certificate's claims do not satisfy the policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("certificate {claim} is {actual:?}, expected {expected}")]
pub struct PolicyMismatch {
    /// Which claim failed, e.g. `identity`.
    pub claim: &'static str,
    /// What the policy wanted.
    pub expected: String,
    /// What the certificate says (empty when absent).
    pub actual: String,
}

impl IdentityPolicy {
    /// A policy requiring this identity and issuer (cosign requires both for keyless).
    pub fn new(identity: Matcher, issuer: Matcher) -> Self {
        Self {
            identity: Some(identity),
            issuer: Some(issuer),
            github: GithubClaims::default(),
        }
    }

    /// Accepts any signer the trusted root's CAs certified. Unsafe for real use: it proves
    /// that *someone* signed, not who.
    pub fn any() -> Self {
        Self {
            identity: None,
            issuer: None,
            github: GithubClaims::default(),
        }
    }

    /// Adds GitHub workflow claim requirements.
    pub fn with_github(mut self, github: GithubClaims) -> Self {
        self.github = github;
        self
    }

    /// Checks a verified certificate's claims against the policy.
    pub fn check(&self, cert: &CertificateInfo) -> Result<(), PolicyMismatch> {
        let identity = cert.identity.as_ref().map(|san| san.as_str().to_string());
        check_matcher("identity", self.identity.as_ref(), identity.as_deref())?;
        check_matcher("oidc issuer", self.issuer.as_ref(), cert.issuer.as_deref())?;
        self.check_github(cert)
    }

    fn check_github(&self, cert: &CertificateInfo) -> Result<(), PolicyMismatch> {
        let claims = &cert.ci_claims;
        let old = &claims.deprecated_github;
        let repository = old.workflow_repository.clone().or_else(|| {
            let uri = claims.source_repository_uri.as_deref()?;
            uri.strip_prefix("https://github.com/").map(str::to_string)
        });
        let git_ref = old
            .workflow_ref
            .clone()
            .or(claims.source_repository_ref.clone());
        let sha = old
            .workflow_sha
            .clone()
            .or(claims.source_repository_digest.clone());
        let trigger = old
            .workflow_trigger
            .clone()
            .or(claims.build_trigger.clone());
        let wanted = &self.github;
        check_exact(
            "github workflow repository",
            &wanted.repository,
            repository.as_deref(),
        )?;
        check_exact("github workflow ref", &wanted.git_ref, git_ref.as_deref())?;
        check_exact("github workflow sha", &wanted.sha, sha.as_deref())?;
        check_exact(
            "github workflow name",
            &wanted.name,
            old.workflow_name.as_deref(),
        )?;
        check_exact(
            "github workflow trigger",
            &wanted.trigger,
            trigger.as_deref(),
        )
    }
}

fn check_matcher(
    claim: &'static str,
    matcher: Option<&Matcher>,
    actual: Option<&str>,
) -> Result<(), PolicyMismatch> {
    let Some(matcher) = matcher else {
        return Ok(());
    };
    if actual.is_some_and(|value| matcher.matches(value)) {
        return Ok(());
    }
    Err(PolicyMismatch {
        claim,
        expected: matcher.to_string(),
        actual: actual.unwrap_or_default().to_string(),
    })
}

fn check_exact(
    claim: &'static str,
    expected: &Option<String>,
    actual: Option<&str>,
) -> Result<(), PolicyMismatch> {
    let matcher = expected.clone().map(Matcher::Exact);
    check_matcher(claim, matcher.as_ref(), actual)
}
