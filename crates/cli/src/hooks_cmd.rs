//! `init` and `install`: the install-time protection commands over `sigverify-hooks`.

use std::path::PathBuf;

use clap::Args;
use sigverify_hooks::{
    init_hooks, init_text, install_text, safe_install, Event, InstallError, InstallOptions,
};

use crate::arg_groups::{EvidenceArgs, PolicyArgs, ProvenanceArgs};
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
