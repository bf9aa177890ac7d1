//! What a manifest declares: its dependencies by kind, the ones it bundles, and its bins.

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
    /// Peer dependencies marked optional in `peerDependenciesMeta` (a manager links them when
    /// the tree has them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_peer: Vec<String>,
    /// The commands `bin` links, normalised as npm does: command -> file in the package.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bins: BTreeMap<String, String>,
    /// `directories.bin` when there is no `bin` (npm links every file under it), normalised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin_dir: Option<String>,
}

impl Declared {
    /// True when nothing is declared (kept out of cache entries).
    pub fn is_empty(&self) -> bool {
        self.dependencies.is_empty()
            && self.optional.is_empty()
            && self.peer.is_empty()
            && self.dev.is_empty()
            && self.bundled.is_empty()
            && self.optional_peer.is_empty()
            && self.bins.is_empty()
            && self.bin_dir.is_none()
    }

    /// True when this manifest asks for a dependency named `name` in any way a manager links
    /// it for the package: a dependency, optional or peer dependency (optional peers too).
    pub fn asks_for(&self, name: &str) -> bool {
        self.dependencies.contains_key(name)
            || self.optional.contains_key(name)
            || self.peer.contains_key(name)
            || self.optional_peer.iter().any(|p| p == name)
    }

    /// True when npm, reading this manifest, would link `command` to `target` (both
    /// normalised): a `bin` entry, or a file under `directories.bin` when there is no `bin`.
    pub fn links_bin(&self, command: &str, target: &str) -> bool {
        match (&self.bin_dir, self.bins.get(command)) {
            (_, Some(declared)) => declared == target,
            (Some(dir), None) if self.bins.is_empty() => target
                .strip_prefix(dir.as_str())
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|file| !file.is_empty() && file.rsplit('/').next() == Some(command)),
            _ => false,
        }
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
        let (optional_peers, peer): (BTreeMap<_, _>, BTreeMap<_, _>) = map("peerDependencies")
            .into_iter()
            .partition(|(name, _)| optional_peer(name));
        // `peerDependenciesMeta` alone may name an optional peer.
        let meta_only_optional: Vec<String> = manifest["peerDependenciesMeta"]
            .as_object()
            .map(|meta| {
                meta.keys()
                    .filter(|name| optional_peer(name) && !optional_peers.contains_key(*name))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
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
        let bins = sigverify_content::bin_map(&manifest["bin"], manifest["name"].as_str());
        let bin_dir = match manifest["bin"].is_null() {
            true => manifest["directories"]["bin"]
                .as_str()
                .and_then(sigverify_content::normalize_bin_target),
            false => None,
        };
        Declared {
            dependencies,
            optional: map("optionalDependencies"),
            peer,
            optional_peer: optional_peers
                .into_keys()
                .chain(meta_only_optional)
                .collect(),
            dev: map("devDependencies"),
            bundled: bundle,
            bins,
            bin_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_bin_follows_bin_then_directories_bin() {
        let declared = |json: &str| Declared::from_manifest(&serde_json::from_str(json).unwrap());
        let string = declared(r#"{"name": "@s/tool", "bin": "./cli.js"}"#);
        assert!(string.links_bin("tool", "cli.js"));
        assert!(!string.links_bin("node", "cli.js"));
        assert!(!string.links_bin("tool", "other.js"));
        let dir = declared(r#"{"directories": {"bin": "./bin"}}"#);
        assert!(dir.links_bin("x", "bin/sub/x"));
        assert!(!dir.links_bin("node", "bin/x"));
        assert!(!dir.links_bin("x", "lib/x"));
        // An explicit bin wins over directories.bin, as npm reads it.
        let both = declared(r#"{"bin": {"a": "a.js"}, "directories": {"bin": "bin"}}"#);
        assert!(both.links_bin("a", "a.js"));
        assert!(!both.links_bin("x", "bin/x"));
        assert!(!Declared::default().links_bin("a", "a.js"));
    }
}
