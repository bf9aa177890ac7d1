//! What a manifest declares: its dependencies by kind and the ones it bundles.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The dependency declarations of a manifest: name to spec, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Declared {
    /// `dependencies`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, String>,
    /// `optionalDependencies`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub optional: BTreeMap<String, String>,
    /// `peerDependencies` (those marked optional in `peerDependenciesMeta` are left out).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub peer: BTreeMap<String, String>,
    /// `devDependencies` (only followed for the root project and workspaces).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dev: BTreeMap<String, String>,
    /// `bundleDependencies` (`true` in the manifest means every dependency).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundled: Vec<String>,
}

impl Declared {
    /// True when nothing is declared (kept out of cache entries).
    pub fn is_empty(&self) -> bool {
        self.dependencies.is_empty()
            && self.optional.is_empty()
            && self.peer.is_empty()
            && self.dev.is_empty()
            && self.bundled.is_empty()
    }

    /// Reads the declarations of a `package.json` (or packument version) object; malformed
    /// fields declare nothing rather than reject the document.
    pub fn from_manifest(manifest: &serde_json::Value) -> Declared {
        let map = |field: &str| -> BTreeMap<String, String> {
            manifest[field]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        let optional_peer = |name: &str| manifest["peerDependenciesMeta"][name]["optional"] == true;
        let mut peer = map("peerDependencies");
        peer.retain(|name, _| !optional_peer(name));
        let dependencies = map("dependencies");
        let bundle = match manifest
            .get("bundleDependencies")
            .or(manifest.get("bundledDependencies"))
        {
            Some(serde_json::Value::Bool(true)) => dependencies.keys().cloned().collect(),
            Some(serde_json::Value::Array(names)) => names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        Declared {
            dependencies,
            optional: map("optionalDependencies"),
            peer,
            dev: map("devDependencies"),
            bundled: bundle,
        }
    }
}
