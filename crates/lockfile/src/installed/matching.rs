//! Installed layouts the lockfile does not record (Yarn classic, Yarn Berry's `node-modules`
//! and `pnpm` linkers, pnpm's `node-linker=hoisted`, Bun's isolated store): the folders on
//! disk are matched to lockfile entries by the `name` and `version` of their package.json
//! (entries recorded without a version, like Bun's folders and tarballs, by name).
//!
//! - A folder that matches an entry becomes that entry's package at the folder's location
//!   (source, integrity and patch from the lockfile; flags and install scripts from the
//!   folders, like a `node_modules` walk).
//! - A folder that matches no entry is reported in [`Tree::problems`] as `ENOTINLOCKFILE`
//!   (bundled dependencies are not: they ship inside their parent's tarball).
//! - An entry no folder matched stays at its placeholder location with `installed:
//!   Some(false)`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use super::store::{link_edges, store_folders};
use super::walk::walk_with_folders;
use crate::error::{LockfileError, WalkProblem};
use crate::model::{Input, Layout, Linker, Package, Source, Tree};

/// Matches a `node_modules` walk of `locked.root` to the entries of `locked`.
pub(crate) fn match_walk(locked: Tree) -> Result<Tree, LockfileError> {
    let workspaces: Vec<String> = locked
        .packages
        .iter()
        .filter(|p| matches!(p.source, Source::Workspace { .. }))
        .map(|p| p.location.clone())
        .collect();
    let walked = walk_with_folders(&locked.root, &workspaces)?;
    let mut problems = walked.problems;
    let mut matcher = Matcher::new(&locked.packages, true);
    let mut packages = Vec::new();
    for folder in walked.packages {
        match matcher.take(&folder) {
            Some(pkg) => packages.push(pkg),
            None => problems.push(not_in_lockfile(&folder)),
        }
    }
    packages.extend(matcher.leftovers(&locked.root));
    Ok(finish(
        locked,
        packages,
        problems,
        Layout::NodeModules,
        Linker::NodeModules,
    ))
}

/// Matches the real folders of an isolated store (`node_modules/.bun`) to the entries of
/// `locked`; edges come from the store's symlinks.
pub(crate) fn match_store(locked: Tree, store: &str) -> Result<Tree, LockfileError> {
    let root = locked.root.clone();
    let (folders, mut problems) = store_folders(&root, store)?;
    // Store folders carry no flags of their own: the lockfile's stand.
    let mut matcher = Matcher::new(&locked.packages, false);
    let mut packages = Vec::new();
    for folder in folders {
        match matcher.take(&folder) {
            Some(pkg) => packages.push(pkg),
            None => problems.push(not_in_lockfile(&folder)),
        }
    }
    packages.extend(matcher.leftovers(&root));
    packages.sort_by(|a, b| a.location.cmp(&b.location));
    let edges = link_edges(&root, &packages);
    Ok(finish(
        locked,
        packages,
        problems,
        Layout::Explicit { edges },
        Linker::Isolated,
    ))
}

fn finish(
    locked: Tree,
    mut packages: Vec<Package>,
    mut problems: Vec<WalkProblem>,
    layout: Layout,
    linker: Linker,
) -> Tree {
    packages.sort_by(|a, b| a.location.cmp(&b.location));
    packages.dedup_by(|a, b| a.location == b.location);
    problems.sort_by(|a, b| a.location.cmp(&b.location));
    Tree {
        input: Input::PackageLock,
        layout,
        linker,
        packages,
        problems,
        ..locked
    }
}

fn not_in_lockfile(folder: &Package) -> WalkProblem {
    WalkProblem {
        location: folder.location.clone(),
        code: "ENOTINLOCKFILE",
        message: format!(
            "{}@{} is installed at {} but matches no lockfile entry",
            folder.name, folder.version, folder.location
        ),
        remediation: "reinstall from the lockfile (frozen install) or remove the folder".into(),
    }
}

/// Lockfile entries by name and version, and whether a folder matched each.
struct Matcher<'l> {
    entries: &'l [Package],
    by_id: HashMap<(&'l str, &'l str), Vec<usize>>,
    matched: Vec<bool>,
    /// Take dev/optional/peer flags from the folders (a walk computes them) or the entries.
    folder_flags: bool,
}

impl<'l> Matcher<'l> {
    fn new(entries: &'l [Package], folder_flags: bool) -> Self {
        let mut by_id: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, p) in entries.iter().enumerate() {
            by_id
                .entry((p.name.as_str(), p.version.as_str()))
                .or_default()
                .push(i);
        }
        Matcher {
            entries,
            by_id,
            matched: vec![false; entries.len()],
            folder_flags,
        }
    }

    /// The package for a folder found on disk, or `None` when no entry matches it.
    fn take(&mut self, folder: &Package) -> Option<Package> {
        match &folder.source {
            Source::Bundled => return Some(folder.clone()),
            // A walk reports symlinks (and only them) as local folders: links to workspaces
            // and `link:`/`portal:` folders, which carry no registry signature.
            Source::Directory { path } | Source::Workspace { path } => {
                self.mark_links(&folder.name, path);
                return Some(folder.clone());
            }
            _ => {}
        }
        // Folders and tarballs may have no version in the lockfile (bun.lock records none).
        let exact = self
            .by_id
            .get(&(folder.name.as_str(), folder.version.as_str()));
        let unversioned = || {
            let list = self.by_id.get(&(folder.name.as_str(), ""))?;
            list.iter()
                .all(|&i| !self.entries[i].source.is_registry())
                .then_some(list)
        };
        let candidates = exact.or_else(unversioned)?.clone();
        // Prefer an entry no folder took yet; several folders may share one entry.
        let &i = candidates
            .iter()
            .find(|&&i| !self.matched[i])
            .or(candidates.first())?;
        for &c in &candidates {
            self.matched[c] = true;
        }
        let mut pkg = located(&self.entries[i], folder, self.folder_flags);
        if !self.folder_flags {
            // One store folder serves every entry of that name and version: a flag holds
            // only if it holds for all of them.
            for &c in &candidates {
                let e = &self.entries[c];
                pkg.dev &= e.dev;
                pkg.optional &= e.optional;
                pkg.dev_optional &= e.dev_optional;
                pkg.peer &= e.peer;
            }
        }
        Some(pkg)
    }

    /// Marks the local-folder entries a link stands for (by target folder or by name).
    fn mark_links(&mut self, name: &str, target: &str) {
        for (i, e) in self.entries.iter().enumerate() {
            let same_target = matches!(&e.source,
                Source::Directory { path } | Source::Workspace { path } if path == target);
            let same_name = e.name == name && !e.source.is_registry();
            if same_target || same_name {
                self.matched[i] = true;
            }
        }
    }

    /// Entries no folder matched, and every workspace (at its own folder, like npm lists it).
    fn leftovers(&self, root: &Path) -> Vec<Package> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if self.matched[i] && !matches!(e.source, Source::Workspace { .. }) {
                continue;
            }
            let mut pkg = e.clone();
            pkg.installed = Some(fs::symlink_metadata(root.join(&pkg.location)).is_ok());
            out.push(pkg);
        }
        out
    }
}

/// The lockfile entry's package at the folder's location, with the folder's flags.
fn located(entry: &Package, folder: &Package, folder_flags: bool) -> Package {
    let mut pkg = entry.clone();
    pkg.location = folder.location.clone();
    let folder_name = crate::spec::split_location(&folder.location).0;
    if let Source::Registry { alias } = &mut pkg.source {
        *alias = (folder_name != pkg.name).then(|| folder_name.to_string());
    }
    if folder_flags {
        pkg.dev = folder.dev;
        pkg.optional = folder.optional;
        pkg.dev_optional = folder.dev_optional;
        pkg.peer = folder.peer;
    }
    pkg.has_install_script = folder.has_install_script || entry.has_install_script;
    pkg.installed = Some(true);
    pkg
}
