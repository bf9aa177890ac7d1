//! Running a package's install scripts the way package managers do, for the managers whose own
//! rebuild cannot be limited to exactly the packages we accept (pnpm, Yarn, Bun): each event's
//! command from the package's package.json (already verified identical to the signed tarball's),
//! through the shell, in the package's real folder, with `INIT_CWD` at the project, the usual
//! `npm_*` variables, and the `node_modules/.bin` folders above the package on `PATH`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use crate::error::NpmError;

/// The lifecycle events of an install, in the order managers run them.
const EVENTS: [&str; 3] = ["preinstall", "install", "postinstall"];

/// npm's implicit install script for a `binding.gyp` (see the content check's install scripts).
const IMPLICIT_GYP: &str = "install (node-gyp rebuild)";

/// Runs the install scripts `events` names for the package at `location` of `project`.
pub(crate) async fn run_package_scripts(
    project: &Path,
    location: &str,
    events: &[String],
) -> Result<(), NpmError> {
    let folder =
        std::fs::canonicalize(project.join(location)).map_err(|source| NpmError::Spawn {
            command: format!("the install scripts of {location}"),
            source,
        })?;
    let manifest = read_manifest(&folder);
    for event in EVENTS {
        let script = match manifest["scripts"][event].as_str() {
            Some(s) if events.iter().any(|e| e == event) => s.to_string(),
            _ if event == "install" && events.iter().any(|e| e == IMPLICIT_GYP) => {
                "node-gyp rebuild".to_string()
            }
            _ => continue,
        };
        run_one(project, &folder, &manifest, event, &script).await?;
    }
    Ok(())
}

async fn run_one(
    project: &Path,
    folder: &Path,
    manifest: &serde_json::Value,
    event: &str,
    script: &str,
) -> Result<(), NpmError> {
    let name = manifest["name"].as_str().unwrap_or_default();
    let command = format!("{name} {event}: {script}");
    let (shell, flag) = if cfg!(windows) {
        ("cmd", "/d /s /c")
    } else {
        ("sh", "-c")
    };
    let status = Command::new(shell)
        .args(flag.split(' '))
        .arg(script)
        .current_dir(folder)
        .env("PATH", search_path(project, folder))
        .env("INIT_CWD", project)
        .env("npm_lifecycle_event", event)
        .env("npm_lifecycle_script", script)
        .env("npm_package_name", name)
        .env(
            "npm_package_version",
            manifest["version"].as_str().unwrap_or_default(),
        )
        .env("npm_package_json", folder.join("package.json"))
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status()
        .await
        .map_err(|source| NpmError::Spawn {
            command: command.clone(),
            source,
        })?;
    match status.success() {
        true => Ok(()),
        false => Err(NpmError::Failed { command, status }),
    }
}

fn read_manifest(folder: &Path) -> serde_json::Value {
    let manifest = folder.join("package.json");
    sigverify_lockfile::read_regular_text(&manifest, sigverify_lockfile::MANIFEST_LIMIT)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// `<folder>/node_modules/.bin` and every `node_modules/.bin` above it up to the project's,
/// then the inherited PATH.
fn search_path(project: &Path, folder: &Path) -> OsString {
    let mut dirs = bin_dirs(project, folder);
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    dirs.extend(std::env::split_paths(&inherited));
    std::env::join_paths(dirs).unwrap_or(inherited)
}

/// The `node_modules/.bin` folders a package's scripts find commands in before `PATH`, as
/// every manager (npm's run-script too) puts them: its own and each one above it, up to the
/// project's.
fn bin_dirs(project: &Path, folder: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = folder
        .ancestors()
        .take_while(|d| d.starts_with(project))
        .map(|d| d.join("node_modules").join(".bin"))
        .collect();
    dirs.push(project.join("node_modules").join(".bin"));
    dirs.dedup();
    dirs
}

/// Commands that every install script runs through (the shell that runs the script line,
/// Node, the managers): a `.bin` entry of one of these names replaces them for the script.
const RUNNERS: [&str; 9] = [
    "node", "sh", "bash", "env", "npm", "npx", "pnpm", "yarn", "bun",
];

/// A `.bin` entry, relative to the project, that the scripts of the package at `location`
/// would run in place of Node, the shell or a manager: one named like them that is not that
/// package's own bin of its own name (the `npm` package's `npm`).
pub(crate) fn shadowing_bin(project: &Path, location: &str) -> Option<String> {
    let folder = project.join(location);
    for dir in bin_dirs(project, &folder) {
        for command in RUNNERS {
            let entry = dir.join(command);
            if std::fs::symlink_metadata(&entry).is_err() || is_own_bin(&entry, command) {
                continue;
            }
            let shown = entry.strip_prefix(project).unwrap_or(&entry);
            return Some(shown.to_string_lossy().into_owned());
        }
    }
    None
}

/// True when the entry leads into a package folder named `command` (`node_modules/npm/...`).
fn is_own_bin(entry: &Path, command: &str) -> bool {
    let Ok(real) = std::fs::canonicalize(entry) else {
        return false;
    };
    let text = real.to_string_lossy();
    text.contains(&format!("/node_modules/{command}/"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_bin_named_like_a_runner_shadows_it_unless_it_is_that_packages_own() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path();
        let bin = project.join("node_modules/.bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(project.join("node_modules/scripted")).unwrap();
        std::fs::create_dir_all(project.join("node_modules/nodebin")).unwrap();
        std::fs::create_dir_all(project.join("node_modules/npm/bin")).unwrap();
        std::fs::write(project.join("node_modules/nodebin/fake.sh"), "#!/bin/sh\n").unwrap();
        std::fs::write(project.join("node_modules/npm/bin/npm-cli.js"), "").unwrap();
        assert_eq!(shadowing_bin(project, "node_modules/scripted"), None);
        // The npm package's own `npm` bin is npm.
        std::os::unix::fs::symlink("../npm/bin/npm-cli.js", bin.join("npm")).unwrap();
        assert_eq!(shadowing_bin(project, "node_modules/scripted"), None);
        std::os::unix::fs::symlink("../nodebin/fake.sh", bin.join("node")).unwrap();
        assert_eq!(
            shadowing_bin(project, "node_modules/scripted").as_deref(),
            Some("node_modules/.bin/node")
        );
        // A nested package's own .bin is on its PATH first.
        let nested = project.join("node_modules/a/node_modules/.bin");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::remove_file(bin.join("node")).unwrap();
        std::fs::write(nested.join("sh"), "#!/bin/sh\n").unwrap();
        assert_eq!(
            shadowing_bin(project, "node_modules/a/node_modules/b").as_deref(),
            Some("node_modules/a/node_modules/.bin/sh")
        );
        assert_eq!(shadowing_bin(project, "node_modules/scripted"), None);
    }
}
