//! The dependency graph as the manifests declare it: who declares what, what production code
//! reaches, and where bundles and links sit in the tree.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;

use sigverify_lockfile::{Package, Resolver, Source, Tree};

use super::normalize_path;
use crate::model::PackageResult;
use crate::source::packument::Declared;

/// One manifest that declares dependencies, and where resolution starts from.
pub(super) struct Declarer {
    pub location: String,
    pub label: String,
    pub declared: Arc<Declared>,
    /// Root and workspaces: devDependencies are installed too.
    pub with_dev: bool,
}

/// The manifests that declare dependencies, with where resolution starts from.
pub(super) fn declarers(
    root: &serde_json::Value,
    results: &[PackageResult],
    tree: &Tree,
) -> Vec<Declarer> {
    let mut out = vec![Declarer {
        location: String::new(),
        label: "the root package.json".to_string(),
        declared: Arc::new(Declared::from_manifest(root)),
        with_dev: true,
    }];
    let by_location: HashMap<&str, &PackageResult> =
        results.iter().map(|r| (r.location.as_str(), r)).collect();
    for package in &tree.packages {
        if link_target(package).is_some() {
            continue; // its target entry declares
        }
        let workspace = matches!(package.source, Source::Workspace { .. });
        let declared = match (&package.source, by_location.get(package.location.as_str())) {
            (Source::Registry { .. }, Some(r)) => r.declared.clone(),
            (Source::Registry { .. }, None) => None,
            _ => read_manifest(&tree.root.join(&package.location).join("package.json"))
                .map(|m| Arc::new(Declared::from_manifest(&m))),
        };
        let Some(declared) = declared else { continue };
        out.push(Declarer {
            location: package.location.clone(),
            label: format!("{}@{}", package.name, package.version),
            declared,
            with_dev: workspace,
        });
    }
    out
}

/// Entries reached from the root (and workspaces) through `dependencies` edges only.
pub(super) fn prod_reachable(resolver: &Resolver, declarers: &[Declarer]) -> HashSet<usize> {
    let tree = resolver.tree();
    let by_location: HashMap<&str, &Declarer> =
        declarers.iter().map(|d| (d.location.as_str(), d)).collect();
    let mut seen = HashSet::new();
    let mut queue: VecDeque<&str> = VecDeque::from([""]);
    // Workspaces are part of the project: their dependencies are production dependencies.
    for package in &tree.packages {
        if matches!(package.source, Source::Workspace { .. })
            && !package.location.contains("node_modules/")
        {
            queue.push_back(package.location.as_str());
        }
    }
    while let Some(location) = queue.pop_front() {
        let Some(d) = by_location.get(location) else {
            continue;
        };
        for name in d.declared.dependencies.keys() {
            let Some(target) = resolver.resolve(location, name) else {
                continue;
            };
            if seen.insert(target) {
                let package = &tree.packages[target];
                let next = link_target(package).unwrap_or_else(|| package.location.clone());
                if let Some(t) = resolver.index_of(&next) {
                    seen.insert(t);
                }
                if let Some(d) = by_location.get_key_value(next.as_str()) {
                    queue.push_back(d.0);
                }
            }
        }
    }
    seen
}

/// The enclosing non-bundled entry of a bundled location, and the name it bundles.
pub(super) fn bundle_owner<'t>(tree: &'t Tree, location: &str) -> Option<(&'t Package, String)> {
    let mut at = location;
    let mut top = None;
    while let Some(i) = at.rfind("/node_modules/") {
        top = Some(at[i + "/node_modules/".len()..].to_string());
        at = &at[..i];
        let owner = &tree.packages[tree.index_of(at)?];
        if owner.source != Source::Bundled {
            return Some((owner, top?));
        }
    }
    let _ = top;
    None
}

/// A link entry's target location (npm: `link: true` entries keep the target in `resolved`).
pub(super) fn link_target(package: &Package) -> Option<String> {
    let in_node_modules = package.location.contains("node_modules/");
    match &package.source {
        Source::Workspace { path } | Source::Directory { path } if in_node_modules => {
            Some(normalize_path(path))
        }
        _ => None,
    }
}

pub(super) fn read_manifest(path: &Path) -> Option<serde_json::Value> {
    let text =
        sigverify_lockfile::read_regular_text(path, sigverify_lockfile::MANIFEST_LIMIT).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    serde_json::from_str(text)
        .ok()
        .filter(serde_json::Value::is_object)
}
