//! Yarn's registry settings: `.yarnrc.yml` (Berry) and `.yarnrc` (classic).
//!
//! Berry reads `~/.yarnrc.yml` first, then every `.yarnrc.yml` from the filesystem root down
//! to the project (nearer files win), then `YARN_*` environment variables. Settings read:
//! `npmRegistryServer`, `npmAuthToken`, `npmAuthIdent` (`user:password`), `npmAlwaysAuth`,
//! `npmScopes.<scope>.*` and `npmRegistries.<url>.*`, with `${VAR}` / `${VAR:-fallback}`
//! expanded. Classic's `.yarnrc` gives `registry` and `"@scope:registry"`; its credentials
//! live in `.npmrc`.

use std::path::{Path, PathBuf};

use super::interpolate::interpolate;
use super::registry::{Auth, Registry, RegistryConfig, Secret};
use crate::error::{io_error, LockfileError};
use crate::syntax::yaml::{parse_yaml, Node};
use crate::syntax::yarn::parse_yarn_syntax;

/// The rc files named `name` that apply to `dir`, lowest precedence first.
fn rc_files(dir: &Path, home: Option<&Path>, name: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = home.map(|h| h.join(name)).into_iter().collect();
    let mut ancestors: Vec<PathBuf> = dir.ancestors().map(|d| d.join(name)).collect();
    ancestors.reverse();
    files.extend(ancestors);
    files.dedup();
    files.into_iter().filter(|f| f.is_file()).collect()
}

/// Reads Berry's configuration.
pub(crate) fn read_yarnrc_yml(
    dir: &Path,
    home: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RegistryConfig, LockfileError> {
    let mut config = RegistryConfig::default();
    for file in rc_files(dir, home, ".yarnrc.yml") {
        let text = crate::file::read_regular_text(&file, crate::file::MANIFEST_LIMIT)
            .map_err(|e| io_error(&file, e))?;
        let doc = parse_yaml(&file, &text).map_err(|e| as_config(&file, e))?;
        let reader = Reader { file: &file, env };
        reader.apply(&doc, &mut config.default_registry)?;
        for (scope, node) in doc.get("npmScopes").and_then(Node::map).unwrap_or_default() {
            let key = format!("@{}", scope.trim_start_matches('@'));
            reader.apply(node, config.scopes.entry(key).or_default())?;
        }
        for (url, node) in doc
            .get("npmRegistries")
            .and_then(Node::map)
            .unwrap_or_default()
        {
            reader.apply(node, config.registries.entry(url.clone()).or_default())?;
        }
        config.files.push(file);
    }
    let env_doc = |key: &str| env(key).filter(|v| !v.is_empty());
    if let Some(url) = env_doc("YARN_NPM_REGISTRY_SERVER") {
        config.default_registry.url = Some(url);
    }
    if let Some(token) = env_doc("YARN_NPM_AUTH_TOKEN") {
        config.default_registry.auth = Some(Auth::Token(Secret::new(token)));
    }
    Ok(config)
}

/// A YAML parse error reported as a configuration error.
fn as_config(file: &Path, e: LockfileError) -> LockfileError {
    let (line, column) = match &e {
        LockfileError::Parse { line, column, .. } => (*line, *column),
        _ => (0, 0),
    };
    let message = match e {
        LockfileError::Parse { message, .. } => message,
        other => other.to_string(),
    };
    LockfileError::Config {
        file: file.to_path_buf(),
        line,
        column,
        message,
    }
}

struct Reader<'a> {
    file: &'a Path,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Reader<'_> {
    fn error(&self, node: &Node, message: String) -> LockfileError {
        LockfileError::Config {
            file: self.file.to_path_buf(),
            line: node.line,
            column: node.column,
            message,
        }
    }

    /// A string setting, with `${VAR}` expanded.
    fn string(&self, node: &Node, key: &str) -> Result<Option<String>, LockfileError> {
        let Some(value) = node.get(key) else {
            return Ok(None);
        };
        let text = value
            .str()
            .ok_or_else(|| self.error(value, format!("{key}: expected a string")))?;
        interpolate(text, self.env, false)
            .map(Some)
            .map_err(|m| self.error(value, format!("{key}: {m}")))
    }

    /// Applies the `npm*` settings of one mapping to `registry` (later files win).
    fn apply(&self, node: &Node, registry: &mut Registry) -> Result<(), LockfileError> {
        if let Some(url) = self.string(node, "npmRegistryServer")? {
            registry.url = Some(url);
        }
        if let Some(token) = self.string(node, "npmAuthToken")? {
            registry.auth = Some(Auth::Token(Secret::new(token)));
        }
        if let Some(ident) = self.string(node, "npmAuthIdent")? {
            let (username, password) = ident.split_once(':').unwrap_or((&ident, ""));
            registry.auth = Some(Auth::Basic {
                username: username.to_string(),
                password: Secret::new(password),
            });
        }
        if let Some(flag) = self.string(node, "npmAlwaysAuth")? {
            registry.always_auth = Some(flag == "true");
        }
        Ok(())
    }
}

/// Reads Yarn classic's `.yarnrc` files: `registry "url"` and `"@scope:registry" "url"`.
pub(crate) fn read_yarnrc(
    dir: &Path,
    home: Option<&Path>,
) -> Result<RegistryConfig, LockfileError> {
    let mut config = RegistryConfig::default();
    for file in rc_files(dir, home, ".yarnrc") {
        let text = crate::file::read_regular_text(&file, crate::file::MANIFEST_LIMIT)
            .map_err(|e| io_error(&file, e))?;
        let root = parse_yarn_syntax(&file, &text).map_err(|e| as_config(&file, e))?;
        for entry in root.block().unwrap_or_default() {
            let Some(url) = entry.value.str() else {
                continue;
            };
            for key in &entry.keys {
                if key == "registry" {
                    config.default_registry.url = Some(url.to_string());
                } else if let Some(scope) = key.strip_suffix(":registry") {
                    config.scopes.entry(scope.to_string()).or_default().url = Some(url.to_string());
                }
            }
        }
        config.files.push(file);
    }
    Ok(config)
}
