//! What is on disk is what is checked. Every package folder under `node_modules`, at any depth
//! and scoped or not, must be an installed entry of the lockfile (whether or not it holds a
//! package.json); a file that Node would load by a package name (`node_modules/x.js` answers
//! `require('x')` before `node_modules/x/`) must not be there; and every `node_modules/.bin`
//! entry must lead to a bin its package declares. Each violation becomes a result of its own
//! (`EEXTRANEOUS`, `EBINLINK`), so it is named, decided by the policy and counted.
//!
//! Isolated stores (pnpm's `node_modules/.pnpm`, Bun's `.bun`, Yarn's `.store`) are inventoried
//! too: their real folders must be lockfile entries, and the symlinks that place packages
//! (`node_modules/<name>`, `<store>/<id>/node_modules/<dep>`, the hoisted
//! `<store>/node_modules/<name>`) must point at the folder the lockfile resolves (see
//! [`links`]).
//!
//! Other dot entries (`.package-lock.json`, `.modules.yaml`, tools' `.cache`) are not packages:
//! no package name starts with a dot, so no package manager installs one there. (Code that
//! requires such a folder by name, as `@prisma/client` does `.prisma/client`, loads what a
//! tool generated: not checked here, a limit the README names.)

mod bins;
mod links;
mod shim;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path};

use sigverify_lockfile::{Layout, Linker, Manager, Package, Resolver, Source, Tree};

use crate::model::{CheckOutcome, PackageResult};
use crate::Code;

/// The results for everything under `node_modules` the lockfile does not account for.
pub(crate) fn inventory(tree: &Tree) -> Vec<PackageResult> {
    let mut scan = Scan {
        tree,
        resolver: tree.resolver(),
        found: Vec::new(),
        owners: std::cell::OnceCell::new(),
        project: std::cell::OnceCell::new(),
    };
    let mut folders = vec![String::new()];
    // Workspace folders (and other local folders) have node_modules of their own.
    folders.extend(
        tree.packages
            .iter()
            .filter(|p| !p.location.contains("node_modules/") && !p.location.starts_with(".."))
            .filter(|p| !in_store(&p.location))
            .map(|p| p.location.clone()),
    );
    for folder in folders {
        scan.folder(&folder);
    }
    for store in store_roots(tree) {
        scan.store(&store);
    }
    if tree.manager == Manager::Pnpm && tree.linker == Linker::Isolated {
        scan.missing_links();
    }
    scan.found
}

/// The folder pnpm links a package's dependencies into: beside it in its store entry
/// (`.pnpm/<id>/node_modules/`), or an importer's own `node_modules/` (the root, a workspace).
fn dependency_dir(dependent: &str) -> String {
    match dependent.rsplit_once("/node_modules/") {
        Some((entry, _)) if in_store(dependent) => format!("{entry}/node_modules/"),
        _ if dependent.is_empty() => "node_modules/".to_string(),
        _ => format!("{dependent}/node_modules/"),
    }
}

/// The isolated stores the lockfile installs into: the path up to the first dot segment of
/// every store location (`node_modules/.pnpm/a@1.0.0/node_modules/a` -> `node_modules/.pnpm`).
fn store_roots(tree: &Tree) -> BTreeSet<String> {
    tree.packages
        .iter()
        .filter_map(|p| store_of(&p.location))
        .collect()
}

fn store_of(location: &str) -> Option<String> {
    let mut end = 0;
    for segment in location.split('/') {
        end += segment.len();
        if segment.starts_with('.') && segment != "." && segment != ".." {
            return Some(location[..end].to_string());
        }
        end += 1;
    }
    None
}

/// The local folder a lockfile entry links into place, relative to the root: workspaces (every
/// manager links them) and npm's `file:` folders (npm links them; Yarn and pnpm copy theirs).
fn linked_folder(manager: Manager, package: &Package) -> Option<&str> {
    match (&package.source, manager) {
        (Source::Workspace { path }, _) => Some(path),
        (Source::Directory { path }, Manager::Npm) => Some(path),
        _ => None,
    }
}

fn in_store(location: &str) -> bool {
    store_of(location).is_some()
}

struct Scan<'a> {
    tree: &'a Tree,
    /// The tree's lookups, indexed once (every name on disk is looked up).
    resolver: Resolver<'a>,
    found: Vec<PackageResult>,
    /// Built at the first link checked.
    owners: std::cell::OnceCell<links::Owners>,
    /// Where pnpm shims' paths may lead: built at the first `.bin` folder checked.
    project: std::cell::OnceCell<shim::Project>,
}

impl Scan<'_> {
    /// Scans `<folder>/node_modules`, recursing into the node_modules of the entries it holds.
    fn folder(&mut self, folder: &str) {
        let dir = join(folder, "node_modules");
        let path = self.tree.root.join(&dir);
        // Most package folders have no node_modules: one lstat says so.
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return;
        };
        if !folder.is_empty() && meta.file_type().is_symlink() {
            let why = format!(
                "{dir}: a link where npm makes a folder (what it points to is not what was checked)"
            );
            self.extraneous(&dir, Code::Extraneous, why);
            return;
        }
        for entry in self.list(&dir) {
            let name = entry.file_name().to_string_lossy().into_owned();
            match name.as_str() {
                ".bin" if entry.file_type().is_ok_and(|t| t.is_symlink()) => {
                    let location = format!("{dir}/.bin");
                    let why =
                        format!("{location}: a link where npm makes a folder of command links");
                    self.extraneous(&location, Code::BinLink, why);
                }
                ".bin" => bins::check(self, &dir),
                _ if name.starts_with('.') => {}
                _ if name.starts_with('@') && entry.file_type().is_ok_and(|t| t.is_dir()) => {
                    self.scope(&format!("{dir}/{name}"))
                }
                _ => self.candidate(&format!("{dir}/{name}"), &entry),
            }
        }
    }

    fn scope(&mut self, scope_dir: &str) {
        for entry in self.list(scope_dir) {
            let name = entry.file_name().to_string_lossy().into_owned();
            self.candidate(&format!("{scope_dir}/{name}"), &entry);
        }
    }

    /// One name under a `node_modules` folder (`entry`, read from that folder): an entry of
    /// the lockfile, a store link the lockfile accounts for, or extraneous.
    fn candidate(&mut self, location: &str, entry: &fs::DirEntry) {
        // The kind the folder listing gives (not following links, as `symlink_metadata`): no
        // path walk from the project root per entry (a pnpm store lists thousands of links).
        let Ok(kind) = entry.file_type() else {
            self.unlisted(location, "its kind cannot be read");
            return;
        };
        if let Some(i) = self.resolver.index_of(location) {
            let package = &self.tree.packages[i];
            if let Some(why) = self.link_replaced(location, package, &kind) {
                self.extraneous(location, Code::Extraneous, why);
                return;
            }
            if kind.is_dir() && package.installed != Some(false) {
                self.folder(location);
            }
            return;
        }
        let why = if kind.is_symlink() && self.tree.linker == Linker::Isolated {
            let owners = self.owners.get_or_init(|| links::Owners::of(self.tree));
            match links::check(&self.resolver, owners, location) {
                Ok(()) => return,
                Err(why) => format!("{location}: {why}"),
            }
        } else if kind.is_file() {
            format!("{location}: a file in node_modules that the lockfile does not install (require would load it by name)")
        } else {
            format!("{location}: a folder in node_modules that the lockfile does not install")
        };
        self.extraneous(location, Code::Extraneous, why);
    }

    /// Why a lockfile entry that links a local folder into place (a workspace; npm's `file:`
    /// folders) is no longer that link, if it is not: a real folder, or a link to somewhere
    /// else, where the link was is code no check has read (the folder itself is not checked
    /// against any tarball, and a restored `node_modules` can hold anything there).
    fn link_replaced(
        &self,
        location: &str,
        package: &Package,
        kind: &fs::FileType,
    ) -> Option<String> {
        let target = linked_folder(self.tree.manager, package)?;
        if target.trim_end_matches('/') == location {
            return None;
        }
        let root = &self.tree.root;
        let here = fs::canonicalize(root.join(location)).ok();
        let there = fs::canonicalize(root.join(target)).ok();
        if kind.is_symlink() && here.is_some() && here == there {
            return None;
        }
        let what = match kind.is_symlink() {
            true => "a link to somewhere else is there",
            false => "a folder is there instead of the link",
        };
        Some(format!(
            "{location}: the lockfile links this to {target}, but {what} (what Node loads by this name is not the folder the lockfile names)"
        ))
    }

    /// An isolated store: `<store>/<id>/node_modules/*` (pnpm, Bun) or `<store>/<id>/package`
    /// (Yarn) hold the packages, `<store>/node_modules` the hoisted links.
    ///
    /// The links are judged by where their text leads from the folder they sit in, which is
    /// where the kernel leads too only while every folder on the way is a real one: the store
    /// itself and its entries must not be links (a linked `<store>/<id>` would hold, through
    /// the link, dependency folders no check read), and the store holds no file a manager
    /// does not write (a shim's `PATH` or interpreter may name the store).
    fn store(&mut self, store: &str) {
        let path = self.tree.root.join(store);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            let why = format!("{store}: a link where the package manager makes its store folder (what it points to is not what was checked)");
            self.extraneous(store, Code::Extraneous, why);
            return;
        }
        for entry in self.list(store) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                self.unlisted(&format!("{store}/{name}"), "its kind cannot be read");
                continue;
            };
            let location = format!("{store}/{name}");
            match name.as_str() {
                // Node resolves `<store>/node_modules` from inside the store: hoisted links.
                "node_modules" => self.folder(store),
                _ if name.starts_with('.') => {}
                _ if kind.is_dir() => self.store_entry(&location),
                // pnpm's copy of the lockfile it installed.
                "lock.yaml" if kind.is_file() && self.tree.manager == Manager::Pnpm => {}
                _ => {
                    let what = match kind.is_symlink() {
                        true => "a link where the package manager makes a folder of its store (the dependency links inside it lead, through it, to folders no check read)",
                        false => "a file in the package store that no package manager writes",
                    };
                    self.extraneous(&location, Code::Extraneous, format!("{location}: {what}"));
                }
            }
        }
    }

    fn store_entry(&mut self, id_dir: &str) {
        for entry in self.list(id_dir) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let location = format!("{id_dir}/{name}");
            let linked = entry.file_type().is_ok_and(|t| t.is_symlink());
            match name.as_str() {
                "node_modules" => self.folder(id_dir),
                // Yarn's `<store>/<id>/package`: the package's own folder, never a link.
                _ if linked && self.resolver.index_of(&location).is_some() => {
                    let why = format!("{location}: a link where the package manager makes the package's folder (Node loads its dependencies from where the link leads)");
                    self.extraneous(&location, Code::Extraneous, why);
                }
                _ if self.resolver.index_of(&location).is_some() => {}
                _ => {
                    let why = format!(
                        "{location}: in the package store, but not an entry of the lockfile"
                    );
                    self.extraneous(&location, Code::Extraneous, why);
                }
            }
        }
    }

    /// pnpm links each edge the lockfile records: a link removed from a restored
    /// `node_modules` makes Node look further up (pnpm's hoisted `.pnpm/node_modules`, the
    /// root) and load another version, or whatever was put there.
    fn missing_links(&mut self) {
        let Layout::Explicit { edges } = &self.tree.layout else {
            return;
        };
        let installed = |location: &str| {
            location.is_empty()
                || self
                    .tree
                    .index_of(location)
                    .is_some_and(|i| self.tree.packages[i].installed == Some(true))
        };
        let mut missing = Vec::new();
        for ((dependent, name), target) in edges {
            let link = format!("{}{name}", dependency_dir(dependent));
            // Optional dependencies of other platforms are rightly absent.
            if !installed(dependent) || !installed(target) {
                continue;
            }
            if fs::symlink_metadata(self.tree.root.join(&link)).is_err() {
                let why = format!("{link}: the lockfile links {name} here ({target}), but the link is missing, so Node loads another folder from further up, or none");
                missing.push((link, why));
            }
        }
        for (link, why) in missing {
            self.extraneous(&link, Code::ContentModified, why);
        }
    }

    /// The entries of the folder at `location` (none when it does not exist). A folder that
    /// cannot be listed is reported, not skipped: Node loads through a folder it may search
    /// but not read, so what it holds would go unchecked (a restored cache decides the modes).
    fn list(&mut self, location: &str) -> Vec<fs::DirEntry> {
        let entries = match fs::read_dir(self.tree.root.join(location)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                self.unlisted(location, &e.to_string());
                return Vec::new();
            }
        };
        let mut listed = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => listed.push(entry),
                Err(e) => {
                    self.unlisted(location, &e.to_string());
                    break;
                }
            }
        }
        listed
    }

    /// Records a folder (or entry) that could not be read, as extraneous: unchecked.
    fn unlisted(&mut self, location: &str, why: &str) {
        let why = format!(
            "{location}: cannot be read ({why}), so what it holds was not checked: make it readable, or reinstall"
        );
        self.extraneous(location, Code::Extraneous, why);
    }

    /// Records something on disk the lockfile does not account for.
    fn extraneous(&mut self, location: &str, code: Code, why: String) {
        let path = self.tree.root.join(location);
        self.found.push(extraneous(location, &path, code, why));
    }
}

/// A result for something on disk the lockfile does not account for.
fn extraneous(location: &str, path: &Path, code: Code, why: String) -> PackageResult {
    let name = location
        .rsplit_once("node_modules/")
        .map_or(location, |(_, n)| n);
    let version = read_json(&path.join("package.json"))
        .and_then(|m| m["version"].as_str().map(str::to_string))
        .unwrap_or_default();
    let mut result = PackageResult::new(name, &version, location, "extraneous");
    let not_in_lockfile = format!("{location}: not an entry of the lockfile");
    result.checks.registry_signature =
        CheckOutcome::not_applicable(Code::NotRegistry, not_in_lockfile);
    result.checks.source = CheckOutcome::failed(code, why);
    result
}

/// A relative path with `.` and `..` resolved; `None` when it leaves the root.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn join(folder: &str, name: &str) -> String {
    match folder {
        "" => name.to_string(),
        _ => format!("{folder}/{name}"),
    }
}

fn read_json(path: &Path) -> Option<serde_json::Value> {
    let bytes = sigverify_lockfile::read_regular(path, sigverify_lockfile::MANIFEST_LIMIT).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_roots_end_at_the_first_dot_segment() {
        assert_eq!(
            store_of("node_modules/.pnpm/a@1.0.0/node_modules/a").as_deref(),
            Some("node_modules/.pnpm")
        );
        assert_eq!(
            store_of("node_modules/.store/a-npm-1.0.0-x/package").as_deref(),
            Some("node_modules/.store")
        );
        assert_eq!(store_of("node_modules/a/node_modules/b"), None);
        assert_eq!(store_of("packages/x"), None);
        assert_eq!(
            normalize(Path::new("node_modules/.bin/../a/x")).as_deref(),
            Some("node_modules/a/x")
        );
        assert_eq!(
            normalize(Path::new("node_modules/.bin/../../../etc/x")),
            None
        );
    }
}
