//! The `sigverify-cosign` binary: the crate's commands behind a clap CLI (also the
//! sigstore-conformance entry point for `verify-bundle`).

use clap::Parser;
use sigverify_cosign::cli::{run, Command};

/// cosign-compatible signing and verification for internal npm packages.
#[derive(Debug, Parser)]
#[command(name = "sigverify-cosign", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn main() {
    let cli = Cli::parse();
    std::process::exit(run(&cli.command));
}
