//! What a project can make its manager run during the scripts-off install itself, before the
//! installed tree is verified: code no check has judged, which `--ignore-scripts` does not
//! stop. The safe install refuses such a project before the manager runs.
//!
//! - pnpm's `configDependencies` (pnpm-workspace.yaml): installed and loaded (their
//!   `pnpmfile.cjs`) before the lockfile's packages, and not in the lockfile we verify.
//! - Yarn's git dependencies: Yarn 1 and Yarn 2-4 prepare a git dependency by installing it
//!   with its scripts on (`prepare`, `postinstall`) while fetching it.
//! - Bun's `[install.security] scanner` (bunfig.toml) other than ours: a package Bun loads
//!   and runs during the install.

use std::path::Path;

use sigverify_core::PackageResult;

use crate::installer::Installer;

/// Our own scanner, which judges with the project's policy.
const OUR_BUN_SCANNER: &str = "npm-sigverify/bun-scanner";

/// Why `installer` would run unjudged code while installing the project in `dir` (whose
/// lockfile verification judged `locked`), if it would.
pub(crate) fn unjudged_code(
    dir: &Path,
    installer: Installer,
    locked: &[PackageResult],
) -> Option<String> {
    match installer {
        Installer::Pnpm => pnpm_config_dependencies(dir),
        Installer::YarnClassic | Installer::YarnBerry => yarn_git_dependencies(installer, locked),
        Installer::Bun => bun_scanner(dir),
        Installer::Npm => None,
    }
}

fn pnpm_config_dependencies(dir: &Path) -> Option<String> {
    let workspace = crate::allow::pnpm_workspace(dir);
    let names: Vec<&String> = workspace["configDependencies"]
        .as_object()
        .map(|deps| deps.keys().collect())
        .unwrap_or_default();
    (!names.is_empty()).then(|| {
        let names: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
        format!(
            "pnpm-workspace.yaml lists configDependencies ({}): pnpm installs and loads them before the packages of the lockfile, with scripts off or not, and no verification covers them; remove them, or install without npm-sigverify install",
            names.join(", ")
        )
    })
}

fn yarn_git_dependencies(installer: Installer, locked: &[PackageResult]) -> Option<String> {
    let git: Vec<String> = locked
        .iter()
        .filter(|p| p.source == "git")
        .map(|p| p.id())
        .collect();
    (!git.is_empty()).then(|| {
        format!(
            "{} prepares git dependencies by installing them with their scripts on while fetching them, which a scripts-off install does not stop: {}; depend on a published version instead, or install without npm-sigverify install",
            installer.name(),
            git.join(", ")
        )
    })
}

fn bun_scanner(dir: &Path) -> Option<String> {
    match sigverify_lockfile::bun_security_scanner(dir) {
        Ok(None) => None,
        Ok(Some(name)) if name == OUR_BUN_SCANNER => None,
        Ok(Some(name)) => Some(format!(
            "bunfig.toml names the security scanner {name}: Bun loads and runs it during the install, before anything verifies it; use {OUR_BUN_SCANNER} or none"
        )),
        Err(e) => Some(format!(
            "bunfig.toml cannot be read, so whether Bun would load a security scanner is not known: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(sources: &[(&str, &str)]) -> Vec<PackageResult> {
        let package = |(name, source): &(&str, &str)| {
            PackageResult::new(name, "1.0.0", &format!("node_modules/{name}"), source)
        };
        sources.iter().map(package).collect()
    }

    #[test]
    fn code_the_manager_runs_before_any_check_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let clean = report(&[("a", "registry")]);
        for installer in [
            Installer::Pnpm,
            Installer::Bun,
            Installer::YarnBerry,
            Installer::Npm,
        ] {
            assert_eq!(unjudged_code(dir.path(), installer, &clean), None);
        }
        let git = report(&[("a", "registry"), ("gitdep", "git")]);
        let why = unjudged_code(dir.path(), Installer::YarnClassic, &git).unwrap();
        assert!(why.contains("gitdep@1.0.0"), "{why}");
        assert_eq!(
            unjudged_code(dir.path(), Installer::Pnpm, &git),
            None,
            "pnpm runs no git scripts"
        );
        std::fs::write(
            dir.path().join("pnpm-workspace.yaml"),
            "configDependencies:\n  pnpm-plugin-x: \"1.0.0+sha512-abc\"\n",
        )
        .unwrap();
        let why = unjudged_code(dir.path(), Installer::Pnpm, &clean).unwrap();
        assert!(why.contains("pnpm-plugin-x"), "{why}");
        let bunfig = dir.path().join("bunfig.toml");
        std::fs::write(
            &bunfig,
            "[install.security]\nscanner = \"npm-sigverify/bun-scanner\"\n",
        )
        .unwrap();
        assert_eq!(unjudged_code(dir.path(), Installer::Bun, &clean), None);
        std::fs::write(&bunfig, "[install.security]\nscanner = \"evilscanner\"\n").unwrap();
        let why = unjudged_code(dir.path(), Installer::Bun, &clean).unwrap();
        assert!(why.contains("evilscanner"), "{why}");
        std::fs::write(&bunfig, "install.security.scanner = \"evil2\"\n").unwrap();
        assert!(unjudged_code(dir.path(), Installer::Bun, &clean)
            .unwrap()
            .contains("evil2"));
    }
}
