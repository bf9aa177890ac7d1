//! Option groups several commands flatten into their arguments (`verify`, `explain`,
//! `verify-package`, `install`, ...), kept apart from the command list so that command modules
//! can use them without depending on it.

use std::path::PathBuf;

use clap::Args;

/// Options shared by every command that reads evidence.
#[derive(Debug, Args, Clone)]
pub struct EvidenceArgs {
    /// Registry URL for unscoped packages (overrides .npmrc `registry`).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// At most this many registry requests at once.
    #[arg(long, value_name = "N", default_value_t = sigverify_core::config::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Timeout of one registry request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    pub timeout: u64,
    /// Retries of a failed registry request (network errors, timeouts, 429, 5xx).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retries: u32,
    /// Evidence cache: a folder, redis://host:port[/db], or off (default: $NPM_SIGVERIFY_CACHE,
    /// then the user cache folder).
    #[arg(long, value_name = "SPEC")]
    pub cache: Option<String>,
    /// Use cached evidence younger than this without asking the registry (default: what the
    /// registry's Cache-Control max-age says for the local cache, as npm does, else revalidate
    /// with ETag/Last-Modified; 3600 for Redis).
    #[arg(long, value_name = "SECONDS")]
    pub cache_max_age: Option<u64>,
    /// Total deadline of the run, in milliseconds: packages not verified by then fail with
    /// EDEADLINE (exit 3 when nothing else failed).
    #[arg(long, value_name = "MS")]
    pub deadline: Option<u64>,
}

/// Which trust policy decides, and in which environment.
#[derive(Debug, Args, Clone)]
pub struct PolicyArgs {
    /// The policy file (default: .npm-sigverify.yaml/.yml/.json or package.json "npm-sigverify"
    /// of the project).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Ignore any policy file: npm's defaults decide (as `policy: false` in the JS API).
    #[arg(long, conflicts_with = "policy")]
    pub no_policy: bool,
    /// The policy environment (default: NPM_SIGVERIFY_ENV, then NODE_ENV, then the policy's default).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
}

/// How attestations (provenance, publish) are checked.
#[derive(Debug, Args, Clone)]
pub struct ProvenanceArgs {
    /// Fail packages without verified provenance.
    #[arg(long)]
    pub require_provenance: bool,
    /// The provenance's source repository must be the package.json `repository`.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub provenance_repository_match: bool,
    /// Allowed OIDC issuers of provenance (pattern with `*`, repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub allowed_issuer: Vec<String>,
    /// Allowed provenance source repositories, as `github.com/owner/repo` (pattern, repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub allowed_repository: Vec<String>,
    /// Allowed git refs the provenance build ran on, e.g. `refs/tags/*` (repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub allowed_workflow_ref: Vec<String>,
    /// A Sigstore trusted_root.json replacing the embedded public-good root.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// Do not check attestations at all.
    #[arg(long)]
    pub no_attestations: bool,
}
