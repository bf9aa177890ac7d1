//! A `node_modules` walk computes dev/optional/devOptional/peer like npm: the tree npm 11
//! wrote in `npm11-v3.package-lock.json` is rebuilt on disk from the lockfile's own
//! entries (package.json files with the same dependency declarations, links as symlinks),
//! and the walk must find the flags npm recorded.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use common::{fixture_text, locations};
use serde_json::{json, Map, Value};
use sigverify_lockfile::{load_tree, Input};

const DECLARATIONS: [&str; 5] = [
    "dependencies",
    "optionalDependencies",
    "peerDependencies",
    "peerDependenciesMeta",
    "devDependencies",
];

/// The package.json npm extracted for a lockfile entry (name, version, declarations).
fn manifest_of(location: &str, entry: &Map<String, Value>) -> Value {
    let folder = location.rsplit("node_modules/").next().unwrap();
    let mut m = Map::new();
    m.insert(
        "name".into(),
        entry.get("name").cloned().unwrap_or(json!(folder)),
    );
    m.insert("version".into(), entry["version"].clone());
    for key in DECLARATIONS {
        if let Some(v) = entry.get(key) {
            m.insert(key.into(), v.clone());
        }
    }
    Value::Object(m)
}

fn rebuild(root: &Path, lockfile: &Value) {
    for (location, entry) in lockfile["packages"].as_object().unwrap() {
        let entry = entry.as_object().unwrap();
        let folder = root.join(location);
        if entry.get("link") == Some(&json!(true)) {
            fs::create_dir_all(folder.parent().unwrap()).unwrap();
            let target = root.join(entry["resolved"].as_str().unwrap());
            symlink(target, &folder).unwrap();
            continue;
        }
        let manifest = match location.as_str() {
            "" => Value::Object(entry.clone()),
            _ => manifest_of(location, entry),
        };
        fs::create_dir_all(&folder).unwrap();
        fs::write(folder.join("package.json"), manifest.to_string()).unwrap();
    }
}

#[test]
fn walk_flags_match_what_npm_wrote() {
    let lockfile: Value =
        serde_json::from_str(&fixture_text("npm11-v3.package-lock.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    rebuild(dir.path(), &lockfile);
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(tree.input, Input::NodeModules);
    assert!(tree.problems.is_empty(), "{:?}", tree.problems);
    let packages = lockfile["packages"].as_object().unwrap();
    let flag = |entry: &Value, name: &str| entry.get(name) == Some(&json!(true));
    // Everything directly under the root's node_modules is walked (links are not descended).
    let expected: Vec<&str> = packages
        .keys()
        .map(String::as_str)
        .filter(|l| l.starts_with("node_modules/"))
        .collect();
    assert_eq!(locations(&tree), expected);
    for pkg in &tree.packages {
        let entry = &packages[&pkg.location];
        let npm = ["dev", "optional", "devOptional", "peer"].map(|f| flag(entry, f));
        let ours = [pkg.dev, pkg.optional, pkg.dev_optional, pkg.peer];
        assert_eq!(
            ours, npm,
            "{} (dev, optional, devOptional, peer)",
            pkg.location
        );
    }
}
