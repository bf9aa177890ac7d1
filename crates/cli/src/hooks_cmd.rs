//! `init` and `install`: the install-time protection commands over `sigverify-hooks`.

use std::path::PathBuf;

use clap::Args;
use sigverify_hooks::{
    init_hooks, init_text, install_text, safe_install, Event, InstallError, InstallOptions,
};

use crate::arg_groups::{EvidenceArgs, PolicyArgs, ProvenanceArgs};
use crate::signal_args::SignalArgs;
use crate::EXIT_USAGE;

/// `init` arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Take our hooks out again (the project's own scripts stay).
    #[arg(long)]
    pub remove: bool,
    /// Write the recommended policy, .npm-sigverify.yaml, instead of the hooks: production
    /// defaults that turn the incident signals on (2-day release age, publisher continuity and
    /// new install scripts fail, new dependencies warn) and a development profile that warns,
    /// explained line by line.
    #[arg(long, conflicts_with = "remove")]
    pub recommended_policy: bool,
    /// With --recommended-policy: the trusted_root.json of a private Sigstore deployment, which
    /// the policy then names (trust.sigstoreRoot) for every command, `install` included.
    #[arg(long, value_name = "FILE", requires = "recommended_policy")]
    pub trusted_root: Option<PathBuf>,
    /// With --recommended-policy: replace an existing .npm-sigverify.yaml/.yml/.json.
    #[arg(long, requires = "recommended_policy")]
    pub force: bool,
}

/// `install` arguments: where to install, and the verification options of `verify` that apply
/// to both verifications (the lockfile before npm runs, the installed tree after).
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Trust file of internal keys (default: the policy's trust.internalKeys).
    #[arg(long, value_name = "FILE")]
    pub trust: Option<PathBuf>,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    /// The registry (`--registry`) is also npm's for the install.
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signals: SignalArgs,
    /// Extra flags for `npm ci`, after `--`, as `--flag` or `--flag=value` (only flags that
    /// cannot turn scripts back on or move the install: --omit, --include, --no-audit,
    /// --no-fund, --loglevel, --prefer-offline, --offline, --cache, --workspace, ...).
    #[arg(last = true, value_name = "NPM_CI_ARGS")]
    pub npm_args: Vec<String>,
}

fn dir_or_current(dir: &Option<PathBuf>) -> PathBuf {
    dir.clone().unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `init`; prints what changed and returns the exit code.
pub fn run_init(args: &InitArgs) -> i32 {
    if args.recommended_policy {
        // The policy only: the npm hooks run `npm-sigverify`, which the project may not have
        // installed (and `install` needs no hooks).
        let dir = dir_or_current(&args.dir);
        let root = args.trusted_root.as_deref();
        return match crate::init_policy::write_recommended(&dir, args.force, root) {
            Ok(text) => {
                crate::output::print(&text);
                0
            }
            Err(e) => {
                eprintln!(
                    "npm-sigverify init: {} ({})\n  fix: {}",
                    e.message, e.code, e.remediation
                );
                EXIT_USAGE
            }
        };
    }
    match init_hooks(&dir_or_current(&args.dir), args.remove) {
        Ok(outcome) => {
            crate::output::print(&init_text(&outcome));
            if !args.remove {
                crate::output::print(sigverify_hooks::caveat(outcome.installer));
            }
            0
        }
        Err(e) => {
            eprintln!(
                "npm-sigverify init: {e} ({})\n  fix: {}",
                e.code(),
                e.remediation()
            );
            EXIT_USAGE
        }
    }
}

/// Runs `install`; prints progress to stderr, the report to stdout, and returns the exit code.
pub async fn run_install(args: &InstallArgs) -> i32 {
    let dir = dir_or_current(&args.dir);
    let mut verify = crate::options(Some(dir.clone()), None, None, &[], &args.evidence);
    verify.provenance = crate::provenance_options(&args.provenance);
    verify.trust_file = args.trust.clone();
    verify.signals = args.signals.overrides();
    crate::apply_policy(&mut verify, &args.policy);
    let options = InstallOptions {
        registry: args.evidence.registry.clone(),
        npm_args: args.npm_args.clone(),
        verify,
        ..InstallOptions::new(dir)
    };
    match safe_install(&options, &mut progress).await {
        Ok(outcome) => {
            crate::output::print(&install_text(&outcome));
            outcome.exit_code()
        }
        Err(e) => {
            eprintln!(
                "npm-sigverify install: {e} ({})\n  fix: {}",
                e.code(),
                e.remediation()
            );
            let scripts = match e {
                InstallError::Rebuild(_) | InstallError::RootScript(_) => {
                    "only the install scripts of verified packages ran"
                }
                _ => "no install script of a dependency ran",
            };
            crate::output::print(&format!("STOPPED: {e}; {scripts}"));
            e.exit_code()
        }
    }
}

fn progress(event: Event<'_>) {
    match event {
        Event::LockfileVerified(r) => eprintln!(
            "npm-sigverify: lockfile checked ({} packages)",
            r.summary.total
        ),
        Event::Installing(line) => eprintln!("npm-sigverify: {}", line.join(" ")),
        Event::TreeVerified(r) => eprintln!(
            "npm-sigverify: installed tree checked ({} packages)",
            r.summary.total
        ),
        Event::Scripts(plan) => eprintln!(
            "npm-sigverify: running the install scripts of {} verified package(s)",
            plan.run.len()
        ),
    }
}
