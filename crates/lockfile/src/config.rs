//! Registry settings of Yarn and Bun, read without side effects (the registry client applies
//! them): `.yarnrc.yml` (Yarn Berry), `.yarnrc` (Yarn classic) and `bunfig.toml` (Bun).
//! npm and pnpm read `.npmrc`, which the registry client already handles: their
//! [`RegistryConfig`] is empty.
//!
//! Tokens and passwords are kept in [`Secret`], whose `Debug` and `Display` never show them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::LockfileError;
use crate::model::Manager;

/// A credential. Printing it (`{}` or `{:?}`) shows `***`; [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself, for the `Authorization` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How to authenticate to one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Token(Secret),
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
}

/// One registry: where it is and how to authenticate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    /// The registry URL (as configured; callers normalise the trailing slash).
    pub url: Option<String>,
    /// Credentials, when configured.
    pub auth: Option<Auth>,
    /// Send credentials with every request, not only when asked (`npmAlwaysAuth`).
    pub always_auth: Option<bool>,
}

/// A package manager's registry configuration for a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryConfig {
    /// The registry for unscoped packages; its `url` is `None` when the manager's default
    /// applies (`https://registry.yarnpkg.com` for Yarn, `https://registry.npmjs.org/` for Bun).
    pub default_registry: Registry,
    /// Registries by scope, keyed with the `@` (`@corp`).
    pub scopes: BTreeMap<String, Registry>,
    /// Credentials per registry URL (Yarn's `npmRegistries`), keyed as written
    /// (`//npm.corp.example/`).
    pub registries: BTreeMap<String, Registry>,
    /// The files that were read, lowest precedence first.
    pub files: Vec<PathBuf>,
}

impl RegistryConfig {
    /// The registry a package named `name` comes from (its scope's, else the default).
    pub fn registry_for(&self, name: &str) -> &Registry {
        let scope = name
            .split_once('/')
            .map(|(s, _)| s)
            .filter(|s| s.starts_with('@'));
        scope
            .and_then(|s| self.scopes.get(s))
            .filter(|r| r.url.is_some())
            .unwrap_or(&self.default_registry)
    }
}

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
        Manager::YarnBerry => crate::config_yarn::read_yarnrc_yml(dir, home.as_deref(), env),
        Manager::Yarn => crate::config_yarn::read_yarnrc(dir, home.as_deref()),
        Manager::Bun => crate::config_bun::read_bunfig(dir, home.as_deref(), env),
        Manager::Npm | Manager::Pnpm => Ok(RegistryConfig::default()),
    }
}

/// Expands `${NAME}`, `${NAME:-fallback}` and `${NAME-fallback}` (Yarn's forms; Bun's `$NAME`
/// when `bare` is set). A variable that is not set and has no fallback is an error.
pub(crate) fn interpolate(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    bare: bool,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or("unterminated ${")?;
            out.push_str(&expand(&body[..end], env)?);
            rest = &body[end + 1..];
        } else if bare {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..len];
            match name.is_empty() {
                true => out.push('$'),
                false => out
                    .push_str(&env(name).ok_or(format!("environment variable {name} is not set"))?),
            }
            rest = &after[len..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn expand(body: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let (name, fallback) = match body.split_once(":-").or_else(|| body.split_once('-')) {
        Some((n, f)) => (n, Some(f)),
        None => (body, None),
    };
    let value = env(name).filter(|v| !(v.is_empty() && body.contains(":-")));
    value
        .or(fallback.map(str::to_string))
        .ok_or(format!("environment variable {name} is not set"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let auth = Auth::Token(Secret::new("npm_abcdef"));
        assert_eq!(format!("{auth:?}"), "Token(Secret(***))");
        assert_eq!(Secret::new("x").to_string(), "***");
        assert_eq!(Secret::new("x").expose(), "x");
    }

    #[test]
    fn interpolation() {
        let env = |n: &str| (n == "TOKEN").then(|| "t0k".to_string());
        assert_eq!(interpolate("${TOKEN}", &env, false).unwrap(), "t0k");
        assert_eq!(interpolate("a-${NOPE:-fb}", &env, false).unwrap(), "a-fb");
        assert_eq!(interpolate("$TOKEN/x", &env, true).unwrap(), "t0k/x");
        assert_eq!(interpolate("$TOKEN", &env, false).unwrap(), "$TOKEN");
        assert!(interpolate("${NOPE}", &env, false)
            .unwrap_err()
            .contains("NOPE"));
    }
}
