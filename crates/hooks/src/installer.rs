//! Which package manager installs the project, and how each one installs with scripts off.
//! The manager is the one whose lockfile the verification read (`Report::manager`), so the
//! tree that is installed is the tree that was verified.
//!
//! | manager | install, no scripts | registry |
//! |---|---|---|
//! | npm | `npm ci --ignore-scripts` | `--registry=` |
//! | pnpm | `pnpm install --frozen-lockfile --ignore-scripts` | `--registry=` |
//! | Yarn 1 | `yarn install --frozen-lockfile --ignore-scripts --non-interactive` | `--registry` |
//! | Yarn 2-4 | `yarn install --immutable --mode=skip-build` | `YARN_NPM_REGISTRY_SERVER` |
//! | Bun | `bun install --frozen-lockfile --ignore-scripts` | `--registry=` |
//!
//! Extra arguments are for `npm ci` only (checked against an allow-list there); the other
//! managers take none, so nothing the user adds can turn their scripts back on.

use std::path::{Path, PathBuf};

use crate::npm::{ci_args, Command};

/// A package manager the safe install drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Installer {
    /// npm.
    #[default]
    Npm,
    /// pnpm.
    Pnpm,
    /// Yarn 1.
    YarnClassic,
    /// Yarn 2-4.
    YarnBerry,
    /// Bun.
    Bun,
}

impl Installer {
    /// The installer of a report's `manager` (`npm`, `pnpm`, `yarn`, `yarn-berry`, `bun`).
    pub fn from_manager(manager: &str) -> Installer {
        match manager {
            "pnpm" => Installer::Pnpm,
            "yarn" => Installer::YarnClassic,
            "yarn-berry" => Installer::YarnBerry,
            "bun" => Installer::Bun,
            _ => Installer::Npm,
        }
    }

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Installer::Npm => "npm",
            Installer::Pnpm => "pnpm",
            Installer::YarnClassic => "Yarn 1",
            Installer::YarnBerry => "Yarn",
            Installer::Bun => "Bun",
        }
    }

    fn program(self, npm: &Path) -> PathBuf {
        let name = match self {
            Installer::Npm => return npm.to_path_buf(),
            Installer::Pnpm => "pnpm",
            Installer::YarnClassic | Installer::YarnBerry => "yarn",
            Installer::Bun => "bun",
        };
        PathBuf::from(if cfg!(windows) && self != Installer::Bun {
            format!("{name}.cmd")
        } else {
            name.to_string()
        })
    }

    /// The install of the locked tree with every install script off.
    pub fn install(self, npm: &Path, registry: Option<&str>, extra: &[String]) -> Command {
        let mut env = Vec::new();
        let mut args: Vec<String> = match self {
            Installer::Npm => ci_args(registry, extra),
            Installer::Pnpm => words("install --frozen-lockfile --ignore-scripts"),
            Installer::YarnClassic => {
                words("install --frozen-lockfile --ignore-scripts --non-interactive")
            }
            Installer::YarnBerry => words("install --immutable --mode=skip-build"),
            Installer::Bun => words("install --frozen-lockfile --ignore-scripts"),
        };
        match (self, registry) {
            (Installer::Npm, _) | (_, None) => {}
            (Installer::YarnBerry, Some(url)) => {
                env.push(("YARN_NPM_REGISTRY_SERVER".into(), url.to_string()))
            }
            (Installer::YarnClassic, Some(url)) => {
                args.extend(["--registry".to_string(), url.to_string()])
            }
            (_, Some(url)) => args.push(format!("--registry={url}")),
        }
        Command {
            program: self.program(npm),
            args,
            env,
        }
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(' ').map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_manager_installs_with_scripts_off() {
        let npm = PathBuf::from("npm");
        for manager in ["npm", "pnpm", "yarn", "yarn-berry", "bun"] {
            let installer = Installer::from_manager(manager);
            let command = installer.install(&npm, Some("http://127.0.0.1:1/"), &[]);
            let line = command.args.join(" ");
            let off = line.contains("--ignore-scripts") || line.contains("--mode=skip-build");
            assert!(off, "{manager}: {line}");
            let frozen = ["ci", "--frozen-lockfile", "--immutable"];
            assert!(
                frozen.iter().any(|f| command.args.iter().any(|a| a == f)),
                "{manager}"
            );
        }
        let berry = Installer::YarnBerry.install(&npm, Some("http://r/"), &[]);
        assert_eq!(
            berry.env,
            [(
                "YARN_NPM_REGISTRY_SERVER".to_string(),
                "http://r/".to_string()
            )]
        );
    }
}
