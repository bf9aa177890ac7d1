//! The signing keys of every registry a tree uses, loaded once per run.
//!
//! The public npm registry's keys are embedded (npm itself reads them from Sigstore's TUF
//! repository, not from the registry); other registries serve theirs at `/-/npm/v1/keys`, where a
//! 404 means "this registry does not sign" (npm then skips its packages).

use std::collections::BTreeMap;
use std::sync::Arc;

use url::Url;

use sigverify_attest::{RegistryKey as AttestKey, TrustMaterial};

use crate::model::RegistryInfo;
use crate::source::evidence::Evidence;
use crate::source::keys::KeySet;

/// What is known of one registry's keys.
#[derive(Debug, Clone)]
pub enum RegistryKeys {
    /// Keys to verify with, and where they came from.
    Keys {
        set: Arc<KeySet>,
        source: &'static str,
        /// Sigstore trusted root plus these keys, for attestations (None when it failed to load).
        trust: Option<Arc<TrustMaterial>>,
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
    /// Loads the keys of each distinct registry, concurrently; `trusted_root` (JSON) replaces the
    /// embedded Sigstore public-good root for attestations.
    pub async fn load<'a>(
        evidence: &Evidence,
        registries: impl Iterator<Item = &'a Url>,
        trusted_root: Option<Arc<String>>,
    ) -> Keyring {
        let mut distinct: Vec<Url> = registries.cloned().collect();
        distinct.sort();
        distinct.dedup();
        let mut tasks = tokio::task::JoinSet::new();
        for registry in distinct {
            let (evidence, root) = (evidence.clone(), trusted_root.clone());
            tasks.spawn(async move {
                let keys = with_trust(load_one(&evidence, &registry).await, root.as_deref());
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

    /// The keys of a registry (unknown registries have none).
    pub fn get(&self, registry: &Url) -> &RegistryKeys {
        self.by_registry
            .get(registry)
            .unwrap_or(&RegistryKeys::None)
    }

    /// Every registry and what is known of its keys.
    pub fn entries(&self) -> impl Iterator<Item = (&Url, &RegistryKeys)> {
        self.by_registry.iter()
    }

    /// A summary for the report.
    pub fn describe(&self) -> Vec<RegistryInfo> {
        self.by_registry
            .iter()
            .map(|(url, keys)| {
                let (source, keyids, error) = match keys {
                    RegistryKeys::Keys { set, source, .. } => (
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
            trust: None,
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
                trust: None,
            },
            Err(e) => RegistryKeys::Unavailable(e.to_string()),
        },
        Err(e) => RegistryKeys::Unavailable(e.to_string()),
    }
}

/// Adds the attestation trust material: the Sigstore root and the registry's attestation keys
/// (npm publishes its attestation keys separately in TUF; other registries use their keys).
fn with_trust(keys: RegistryKeys, trusted_root: Option<&String>) -> RegistryKeys {
    let RegistryKeys::Keys { set, source, .. } = keys else {
        return keys;
    };
    let attestation_keys = if source == "embedded" {
        KeySet::embedded_npm_attestations()
    } else {
        (*set).clone()
    };
    let keys: Vec<AttestKey> = attestation_keys
        .keys
        .into_iter()
        .map(|k| AttestKey {
            keyid: k.keyid,
            spki_der: k.spki_der,
            expires: k.expires,
        })
        .collect();
    let trust = match trusted_root {
        Some(json) => TrustMaterial::from_trusted_root_json(json, keys),
        None => TrustMaterial::public_good(keys),
    };
    RegistryKeys::Keys {
        set,
        source,
        trust: trust.ok().map(Arc::new),
    }
}
