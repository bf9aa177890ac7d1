//! The symlinks of an isolated layout (pnpm, Bun's isolated linker, Yarn's `pnpm` linker): each
//! one places a package where Node will find it, so each must point at a folder the lockfile
//! installs and, where the lockfile records the edge, at the very folder it resolves for that
//! dependent and name. A link to anything else would make Node load code nobody checked, or
//! another version than the one the lockfile resolves.

use std::fs;
use std::path::Path;

use sigverify_lockfile::{Layout, Tree};

use super::normalize;

/// Checks the link at `location` (`<owner>/node_modules/<name>`).
pub(super) fn check(tree: &Tree, location: &str) -> Result<(), String> {
    let (dir, name) = location
        .rsplit_once("/node_modules/")
        .map(|(d, n)| (d.to_string(), n))
        .or_else(|| {
            location
                .strip_prefix("node_modules/")
                .map(|n| (String::new(), n))
        })
        .ok_or_else(|| "a link outside any node_modules folder".to_string())?;
    let raw =
        fs::read_link(tree.root.join(location)).map_err(|e| format!("unreadable link: {e}"))?;
    let parent = Path::new(location).parent().unwrap_or(Path::new(""));
    let target = normalize(&parent.join(&raw))
        .ok_or_else(|| format!("a link out of the project ({})", raw.display()))?;
    let Some(index) = tree.index_of(&target) else {
        return Err(format!(
            "a link to {target}, which the lockfile does not install"
        ));
    };
    match recorded_edge(tree, &dir, name) {
        Some(expected) if expected == target => Ok(()),
        Some(expected) => Err(format!(
            "links {name} to {target}, but the lockfile resolves it to {expected}"
        )),
        None if tree.packages[index].name == name => Ok(()),
        None => Err(format!(
            "links {name} to {target}, a package named {}",
            tree.packages[index].name
        )),
    }
}

/// The folder the lockfile resolves `name` to from the owner(s) of `<dir>/node_modules`: the
/// root or a workspace (`dir` itself), or the packages whose folders share that `node_modules`
/// in a store (`<store>/<id>/node_modules/<pkg>`, Yarn's `<store>/<id>/package`).
fn recorded_edge(tree: &Tree, dir: &str, name: &str) -> Option<String> {
    let Layout::Explicit { edges } = &tree.layout else {
        return None;
    };
    let inside = format!("{dir}/node_modules/");
    let yarn_package = format!("{dir}/package");
    let owners = std::iter::once(dir.to_string()).chain(
        tree.packages
            .iter()
            .filter(|p| {
                p.location == yarn_package
                    || p.location
                        .strip_prefix(&inside)
                        .is_some_and(|rest| !rest.contains("/node_modules/"))
            })
            .map(|p| p.location.clone()),
    );
    owners
        .filter_map(|owner| edges.get(&(owner, name.to_string())).cloned())
        .next()
}
