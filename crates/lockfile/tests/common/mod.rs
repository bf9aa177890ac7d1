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
