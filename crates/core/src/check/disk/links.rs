//! The symlinks of an isolated layout (pnpm, Bun's isolated linker, Yarn's `pnpm` linker): each
//! one places a package where Node will find it, so each must point at a folder the lockfile
//! installs and, where the lockfile records the edge, at the very folder it resolves for that
//! dependent and name. A link to anything else would make Node load code nobody checked, or
//! another version than the one the lockfile resolves.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use sigverify_lockfile::{Manager, Resolver, Tree};

use super::normalize;

/// Checks the link at `location` (`<owner>/node_modules/<name>`).
pub(super) fn check(resolver: &Resolver, owners: &Owners, location: &str) -> Result<(), String> {
    let tree = resolver.tree();
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
    let Some(index) = resolver.index_of(&target) else {
        return Err(format!(
            "a link to {target}, which the lockfile does not install"
        ));
    };
    match recorded_edge(resolver, owners, &dir, name) {
        Some(expected) if expected == target => Ok(()),
        Some(expected) => Err(format!(
            "links {name} to {target}, but the lockfile resolves it to {expected}"
        )),
        // pnpm's store entry holds the package and exactly the dependencies the lockfile
        // records for it: another link there changes what it loads (a `require` of a name it
        // does not declare, or an optional probe, now finds that version).
        None if pnpm_store_entry(tree, owners, &dir) => Err(format!(
            "links {name} to {target} beside {dir}'s package, but the lockfile records no such dependency of it"
        )),
        None if tree.packages[index].name == name => Ok(()),
        None => Err(format!(
            "links {name} to {target}, a package named {}",
            tree.packages[index].name
        )),
    }
}

/// True when `<dir>/node_modules` is a pnpm store entry's (shared by the packages stored there),
/// not an importer's or pnpm's hoisted `.pnpm/node_modules`, whose links the lockfile does not
/// record one by one.
fn pnpm_store_entry(tree: &Tree, owners: &Owners, dir: &str) -> bool {
    tree.manager == Manager::Pnpm && owners.0.get(dir).is_some_and(|o| !o.is_empty())
}

/// The folder the lockfile resolves `name` to from the owner(s) of `<dir>/node_modules`: the
/// root or a workspace (`dir` itself), or the packages whose folders share that `node_modules`
/// in a store (`<store>/<id>/node_modules/<pkg>`, Yarn's `<store>/<id>/package`).
fn recorded_edge<'t>(
    resolver: &Resolver<'t>,
    owners: &Owners,
    dir: &str,
    name: &str,
) -> Option<&'t str> {
    let shared = owners.0.get(dir).into_iter().flatten().map(String::as_str);
    std::iter::once(dir)
        .chain(shared)
        .find_map(|owner| resolver.edge(owner, name))
}

/// The packages whose folders share each `<dir>/node_modules` (in lockfile order), indexed
/// once per walk: finding them by scanning every package for each of a pnpm tree's thousands
/// of links was quadratic (~1.4 million comparisons on the 650-package bench tree).
pub(super) struct Owners(HashMap<String, Vec<String>>);

impl Owners {
    pub(super) fn of(tree: &Tree) -> Owners {
        let mut by_dir: HashMap<String, Vec<String>> = HashMap::new();
        for package in &tree.packages {
            for dir in owned_dirs(&package.location) {
                by_dir
                    .entry(dir.to_string())
                    .or_default()
                    .push(package.location.clone());
            }
        }
        Owners(by_dir)
    }
}

/// The `dir`s whose `node_modules` the package at `location` shares: `<dir>/package` (Yarn's
/// store), and `<dir>/node_modules/<rest>` with no further `/node_modules/` in `rest`.
fn owned_dirs(location: &str) -> Vec<&str> {
    const INSIDE: &str = "/node_modules/";
    let mut dirs: Vec<&str> = location.strip_suffix("/package").into_iter().collect();
    // Every occurrence (they may overlap: `a/node_modules/node_modules/x` is inside both `a`
    // and `a/node_modules`).
    let mut from = 0;
    while let Some(at) = location[from..].find(INSIDE).map(|i| from + i) {
        if !location[at + INSIDE.len()..].contains(INSIDE) {
            dirs.push(&location[..at]);
        }
        from = at + 1;
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::owned_dirs;

    /// The rule `owned_dirs` indexes: `location` shares `<dir>/node_modules`.
    fn shares(dir: &str, location: &str) -> bool {
        let inside = format!("{dir}/node_modules/");
        location == format!("{dir}/package")
            || location
                .strip_prefix(&inside)
                .is_some_and(|rest| !rest.contains("/node_modules/"))
    }

    #[test]
    fn the_index_holds_exactly_the_dirs_whose_node_modules_a_location_shares() {
        let locations = [
            "node_modules/a",
            "node_modules/.pnpm/a@1.0.0/node_modules/a",
            "node_modules/.pnpm/a@1.0.0/node_modules/@s/b",
            "node_modules/a/node_modules/b",
            "node_modules/a/node_modules/node_modules/x",
            "node_modules/.store/a-npm-1.0.0-abc/package",
            "packages/web",
            "packages/web/node_modules/c",
        ];
        let mut dirs: Vec<String> = vec![String::new()];
        for location in locations {
            let mut at = 0;
            while let Some(i) = location[at..].find('/') {
                dirs.push(location[..at + i].to_string());
                at += i + 1;
            }
            dirs.push(location.to_string());
        }
        for location in locations {
            let mut expected: Vec<&str> = dirs
                .iter()
                .map(String::as_str)
                .filter(|dir| shares(dir, location))
                .collect();
            expected.sort_unstable();
            expected.dedup();
            let mut found = owned_dirs(location);
            found.sort_unstable();
            found.dedup();
            assert_eq!(found, expected, "{location}");
        }
    }
}
