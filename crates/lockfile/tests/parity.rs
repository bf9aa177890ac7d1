//! One project, six managers: every tree lists the same registry packages, with the same
//! integrity wherever the format records one.

mod common;

use common::{copy_of, installed, registry_set};
use sigverify_lockfile::{load_tree, Tree};

fn ids(tree: &Tree) -> Vec<String> {
    let mut ids: Vec<String> = registry_set(tree).into_iter().map(|(id, _)| id).collect();
    ids.dedup();
    ids
}

#[test]
fn every_manager_lists_the_same_registry_packages() {
    let npm = load_tree(copy_of("npm/project").path()).unwrap();
    let expected = registry_set(&npm);
    assert_eq!(expected.len(), 15, "{expected:?}");
    assert!(expected.iter().all(|(_, integrity)| integrity.is_some()));
    let with_integrity = [
        "pnpm/pnpm8",
        "pnpm/pnpm9",
        "pnpm/pnpm10",
        "pnpm/pnpm11",
        "yarn/classic",
        "bun/hoisted",
        "bun/isolated",
    ];
    for fixture in with_integrity {
        for tree in [
            load_tree(copy_of(fixture).path()).unwrap(),
            load_tree(installed_or_copy(fixture).path()).unwrap(),
        ] {
            assert_eq!(
                registry_set(&tree),
                expected,
                "{fixture} ({:?})",
                tree.linker
            );
        }
    }
    let expected_ids = ids(&npm);
    for fixture in ["berry/node-modules", "berry/pnpm", "berry/pnp"] {
        let tree = load_tree(installed_or_copy(fixture).path()).unwrap();
        assert_eq!(ids(&tree), expected_ids, "{fixture}");
        assert!(
            tree.packages.iter().all(|p| p.integrity.is_none()),
            "{fixture}"
        );
    }
}

/// The install when the fixture recorded one (Plug'n'Play has none).
fn installed_or_copy(fixture: &str) -> tempfile::TempDir {
    match common::fixture(fixture).join("listing.txt").is_file() {
        true => installed(fixture),
        false => copy_of(fixture),
    }
}
