//! `verify --vsa FILE --vsa-key KEY` (write a VSA of the verification) and `verify-vsa` (check
//! one, so a later job can trust a verdict without verifying again).

use std::path::{Path, PathBuf};

use clap::Args;
use sigverify_core::Report;
use sigverify_vsa::{PolicyRef, Subject, VsaError};

use crate::error::CliError;

/// `verify-vsa` arguments.
#[derive(Debug, Args)]
pub struct VerifyVsaArgs {
    /// The VSA (a DSSE envelope, as `verify --vsa` writes it).
    #[arg(value_name = "VSA")]
    pub vsa: PathBuf,
    /// The cosign-format public key the VSA must be signed with.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The lockfile the VSA must be about (its SHA-256 is compared).
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
    /// The policy file the VSA must have been decided under (its SHA-256 is compared).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The environment the VSA must have been decided in (default with --policy: the policy's
    /// default environment, as `verify` selects it when no variable names one).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Print what the VSA says as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Writes the VSA of a finished verification (the exit code is the verification's own).
pub fn write_vsa(report: &Report, out: &Path, key: &Path) -> Result<(), CliError> {
    let fail = |e: VsaError| CliError::new(e.code(), e.to_string(), e.remediation());
    let lockfile = Path::new(&report.input_path);
    if report.input == "node_modules" || !lockfile.is_file() {
        let why = format!(
            "a VSA is over a lockfile, and this verification read {}",
            report.input_path
        );
        return Err(CliError::new(
            "EUSAGE",
            why,
            "verify a project with a lockfile (or --lockfile FILE)",
        ));
    }
    let subject = Subject::of_file(lockfile).map_err(fail)?;
    let source = report.policy.source.as_deref().filter(|s| *s != "inline");
    let policy = PolicyRef::of(source.map(Path::new)).map_err(fail)?;
    let key = load_key(key)?;
    let envelope = sigverify_vsa::write(report, &subject, &policy, &key).map_err(fail)?;
    let text = serde_json::to_string_pretty(&envelope).expect("JSON renders");
    std::fs::write(out, text + "\n").map_err(|e| {
        CliError::new(
            "EWRITE",
            format!("cannot write {}: {e}", out.display()),
            "check the VSA path is writable",
        )
    })
}

fn load_key(path: &Path) -> Result<sigverify_cosign::PrivateKey, CliError> {
    let fail = |e: sigverify_cosign::KeyError| {
        use sigverify_cosign::Coded;
        CliError::new(
            e.code(),
            format!("--vsa-key {}: {e}", path.display()),
            e.remediation(),
        )
    };
    let password = sigverify_cosign::keys::read_password(false).map_err(fail)?;
    sigverify_cosign::keys::load_private_key(path, password.as_bytes()).map_err(fail)
}

/// `npm-sigverify verify-vsa`: exit 0 when the VSA is signed by the key, about the lockfile
/// and policy given, and records a pass; 1 otherwise; 2 for unreadable inputs.
pub fn run_verify_vsa(args: &VerifyVsaArgs) -> Result<(String, i32), CliError> {
    let usage = |e: VsaError| CliError::new(e.code(), e.to_string(), e.remediation());
    let envelope = std::fs::read(&args.vsa).map_err(|e| {
        CliError::new(
            "EUSAGE",
            format!("cannot read {}: {e}", args.vsa.display()),
            "check the VSA path",
        )
    })?;
    let key = sigverify_cosign::keys::load_public_key(&args.key).map_err(|e| {
        use sigverify_cosign::Coded;
        CliError::new(e.code(), e.to_string(), e.remediation())
    })?;
    let lockfile = args
        .lockfile
        .as_deref()
        .map(Subject::of_file)
        .transpose()
        .map_err(usage)?;
    let policy = args
        .policy
        .as_deref()
        .map(|p| PolicyRef::of(Some(p)))
        .transpose()
        .map_err(usage)?;
    let environment = expected_environment(args)?;
    let checked = sigverify_vsa::verify(
        &envelope,
        &key,
        lockfile.as_ref(),
        policy.as_ref(),
        environment.as_deref(),
    );
    match checked {
        Ok(checked) => {
            let text = match args.json {
                true => serde_json::to_string_pretty(&checked).expect("JSON renders"),
                false => format!(
                    "VSA ok: {} (sha256 {}) PASSED under {} at {}, signed by {}",
                    checked.subject.name,
                    checked.subject.sha256,
                    checked.policy.uri,
                    checked.time_verified,
                    key.fingerprint()
                ),
            };
            Ok((text, 0))
        }
        Err(e) => {
            let text = format!(
                "npm-sigverify: {} ({})\n  fix: {}",
                e,
                e.code(),
                e.remediation()
            );
            Ok((text, 1))
        }
    }
}

/// The environment a VSA must have been decided in: `--env`, else with `--policy` that policy's
/// default environment (a VSA of a lenient environment must not pass for the default one).
fn expected_environment(args: &VerifyVsaArgs) -> Result<Option<String>, CliError> {
    if let Some(env) = &args.env {
        return Ok(Some(env.clone()));
    }
    let Some(path) = &args.policy else {
        return Ok(None);
    };
    let loaded = sigverify_policy::load_file(path)?;
    let no_variables = std::collections::HashMap::new();
    let env = sigverify_policy::select_environment(&loaded.policy, None, &no_variables)?;
    Ok(Some(env.name))
}

/// Examples and exit codes of `verify-vsa --help`.
pub const VERIFY_VSA_HELP: &str = "\
Examples:
  npm-sigverify verify --vsa vsa.json --vsa-key cosign.key      # COSIGN_PASSWORD set
  npm-sigverify verify-vsa vsa.json --key cosign.pub --lockfile package-lock.json --policy .npm-sigverify.yaml

Exit codes: 0 the VSA is signed by the key, about this lockfile and policy, decided in the
expected environment (--env, else the --policy's default one), and records a pass; 1 it is
invalid (EVSAINVALID), about another lockfile, policy or environment (EVSAMISMATCH) or records a
failure (EVSAFAILED); 2 usage error (unreadable file or key).";
