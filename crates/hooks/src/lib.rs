//! Install-time protection: npm lifecycle hooks (`init`) and the safe install flow (`install`).
//! Being written (issue 6); the CLI commands report that until then.

use clap::Args;

/// `init` arguments.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder (default: the current folder).
    pub dir: Option<std::path::PathBuf>,
    /// Take the hooks out again.
    #[arg(long)]
    pub remove: bool,
}

/// `install` arguments.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The project folder (default: the current folder).
    pub dir: Option<std::path::PathBuf>,
}

/// Runs `init`; returns the exit code.
pub fn run_init(_args: &InitArgs) -> i32 {
    eprintln!("npm-sigverify init: not available in this build");
    2
}

/// Runs `install`; returns the exit code.
pub async fn run_install(_args: &InstallArgs) -> i32 {
    eprintln!("npm-sigverify install: not available in this build");
    2
}
