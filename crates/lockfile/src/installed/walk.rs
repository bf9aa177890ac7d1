//! No lockfile at all: a walk of `node_modules`, reading each package's `package.json`.
//!
//! Nested `node_modules` and `@scope` folders are descended; symlinks are reported as links
//! and never descended (a link target inside the project has its package.json read for its
//! version and dependencies; nothing outside the project is read). A package whose
//! `package.json` is missing or broken becomes a [`WalkProblem`]; the walk goes on.
//! Dev/optional/peer flags come from the dependency declarations (see [`crate::flags`]).

use std::fs;
use std::path::Path;

use crate::error::{io_error, LockfileError, WalkProblem};
use crate::flags::{calc_flags, EdgeKind, Edges};
use crate::model::{Input, Package, Source, Tree};
use crate::paths::relative_to;
use crate::project::manifest::{read_manifest, BundleSpec, Manifest};
use crate::project::workspace::Workspaces;
use crate::spec::{classify_resolved, is_semver, valid_name};

/// Walks `<root>/node_modules` into a tree, with dev/optional/peer flags computed from the
/// `package.json` dependency declarations like npm does.
pub(crate) fn walk_node_modules(root: &Path) -> Result<Tree, LockfileError> {
    walk_with_folders(root, &[])
}

/// [`walk_node_modules`], also walking the `node_modules` of each of `folders` (workspace
/// folders, relative to the root): Yarn and pnpm's hoisted linker install there too.
pub(crate) fn walk_with_folders(root: &Path, folders: &[String]) -> Result<Tree, LockfileError> {
    let node_modules = root.join("node_modules");
    let mut walker = Walker {
        root,
        workspaces: Workspaces::default(),
        packages: Vec::new(),
        edges: Vec::new(),
        problems: Vec::new(),
    };
    let mut root_edges = walker.read_root();
    let top = fs::read_dir(&node_modules).map_err(|e| io_error(&node_modules, e))?;
    walker.visit_entries("", top, &Bundle::None);
    for folder in folders {
        if let Ok(dir) = fs::read_dir(root.join(folder).join("node_modules")) {
            walker.visit_entries(&format!("{folder}/"), dir, &Bundle::None);
        }
    }
    root_edges.edges.extend(walker.workspace_edges());
    // Each workspace folder is a top of its own (pnpm's hoisted linker need not link it at the
    // root): what its package.json declares is production code's too.
    let mut tops = vec![root_edges];
    tops.extend(folders.iter().filter_map(|folder| walker.top_edges(folder)));
    calc_flags(&tops, &mut walker.packages, &walker.edges);
    walker.packages.sort_by(|a, b| a.location.cmp(&b.location));
    walker.problems.sort_by(|a, b| a.location.cmp(&b.location));
    Ok(Tree {
        root: root.to_path_buf(),
        input: Input::NodeModules,
        manager: crate::model::Manager::Npm,
        layout: crate::model::Layout::NodeModules,
        linker: crate::model::Linker::NodeModules,
        input_path: node_modules,
        lockfile_version: None,
        packages: walker.packages,
        problems: walker.problems,
    })
}

/// Which children of a folder were shipped inside its tarball.
enum Bundle {
    None,
    All,
    Names(Vec<String>),
}

impl Bundle {
    fn of(manifest: &Manifest, parent_bundled: bool) -> Bundle {
        match (&manifest.bundle, parent_bundled) {
            (_, true) | (Some(BundleSpec::All(true)), _) => Bundle::All,
            (Some(BundleSpec::Names(n)), _) => Bundle::Names(n.clone()),
            _ => Bundle::None,
        }
    }

    fn contains(&self, name: &str) -> bool {
        match self {
            Bundle::None => false,
            Bundle::All => true,
            Bundle::Names(names) => names.iter().any(|n| n == name),
        }
    }
}

struct Walker<'r> {
    root: &'r Path,
    workspaces: Workspaces,
    packages: Vec<Package>,
    /// The dependency edges of each package, in the same order as `packages`.
    edges: Vec<Edges>,
    problems: Vec<WalkProblem>,
}

impl Walker<'_> {
    /// Reads the root package.json: its workspaces and its dependency edges. A broken root
    /// manifest is reported, not fatal (every package then stays flagged as unreached).
    fn read_root(&mut self) -> Edges {
        let path = self.root.join("package.json");
        if !path.is_file() {
            return Edges::default();
        }
        match read_manifest(&path) {
            Ok(m) => {
                self.workspaces = Workspaces::new(m.workspaces.iter().map(String::as_str));
                Edges {
                    base: String::new(),
                    edges: m.edges(true),
                }
            }
            Err(message) => {
                self.problem("", "EPACKAGEJSON", message);
                Edges::default()
            }
        }
    }

    /// The dependency edges of a workspace folder's package.json (devDependencies too, as for
    /// the root), resolved from that folder.
    fn top_edges(&self, folder: &str) -> Option<Edges> {
        let manifest = read_manifest(&self.root.join(folder).join("package.json")).ok()?;
        Some(Edges {
            base: folder.to_string(),
            edges: manifest.edges(true),
        })
    }

    /// npm's root has an edge to each workspace it links at the top of node_modules.
    fn workspace_edges(&self) -> Vec<(String, EdgeKind)> {
        self.packages
            .iter()
            .filter(|p| matches!(p.source, Source::Workspace { .. }))
            .filter(|p| p.location.strip_prefix("node_modules/") == Some(p.name.as_str()))
            .map(|p| (p.name.clone(), EdgeKind::Prod))
            .collect()
    }

    fn push(&mut self, pkg: Package, base: String, edges: Vec<(String, EdgeKind)>) {
        self.packages.push(pkg);
        self.edges.push(Edges { base, edges });
    }

    fn problem(&mut self, location: &str, code: &'static str, message: String) {
        self.problems
            .push(WalkProblem::new(location, code, message));
    }

    /// Visits the entries of one `node_modules` folder (`prefix` is its parent's location
    /// plus `/`, or empty at the top).
    fn visit_entries(&mut self, prefix: &str, dir: fs::ReadDir, bundle: &Bundle) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // `.bin`, `.package-lock.json`, `.cache`, … are npm's, not packages.
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if name.starts_with('@') && kind.is_dir() {
                self.visit_scope(prefix, &name, &entry.path(), bundle);
            } else if kind.is_symlink() || kind.is_dir() {
                self.visit_package(prefix, &name, kind.is_symlink(), bundle);
            }
        }
    }

    fn visit_scope(&mut self, prefix: &str, scope: &str, path: &Path, bundle: &Bundle) {
        let Ok(dir) = fs::read_dir(path) else {
            let location = format!("{prefix}node_modules/{scope}");
            return self.problem(
                &location,
                "EWALKIO",
                format!("cannot read {}", path.display()),
            );
        };
        for entry in dir.flatten() {
            let name = format!("{scope}/{}", entry.file_name().to_string_lossy());
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_symlink() || kind.is_dir() {
                self.visit_package(prefix, &name, kind.is_symlink(), bundle);
            }
        }
    }

    fn visit_package(&mut self, prefix: &str, folder: &str, is_link: bool, bundle: &Bundle) {
        let location = format!("{prefix}node_modules/{folder}");
        if !valid_name(folder) {
            let msg = format!("invalid package folder name {folder:?}");
            return self.problem(&location, "EPACKAGEJSON", msg);
        }
        if is_link {
            return self.visit_link(&location, folder);
        }
        let path = self.root.join(&location);
        let manifest_path = path.join("package.json");
        if !manifest_path.exists() {
            let msg = format!("{} not found", manifest_path.display());
            return self.problem(&location, "ENOPACKAGEJSON", msg);
        }
        let manifest = match read_manifest(&manifest_path) {
            Ok(m) => m,
            Err(message) => return self.problem(&location, "EPACKAGEJSON", message),
        };
        let bundled = bundle.contains(folder) || manifest.in_bundle;
        match self.package(&location, folder, &manifest, bundled, &path) {
            Ok(pkg) => self.push(pkg, location.clone(), manifest.edges(false)),
            Err(message) => return self.problem(&location, "EPACKAGEJSON", message),
        }
        if let Ok(children) = fs::read_dir(path.join("node_modules")) {
            let bundle = Bundle::of(&manifest, bundled);
            self.visit_entries(&format!("{location}/"), children, &bundle);
        }
    }

    fn package(
        &self,
        location: &str,
        folder: &str,
        m: &Manifest,
        bundled: bool,
        path: &Path,
    ) -> Result<Package, String> {
        let name = m.name.clone().unwrap_or_else(|| folder.to_string());
        let version = m.version.clone().unwrap_or_default();
        if !valid_name(&name) || !is_semver(&version) {
            return Err(format!(
                "invalid name {name:?} or version {version:?} in package.json"
            ));
        }
        let alias = (name != folder).then_some(folder);
        let (source, resolved_registry) = match bundled {
            true => (Source::Bundled, None),
            // npm 6 recorded the origin as `_resolved`; later npm versions record nothing,
            // so an unknown origin is treated as the registry (verification then fails closed).
            false => classify_resolved(m.resolved.as_deref(), &name, &version, alias)?,
        };
        let has_install_script = m.has_install_script || path.join("binding.gyp").is_file();
        Ok(Package {
            name,
            version,
            location: location.to_string(),
            integrity: m.integrity.clone(),
            resolved: m.resolved.clone(),
            source,
            resolved_registry,
            dev: false,
            optional: false,
            dev_optional: false,
            peer: false,
            has_install_script,
            patch: None,
            bin: None,
            installed: Some(true),
        })
    }

    /// A symlinked package: reported as a link to its target, never descended.
    fn visit_link(&mut self, location: &str, folder: &str) {
        let link = self.root.join(location);
        let target = match fs::read_link(&link) {
            Ok(t) => link.parent().unwrap_or(self.root).join(t),
            Err(e) => return self.problem(location, "EWALKIO", format!("{}: {e}", link.display())),
        };
        let rel = relative_to(self.root, &target);
        // Only read the target's package.json when the target lies inside the project.
        let inside = !(rel == ".." || rel.starts_with("../") || Path::new(&rel).is_absolute());
        let manifest = match inside {
            true => read_manifest(&self.root.join(&rel).join("package.json")).ok(),
            false => None,
        };
        let manifest = manifest.unwrap_or_default();
        let version = manifest.version.clone().unwrap_or_default();
        let source = match self.workspaces.matches(&rel) {
            true => Source::Workspace { path: rel.clone() },
            false => Source::Directory { path: rel.clone() },
        };
        let pkg = Package {
            name: folder.to_string(),
            version,
            location: location.to_string(),
            integrity: None,
            resolved: Some(rel.clone()),
            source,
            resolved_registry: None,
            dev: false,
            optional: false,
            dev_optional: false,
            peer: false,
            has_install_script: false,
            patch: None,
            bin: None,
            installed: Some(link.join("package.json").is_file()),
        };
        // A linked folder is a "top" for npm: its devDependencies count too.
        self.push(pkg, rel, manifest.edges(true));
    }
}
