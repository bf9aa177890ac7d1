//! Install-time protection for npm projects.
//!
//! * `init` puts `npm-sigverify` into the project's npm lifecycle hooks (`preinstall`:
//!   lockfile verification, `postinstall`: installed tree verification), keeping the user's own
//!   scripts and the file's formatting.
//! * `install` is the safe install: verify the lockfile, `npm ci --ignore-scripts`, verify what
//!   landed, then run the install scripts of verified (and allowed) packages only.

mod error;
mod init;
mod install;
mod jsonedit;
mod manifest;
mod npm;
mod policy;
mod render;
mod scripts;

use std::path::PathBuf;

use clap::Args;

pub use error::{InstallError, ManifestError, NpmError};
pub use init::{init_hooks, InitOutcome};
pub use install::{safe_install, Event, InstallOptions, InstallOutcome};
pub use manifest::{add_hooks, remove_hooks, Edit, Hook, HookChange};
pub use npm::default_npm;
pub use policy::ScriptPolicy;
pub use render::{failures, init_text, install_text, NPM_CAVEAT};
pub use scripts::{plan_scripts, root_scripts, ScriptPackage, ScriptPlan, Withheld, ROOT_EVENTS};

/// Exit code for usage and configuration errors (as the rest of the CLI).
const EXIT_USAGE: i32 = 2;

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

/// `install` arguments.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Registry URL for unscoped packages (for npm and for verification).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// Extra arguments for `npm ci`, after `--`.
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
            print!("{}", init_text(&outcome));
            if !args.remove {
                println!("{NPM_CAVEAT}");
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
    let options = InstallOptions {
        registry: args.registry.clone(),
        npm_args: args.npm_args.clone(),
        ..InstallOptions::new(dir_or_current(&args.dir))
    };
    match safe_install(&options, &mut progress).await {
        Ok(outcome) => {
            print!("{}", install_text(&outcome));
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
            println!("STOPPED: {e}; {scripts}");
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
        Event::Installing(args) => eprintln!("npm-sigverify: npm {}", args.join(" ")),
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
