//! `Tree::resolve`: which lockfile entry a dependent loads, by Node's lookup.

use std::collections::BTreeSet;
use std::path::Path;

use sigverify_lockfile::{parse_lockfile, Layout};

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

/// The lockfiles of every manager among the fixtures (npm's layout and the explicit ones).
const FIXTURES: [&str; 10] = [
    "npm/project/package-lock.json",
    "npm11-v3.package-lock.json",
    "pnpm/pnpm8/pnpm-lock.yaml",
    "pnpm/pnpm9/pnpm-lock.yaml",
    "pnpm/pnpm10/pnpm-lock.yaml",
    "pnpm/pnpm11/pnpm-lock.yaml",
    "yarn/classic/yarn.lock",
    "berry/pnp/yarn.lock",
    "berry/pnpm/yarn.lock",
    "berry/node-modules/yarn.lock",
];

#[test]
fn the_resolver_answers_what_the_tree_answers() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut explicit = 0;
    for fixture in FIXTURES {
        let path = fixtures.join(fixture);
        let text = std::fs::read_to_string(&path).unwrap();
        let tree = parse_lockfile(&path, &text).unwrap();
        let resolver = tree.resolver();
        explicit += usize::from(matches!(tree.layout, Layout::Explicit { .. }));
        let mut locations: Vec<&str> = vec!["", "node_modules", "no/such/place"];
        locations.extend(tree.packages.iter().map(|p| p.location.as_str()));
        let mut names: BTreeSet<&str> = tree.packages.iter().map(|p| p.name.as_str()).collect();
        if let Layout::Explicit { edges } = &tree.layout {
            names.extend(edges.keys().map(|(_, name)| name.as_str()));
            for ((from, name), target) in edges {
                assert_eq!(
                    resolver.edge(from, name),
                    Some(target.as_str()),
                    "{fixture}"
                );
            }
        }
        assert_eq!(resolver.edge("", "no-such-package"), None);
        names.insert("no-such-package");
        let (mut found, mut asked) = (0, 0);
        for from in locations.iter().take(150) {
            assert_eq!(
                resolver.index_of(from),
                tree.index_of(from),
                "{fixture}: {from}"
            );
            for name in names.iter().take(150) {
                let answer = tree.resolve(from, name);
                assert_eq!(
                    resolver.resolve(from, name),
                    answer,
                    "{fixture}: {from} -> {name}"
                );
                found += usize::from(answer.is_some());
                asked += 1;
            }
        }
        assert!(found > 0 && found < asked, "{fixture}: {found} of {asked}");
    }
    assert!(explicit >= 4, "{explicit} explicit layouts");
}

#[test]
fn a_tree_whose_locations_repeat_is_searched_as_the_tree_searches_it() {
    let mut tree = parse_lockfile(Path::new("/p/package-lock.json"), LOCK).unwrap();
    for i in [1, 3] {
        let copy = tree.packages[i].clone();
        tree.packages.insert(i, copy); // still sorted by location
    }
    let resolver = tree.resolver();
    for package in &tree.packages {
        let location = package.location.as_str();
        assert_eq!(
            resolver.index_of(location),
            tree.index_of(location),
            "{location}"
        );
        for name in ["a", "b", "@s/c", "missing"] {
            assert_eq!(
                resolver.resolve(location, name),
                tree.resolve(location, name)
            );
        }
    }
}
