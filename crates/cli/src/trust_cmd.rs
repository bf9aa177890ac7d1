//! `trust update`: refreshes Sigstore's trusted root over TUF (the TUF client verifies the
//! repository's signed metadata from the root embedded in `sigstore-trust-root`). Verification
//! itself never needs the network: without a refreshed root it uses the one embedded in the
//! binary.

use std::time::Duration;

use sigverify_trust_root::TrustedRoot;

use crate::args::TrustUpdateArgs;
use crate::error::CliError;

/// Exit code when the refresh could not reach the TUF repository.
const EXIT_OPERATIONAL: i32 = 3;

/// Runs `trust update`.
pub async fn run_trust_update(args: TrustUpdateArgs) -> Result<(String, i32), CliError> {
    let out = args
        .out
        .clone()
        .or_else(sigverify_core::config::refreshed_trusted_root)
        .ok_or_else(|| {
            CliError::new(
                "EUSAGE",
                "no cache folder: pass --out FILE".into(),
                "pass --out FILE",
            )
        })?;
    if let Some(from) = &args.from {
        let json = sigverify_core::run::check_trusted_root(from)?;
        write_atomically(&out, json.as_bytes())?;
        let text = format!(
            "installed the trusted root {} at {}\nverification now uses it instead of the embedded one (--trusted-root FILE overrides)",
            from.display(),
            out.display()
        );
        return Ok((text, 0));
    }
    let fetch = async {
        if args.staging {
            TrustedRoot::staging().await
        } else {
            TrustedRoot::production().await
        }
    };
    let root = match tokio::time::timeout(Duration::from_millis(args.timeout), fetch).await {
        Ok(Ok(root)) => root,
        Ok(Err(e)) => return Ok(unreachable(&e.to_string())),
        Err(_) => {
            return Ok(unreachable(&format!(
                "no answer within {} ms",
                args.timeout
            )))
        }
    };
    let json = serde_json::to_string_pretty(&root).expect("trusted roots serialize");
    write_atomically(&out, json.as_bytes())?;
    let text = format!(
        "wrote the refreshed Sigstore trusted root to {}\nverification now uses it instead of the embedded one (--trusted-root FILE overrides)",
        out.display()
    );
    Ok((text, 0))
}

fn unreachable(why: &str) -> (String, i32) {
    eprintln!(
        "npm-sigverify: cannot refresh the trusted root over TUF: {why} (ETUFUNREACHABLE)\n  fix: run it where the Sigstore TUF repository is reachable; verification does not need the network and keeps using the embedded trusted root"
    );
    (String::new(), EXIT_OPERATIONAL)
}

fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    let fail = |e: std::io::Error| {
        CliError::new(
            "EWRITE",
            format!("cannot write {}: {e}", path.display()),
            "check the folder is writable",
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
