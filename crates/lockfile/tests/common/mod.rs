//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use sigverify_lockfile::{Package, Tree};

/// A fixture under `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

/// The text of a fixture.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture readable")
}

/// The package at `location`, or a panic listing what is there.
pub fn at<'t>(tree: &'t Tree, location: &str) -> &'t Package {
    tree.packages
        .iter()
        .find(|p| p.location == location)
        .unwrap_or_else(|| {
            let all: Vec<&str> = tree.packages.iter().map(|p| p.location.as_str()).collect();
            panic!("no package at {location}; have {all:?}")
        })
}

/// All locations, in tree order.
pub fn locations(tree: &Tree) -> Vec<&str> {
    tree.packages.iter().map(|p| p.location.as_str()).collect()
}

/// A copy of the fixture project `name` (a folder under `tests/fixtures/`) in a temporary
/// folder, with the install its `listing.txt` records rebuilt: each package folder with a
/// package.json of the recorded fields, each symlink with its recorded target, and pnpm's
/// `modules.yaml` back at `node_modules/.modules.yaml`.
pub fn installed(name: &str) -> tempfile::TempDir {
    let dir = copy_of(name);
    let listing = std::fs::read_to_string(fixture(name).join("listing.txt")).expect("listing");
    for line in listing.lines() {
        build(dir.path(), line);
    }
    let modules = fixture(name).join("modules.yaml");
    if modules.is_file() {
        std::fs::copy(modules, dir.path().join("node_modules/.modules.yaml")).unwrap();
    }
    dir
}

/// A copy of the fixture project `name` without any install.
pub fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), dir.path());
    dir
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else if entry.file_name() != "listing.txt" && entry.file_name() != "modules.yaml" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn build(root: &std::path::Path, line: &str) {
    let (kind, rest) = line.split_at(2);
    match kind {
        "D " => {
            let (path, manifest) = rest.split_once(' ').expect("D <path> <json>");
            std::fs::create_dir_all(root.join(path)).unwrap();
            std::fs::write(root.join(path).join("package.json"), manifest).unwrap();
        }
        "L " => {
            let (path, target) = rest.split_once(" -> ").expect("L <path> -> <target>");
            let link = root.join(path);
            std::fs::create_dir_all(link.parent().unwrap()).unwrap();
            std::os::unix::fs::symlink(target, link).unwrap();
        }
        _ => panic!("bad listing line {line:?}"),
    }
}

/// `(path, name@version)` of folders or `(path, target)` of links.
pub type Pairs = Vec<(String, String)>;

/// The listing of fixture `name`: `(path, name@version)` of folders and `(path, target)` of
/// links, the target made relative to the project root.
pub fn listing(name: &str) -> (Pairs, Pairs) {
    let text = std::fs::read_to_string(fixture(name).join("listing.txt")).expect("listing");
    let (mut folders, mut links) = (Vec::new(), Vec::new());
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("D ") {
            let (path, json) = rest.split_once(' ').unwrap();
            let m: serde_json::Value = serde_json::from_str(json).unwrap();
            folders.push((
                path.to_string(),
                format!(
                    "{}@{}",
                    m["name"].as_str().unwrap(),
                    m["version"].as_str().unwrap()
                ),
            ));
        } else if let Some(rest) = line.strip_prefix("L ") {
            let (path, target) = rest.split_once(" -> ").unwrap();
            links.push((path.to_string(), join(parent(path), target)));
        }
    }
    (folders, links)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// `base/rel` folded lexically.
pub fn join(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// `name@version` and integrity of every registry package, sorted and deduplicated.
pub fn registry_set(tree: &Tree) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = tree
        .packages
        .iter()
        .filter(|p| p.source.is_registry())
        .map(|p| (format!("{}@{}", p.name, p.version), p.integrity.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}
