//! `npm-sigverify cache stats | clear`: clap arguments and the runner the
//! CLI crate mounts as a subcommand.

use sigverify_cache::{spec_from_env, Cache, CacheError, CacheOptions, CacheStats};
use std::collections::HashMap;
use std::io::Write;

/// Arguments of `npm-sigverify cache`.
#[derive(Debug, Clone, clap::Args)]
pub struct CacheArgs {
    /// What to do with the cache.
    #[command(subcommand)]
    pub action: CacheAction,
    /// Cache to use: a folder, a redis://host:port URL (password and /db allowed), or off
    /// (default: $NPM_SIGVERIFY_CACHE, then the user cache folder).
    #[arg(long, global = true, value_name = "SPEC")]
    pub cache: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The `cache` subcommands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Subcommand)]
pub enum CacheAction {
    /// Show entries and bytes per namespace.
    Stats,
    /// Remove every npm-sigverify entry (other Redis keys are left alone).
    Clear,
}

/// Exit code: success.
const EXIT_OK: i32 = 0;
/// Exit code: the cache could not be opened or used.
const EXIT_CACHE: i32 = 1;
/// Exit code: the cache spec is invalid.
const EXIT_USAGE: i32 = 2;

/// Runs `cache stats | clear` on its own single-threaded runtime with the
/// process environment, printing to stdout/stderr. Returns the exit code.
/// Do not call from inside a tokio runtime: use [`execute_cache_command`].
pub fn run_cache_command(args: &CacheArgs) -> i32 {
    let env: HashMap<String, String> = std::env::vars().collect();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("npm-sigverify cache: cannot start runtime: {e}");
            return EXIT_CACHE;
        }
    };
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    runtime.block_on(execute_cache_command(args, &env, &mut out, &mut err))
}

/// Runs `cache stats | clear` with an explicit environment and outputs.
pub async fn execute_cache_command(
    args: &CacheArgs,
    env: &HashMap<String, String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let spec = spec_from_env(args.cache.as_deref(), env);
    let options = CacheOptions {
        env: Some(env.clone()),
        ..CacheOptions::default()
    };
    let result = match Cache::open_with(spec.as_deref(), &options).await {
        Ok(cache) => act(&cache, args, out).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => report_error(&e, args.json, out, err),
    }
}

async fn act(cache: &Cache, args: &CacheArgs, out: &mut dyn Write) -> Result<(), CacheError> {
    let text = match args.action {
        CacheAction::Stats => {
            let stats = cache.stats().await?;
            match args.json {
                true => to_json(&stats),
                false => stats_text(&stats),
            }
        }
        CacheAction::Clear => {
            let removed = cache.clear().await?;
            let (kind, location) = (cache.kind(), cache.location());
            match args.json {
                true => to_json(
                    &serde_json::json!({"backend": kind, "location": location, "removed": removed}),
                ),
                false => {
                    let noun = if removed == 1 { "entry" } else { "entries" };
                    format!("removed {removed} {noun} from the {kind} cache {location}\n")
                }
            }
        }
    };
    // A closed stdout (e.g. `| head`) is not a cache failure.
    let _ = out.write_all(text.as_bytes());
    Ok(())
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    text.push('\n');
    text
}

/// The human table of `cache stats`.
pub(crate) fn stats_text(stats: &CacheStats) -> String {
    let mut text = format!("cache: {} {}\n", stats.backend, stats.location);
    text.push_str(&format!(
        "{:<14}{:>10}{:>14}\n",
        "namespace", "entries", "bytes"
    ));
    for row in &stats.namespaces {
        text.push_str(&format!(
            "{:<14}{:>10}{:>14}\n",
            row.namespace,
            row.entries,
            human_bytes(row.bytes)
        ));
    }
    text.push_str(&format!(
        "{:<14}{:>10}{:>14}\n",
        "total",
        stats.entries,
        human_bytes(stats.bytes)
    ));
    if stats.temp_files > 0 {
        text.push_str(&format!(
            "{} leftover temp files of interrupted writes (`cache clear` removes them)\n",
            stats.temp_files
        ));
    }
    text
}

fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let (mut value, mut unit) = (bytes as f64, 0);
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

fn report_error(e: &CacheError, json: bool, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if json {
        let body = serde_json::json!({"error": {"code": e.code(), "message": e.to_string(), "remediation": e.remediation()}});
        let _ = out.write_all(to_json(&body).as_bytes());
    } else {
        let _ = writeln!(
            err,
            "npm-sigverify cache: {e} ({})\n  hint: {}",
            e.code(),
            e.remediation()
        );
    }
    match e {
        CacheError::InvalidSpec { .. } => EXIT_USAGE,
        _ => EXIT_CACHE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_humanised() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
