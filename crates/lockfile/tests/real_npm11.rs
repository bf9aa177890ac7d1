//! Lockfiles written by the real npm 11.19.1 for one project (see tests/fixtures/README.md):
//! the same tree as v1, v2, v3, v3 without `resolved`, and the hidden lockfile.

mod common;

use std::path::Path;

use common::{at, fixture, fixture_text, locations};
use sigverify_lockfile::{load_lockfile, parse_lockfile, Input, Package, Source, Tree};

const NPMJS: &str = "https://registry.npmjs.org/";

fn parse(name: &str) -> Tree {
    parse_lockfile(&fixture(name), &fixture_text(name)).expect("real lockfile parses")
}

#[test]
fn v3_lists_every_location_sorted() {
    let tree = parse("npm11-v3.package-lock.json");
    assert_eq!(tree.lockfile_version, Some(3));
    assert_eq!(tree.input, Input::PackageLock);
    assert_eq!(tree.root, fixture(""));
    assert_eq!(
        locations(&tree),
        [
            "local-dir",
            "node_modules/@isaacs/string-locale-compare",
            "node_modules/ajv",
            "node_modules/ajv-keywords",
            "node_modules/core-js",
            "node_modules/fast-deep-equal",
            "node_modules/fast-json-stable-stringify",
            "node_modules/is-buffer",
            "node_modules/is-even",
            "node_modules/is-even/node_modules/is-number",
            "node_modules/is-even/node_modules/is-odd",
            "node_modules/is-number",
            "node_modules/is-odd",
            "node_modules/is-odd/node_modules/is-number",
            "node_modules/iso",
            "node_modules/json-schema-traverse",
            "node_modules/kind-of",
            "node_modules/local-dir",
            "node_modules/punycode",
            "node_modules/uri-js",
            "node_modules/ws-a",
            "packages/ws-a",
            "packages/ws-a/node_modules/is-number",
        ]
    );
    assert!(tree.problems.is_empty());
}

#[test]
fn v3_classifies_alias_scope_links_and_workspaces() {
    let tree = parse("npm11-v3.package-lock.json");
    let iso = at(&tree, "node_modules/iso");
    assert_eq!(
        (iso.name.as_str(), iso.version.as_str()),
        ("is-number", "6.0.0")
    );
    assert_eq!(
        iso.source,
        Source::Registry {
            alias: Some("iso".into())
        }
    );
    assert_eq!(iso.resolved_registry.as_deref(), Some(NPMJS));
    let scoped = at(&tree, "node_modules/@isaacs/string-locale-compare");
    assert_eq!(scoped.name, "@isaacs/string-locale-compare");
    assert_eq!(scoped.source, Source::Registry { alias: None });
    let ws = Source::Workspace {
        path: "packages/ws-a".into(),
    };
    assert_eq!(at(&tree, "node_modules/ws-a").source, ws);
    assert_eq!(
        at(&tree, "node_modules/ws-a").version,
        "0.1.0",
        "link takes its target's version"
    );
    assert_eq!(at(&tree, "packages/ws-a").source, ws);
    let dir = Source::Directory {
        path: "local-dir".into(),
    };
    assert_eq!(at(&tree, "node_modules/local-dir").source, dir);
    assert_eq!(at(&tree, "local-dir").source, dir);
    assert_eq!(at(&tree, "local-dir").version, "2.0.0");
}

#[test]
fn v3_flags_match_what_npm_wrote() {
    let tree = parse("npm11-v3.package-lock.json");
    let flags = |loc: &str| {
        let p = at(&tree, loc);
        (
            p.dev,
            p.optional,
            p.dev_optional,
            p.peer,
            p.has_install_script,
        )
    };
    assert_eq!(
        flags("node_modules/is-odd"),
        (true, false, false, false, false)
    );
    assert_eq!(
        flags("node_modules/is-even"),
        (false, true, false, false, false)
    );
    assert_eq!(
        flags("node_modules/kind-of"),
        (false, false, true, false, false)
    );
    assert_eq!(
        flags("node_modules/ajv"),
        (false, false, false, true, false)
    );
    assert_eq!(
        flags("node_modules/core-js"),
        (false, false, false, false, true)
    );
    assert_eq!(
        flags("node_modules/is-number"),
        (false, false, false, false, false)
    );
}

#[test]
fn v3_registry_packages_carry_resolved_registry_and_integrity() {
    let tree = parse("npm11-v3.package-lock.json");
    let registry: Vec<_> = tree
        .packages
        .iter()
        .filter(|p| p.source.is_registry())
        .collect();
    assert_eq!(registry.len(), 19);
    for p in registry {
        assert_eq!(
            p.resolved_registry.as_deref(),
            Some(NPMJS),
            "{}",
            p.location
        );
        assert!(
            p.integrity.as_deref().unwrap().starts_with("sha512-"),
            "{}",
            p.location
        );
        assert_eq!(p.installed, None, "parse_lockfile touches no disk");
    }
}

#[test]
fn v2_ignores_its_legacy_dependencies_section() {
    let v2 = parse("npm11-v2.package-lock.json");
    let v3 = parse("npm11-v3.package-lock.json");
    assert_eq!(v2.lockfile_version, Some(2));
    assert_eq!(v2.packages, v3.packages);
}

type Identity<'a> = (&'a str, &'a str, &'a str, bool, bool, bool, bool, bool);

fn ids(tree: &Tree) -> Vec<Identity<'_>> {
    tree.packages.iter().map(identity).collect()
}

/// Identity and flags of a package, without where it was resolved from.
fn identity(p: &Package) -> Identity<'_> {
    let flags = (
        p.dev,
        p.optional,
        p.dev_optional,
        p.peer,
        p.has_install_script,
    );
    (
        &p.location,
        &p.name,
        &p.version,
        flags.0,
        flags.1,
        flags.2,
        flags.3,
        flags.4,
    )
}

#[test]
fn v3_without_resolved_is_still_registry_but_without_a_base() {
    let bare = parse("npm11-v3-no-resolved.package-lock.json");
    let full = parse("npm11-v3.package-lock.json");
    let iso = at(&bare, "node_modules/iso");
    assert_eq!(
        iso.source,
        Source::Registry {
            alias: Some("iso".into())
        }
    );
    assert_eq!(
        (iso.resolved.as_deref(), iso.resolved_registry.as_deref()),
        (None, None)
    );
    assert_eq!(ids(&bare), ids(&full));
    // npm 11 really wrote this workspace dependency without an integrity.
    let ws_dep = at(&bare, "packages/ws-a/node_modules/is-number");
    assert_eq!(
        (ws_dep.integrity.as_deref(), ws_dep.source.is_registry()),
        (None, true)
    );
}

#[test]
fn v1_nests_locations_like_npm_and_agrees_with_v3() {
    let v1 = parse("npm11-v1.package-lock.json");
    let v3 = parse("npm11-v3.package-lock.json");
    assert_eq!(v1.lockfile_version, Some(1));
    // Every v3 registry package is in v1 at the same location with the same identity and flags.
    for p in v3.packages.iter().filter(|p| p.source.is_registry()) {
        let q = at(&v1, &p.location);
        assert_eq!(
            (&q.name, &q.version, &q.integrity, &q.source),
            (&p.name, &p.version, &p.integrity, &p.source)
        );
        assert_eq!(
            (q.dev, q.optional, q.dev_optional, q.peer),
            (p.dev, p.optional, p.dev_optional, p.peer)
        );
        assert_eq!(q.resolved_registry, p.resolved_registry);
    }
    // v1 has no entries for link targets; the workspace's own deps live in its folder.
    let ws = at(&v1, "node_modules/ws-a");
    assert_eq!(
        ws.source,
        Source::Directory {
            path: "packages/ws-a".into()
        }
    );
    assert_eq!(ws.resolved.as_deref(), Some("file:packages/ws-a"));
    assert_eq!(
        at(&v1, "packages/ws-a/node_modules/is-number").version,
        "6.0.0"
    );
    assert_eq!(v1.packages.len(), v3.packages.len() - 2);
}

#[test]
fn hidden_lockfile_is_recognised_by_its_place() {
    let text = fixture_text("npm11-hidden.package-lock.json");
    let path = Path::new("/project/node_modules/.package-lock.json");
    let tree = parse_lockfile(path, &text).unwrap();
    assert_eq!(
        (tree.input, tree.root.as_path()),
        (Input::HiddenLockfile, Path::new("/project"))
    );
    let v3 = parse("npm11-v3.package-lock.json");
    assert_eq!(ids(&tree), ids(&v3));
    // No root entry in a hidden lockfile: without package.json (parse_lockfile reads no
    // file) the workspace link cannot be told from a file: link. load_tree can.
    let link = at(&tree, "node_modules/ws-a");
    assert_eq!(
        link.source,
        Source::Directory {
            path: "packages/ws-a".into()
        }
    );
}

#[test]
fn load_lockfile_reads_any_file_name() {
    let tree = load_lockfile(&fixture("npm11-v3.package-lock.json")).unwrap();
    assert_eq!(tree.input, Input::PackageLock);
    assert_eq!(tree.packages.len(), 23);
    // The fixtures folder has no node_modules: lockfile-only, nothing known about disk.
    assert!(tree.packages.iter().all(|p| p.installed.is_none()));
}
