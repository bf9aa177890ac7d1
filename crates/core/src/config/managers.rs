//! Yarn's and Bun's own registry settings (`.yarnrc.yml`, `.yarnrc`, `bunfig.toml`, read by
//! the lockfile crate) mapped onto npm's keys, so the one registry client fetches what that
//! manager would: its default and scoped registries, and the credentials for them. The
//! manager's files win over `.npmrc` (Yarn Berry ignores `.npmrc`, Bun's bunfig wins over it);
//! an explicit `--registry` wins over both.

use sigverify_lockfile::{Auth, Registry, RegistryConfig};

use super::npmrc::{ConfigOverrides, NpmConfig};

impl NpmConfig {
    /// Applies a package manager's registry configuration.
    pub(crate) fn apply_manager(&mut self, manager: &RegistryConfig, overrides: &ConfigOverrides) {
        if overrides.registry.is_none() {
            if let Some(url) = &manager.default_registry.url {
                self.set("registry".into(), with_slash(url));
            }
        }
        for (scope, registry) in &manager.scopes {
            if let Some(url) = &registry.url {
                self.set(format!("{scope}:registry"), with_slash(url));
            }
        }
        let by_url = manager
            .scopes
            .values()
            .chain(std::iter::once(&manager.default_registry))
            .filter_map(|r| Some((nerf_dart(r.url.as_deref()?)?, r)));
        let written = manager
            .registries
            .iter()
            .map(|(key, r)| (with_slash(key), r));
        for (prefix, registry) in by_url.collect::<Vec<_>>().into_iter().chain(written) {
            self.set_auth(&prefix, registry);
        }
    }

    fn set_auth(&mut self, prefix: &str, registry: &Registry) {
        match &registry.auth {
            Some(Auth::Token(token)) => {
                self.set(format!("{prefix}:_authToken"), token.expose().to_string());
            }
            Some(Auth::Basic { username, password }) => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(password.expose());
                self.set(format!("{prefix}:username"), username.clone());
                self.set(format!("{prefix}:_password"), encoded);
                // The raw password too, only so output scrubbing knows it.
                self.set(
                    format!("{prefix}:_rawPassword"),
                    password.expose().to_string(),
                );
            }
            None => {}
        }
    }
}

/// npm's "nerf dart" of a registry URL: `https://host:port/path/` -> `//host:port/path/`.
fn nerf_dart(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    Some(with_slash(&format!("//{rest}")))
}

fn with_slash(url: &str) -> String {
    match url.ends_with('/') {
        true => url.to_string(),
        false => format!("{url}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigverify_lockfile::Secret;

    #[test]
    fn yarn_scopes_and_tokens_become_npm_keys() {
        let mut manager = RegistryConfig::default();
        manager.default_registry.url = Some("https://mirror.example/npm".into());
        manager.scopes.insert(
            "@corp".into(),
            Registry {
                url: Some("https://npm.corp.example".into()),
                auth: Some(Auth::Token(Secret::new("tok-1234"))),
                always_auth: None,
            },
        );
        let mut config = NpmConfig::from_text("registry=https://registry.npmjs.org/\n");
        config.apply_manager(&manager, &ConfigOverrides::default());
        assert_eq!(config.get("registry"), Some("https://mirror.example/npm/"));
        assert_eq!(
            config.registry_for("@corp/x").unwrap().as_str(),
            "https://npm.corp.example/"
        );
        let url = url::Url::parse("https://npm.corp.example/@corp%2fx").unwrap();
        assert_eq!(
            config.authorization_for(&url).as_deref(),
            Some("Bearer tok-1234")
        );
        assert!(config.secrets().contains(&"tok-1234".to_string()));
        let explicit = ConfigOverrides {
            registry: Some("https://explicit.example/".into()),
        };
        let mut config = NpmConfig::from_text("registry=https://explicit.example/\n");
        config.apply_manager(&manager, &explicit);
        assert_eq!(config.get("registry"), Some("https://explicit.example/"));
    }

    #[test]
    fn basic_credentials_keep_the_raw_password_secret() {
        let mut manager = RegistryConfig::default();
        manager.registries.insert(
            "//npm.corp.example/".into(),
            Registry {
                url: None,
                auth: Some(Auth::Basic {
                    username: "ci".into(),
                    password: Secret::new("hunter22"),
                }),
                always_auth: None,
            },
        );
        let mut config = NpmConfig::from_text("");
        config.apply_manager(&manager, &ConfigOverrides::default());
        let url = url::Url::parse("https://npm.corp.example/x").unwrap();
        assert!(config
            .authorization_for(&url)
            .unwrap()
            .starts_with("Basic "));
        assert!(config.secrets().contains(&"hunter22".to_string()));
    }
}
