//! What is installed in `node_modules`, read from disk: a walk of the nested folders when there
//! is no lockfile ([`walk`]), the real folders of an isolated store ([`store`]), and the
//! matching of either with the entries of a lockfile that records no locations ([`matching`]).

pub(crate) mod bundled;
pub(crate) mod matching;
pub(crate) mod store;
pub(crate) mod walk;

use std::fs;
use std::path::PathBuf;

use crate::model::Tree;

/// Sets `installed` when the project has a `node_modules` folder: npm audit signatures
/// only checks packages that are on disk. Without `node_modules` it stays `None`.
///
/// A package is installed when its folder (or link) exists, whatever it holds: deleting the
/// `package.json` of a tampered folder must not make it "not installed" (the content check then
/// reports the missing file).
pub(crate) fn mark_installed(tree: &mut Tree) {
    if !tree.root.join("node_modules").is_dir() {
        return;
    }
    for pkg in &mut tree.packages {
        let folder: PathBuf = tree.root.join(&pkg.location);
        pkg.installed = Some(fs::symlink_metadata(&folder).is_ok());
    }
}
