//! Registry settings of Yarn and Bun, read without side effects (the registry client applies
//! them): `.yarnrc.yml` (Yarn Berry), `.yarnrc` (Yarn classic) and `bunfig.toml` (Bun).
//! npm and pnpm read `.npmrc`, which the registry client already handles: their
//! [`RegistryConfig`] is empty.
//!
//! Tokens and passwords are kept in [`Secret`], whose `Debug` and `Display` never show them.

mod bun;
mod interpolate;
mod registry;
mod yarn;

use std::path::{Path, PathBuf};

use crate::error::LockfileError;
use crate::model::Manager;
pub use bun::bun_security_scanner;
pub use registry::{Auth, Registry, RegistryConfig, Secret};

/// Reads the registry configuration `manager` uses for the project in `dir`, with the
/// process environment for `${VAR}` references.
pub fn manager_config(dir: &Path, manager: Manager) -> Result<RegistryConfig, LockfileError> {
    let env = |name: &str| std::env::var(name).ok();
    manager_config_with_env(dir, manager, &env)
}

/// [`manager_config`] with `env` standing in for the environment (tests, sandboxes).
pub fn manager_config_with_env(
    dir: &Path,
    manager: Manager,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RegistryConfig, LockfileError> {
    let home = env("HOME").map(PathBuf::from);
    match manager {
        Manager::YarnBerry => yarn::read_yarnrc_yml(dir, home.as_deref(), env),
        Manager::Yarn => yarn::read_yarnrc(dir, home.as_deref()),
        Manager::Bun => bun::read_bunfig(dir, home.as_deref(), env),
        Manager::Npm | Manager::Pnpm => Ok(RegistryConfig::default()),
    }
}
