//! npm configuration as npm reads it: `.npmrc` files and `npm_config_*` environment variables.
//!
//! Precedence, lowest first: npm's builtin npmrc (in npm's own folder), the global npmrc
//! (`npm_config_globalconfig` or a `globalconfig` in the files above it, else
//! `<prefix>/etc/npmrc` with npm's prefix: `npm_config_prefix`, a `prefix` in the project, user
//! or builtin npmrc, `PREFIX`, else the folder above node's), the user npmrc
//! (`npm_config_userconfig`, a `userconfig` in the project or builtin npmrc, else `~/.npmrc`), the
//! project `.npmrc`, environment variables, and explicit overrides (CLI flags).
//! Credentials are kept here and only ever leave as an HTTP header for the host they were
//! configured for; `Debug` never prints them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use url::Url;

/// The public npm registry, npm's default.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org/";

/// Settings given on the command line or through the JS API; they win over every file.
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    /// `--registry URL`.
    pub registry: Option<String>,
}

/// The resolved npm configuration that verification needs.
#[derive(Clone)]
pub struct NpmConfig {
    values: HashMap<String, String>,
    /// The files that were read, lowest precedence first.
    pub sources: Vec<PathBuf>,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A registry setting is not an http(s) URL.
    #[error("{key}: '{value}' is not an http(s) URL")]
    BadRegistry { key: String, value: String },
    /// A configured file could not be read.
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
}

impl std::fmt::Debug for NpmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&String> = self.values.keys().collect();
        f.debug_struct("NpmConfig").field("keys", &keys).finish()
    }
}

impl NpmConfig {
    /// Reads the configuration that applies to a project directory.
    pub fn load(project: &Path, overrides: &ConfigOverrides) -> Result<NpmConfig, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::load_with_env(project, overrides, &env)
    }

    /// Like [`NpmConfig::load`], with an explicit environment (for tests).
    pub fn load_with_env(
        project: &Path,
        overrides: &ConfigOverrides,
        env: &HashMap<String, String>,
    ) -> Result<NpmConfig, ConfigError> {
        let mut config = NpmConfig {
            values: HashMap::new(),
            sources: Vec::new(),
        };
        for layer in config_layers(project, env)? {
            config.values.extend(layer.values);
            config.sources.extend(layer.sources);
        }
        config.apply_env(env);
        if let Some(registry) = &overrides.registry {
            config.values.insert("registry".into(), registry.clone());
        }
        config.registry()?;
        Ok(config)
    }

    /// Builds a configuration from `.npmrc` text alone (for tests and embedding).
    pub fn from_text(text: &str) -> NpmConfig {
        let mut config = NpmConfig {
            values: HashMap::new(),
            sources: Vec::new(),
        };
        config.read_text(text, &HashMap::new());
        config
    }

    /// Builds a configuration from `.npmrc` text, expanding `${VAR}` from `env` as npm does
    /// (a server's upstream settings, with tokens from its environment).
    pub fn from_text_with_env(text: &str, env: &HashMap<String, String>) -> NpmConfig {
        let mut config = NpmConfig {
            values: HashMap::new(),
            sources: Vec::new(),
        };
        config.read_text(text, env);
        config
    }

    fn read_file(&mut self, path: &Path, env: &HashMap<String, String>) -> Result<(), ConfigError> {
        match sigverify_lockfile::read_regular_text(path, sigverify_lockfile::MANIFEST_LIMIT) {
            Ok(text) => {
                self.read_text(&text, env);
                self.sources.push(path.to_path_buf());
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(ConfigError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }

    fn read_text(&mut self, text: &str, env: &HashMap<String, String>) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                let value = expand_env(unquote(value.trim()), env);
                self.values.insert(key.trim().to_string(), value);
            }
        }
    }

    /// `npm_config_strict_ssl=false` → `strict-ssl`, as @npmcli/config maps them.
    fn apply_env(&mut self, env: &HashMap<String, String>) {
        for (key, value) in env {
            let lower = key.to_ascii_lowercase();
            let Some(name) = lower.strip_prefix("npm_config_") else {
                continue;
            };
            if name.is_empty() || name.starts_with('_') {
                continue;
            }
            self.values.insert(name.replace('_', "-"), value.clone());
        }
    }

    /// Sets one value (a package manager's own configuration mapped to npm's keys).
    pub(crate) fn set(&mut self, key: String, value: String) {
        self.values.insert(key, value);
    }

    /// A raw setting.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The default registry, normalised with a trailing slash.
    pub fn registry(&self) -> Result<Url, ConfigError> {
        parse_registry("registry", self.get("registry").unwrap_or(DEFAULT_REGISTRY))
    }

    /// The registry that serves a package: its scope's registry (`@scope:registry`) or the default.
    pub fn registry_for(&self, name: &str) -> Result<Url, ConfigError> {
        if let Some((scope, _)) = name.split_once('/').filter(|_| name.starts_with('@')) {
            let key = format!("{scope}:registry");
            if let Some(value) = self.get(&key) {
                return parse_registry(&key, value);
            }
        }
        self.registry()
    }

    /// `strict-ssl` (default true).
    pub fn strict_ssl(&self) -> bool {
        self.get("strict-ssl").map(|v| v != "false").unwrap_or(true)
    }

    /// `cafile`, if set.
    pub fn cafile(&self) -> Option<PathBuf> {
        self.get("cafile").map(PathBuf::from)
    }

    /// `https-proxy` / `proxy` from npm config (environment proxies are honoured by the client).
    pub fn proxy_for(&self, url: &Url) -> Option<&str> {
        if url.scheme() == "https" {
            self.get("https-proxy").or_else(|| self.get("proxy"))
        } else {
            self.get("proxy")
        }
    }

    /// The `Authorization` header value for a request URL, found like npm-registry-fetch does:
    /// the longest `//host[:port]/path/` prefix of the URL that has credentials.
    pub fn authorization_for(&self, url: &Url) -> Option<String> {
        let host = url.host_str()?;
        let host = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let mut path = url.path().to_string();
        loop {
            let prefix = format!("//{host}{}", path_dir(&path));
            if let Some(auth) = self.credential_at(&prefix) {
                return Some(auth);
            }
            if path == "/" || path.is_empty() {
                return None;
            }
            path = parent_path(&path);
        }
    }

    fn credential_at(&self, prefix: &str) -> Option<String> {
        if let Some(token) = self.get(&format!("{prefix}:_authToken")) {
            return Some(format!("Bearer {token}"));
        }
        if let Some(auth) = self.get(&format!("{prefix}:_auth")) {
            return Some(format!("Basic {auth}"));
        }
        let user = self.get(&format!("{prefix}:username"))?;
        let password = self.get(&format!("{prefix}:_password"))?;
        let password = STANDARD.decode(password).ok()?;
        let pair = format!("{user}:{}", String::from_utf8_lossy(&password));
        Some(format!("Basic {}", STANDARD.encode(pair)))
    }

    /// Every configured secret, so output can be scrubbed of them as a last line of defence.
    pub fn secrets(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|(k, _)| {
                k.ends_with("_authToken")
                    || k.ends_with("_auth")
                    || k.ends_with("_password")
                    || k.ends_with("_rawPassword")
            })
            .map(|(_, v)| v.clone())
            .chain(
                // The user information of URL settings (registries, proxies), which the text
                // redaction may not recognise in a URL no parser accepts.
                self.values
                    .values()
                    .flat_map(|v| crate::model::redact::url_secrets(v)),
            )
            .filter(|v| v.len() >= 4)
            .collect()
    }
}

/// The npmrc files npm reads for `project`, each parsed once, lowest precedence first: npm's
/// builtin file, the global, user and project files (those that are there).
///
/// Which files those are follows `@npmcli/config`'s `load()`: the project file may say where the
/// user file is (`userconfig`), and the project or user file where the global one is
/// (`globalconfig`, else `prefix` + `etc/npmrc`); the builtin file may set any of them. A project
/// file that is the user file is read once, as the user's.
fn config_layers(
    project: &Path,
    env: &HashMap<String, String>,
) -> Result<Vec<NpmConfig>, ConfigError> {
    let lookup = |k: &str| env.get(k).or_else(|| env.get(&k.to_ascii_uppercase()));
    let from_env = |key: &str| lookup(&format!("npm_config_{key}")).filter(|v| !v.is_empty());
    // Files npm finds on its own are read when they are files; a configured one must be readable.
    let builtin = match npm_root(env).map(|root| root.join("npmrc")) {
        Some(file) if file.is_file() => read_layer(&file, env)?,
        _ => None,
    };
    let home_file = (env.get("HOME").or_else(|| env.get("USERPROFILE")))
        .map(|home| Path::new(home).join(".npmrc"));
    let user_file = |layers: &[&Option<NpmConfig>]| {
        let configured = from_env("userconfig")
            .map(String::as_str)
            .or_else(|| setting_in(layers, "userconfig"));
        configured
            .map(|file| npm_path(file, env))
            .or(home_file.clone())
    };
    let project_file = absolute(&project.join(".npmrc"));
    let project = if user_file(&[&builtin]).map(|f| absolute(&f)) == Some(project_file.clone()) {
        None
    } else {
        read_layer(&project_file, env)?
    };
    let user = match user_file(&[&project, &builtin]) {
        Some(file) => read_layer(&file, env)?,
        None => None,
    };
    let above = [&project, &user, &builtin];
    let setting = |key: &str| {
        from_env(key)
            .map(String::as_str)
            .or_else(|| setting_in(&above, key))
    };
    let global_file = match setting("globalconfig") {
        Some(file) => Some(npm_path(file, env)),
        None => (setting("prefix").map(|prefix| npm_path(prefix, env)))
            .or_else(|| default_prefix(env))
            .map(|prefix| prefix.join("etc").join("npmrc"))
            .filter(|file| file.is_file()),
    };
    let global = match global_file {
        Some(file) => read_layer(&file, env)?,
        None => None,
    };
    Ok([builtin, global, user, project]
        .into_iter()
        .flatten()
        .collect())
}

/// The first layer (highest precedence first) that sets `key`.
fn setting_in<'a>(layers: &[&'a Option<NpmConfig>], key: &str) -> Option<&'a str> {
    layers.iter().find_map(|layer| layer.as_ref()?.get(key))
}

/// One npmrc file parsed on its own, or `None` when it is not there (npm skips a missing file).
fn read_layer(
    path: &Path,
    env: &HashMap<String, String>,
) -> Result<Option<NpmConfig>, ConfigError> {
    let mut layer = NpmConfig::from_text("");
    layer.read_file(path, env)?;
    Ok((!layer.sources.is_empty()).then_some(layer))
}

/// A path made absolute against the working folder, as npm's `path.resolve` compares them.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// npm's own folder, where its builtin `npmrc` is: the package the first `npm` on `PATH` runs
/// (`<root>/bin/npm-cli.js` once links are resolved), else where npm is installed beside node
/// (`<prefix>/lib/node_modules/npm`; `<prefix>/node_modules/npm` on Windows).
fn npm_root(env: &HashMap<String, String>) -> Option<PathBuf> {
    let path = env.get("PATH").or_else(|| env.get("Path"));
    let on_path = path.and_then(|path| {
        let npm = std::env::split_paths(path)
            .map(|dir| dir.join("npm"))
            .find(|candidate| candidate.is_file())?;
        let script = npm.canonicalize().ok()?;
        let bin = script
            .parent()
            .filter(|_| script.ends_with("bin/npm-cli.js"))?;
        bin.parent().map(Path::to_path_buf)
    });
    on_path.or_else(|| {
        let prefix = default_prefix(env)?;
        let lib = if cfg!(windows) {
            prefix
        } else {
            prefix.join("lib")
        };
        Some(lib.join("node_modules").join("npm"))
    })
}

/// A path setting as npm reads one: a leading `~/` is the home folder (`HOME`).
fn npm_path(value: &str, env: &HashMap<String, String>) -> PathBuf {
    let home = env.get("HOME").or_else(|| env.get("USERPROFILE"));
    let rest = value.strip_prefix("~/");
    let rest = rest.or_else(|| value.strip_prefix("~\\").filter(|_| cfg!(windows)));
    match (rest, home) {
        (Some(rest), Some(home)) => Path::new(home).join(rest),
        _ => PathBuf::from(value),
    }
}

/// npm's global prefix when nothing configures one (`@npmcli/config`'s `loadGlobalPrefix`):
/// `PREFIX`, else the folder above the one holding node (`/usr/bin/node` -> `/usr`; on
/// Windows node's own folder), under `DESTDIR` when that is set (not on Windows).
fn default_prefix(env: &HashMap<String, String>) -> Option<PathBuf> {
    if let Some(prefix) = env.get("PREFIX").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(prefix));
    }
    let node = node_executable(env)?;
    if cfg!(windows) {
        return node.parent().map(Path::to_path_buf);
    }
    let prefix = node.parent()?.parent()?;
    match env.get("DESTDIR").filter(|d| !d.is_empty()) {
        Some(destdir) => Some(Path::new(destdir).join(prefix.strip_prefix("/").unwrap_or(prefix))),
        None => Some(prefix.to_path_buf()),
    }
}

/// The node npm runs on, as Node's `process.execPath` names it (links resolved): this process
/// when it is node (the addon), else the first `node` on `PATH` (npm's `#!/usr/bin/env node`).
fn node_executable(env: &HashMap<String, String>) -> Option<PathBuf> {
    let name = if cfg!(windows) { "node.exe" } else { "node" };
    if let Ok(me) = std::env::current_exe() {
        if me.file_name().is_some_and(|n| n == name) {
            return Some(me);
        }
    }
    let path = env.get("PATH").or_else(|| env.get("Path"))?;
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .and_then(|node| node.canonicalize().ok())
}

fn parse_registry(key: &str, value: &str) -> Result<Url, ConfigError> {
    let bad = || ConfigError::BadRegistry {
        key: key.to_string(),
        value: value.to_string(),
    };
    let mut url = Url::parse(value).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// `${NAME}` → the environment variable, like npm (unset variables stay as written).
fn expand_env(value: &str, env: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + len];
        out.push_str(&rest[..start]);
        match env.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn path_dir(path: &str) -> String {
    if path.ends_with('/') {
        path.to_string()
    } else {
        parent_path(path)
    }
}

fn parent_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_string(),
        None => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scoped_registry_and_default() {
        let c = NpmConfig::from_text(
            "registry=http://127.0.0.1:4873\n@acme:registry=https://npm.acme.test/repo/\n",
        );
        assert_eq!(
            c.registry_for("left-pad").unwrap().as_str(),
            "http://127.0.0.1:4873/"
        );
        assert_eq!(
            c.registry_for("@acme/x").unwrap().as_str(),
            "https://npm.acme.test/repo/"
        );
        assert_eq!(
            c.registry_for("@other/x").unwrap().as_str(),
            "http://127.0.0.1:4873/"
        );
    }

    #[test]
    fn token_matches_longest_prefix_and_only_its_host() {
        let c = NpmConfig::from_text(
            "//npm.acme.test/repo/:_authToken=SECRET1\n//npm.acme.test/:_authToken=SECRET2\n",
        );
        let deep = c
            .authorization_for(&url("https://npm.acme.test/repo/@acme%2fx"))
            .unwrap();
        assert_eq!(deep, "Bearer SECRET1");
        let top = c
            .authorization_for(&url("https://npm.acme.test/other/x"))
            .unwrap();
        assert_eq!(top, "Bearer SECRET2");
        assert_eq!(c.authorization_for(&url("https://evil.test/repo/x")), None);
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn env_expansion_and_env_overrides() {
        let env: HashMap<String, String> = [
            ("TOKEN".to_string(), "abc123".to_string()),
            ("npm_config_strict_ssl".to_string(), "false".to_string()),
        ]
        .into();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".npmrc"), "//r.test/:_authToken=${TOKEN}\n").unwrap();
        let c = NpmConfig::load_with_env(dir.path(), &ConfigOverrides::default(), &env).unwrap();
        assert_eq!(
            c.authorization_for(&url("https://r.test/x")).unwrap(),
            "Bearer abc123"
        );
        assert!(!c.strict_ssl());
    }

    /// A folder with npmrc files where npm looks for them, and the environment that points there.
    struct Machine {
        dir: tempfile::TempDir,
        env: HashMap<String, String>,
    }

    impl Machine {
        /// node at `<dir>/node/bin/node` (first on `PATH`), the home folder `<dir>/home`.
        fn new() -> Machine {
            let dir = tempfile::tempdir().unwrap();
            let bin = dir.path().join("node/bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("node"), "").unwrap();
            std::fs::create_dir_all(dir.path().join("home")).unwrap();
            std::fs::create_dir_all(dir.path().join("project")).unwrap();
            let env = [
                ("PATH", bin.display().to_string()),
                ("HOME", dir.path().join("home").display().to_string()),
            ];
            let env = env.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            Machine { dir, env }
        }

        fn path(&self, rel: &str) -> PathBuf {
            self.dir.path().join(rel)
        }

        /// Writes `registry=http://<name>.test/` to `rel`.
        fn npmrc(&self, rel: &str, name: &str) -> PathBuf {
            let file = self.path(rel);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, format!("registry=http://{name}.test/\n")).unwrap();
            file
        }

        fn set(&mut self, key: &str, value: &str) {
            self.env.insert(key.to_string(), value.to_string());
        }

        /// The registry npm-sigverify reads for the project.
        fn registry(&self) -> String {
            let project = self.path("project");
            let config = NpmConfig::load_with_env(&project, &ConfigOverrides::default(), &self.env);
            config.unwrap().registry().unwrap().to_string()
        }
    }

    #[test]
    fn the_global_npmrc_is_the_one_in_the_folder_above_nodes() {
        let machine = Machine::new();
        assert_eq!(machine.registry(), DEFAULT_REGISTRY, "no global npmrc yet");
        let global = machine.npmrc("node/etc/npmrc", "global");
        assert_eq!(machine.registry(), "http://global.test/");
        let project = machine.path("project");
        let config =
            NpmConfig::load_with_env(&project, &ConfigOverrides::default(), &machine.env).unwrap();
        assert_eq!(config.sources, [global.canonicalize().unwrap()]);
        // The user and project files override it, as any lower file.
        machine.npmrc("home/.npmrc", "user");
        assert_eq!(machine.registry(), "http://user.test/");
        machine.npmrc("project/.npmrc", "project");
        assert_eq!(machine.registry(), "http://project.test/");
    }

    #[test]
    fn npms_prefix_settings_move_the_global_npmrc() {
        let mut machine = Machine::new();
        machine.npmrc("node/etc/npmrc", "node");
        // PREFIX replaces node's folder.
        machine.npmrc("env-prefix/etc/npmrc", "env-prefix");
        machine.set("PREFIX", &machine.path("env-prefix").display().to_string());
        assert_eq!(machine.registry(), "http://env-prefix.test/");
        // A `prefix` in the user npmrc (or the project's, which wins) replaces PREFIX.
        machine.npmrc("user-prefix/etc/npmrc", "user-prefix");
        let user_prefix = machine.path("user-prefix").display().to_string();
        std::fs::write(
            machine.path("home/.npmrc"),
            format!("prefix={user_prefix}\n"),
        )
        .unwrap();
        assert_eq!(machine.registry(), "http://user-prefix.test/");
        machine.npmrc("project-prefix/etc/npmrc", "project-prefix");
        let project_prefix = machine.path("project-prefix").display().to_string();
        let rc = format!("prefix={project_prefix}\n");
        std::fs::write(machine.path("project/.npmrc"), rc).unwrap();
        assert_eq!(machine.registry(), "http://project-prefix.test/");
        // A leading ~/ is the home folder, as npm reads a path.
        machine.npmrc("home/tilde/etc/npmrc", "tilde");
        std::fs::write(machine.path("home/.npmrc"), "prefix=~/tilde\n").unwrap();
        std::fs::remove_file(machine.path("project/.npmrc")).unwrap();
        assert_eq!(machine.registry(), "http://tilde.test/");
        // npm_config_prefix wins over the files.
        machine.npmrc("npm-prefix/etc/npmrc", "npm-prefix");
        machine.set(
            "npm_config_prefix",
            &machine.path("npm-prefix").display().to_string(),
        );
        assert_eq!(machine.registry(), "http://npm-prefix.test/");
        // A globalconfig names the file itself, from a file or the environment.
        let named = machine.npmrc("named.npmrc", "named");
        let rc = format!(
            "prefix={project_prefix}\nglobalconfig={}\n",
            named.display()
        );
        std::fs::write(machine.path("project/.npmrc"), rc).unwrap();
        assert_eq!(machine.registry(), "http://named.test/");
        let env_named = machine.npmrc("env-named.npmrc", "env-named");
        machine.set("npm_config_globalconfig", &env_named.display().to_string());
        assert_eq!(machine.registry(), "http://env-named.test/");
    }

    #[cfg(unix)]
    #[test]
    fn destdir_is_put_before_nodes_prefix_and_no_node_means_no_global_npmrc() {
        let mut machine = Machine::new();
        let prefix = machine.path("node");
        let under = format!(
            "dest/{}/etc/npmrc",
            prefix.strip_prefix("/").unwrap().display()
        );
        machine.npmrc(&under, "destdir");
        machine.set("DESTDIR", &machine.path("dest").display().to_string());
        assert_eq!(machine.registry(), "http://destdir.test/");
        machine.set("PATH", &machine.path("home").display().to_string());
        assert_eq!(machine.registry(), DEFAULT_REGISTRY, "no node on PATH");
    }

    #[test]
    fn npms_builtin_npmrc_is_the_lowest_file_and_may_move_the_global_one() {
        let machine = Machine::new();
        // npm installed beside node, not on PATH: `<prefix>/lib/node_modules/npm/npmrc`.
        let beside = if cfg!(windows) { "node" } else { "node/lib" };
        let builtin = machine.npmrc(&format!("{beside}/node_modules/npm/npmrc"), "builtin");
        assert_eq!(machine.registry(), "http://builtin.test/");
        machine.npmrc("node/etc/npmrc", "global");
        assert_eq!(
            machine.registry(),
            "http://global.test/",
            "the global file wins"
        );
        let config = NpmConfig::load_with_env(
            &machine.path("project"),
            &ConfigOverrides::default(),
            &machine.env,
        );
        assert_eq!(config.unwrap().sources.len(), 2, "builtin, then global");
        // A prefix in the builtin file is where the global file is (distributions set one).
        machine.npmrc("distro/etc/npmrc", "distro");
        let prefix = machine.path("distro").display().to_string();
        std::fs::write(&builtin, format!("prefix={prefix}\n")).unwrap();
        assert_eq!(machine.registry(), "http://distro.test/");
    }

    #[cfg(unix)]
    #[test]
    fn npms_folder_is_the_one_the_npm_on_path_runs() {
        let mut machine = Machine::new();
        machine.npmrc("node/lib/node_modules/npm/npmrc", "beside-node");
        let script = machine.path("other/lib/node_modules/npm/bin/npm-cli.js");
        std::fs::create_dir_all(script.parent().unwrap()).unwrap();
        std::fs::write(&script, "").unwrap();
        machine.npmrc("other/lib/node_modules/npm/npmrc", "on-path");
        let bin = machine.path("other/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(&script, bin.join("npm")).unwrap();
        let path = format!("{}:{}", bin.display(), machine.path("node/bin").display());
        machine.set("PATH", &path);
        assert_eq!(machine.registry(), "http://on-path.test/");
    }

    #[test]
    fn a_project_npmrc_may_say_where_the_user_npmrc_is() {
        let machine = Machine::new();
        machine.npmrc("home/.npmrc", "home");
        let elsewhere = machine.npmrc("elsewhere.npmrc", "elsewhere");
        let rc = format!("userconfig={}\n", elsewhere.display());
        std::fs::write(machine.path("project/.npmrc"), rc).unwrap();
        assert_eq!(machine.registry(), "http://elsewhere.test/");
        // The user file it names may in turn say where the global file is.
        let global = machine.npmrc("named-global.npmrc", "named-global");
        let rc = format!("globalconfig={}\n", global.display());
        std::fs::write(&elsewhere, rc).unwrap();
        assert_eq!(machine.registry(), "http://named-global.test/");
    }

    #[test]
    fn a_project_in_the_home_folder_reads_its_npmrc_once_as_the_users() {
        let mut machine = Machine::new();
        let file = machine.npmrc("project/.npmrc", "home-project");
        machine.set("HOME", &machine.path("project").display().to_string());
        let config = NpmConfig::load_with_env(
            &machine.path("project"),
            &ConfigOverrides::default(),
            &machine.env,
        )
        .unwrap();
        assert_eq!(
            config.registry().unwrap().as_str(),
            "http://home-project.test/"
        );
        assert_eq!(config.sources, [file]);
    }

    #[test]
    fn bad_registry_is_a_config_error() {
        let c = NpmConfig::from_text("registry=ftp://x\n");
        assert!(matches!(c.registry(), Err(ConfigError::BadRegistry { .. })));
    }
}
