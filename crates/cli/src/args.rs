//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Proves the packages of a Node project are the ones their publishers signed.
#[derive(Debug, Parser)]
#[command(
    name = "npm-sigverify",
    version,
    about = "Proves the packages of a Node project are the ones their publishers signed"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify the registry signatures of every package of a project (lockfile or node_modules).
    ///
    /// Exit codes: 0 all verified or skipped, 1 any invalid or missing, 2 usage or configuration
    /// error, 3 only operational failures (registry unreachable, missing evidence, deadline).
    Verify(VerifyArgs),
    /// Verify one package version: `name@version`.
    VerifyPackage(VerifyPackageArgs),
    /// Write an offline evidence store for a project's tree (for air-gapped verification).
    Fetch(FetchArgs),
    /// Rank the registry packages by risk signals (install scripts, no provenance, recent
    /// publish, few maintainers, provenance downgrade) to decide where to look first.
    ///
    /// Informational only: it checks no signature and never replaces `verify`. Exit code 0,
    /// 2 on usage or configuration errors.
    Risk(RiskArgs),
    /// Explain one package: every check, its evidence, and the policy rule that decided.
    Explain(ExplainArgs),
    /// Show or clear the evidence cache (`cache stats`, `cache clear`).
    Cache(crate::cache_cmd::CacheArgs),
    /// Sigstore trust material (`trust update`: refresh the trusted root over TUF).
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Add npm-sigverify to the project's npm lifecycle hooks (preinstall, postinstall).
    Init(crate::hooks_cmd::InitArgs),
    /// Safe install: verify the lockfile, `npm ci --ignore-scripts`, verify what landed, then run
    /// the install scripts of verified packages only.
    Install(crate::hooks_cmd::InstallArgs),
    /// Cosign-compatible signing and verification for internal packages.
    #[command(flatten)]
    Cosign(crate::cosign::Command),
}

/// Options shared by every command that reads evidence.
#[derive(Debug, Args, Clone)]
pub struct EvidenceArgs {
    /// Registry URL for unscoped packages (overrides .npmrc `registry`).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// At most this many registry requests at once.
    #[arg(long, value_name = "N", default_value_t = 32)]
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

/// Dependency types that `--omit` leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OmitKind {
    /// devDependencies
    Dev,
    /// optionalDependencies
    Optional,
    /// peerDependencies
    Peer,
}

/// `verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Read this lockfile instead of looking in DIR.
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
    /// Print the report as JSON (keys: invalid, missing, skipped, verified, summary).
    #[arg(long)]
    pub json: bool,
    /// Read all evidence from this store (see `fetch`) and never touch the network.
    #[arg(long, value_name = "STORE")]
    pub offline: Option<PathBuf>,
    /// Leave out dev, optional or peer dependencies, like `npm --omit` (repeatable).
    #[arg(long, value_enum, value_name = "TYPE")]
    pub omit: Vec<OmitKind>,
    /// Verify the lockfile alone (before anything is installed), ignoring node_modules.
    #[arg(long)]
    pub lockfile_only: bool,
    /// Do not compare installed files with the signed tarballs.
    #[arg(long)]
    pub no_content: bool,
    /// The policy file (default: .npm-sigverify.yaml/.yml/.json or package.json "npm-sigverify").
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The policy environment (default: NPM_SIGVERIFY_ENV, then NODE_ENV, then the policy's default).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// Write reports: json=FILE,sarif=FILE,junit=FILE,html=FILE,markdown=FILE (any subset).
    #[arg(long, value_name = "SPEC")]
    pub report: Option<String>,
    /// Append one JSON line per package decision to this file.
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Print where the time went to stderr: each phase and the slowest packages.
    #[arg(long)]
    pub trace: bool,
    /// Trust file of internal keys: verify internal (cosign) signatures found next to `file:`
    /// tarballs, in the offline store and in `dist.signatures` (default: the policy's
    /// trust.internalKeys).
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// `explain` arguments.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The package: `name` or `name@version`.
    #[arg(value_name = "NAME[@VERSION]")]
    pub spec: String,
    #[command(flatten)]
    pub verify: VerifyArgs,
}

/// `verify-package` arguments.
#[derive(Debug, Args)]
pub struct VerifyPackageArgs {
    /// The package: `name@version` (exact version).
    #[arg(value_name = "NAME@VERSION")]
    pub spec: String,
    /// An integrity the registry's signed one must equal (as a lockfile would pin it).
    #[arg(long, value_name = "SRI")]
    pub integrity: Option<String>,
    /// A local tarball whose sha512 must equal the registry's signed integrity.
    #[arg(long, value_name = "FILE")]
    pub tarball: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read all evidence from this store and never touch the network.
    #[arg(long, value_name = "STORE")]
    pub offline: Option<PathBuf>,
    /// An attestations document (`{"attestations":[...]}`) to verify instead of the registry's.
    #[arg(long, value_name = "FILE")]
    pub attestations: Option<PathBuf>,
    /// Trust file of internal keys: verify `dist.signatures` entries made by its keys.
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    /// The policy file (default: the one in the current folder, as for `verify`).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The policy environment (default: NPM_SIGVERIFY_ENV, then NODE_ENV, then the policy's default).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// `fetch` arguments.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Read this lockfile instead of looking in DIR.
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
    /// The store folder to write.
    #[arg(long, value_name = "STORE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// `risk` arguments.
#[derive(Debug, Args)]
pub struct RiskArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Read this lockfile instead of looking in DIR.
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
    /// Read the packuments from this store (see `fetch`) and never touch the network.
    #[arg(long, value_name = "STORE")]
    pub offline: Option<PathBuf>,
    /// Leave out dev, optional or peer dependencies, like `npm --omit` (repeatable).
    #[arg(long, value_enum, value_name = "TYPE")]
    pub omit: Vec<OmitKind>,
    /// Print the whole ranking as JSON (`--top` applies to the table only).
    #[arg(long)]
    pub json: bool,
    /// Show the N highest scores in the table (0 = all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// A version published fewer than N days ago is a recent publish.
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub recent_days: i64,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
}

/// `trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Refresh Sigstore's trusted root over TUF (needs the network; verification never does).
    /// Later verifications use the refreshed root instead of the embedded one.
    Update(TrustUpdateArgs),
}

/// `trust update` arguments.
#[derive(Debug, Args)]
pub struct TrustUpdateArgs {
    /// Where to write the trusted root (default: the user cache folder's
    /// npm-sigverify/trusted_root.json, which verification picks up by itself).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Use Sigstore's staging instance.
    #[arg(long)]
    pub staging: bool,
    /// Give up after this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 20_000)]
    pub timeout: u64,
}
