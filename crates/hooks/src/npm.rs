//! Running npm as a child process (async, inside the CLI's tokio runtime).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::error::NpmError;

/// One command to run: program, arguments, extra environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The program (found on PATH).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables added to the environment.
    pub env: Vec<(String, String)>,
}

/// The npm executable to run by default (`npm.cmd` on Windows, where `npm` is a batch file).
pub fn default_npm() -> PathBuf {
    PathBuf::from(if cfg!(windows) { "npm.cmd" } else { "npm" })
}

/// Runs `npm <args>` in `dir`. npm's own output goes to our stderr, so that stdout carries only
/// our report.
pub(crate) async fn run_npm(npm: &Path, dir: &Path, args: &[String]) -> Result<(), NpmError> {
    let command = Command {
        program: npm.to_path_buf(),
        args: args.to_vec(),
        env: Vec::new(),
    };
    run_command(&command, dir).await
}

/// Runs a manager's command in `dir`, its output on our stderr (stdout carries our report).
pub(crate) async fn run_command(command: &Command, dir: &Path) -> Result<(), NpmError> {
    let line = format!("{} {}", command.program.display(), command.args.join(" "));
    let status = tokio::process::Command::new(&command.program)
        .args(&command.args)
        .envs(command.env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status()
        .await
        .map_err(|source| NpmError::Spawn {
            command: line.clone(),
            source,
        })?;
    match status.success() {
        true => Ok(()),
        false => Err(NpmError::Failed {
            command: line,
            status,
        }),
    }
}

/// `npm ci` arguments: the user's extra arguments (checked by
/// [`check_ci_args`](crate::ci_flags::check_ci_args)), the
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
    // npm rebuilds a folder's bundled dependencies too (their install scripts included) unless
    // told not to: those packages were never in the plan the allow-list judged.
    let mut args = vec!["rebuild".to_string(), "--rebuild-bundle=false".to_string()];
    // The project's npmrc may name code for npm to load around every script (`node-options`
    // `--require`, a `script-shell`): empty values give npm's defaults (no NODE_OPTIONS of its
    // own, sh), so only the accepted packages' scripts run.
    args.extend(["--node-options=".to_string(), "--script-shell=".to_string()]);
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
        // Bundled dependencies' scripts were never judged: npm must not run them.
        assert_eq!(args[..2], ["rebuild", "--rebuild-bundle=false"]);
        // The project's npmrc names no code to load around the scripts.
        assert_eq!(args[2..4], ["--node-options=", "--script-shell="]);
        assert_eq!(args.len(), 6);
        assert!(args[5].ends_with("node_modules/b/node_modules/c"));
    }
}
