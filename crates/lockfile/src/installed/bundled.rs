//! Bundled dependencies of pnpm, Yarn and Bun installs. npm's lockfiles list what a package
//! bundles (`inBundle` entries); the other managers' lockfiles do not, yet the packages are on
//! disk under the bundling package's own `node_modules`, unpacked from its tarball. They become
//! [`Source::Bundled`] entries here, so the content check compares them with their parent's
//! tarball and the disk inventory knows them, as for npm.

use std::fs;
use std::path::Path;

use serde::Deserialize;

use crate::model::{Package, Source, Tree};

/// What a bundling package's manifest and its bundled packages' say.
#[derive(Deserialize, Default)]
struct Manifest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default, rename = "bundleDependencies")]
    bundle: Option<serde_json::Value>,
    #[serde(default, rename = "bundledDependencies")]
    bundled: Option<serde_json::Value>,
}

impl Manifest {
    fn read(folder: &Path) -> Option<Manifest> {
        let bytes =
            crate::file::read_regular(&folder.join("package.json"), crate::file::MANIFEST_LIMIT)
                .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// `bundleDependencies` as a non-empty list, or `true` (everything).
    fn bundles(&self) -> bool {
        [&self.bundle, &self.bundled]
            .into_iter()
            .flatten()
            .any(|v| v.as_bool() == Some(true) || v.as_array().is_some_and(|a| !a.is_empty()))
    }
}

/// Adds an entry for every package folder under the `node_modules` of an installed registry
/// package that declares bundled dependencies, when the lockfile does not already have one.
pub(crate) fn add_bundled(tree: &mut Tree) {
    let mut found = Vec::new();
    let mut bundlers: Vec<String> = Vec::new();
    for package in &tree.packages {
        let installed = package.installed == Some(true);
        if !installed || !matches!(package.source, Source::Registry { .. }) {
            continue;
        }
        let folder = tree.root.join(&package.location);
        // Most package folders have no node_modules of their own: one stat says so.
        if !folder.join("node_modules").is_dir() {
            continue;
        }
        if Manifest::read(&folder).is_some_and(|m| m.bundles()) {
            bundlers.push(package.location.clone());
            collect(&*tree, &package.location, &mut found);
        }
    }
    // An entry the lockfile has there as a registry package (Bun's lockfile lists it) holds the
    // bundled copy unpacked from the bundling package's tarball, not that registry tarball.
    for package in &mut tree.packages {
        let inside = bundlers
            .iter()
            .any(|b| package.location.starts_with(&format!("{b}/node_modules/")));
        if inside && matches!(package.source, Source::Registry { .. }) {
            package.source = Source::Bundled;
        }
    }
    if !found.is_empty() {
        // A walk matched against the lockfile reports such folders as not in it: they are.
        let added: std::collections::HashSet<&str> =
            found.iter().map(|p| p.location.as_str()).collect();
        tree.problems
            .retain(|p| !added.contains(p.location.as_str()));
        tree.packages.extend(found);
        // Lookups by location are binary searches.
        tree.packages.sort_by(|a, b| a.location.cmp(&b.location));
    }
}

/// The package folders under `<owner>/node_modules` (scoped ones too, and their own nested
/// `node_modules`), skipping locations the lockfile has.
fn collect(tree: &Tree, owner: &str, out: &mut Vec<Package>) {
    let root = &tree.root;
    let mut pending = vec![format!("{owner}/node_modules")];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = fs::read_dir(root.join(&dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if name.starts_with('.') || !is_dir {
                continue;
            }
            let location = format!("{dir}/{name}");
            if name.starts_with('@') {
                pending.push(location);
                continue;
            }
            if tree.index_of(&location).is_none() {
                let manifest = Manifest::read(&root.join(&location)).unwrap_or_default();
                let folder_name = location.rsplit_once("node_modules/").map_or("", |(_, n)| n);
                let name = manifest.name.unwrap_or_else(|| folder_name.to_string());
                let version = manifest.version.unwrap_or_default();
                let mut package = Package::bare(&name, &version, location.clone(), Source::Bundled);
                package.installed = Some(true);
                out.push(package);
            }
            pending.push(format!("{location}/node_modules"));
        }
    }
}
