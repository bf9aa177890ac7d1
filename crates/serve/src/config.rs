//! What a gate is configured with (flags and environment, mapped by the CLI), and how that
//! becomes core's verification options.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sigverify_core::config::{CacheSettings, HttpOptions, ProvenanceOptions};
use sigverify_core::npmrc::NpmConfig;
use sigverify_core::{PolicyChoice, VerifyError, VerifyOptions};
use url::Url;

/// Everything `npm-sigverify serve` is configured with.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where installers and the verification API connect.
    pub listen: SocketAddr,
    /// A second listener for `/healthz`, `/readyz` and `/metrics` at the root (probes and
    /// scrapers); on the main listener they live under `/-/` so that no package name is shadowed.
    pub ops_listen: Option<SocketAddr>,
    /// The registry unscoped packages come from.
    pub upstream: Url,
    /// Registries of scopes (`@acme` → URL).
    pub scopes: BTreeMap<String, Url>,
    /// More npm settings (`.npmrc` syntax, `${VAR}` expanded from the environment): upstream
    /// credentials, `cafile`, proxies.
    pub npmrc: Option<PathBuf>,
    /// A token for the default upstream (from the environment, e.g. a Kubernetes Secret).
    pub upstream_token: Option<String>,
    /// The policy that decides (`None`: npm's defaults).
    pub policy: Option<PathBuf>,
    /// More policies the verification API can name (`?policy=NAME`).
    pub named_policies: BTreeMap<String, PathBuf>,
    /// The policy environment (`None`: NPM_SIGVERIFY_ENV, NODE_ENV, the policy's default).
    pub environment: Option<String>,
    /// The cache spec (`redis://...`, a folder, `off`); `None`: off.
    pub cache: Option<String>,
    /// A Sigstore trusted root replacing the embedded one.
    pub trusted_root: Option<PathBuf>,
    /// The URL installers reach the gate at (tarball URLs are rewritten to it); `None`: the
    /// request's `Host`.
    pub public_url: Option<Url>,
    /// Verifications (packuments judged) at once.
    pub verification_concurrency: usize,
    /// Registry requests at once within one verification.
    pub upstream_concurrency: usize,
    /// Judged packuments are used this long before they are revalidated with the upstream.
    pub packument_max_age: Duration,
    /// Judged packuments kept in memory at most.
    pub memo_entries: usize,
    /// The largest request body accepted (the verification API's lockfile).
    pub max_body: usize,
    /// The longest a request may take before it is answered (tarball bodies stream after).
    pub request_timeout: Duration,
    /// Timeout of one upstream request (a tarball body included).
    pub upstream_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// The cosign-format key VSAs of the verification API are signed with.
    pub vsa_key: Option<PathBuf>,
}

impl ServeConfig {
    /// The defaults for a gate in front of `upstream` on `listen`.
    pub fn new(listen: SocketAddr, upstream: Url) -> ServeConfig {
        ServeConfig {
            listen,
            ops_listen: None,
            upstream,
            scopes: BTreeMap::new(),
            npmrc: None,
            upstream_token: None,
            policy: None,
            named_policies: BTreeMap::new(),
            environment: None,
            cache: None,
            trusted_root: None,
            public_url: None,
            verification_concurrency: 8,
            upstream_concurrency: 16,
            packument_max_age: Duration::from_secs(60),
            memo_entries: 2000,
            max_body: 16 << 20,
            request_timeout: Duration::from_secs(60),
            upstream_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(20),
            vsa_key: None,
        }
    }

    /// The npm configuration of the upstreams: registry, scopes, the token, then `--npmrc`.
    pub fn npm_config(&self) -> Result<NpmConfig, VerifyError> {
        self.npm_config_with("")
    }

    /// [`Self::npm_config`] for lockfiles written through the gate at `host`: npm's
    /// `replace-registry-host` makes their `resolved` URLs count as the configured upstream.
    pub fn npm_config_replacing(&self, host: &str) -> Result<NpmConfig, VerifyError> {
        match host.is_empty() {
            true => self.npm_config(),
            false => self.npm_config_with(&format!("replace-registry-host={host}\n")),
        }
    }

    fn npm_config_with(&self, extra: &str) -> Result<NpmConfig, VerifyError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let mut text = format!("registry={}\n", self.upstream);
        for (scope, url) in &self.scopes {
            text.push_str(&format!("{scope}:registry={url}\n"));
        }
        if let Some(token) = &self.upstream_token {
            text.push_str(&format!(
                "{}:_authToken={token}\n",
                nerf_dart(&self.upstream)
            ));
        }
        if let Some(path) = &self.npmrc {
            let more = std::fs::read_to_string(path).map_err(|e| {
                VerifyError::Usage(format!("cannot read --npmrc {}: {e}", path.display()))
            })?;
            text.push_str(&more);
        }
        text.push_str(extra);
        let config = NpmConfig::from_text_with_env(&text, &env);
        config.registry()?;
        Ok(config)
    }

    /// Core's options for the gate's verifier under `policy` (a path, or npm's defaults).
    pub fn verify_options(&self, policy: Option<&PathBuf>) -> Result<VerifyOptions, VerifyError> {
        Ok(VerifyOptions {
            dir: std::env::temp_dir(),
            npm_config: Some(self.npm_config()?),
            concurrency: self.upstream_concurrency,
            http: HttpOptions {
                timeout: self.upstream_timeout,
                ..HttpOptions::default()
            },
            cache: CacheSettings {
                spec: Some(self.cache.clone().unwrap_or_else(|| "off".into())),
                max_age: None,
            },
            provenance: ProvenanceOptions {
                trusted_root: self.trusted_root.clone(),
                ..ProvenanceOptions::default()
            },
            policy: match policy {
                Some(path) => PolicyChoice::File(path.clone()),
                None => PolicyChoice::Defaults,
            },
            environment: self.environment.clone(),
            ..VerifyOptions::default()
        })
    }
}

/// npm's "nerf dart" of a registry URL: `//host[:port]/path/`, the key prefix of credentials.
pub fn nerf_dart(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("//{host}{port}{}", url.path())
}

/// Parses `@scope=URL`.
pub fn parse_scope(text: &str) -> Result<(String, Url), String> {
    let (scope, url) = text
        .split_once('=')
        .ok_or_else(|| format!("'{text}' is not @scope=URL"))?;
    if !scope.starts_with('@') || scope.len() < 2 || scope.contains('/') {
        return Err(format!("'{scope}' is not a scope (write @name)"));
    }
    Ok((scope.to_string(), parse_registry(url)?))
}

/// Parses a registry URL (http or https, with a trailing slash added).
pub fn parse_registry(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text).map_err(|e| format!("'{text}' is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("'{text}' is not an http(s) URL"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Parses `NAME=FILE` (a named policy for the verification API).
pub fn parse_named_policy(text: &str) -> Result<(String, PathBuf), String> {
    let (name, path) = text
        .split_once('=')
        .ok_or_else(|| format!("'{text}' is not NAME=FILE"))?;
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(format!(
            "policy name '{name}': use letters, digits, '-' and '_'"
        ));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_tokens_and_nerf_darts() {
        let mut config = ServeConfig::new(
            "127.0.0.1:0".parse().unwrap(),
            parse_registry("http://up.test:4873/npm").unwrap(),
        );
        let (scope, url) = parse_scope("@acme=https://npm.acme.test").unwrap();
        config.scopes.insert(scope, url);
        config.upstream_token = Some("s3cret-token".into());
        let npm = config.npm_config().unwrap();
        assert_eq!(
            npm.registry_for("@acme/x").unwrap().as_str(),
            "https://npm.acme.test/"
        );
        assert_eq!(
            npm.registry_for("x").unwrap().as_str(),
            "http://up.test:4873/npm/"
        );
        let url = Url::parse("http://up.test:4873/npm/x").unwrap();
        assert_eq!(
            npm.authorization_for(&url).as_deref(),
            Some("Bearer s3cret-token")
        );
        let other = Url::parse("https://npm.acme.test/@acme%2fx").unwrap();
        assert_eq!(npm.authorization_for(&other), None);
        assert!(npm.secrets().contains(&"s3cret-token".to_string()));
        assert!(parse_scope("acme=http://x.test").is_err());
        assert!(parse_scope("@acme=ftp://x.test").is_err());
        assert!(parse_named_policy("strict=p.yaml").is_ok());
        assert!(parse_named_policy("../x=p.yaml").is_err());
    }
}
