//! `sign TARBALL --key KEY` and `sign --pack DIR --key KEY`.

use super::{report, reported, usage, Reported, EXIT_OK};
use sigverify_cosign::keys::read_password;
use sigverify_cosign::sign::{npm_pack, sign_package, SignOutput};
use std::path::PathBuf;

/// `sign`: writes `TARBALL.sig` and `TARBALL.sigstore.json`.
#[derive(Debug, Clone, clap::Args)]
pub struct SignArgs {
    /// The tarball to sign (omit with --pack).
    pub tarball: Option<PathBuf>,
    /// cosign encrypted private key.
    #[arg(long)]
    pub key: PathBuf,
    /// Run `npm pack` in this package directory and sign the tarball it makes.
    #[arg(long, conflicts_with = "tarball")]
    pub pack: Option<PathBuf>,
    /// Where `--pack` writes the tarball (default: a new temporary directory, kept).
    #[arg(long, requires = "pack")]
    pub out: Option<PathBuf>,
    /// Write `<tarball>.<LABEL>.sig` / `.sigstore.json` instead of `<tarball>.sig` /
    /// `.sigstore.json`, so several approvers' signatures sit side by side (k-of-n).
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `sign`.
pub fn run_sign(args: &SignArgs) -> i32 {
    match sign_command(args) {
        Ok(output) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&output).unwrap_or_default()
                );
            } else {
                println!(
                    "Signed {} with key {}",
                    output.artifact.display(),
                    output.fingerprint
                );
                println!("Signature: {}", output.signature_path.display());
                println!(
                    "Bundle:    {} (no transparency log entry)",
                    output.bundle_path.display()
                );
            }
            EXIT_OK
        }
        Err(failure) => report(&failure),
    }
}

fn sign_command(args: &SignArgs) -> Result<SignOutput, Reported> {
    let tarball = match (&args.tarball, &args.pack) {
        (Some(path), None) => path.clone(),
        (None, Some(dir)) => {
            let out = match &args.out {
                Some(out) => out.clone(),
                None => tempfile::Builder::new()
                    .prefix("sigverify-pack-")
                    .tempdir()
                    .map_err(|e| usage(format!("cannot create a temporary directory: {e}")))?
                    .keep(),
            };
            npm_pack(dir, &out).map_err(reported)?
        }
        _ => return Err(usage("give a TARBALL or --pack DIR")),
    };
    let password = read_password(false).map_err(reported)?;
    sign_package(
        &tarball,
        &args.key,
        password.as_bytes(),
        args.label.as_deref(),
    )
    .map_err(reported)
}
