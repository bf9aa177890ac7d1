//! What a package manager's configuration says about registries: their URLs and credentials.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

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
}
