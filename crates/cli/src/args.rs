//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::arg_groups::{EvidenceArgs, PolicyArgs, ProvenanceArgs};
use crate::help_text::*;
use crate::signal_args::{ApproveArgs, PinArgs, SignalArgs, APPROVE_HELP, PIN_HELP};

/// Proves the packages of a Node project are the ones their publishers signed.
#[derive(Debug, Parser)]
#[command(
    name = "npm-sigverify",
    version,
    about = "Proves the packages of a Node project are the ones their publishers signed",
    after_help = TOP_HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify every package of a project (lockfile or node_modules): registry signatures,
    /// integrity pins, attestations, installed contents, under the project's policy.
    ///
    /// Reads the project's policy (.npm-sigverify.yaml/.yml/.json or package.json
    /// "npm-sigverify", else npm's defaults) and exits with the policy's decision.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Verify one package version from the registry (or a store): `name@version`.
    #[command(after_help = VERIFY_PACKAGE_HELP)]
    VerifyPackage(VerifyPackageArgs),
    /// Write an offline evidence store for a project's tree (for air-gapped verification).
    ///
    /// The store holds the keys, full packuments and attestations of the registry each package
    /// resolves to (from .npmrc or --registry), one folder per registry host; `verify --offline
    /// STORE` must then resolve the same registries, or it finds no evidence (ENOEVIDENCE).
    #[command(after_help = FETCH_HELP)]
    Fetch(FetchArgs),
    /// Rank the registry packages by risk signals (install scripts, no provenance, recent
    /// publish, few maintainers, provenance downgrade, publish bursts) to decide where to look
    /// first.
    ///
    /// Informational only: it checks no signature and never replaces `verify`.
    #[command(after_help = RISK_HELP)]
    Risk(RiskArgs),
    /// Explain one package: every check, its evidence, and the policy rule that decided.
    ///
    /// Verifies the whole tree (same options as `verify`) and prints the packages named.
    #[command(after_help = EXPLAIN_HELP)]
    Explain(ExplainArgs),
    /// Show or clear the evidence cache (`cache stats`, `cache clear`).
    #[command(after_help = CACHE_HELP)]
    Cache(crate::cache_cmd::CacheArgs),
    /// Sigstore trust material (`trust update`: refresh the trusted root over TUF).
    #[command(subcommand, after_help = TRUST_HELP)]
    Trust(TrustCommand),
    /// Add npm-sigverify to the project's lifecycle hooks (preinstall, postinstall).
    ///
    /// Adds `preinstall: npm-sigverify verify --lockfile-only` and `postinstall: npm-sigverify
    /// verify` to package.json, keeping the project's own scripts, and says how the project's
    /// manager (npm, pnpm, Yarn, Bun) runs them. Most run the root preinstall after linking
    /// packages: hooks detect, `install` prevents.
    #[command(after_help = INIT_HELP)]
    Init(crate::hooks_cmd::InitArgs),
    /// Safe install: verify the lockfile, install it with the project's manager and scripts off
    /// (`npm ci --ignore-scripts`, `pnpm install --frozen-lockfile --ignore-scripts`, Yarn's and
    /// Bun's equivalents), verify what landed, then run the install scripts of accepted packages
    /// only.
    ///
    /// Install scripts can be restricted further by `"npm-sigverify": { "allowScripts": [...] }`
    /// in package.json; the manager's own allow-list (pnpm onlyBuiltDependencies, Bun
    /// trustedDependencies, Yarn enableScripts) applies too. Before node_modules exists, run it
    /// from a global install or with `npx -p npm-sigverify npm-sigverify install`.
    #[command(after_help = INSTALL_HELP)]
    Install(crate::hooks_cmd::InstallArgs),
    /// Record each package's verified publishing identity in sigverify.pins.json (like SSH
    /// known_hosts); `verify` then fails a package published by another identity (EPINMISMATCH).
    #[command(after_help = PIN_HELP)]
    Pin(PinArgs),
    /// Approve the install scripts of packages by their registry-signed integrity
    /// (sigverify.approvals.json): `install` runs them for exactly that tarball.
    #[command(after_help = APPROVE_HELP)]
    ApproveScripts(ApproveArgs),
    /// Run a registry gate: installers use it as their registry and get only versions the
    /// policy accepts; tarballs are checked against the signed integrity on the way.
    ///
    /// Also serves POST /-/sigverify/v1/verify (a lockfile in, the report out), health,
    /// readiness and Prometheus metrics.
    #[command(after_help = crate::serve_cmd::SERVE_HELP)]
    Serve(crate::serve_cmd::ServeArgs),
    /// Check a verification summary attestation (VSA) written by `verify --vsa`.
    #[command(after_help = crate::vsa_cmd::VERIFY_VSA_HELP)]
    VerifyVsa(crate::vsa_cmd::VerifyVsaArgs),
    /// Cosign-compatible signing and verification for internal packages.
    #[command(flatten)]
    Cosign(crate::cosign::Command),
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
    /// Compare every installed folder in full, ignoring the content index kept by earlier runs
    /// (a folder whose files' stat snapshot is unchanged is otherwise not re-hashed).
    #[arg(long)]
    pub rehash: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
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
    /// Write a SLSA verification summary attestation (VSA) of this verification to FILE,
    /// signed with --vsa-key (see verify-vsa).
    #[arg(long, value_name = "FILE", requires = "vsa_key")]
    pub vsa: Option<PathBuf>,
    /// The cosign-format private key the VSA is signed with (password from COSIGN_PASSWORD).
    #[arg(long, value_name = "KEY", requires = "vsa")]
    pub vsa_key: Option<PathBuf>,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signals: SignalArgs,
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
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signals: SignalArgs,
}

/// `fetch` arguments. `--deadline` is refused as for `risk`: `fetch_store` does not apply it.
#[derive(Debug, Args)]
#[command(mut_arg("deadline", |arg| arg.hide(true).value_parser(refuse_deadline)))]
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

/// `risk` arguments. `--deadline` (shared by the evidence options) is refused here: the risk
/// ranking does not apply it (`assess_risk` reads one packument per name and ignores
/// `VerifyOptions::deadline`), and an accepted bound that bounds nothing would mislead.
#[derive(Debug, Args)]
#[command(mut_arg("deadline", |arg| arg.hide(true).value_parser(refuse_deadline)))]
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

/// The value parser of `risk --deadline` and `fetch --deadline`: always a usage error (exit 2).
fn refuse_deadline(_: &str) -> Result<u64, String> {
    Err(
        "this command takes no --deadline (it would not bound anything); \
         --timeout MS bounds each registry request"
            .to_string(),
    )
}

/// `trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Refresh Sigstore's trusted root over TUF (needs the network; verification never does).
    /// Later verifications use the refreshed root instead of the embedded one.
    #[command(after_help = TRUST_UPDATE_HELP)]
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
    /// Install this trusted_root.json (a private Sigstore deployment's) instead of fetching
    /// one over TUF: it is checked, then written where verification picks it up.
    #[arg(long, value_name = "FILE", conflicts_with = "staging")]
    pub from: Option<PathBuf>,
    /// Give up after this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 20_000)]
    pub timeout: u64,
}
