//! Lockfiles that record what is installed but not where (Yarn classic, Yarn Berry): entries
//! keyed by descriptors (`a@^1.0.0`), dependencies written as descriptors, and importers (the
//! root project and its workspaces).
//!
//! Without `node_modules` each entry gets a placeholder location,
//! `<lockfile name>:<name>@<version>` (Yarn classic) or `<lockfile name>:<resolution>` (Berry),
//! which can never be a real folder (a `:` is not allowed in npm locations), is unique (a
//! `#2`, `#3`… suffix separates entries that would share one) and only depends on the
//! lockfile. The layout is then [`Layout::Explicit`], from the lockfile's own resolution.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::flags::{calc_flags_graph, EdgeKind};
use crate::model::{Input, Layout, Linker, Manager, Package, Source, Tree};

/// A dependency: the name it is required by and the descriptor that resolves it.
#[derive(Debug, Clone)]
pub(crate) struct Want {
    pub(crate) name: String,
    pub(crate) descriptor: String,
    pub(crate) kind: EdgeKind,
}

/// One lockfile entry, its package at a placeholder location, and its dependencies.
#[derive(Debug, Clone)]
pub(crate) struct Locked {
    pub(crate) package: Package,
    pub(crate) deps: Vec<Want>,
}

/// The root project (`""`) or a workspace folder, and what it depends on.
#[derive(Debug, Clone)]
pub(crate) struct Importer {
    pub(crate) folder: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) deps: Vec<Want>,
}

/// Everything read from such a lockfile.
#[derive(Debug, Default)]
pub(crate) struct LockedGraph {
    pub(crate) entries: Vec<Locked>,
    /// Descriptor -> entry index.
    pub(crate) by_descriptor: HashMap<String, usize>,
    pub(crate) importers: Vec<Importer>,
}

impl LockedGraph {
    /// The placeholder `<prefix><id>`, made unique among those handed out (`taken`).
    pub(crate) fn place(prefix: &str, id: &str, taken: &mut HashMap<String, u32>) -> String {
        let count = taken.entry(id.to_string()).or_insert(0);
        *count += 1;
        match *count {
            1 => format!("{prefix}{id}"),
            n => format!("{prefix}{id}#{n}"),
        }
    }

    /// The location a descriptor resolves to: an entry, or a workspace by name.
    fn target(&self, want: &Want) -> Option<String> {
        if let Some(&i) = self.by_descriptor.get(&want.descriptor) {
            return Some(self.entries[i].package.location.clone());
        }
        self.importers
            .iter()
            .find(|w| !w.folder.is_empty() && w.name == want.name)
            .map(|w| w.folder.clone())
    }

    /// The tree: entries at their placeholders, workspaces at their folders, explicit edges,
    /// flags from the importers' edges (left unset when no importer is known).
    pub(crate) fn into_tree(self, path: &Path, manager: Manager, version: Option<u32>) -> Tree {
        let mut edges = BTreeMap::new();
        let mut packages: Vec<Package> = self.entries.iter().map(|e| e.package.clone()).collect();
        packages.extend(
            self.importers
                .iter()
                .filter(|w| !w.folder.is_empty())
                .map(workspace),
        );
        let index: HashMap<String, usize> = packages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.location.clone(), i))
            .collect();
        let mut out = vec![Vec::new(); packages.len()];
        let mut root = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            for want in &entry.deps {
                if let Some(to) = self.target(want) {
                    out[i].extend(index.get(&to).map(|&t| (t, want.kind)));
                    edges.insert((entry.package.location.clone(), want.name.clone()), to);
                }
            }
        }
        for importer in &self.importers {
            for want in &importer.deps {
                if let Some(to) = self.target(want) {
                    root.extend(index.get(&to).map(|&t| (t, want.kind)));
                    edges.insert((importer.folder.clone(), want.name.clone()), to);
                }
            }
        }
        if !self.importers.is_empty() {
            calc_flags_graph(&root, &out, &mut packages);
        }
        for p in packages.iter_mut().filter(|p| !p.source.is_registry()) {
            if matches!(p.source, Source::Workspace { .. }) {
                (p.dev, p.optional, p.dev_optional, p.peer) = (false, false, false, false);
            }
        }
        packages.sort_by(|a, b| a.location.cmp(&b.location));
        Tree {
            root: path.parent().unwrap_or(Path::new("")).to_path_buf(),
            input: Input::PackageLock,
            manager,
            layout: Layout::Explicit { edges },
            linker: Linker::NodeModules,
            input_path: path.to_path_buf(),
            lockfile_version: version,
            packages,
            problems: Vec::new(),
        }
    }
}

fn workspace(w: &Importer) -> Package {
    let path = w.folder.clone();
    let source = Source::Workspace { path: path.clone() };
    let mut pkg = Package::bare(&w.name, &w.version, path.clone(), source);
    pkg.resolved = Some(path);
    pkg
}

/// Splits a descriptor `name@range` (the name may be scoped).
pub(crate) fn split_descriptor(descriptor: &str) -> Option<(&str, &str)> {
    let at = descriptor.get(1..)?.find('@')? + 1;
    Some((&descriptor[..at], &descriptor[at + 1..]))
}
