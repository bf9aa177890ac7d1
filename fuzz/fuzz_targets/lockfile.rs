//! npm lockfiles: `parse_lockfile` under every file name it reads differently, then the
//! lookups callers make on the tree it returns.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_lockfile::{parse_lockfile, Omit, Tree};
use std::path::Path;

/// One line per lockfile kind `parse_lockfile` tells apart by its file name.
const FILES: &[&str] = &[
    "project/package-lock.json",
    "project/npm-shrinkwrap.json",
    "project/node_modules/.package-lock.json",
    "project/pnpm-lock.yaml",
    "project/yarn.lock",
    "project/bun.lock",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for file in FILES {
        if let Ok(tree) = parse_lockfile(Path::new(file), text) {
            check_tree(&tree);
        }
    }
});

/// The tree's documented invariants, and the lookups the verifier runs on it.
fn check_tree(tree: &Tree) {
    let sorted = tree
        .packages
        .windows(2)
        .all(|w| w[0].location < w[1].location);
    assert!(sorted, "packages not sorted and unique by location");
    for (i, pkg) in tree.packages.iter().enumerate() {
        assert_eq!(tree.index_of(&pkg.location), Some(i));
        let _ = tree.resolve(&pkg.location, &pkg.name);
        let _ = pkg.source.skip_reason();
    }
    let omit = Omit {
        dev: true,
        optional: true,
        peer: true,
    };
    let _ = tree.kept(&omit).count();
}
