//! Finding and reading a project's input from disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::LockfileError;
use crate::manifest::read_manifest;
use crate::model::Tree;
use crate::parse::{input_kind, parse_with, root_of};
use crate::walk::walk_node_modules;
use crate::workspace::Workspaces;

/// The lockfiles npm reads, in its order of precedence.
const LOCKFILES: [&str; 3] = [
    "npm-shrinkwrap.json",
    "package-lock.json",
    "node_modules/.package-lock.json",
];

/// Reads the package list of the project in `dir`, the way npm would: the first of
/// `npm-shrinkwrap.json`, `package-lock.json`, `node_modules/.package-lock.json`, or else a
/// walk of `node_modules`. Fails with `ENOLOCKFILE` when there is none of them.
pub fn load_tree(dir: &Path) -> Result<Tree, LockfileError> {
    if !dir.is_dir() {
        return Err(LockfileError::ProjectNotFound {
            path: dir.to_path_buf(),
        });
    }
    for name in LOCKFILES {
        let path = dir.join(name);
        if let Some(text) = read_if_exists(&path)? {
            return parse_and_mark(&path, &text);
        }
    }
    let node_modules = dir.join("node_modules");
    if node_modules.is_dir() {
        return walk_node_modules(dir);
    }
    Err(LockfileError::NoLockfile {
        dir: dir.to_path_buf(),
    })
}

/// Reads the lockfile at `path` (any of the lockfile kinds, any file name, for `--lockfile`)
/// and records which packages are installed next to it.
pub fn load_lockfile(path: &Path) -> Result<Tree, LockfileError> {
    let text = fs::read_to_string(path).map_err(|source| io_error(path, source))?;
    parse_and_mark(path, &text)
}

fn parse_and_mark(path: &Path, text: &str) -> Result<Tree, LockfileError> {
    let root = root_of(path, input_kind(path));
    let workspaces = project_workspaces(&root);
    let mut tree = parse_with(path, text, workspaces.as_ref())?;
    mark_installed(&mut tree);
    Ok(tree)
}

/// The root package.json's workspaces, if it can be read. A broken package.json only costs
/// the workspace/directory distinction of lockfiles that do not record it.
fn project_workspaces(root: &Path) -> Option<Workspaces> {
    let manifest = read_manifest(&root.join("package.json")).ok()?;
    Some(Workspaces::new(
        manifest.workspaces.iter().map(String::as_str),
    ))
}

fn read_if_exists(path: &Path) -> Result<Option<String>, LockfileError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(io_error(path, source)),
    }
}

pub(crate) fn io_error(path: &Path, source: io::Error) -> LockfileError {
    LockfileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Sets `installed` when the project has a `node_modules` folder: npm audit signatures
/// only checks packages that are on disk. Without `node_modules` it stays `None`.
///
/// A package is installed when its folder (or link) exists, whatever it holds: deleting the
/// `package.json` of a tampered folder must not make it "not installed" (the content check then
/// reports the missing file).
fn mark_installed(tree: &mut Tree) {
    if !tree.root.join("node_modules").is_dir() {
        return;
    }
    for pkg in &mut tree.packages {
        let folder: PathBuf = tree.root.join(&pkg.location);
        pkg.installed = Some(fs::symlink_metadata(&folder).is_ok());
    }
}
