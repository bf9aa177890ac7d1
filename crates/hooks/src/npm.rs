//! Running npm as a child process (async, inside the CLI's tokio runtime).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use crate::error::NpmError;

/// The npm executable to run by default (`npm.cmd` on Windows, where `npm` is a batch file).
pub fn default_npm() -> PathBuf {
    PathBuf::from(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

/// Runs `npm <args>` in `dir`. npm's own output goes to our stderr, so that stdout carries only
/// our report.
pub(crate) async fn run_npm(npm: &Path, dir: &Path, args: &[String]) -> Result<(), NpmError> {
    let command = format!("{} {}", npm.display(), args.join(" "));
    let status = Command::new(npm)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status()
        .await
        .map_err(|source| NpmError::Spawn {
            command: command.clone(),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(NpmError::Failed { command, status })
    }
}

/// The `npm ci` flags a user may pass through `install -- ...`. Everything else is refused: a
/// `--` would turn our `--ignore-scripts` into a positional argument, npm accepts abbreviated
/// and negated flags (`--ignore-script=false`, `--no-ignore-scripts`), and `--prefix` or
/// `--global` would install somewhere the verification never looks.
pub const ALLOWED_CI_FLAGS: [&str; 22] = [
    "--omit",
    "--include",
    "--audit",
    "--no-audit",
    "--fund",
    "--no-fund",
    "--loglevel",
    "--silent",
    "--quiet",
    "--verbose",
    "--prefer-offline",
    "--prefer-online",
    "--offline",
    "--cache",
    "--foreground-scripts",
    "--legacy-peer-deps",
    "--strict-peer-deps",
    "--workspace",
    "--workspaces",
    "--include-workspace-root",
    "--no-progress",
    "--fetch-timeout",
];

/// Checks the user's extra `npm ci` arguments against [`ALLOWED_CI_FLAGS`] (`--flag` or
/// `--flag=value` only).
pub(crate) fn check_ci_args(extra: &[String]) -> Result<(), crate::error::InstallError> {
    for arg in extra {
        let flag = arg.split_once('=').map_or(arg.as_str(), |(f, _)| f);
        if !ALLOWED_CI_FLAGS.contains(&flag) {
            return Err(crate::error::InstallError::NpmArgument(arg.clone()));
        }
    }
    Ok(())
}

/// `npm ci` arguments: the user's extra arguments (checked by [`check_ci_args`]), the
/// registry, and `--ignore-scripts` last (npm takes the last value of a flag).
pub(crate) fn ci_args(registry: Option<&str>, extra: &[String]) -> Vec<String> {
    let mut args = vec!["ci".to_string()];
    args.extend(extra.iter().cloned());
    if let Some(url) = registry {
        args.push(format!("--registry={url}"));
    }
    args.push("--ignore-scripts".into());
    args
}

/// `npm rebuild` arguments for exactly these package folders (absolute paths: npm matches
/// folder specs by path, so no other copy of the same name is touched).
pub(crate) fn rebuild_args(dir: &Path, locations: &[&str]) -> Vec<String> {
    let mut args = vec!["rebuild".to_string()];
    args.extend(
        locations
            .iter()
            .map(|l| dir.join(l).to_string_lossy().into_owned()),
    );
    args
}

/// `npm run-script <event> --ignore-scripts`: runs exactly that script; `--ignore-scripts` stops
/// npm from adding its pre/post scripts (`npm run install` would run preinstall and postinstall
/// too), which run as events of their own.
pub(crate) fn run_script_args(event: &str) -> Vec<String> {
    vec!["run-script".into(), event.into(), "--ignore-scripts".into()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_harmless_flags_pass() {
        let ok = |args: &[&str]| {
            check_ci_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>()).is_ok()
        };
        assert!(ok(&[
            "--omit=dev",
            "--no-audit",
            "--loglevel=warn",
            "--workspace=a"
        ]));
        for bad in [
            "--",
            "--ignore-scripts=false",
            "--no-ignore-scripts",
            "--ignore-script=false",
            "--prefix=/tmp/x",
            "-g",
            "--global",
            "--registry=http://evil/",
            "dev",
            "--script-shell=sh",
        ] {
            assert!(!ok(&[bad]), "{bad} passed");
        }
    }

    #[test]
    fn ignore_scripts_comes_last() {
        let extra = vec!["--ignore-scripts=false".to_string(), "--omit=dev".into()];
        let args = ci_args(Some("http://127.0.0.1:1/"), &extra);
        assert_eq!(args.first().map(String::as_str), Some("ci"));
        assert_eq!(args.last().map(String::as_str), Some("--ignore-scripts"));
        assert!(args.contains(&"--registry=http://127.0.0.1:1/".to_string()));
    }

    #[test]
    fn rebuild_names_folders() {
        let args = rebuild_args(
            Path::new("/p"),
            &["node_modules/a", "node_modules/b/node_modules/c"],
        );
        assert_eq!(args[0], "rebuild");
        assert_eq!(args.len(), 3);
        assert!(args[2].ends_with("node_modules/b/node_modules/c"));
    }
}
