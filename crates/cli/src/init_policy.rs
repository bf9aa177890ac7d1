//! `init --recommended-policy`: writes `.npm-sigverify.yaml`, the file every command discovers,
//! with the recommended policy (optionally naming a private Sigstore deployment's trusted root).

use std::path::{Path, PathBuf};

use sigverify_policy::{discover, recommended_policy, POLICY_FILES};

use crate::error::CliError;

/// Writes the recommended policy into `dir` (over an existing policy only with `force`), naming
/// `trusted_root` when given; returns what to print.
pub fn write_recommended(
    dir: &Path,
    force: bool,
    trusted_root: Option<&Path>,
) -> Result<String, CliError> {
    let target = dir.join(POLICY_FILES[0]);
    refuse_existing(dir, force)?;
    let root = match trusted_root {
        Some(path) => {
            sigverify_core::run::check_trusted_root(path)?;
            Some(relative_to(path, dir))
        }
        None => None,
    };
    let text = recommended_policy(root.as_deref());
    std::fs::write(&target, text).map_err(|e| {
        CliError::new(
            "EWRITE",
            format!("cannot write {}: {e}", target.display()),
            "check the project folder is writable",
        )
    })?;
    let mut out = format!(
        "npm-sigverify init: wrote the recommended policy to {} (read its comments; commit it)\n",
        target.display()
    );
    if let Some(root) = root {
        out.push_str(&format!(
            "  it verifies attestations against {root} (trust.sigstoreRoot)\n"
        ));
    }
    out.push_str("  install with `npm-sigverify install` (verifies before any script runs); `npm-sigverify init` adds the npm hooks\n");
    Ok(out)
}

/// A project has one policy: an existing one is replaced only with --force, and a policy in
/// package.json (which would then be a second one) never.
fn refuse_existing(dir: &Path, force: bool) -> Result<(), CliError> {
    let found = discover(dir, None)?;
    let Some(loaded) = found else {
        return Ok(());
    };
    let path = loaded.path.display().to_string();
    if loaded.from_package_json {
        return Err(CliError::new(
            "EPOLICYEXISTS",
            format!("{path} already holds the project's policy under \"npm-sigverify\""),
            "move it into .npm-sigverify.yaml yourself (merging the recommended settings from crates/policy/examples/recommended.yaml), or remove that key and run init again",
        ));
    }
    if force {
        return std::fs::remove_file(&loaded.path).map_err(|e| {
            CliError::new(
                "EWRITE",
                format!("cannot replace {path}: {e}"),
                "check the file is writable",
            )
        });
    }
    Err(CliError::new(
        "EPOLICYEXISTS",
        format!("the project already has a policy: {path}"),
        "keep it (and merge what you want from crates/policy/examples/recommended.yaml), or pass --force to replace it",
    ))
}

/// `path` relative to `dir` when it lies inside it (the policy then travels with the project).
fn relative_to(path: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (path_abs, dir_abs) = (absolute(path), absolute(dir));
    let shown: PathBuf = path_abs
        .strip_prefix(&dir_abs)
        .map(Path::to_path_buf)
        .unwrap_or(path_abs.clone());
    shown.display().to_string()
}
