//! The signing keys of every registry a tree uses, loaded once per run.
//!
//! The public npm registry's keys are embedded (npm itself reads them from Sigstore's TUF
//! repository, not from the registry); other registries serve theirs at `/-/npm/v1/keys`, where a
//! 404 means "this registry does not sign" (npm then skips its packages).

use std::collections::BTreeMap;
use std::sync::Arc;

use url::Url;

use crate::evidence::Evidence;
use crate::keys::KeySet;
use crate::report::RegistryInfo;

/// What is known of one registry's keys.
#[derive(Debug, Clone)]
pub enum RegistryKeys {
    /// Keys to verify with, and where they came from.
    Keys {
        set: Arc<KeySet>,
        source: &'static str,
    },
    /// The registry publishes no keys (404 or an empty list).
    None,
    /// The keys could not be obtained: packages of this registry cannot be verified.
    Unavailable(String),
}

/// Keys by registry URL.
#[derive(Debug, Default)]
pub struct Keyring {
    by_registry: BTreeMap<Url, RegistryKeys>,
}

/// True for the public npm registry, whose keys are embedded.
pub fn is_public_npm(registry: &Url) -> bool {
    registry.host_str() == Some("registry.npmjs.org")
}

impl Keyring {
    /// Loads the keys of each distinct registry, concurrently.
    pub async fn load<'a>(
        evidence: &Evidence,
        registries: impl Iterator<Item = &'a Url>,
    ) -> Keyring {
        let mut distinct: Vec<Url> = registries.cloned().collect();
        distinct.sort();
        distinct.dedup();
        let mut tasks = tokio::task::JoinSet::new();
        for registry in distinct {
            let evidence = evidence.clone();
            tasks.spawn(async move {
                let keys = load_one(&evidence, &registry).await;
                (registry, keys)
            });
        }
        let mut by_registry = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let (registry, keys) = done.expect("key loading never panics");
            by_registry.insert(registry, keys);
        }
        Keyring { by_registry }
    }

    /// A keyring with fixed keys (for `verifyPackage` with given keys, and tests).
    pub fn with(registry: Url, keys: RegistryKeys) -> Keyring {
        Keyring {
            by_registry: [(registry, keys)].into(),
        }
    }

    /// The keys of a registry (unknown registries have none).
    pub fn get(&self, registry: &Url) -> &RegistryKeys {
        self.by_registry
            .get(registry)
            .unwrap_or(&RegistryKeys::None)
    }

    /// A summary for the report.
    pub fn describe(&self) -> Vec<RegistryInfo> {
        self.by_registry
            .iter()
            .map(|(url, keys)| {
                let (source, keyids, error) = match keys {
                    RegistryKeys::Keys { set, source } => (
                        *source,
                        set.keys.iter().map(|k| k.keyid.clone()).collect(),
                        None,
                    ),
                    RegistryKeys::None => ("none", Vec::new(), None),
                    RegistryKeys::Unavailable(why) => {
                        ("unavailable", Vec::new(), Some(why.clone()))
                    }
                };
                RegistryInfo {
                    url: url.to_string(),
                    keys_source: source.to_string(),
                    keyids,
                    error,
                }
            })
            .collect()
    }
}

async fn load_one(evidence: &Evidence, registry: &Url) -> RegistryKeys {
    if is_public_npm(registry) {
        let set = Arc::new(KeySet::embedded_npm());
        return RegistryKeys::Keys {
            set,
            source: "embedded",
        };
    }
    let source = match evidence {
        Evidence::Online(_) => "registry",
        Evidence::Offline(_) => "store",
    };
    match evidence.keys(registry).await {
        Ok(None) => RegistryKeys::None,
        Ok(Some(bytes)) => match KeySet::from_keys_document(&bytes) {
            Ok(set) if set.is_empty() => RegistryKeys::None,
            Ok(set) => RegistryKeys::Keys {
                set: Arc::new(set),
                source,
            },
            Err(e) => RegistryKeys::Unavailable(e.to_string()),
        },
        Err(e) => RegistryKeys::Unavailable(e.to_string()),
    }
}
