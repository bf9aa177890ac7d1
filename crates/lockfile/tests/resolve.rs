//! `Tree::resolve`: which lockfile entry a dependent loads, by Node's lookup.

use std::path::Path;

use sigverify_lockfile::parse_lockfile;

const LOCK: &str = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "workspaces": ["packages/*"], "dependencies": { "a": "^1.0.0" } },
    "node_modules/a": { "version": "1.0.0", "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz", "integrity": "sha512-AA==" },
    "node_modules/a/node_modules/b": { "version": "2.0.0", "resolved": "https://registry.npmjs.org/b/-/b-2.0.0.tgz", "integrity": "sha512-BB==" },
    "node_modules/b": { "version": "1.0.0", "resolved": "https://registry.npmjs.org/b/-/b-1.0.0.tgz", "integrity": "sha512-CC==" },
    "node_modules/@s/c": { "version": "1.0.0", "resolved": "https://registry.npmjs.org/@s/c/-/c-1.0.0.tgz", "integrity": "sha512-DD==" },
    "packages/w": { "name": "w", "version": "0.0.1" },
    "packages/w/node_modules/b": { "version": "3.0.0", "resolved": "https://registry.npmjs.org/b/-/b-3.0.0.tgz", "integrity": "sha512-EE==" }
  }
}"#;

#[test]
fn resolves_like_node_from_each_folder() {
    let tree = parse_lockfile(Path::new("/p/package-lock.json"), LOCK).unwrap();
    let at = |from: &str, name: &str| {
        tree.resolve(from, name)
            .map(|i| tree.packages[i].location.as_str())
    };
    assert_eq!(at("", "a"), Some("node_modules/a"));
    assert_eq!(at("", "b"), Some("node_modules/b"));
    assert_eq!(
        at("node_modules/a", "b"),
        Some("node_modules/a/node_modules/b")
    );
    assert_eq!(
        at("node_modules/a/node_modules/b", "b"),
        Some("node_modules/a/node_modules/b")
    );
    assert_eq!(
        at("node_modules/a/node_modules/b", "@s/c"),
        Some("node_modules/@s/c")
    );
    assert_eq!(at("packages/w", "b"), Some("packages/w/node_modules/b"));
    assert_eq!(at("packages/w", "a"), Some("node_modules/a"));
    assert_eq!(at("node_modules/@s/c", "missing"), None);
}
