//! Bun's registry settings: `[install] registry` and `[install.scopes]` of `bunfig.toml`
//! (the global `~/.bunfig.toml` first, the project's winning), then `BUN_CONFIG_REGISTRY`.
//!
//! A registry is a URL string (credentials may sit in it: `https://user:pass@host/`) or a
//! table `{ url, token }` / `{ url, username, password }`; `$VAR` and `${VAR}` are expanded.

use std::path::{Path, PathBuf};

use toml::Value;

use super::interpolate::interpolate;
use super::registry::{Auth, Registry, RegistryConfig, Secret};
use crate::error::{io_error, LockfileError};

/// Reads Bun's configuration.
pub(crate) fn read_bunfig(
    dir: &Path,
    home: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RegistryConfig, LockfileError> {
    let mut config = RegistryConfig::default();
    let files: Vec<PathBuf> = home
        .map(|h| h.join(".bunfig.toml"))
        .into_iter()
        .chain([dir.join("bunfig.toml")])
        .filter(|f| f.is_file())
        .collect();
    for file in files {
        let text = crate::file::read_regular_text(&file, crate::file::MANIFEST_LIMIT)
            .map_err(|e| io_error(&file, e))?;
        let doc: toml::Table = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
        let install = doc.get("install").and_then(Value::as_table);
        let reader = Reader { file: &file, env };
        if let Some(value) = install.and_then(|i| i.get("registry")) {
            config.default_registry = reader.registry(value, "install.registry")?;
        }
        let scopes = install
            .and_then(|i| i.get("scopes"))
            .and_then(Value::as_table);
        for (scope, value) in scopes.into_iter().flatten() {
            let key = format!("@{}", scope.trim_start_matches('@'));
            let registry = reader.registry(value, &format!("install.scopes.{scope}"))?;
            config.scopes.insert(key, registry);
        }
        config.files.push(file);
    }
    if let Some(url) = env("BUN_CONFIG_REGISTRY").filter(|u| !u.is_empty()) {
        config.default_registry.url = Some(url);
    }
    Ok(config)
}

/// The security scanner the project's `bunfig.toml` names (`[install.security] scanner`): a
/// package Bun loads and runs during every install, scripts off or not.
pub fn bun_security_scanner(dir: &Path) -> Result<Option<String>, LockfileError> {
    let file = dir.join("bunfig.toml");
    let Ok(text) = crate::file::read_regular_text(&file, crate::file::MANIFEST_LIMIT) else {
        return Ok(None);
    };
    let doc: toml::Table = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
    let scanner = doc
        .get("install")
        .and_then(|i| i.get("security"))
        .and_then(|s| s.get("scanner"));
    Ok(scanner.map(|v| match v.as_str() {
        Some(name) => name.to_string(),
        None => format!("{v:?}"),
    }))
}

fn toml_error(file: &Path, text: &str, e: &toml::de::Error) -> LockfileError {
    let (line, column) = match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            (line, column)
        }
        None => (0, 0),
    };
    LockfileError::Config {
        file: file.to_path_buf(),
        line,
        column,
        message: e.message().to_string(),
    }
}

struct Reader<'a> {
    file: &'a Path,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Reader<'_> {
    fn error(&self, at: &str, message: String) -> LockfileError {
        LockfileError::Config {
            file: self.file.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("{at}: {message}"),
        }
    }

    fn text(&self, value: &Value, at: &str) -> Result<String, LockfileError> {
        let s = value
            .as_str()
            .ok_or_else(|| self.error(at, "expected a string".into()))?;
        interpolate(s, self.env, true).map_err(|m| self.error(at, m))
    }

    fn field(
        &self,
        table: &toml::Table,
        key: &str,
        at: &str,
    ) -> Result<Option<String>, LockfileError> {
        table
            .get(key)
            .map(|v| self.text(v, &format!("{at}.{key}")))
            .transpose()
    }

    /// A registry given as a URL string or a table.
    fn registry(&self, value: &Value, at: &str) -> Result<Registry, LockfileError> {
        if value.is_str() {
            return Ok(Registry {
                url: Some(self.text(value, at)?),
                ..Registry::default()
            });
        }
        let table = value
            .as_table()
            .ok_or_else(|| self.error(at, "expected a URL or a table".into()))?;
        let token = self.field(table, "token", at)?;
        let username = self.field(table, "username", at)?;
        let password = self.field(table, "password", at)?;
        let auth = match (token, username) {
            (Some(t), _) => Some(Auth::Token(Secret::new(t))),
            (None, Some(username)) => Some(Auth::Basic {
                username,
                password: Secret::new(password.unwrap_or_default()),
            }),
            (None, None) => None,
        };
        Ok(Registry {
            url: self.field(table, "url", at)?,
            auth,
            always_auth: None,
        })
    }
}
