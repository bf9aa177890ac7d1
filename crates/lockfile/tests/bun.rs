//! bun.lock of Bun 1.4.5, with its hoisted and isolated installs.

mod common;

use common::{at, copy_of, fixture, fixture_text, installed, listing};
use sigverify_lockfile::{load_tree, parse_lockfile, Layout, Linker, Manager, Source};

#[test]
fn keys_become_the_hoisted_folders() {
    let path = fixture("bun/hoisted/bun.lock");
    let tree = parse_lockfile(&path, &fixture_text("bun/hoisted/bun.lock")).unwrap();
    assert_eq!(
        (tree.manager, tree.lockfile_version),
        (Manager::Bun, Some(2))
    );
    let (folders, _) = listing("bun/hoisted");
    for (path, id) in &folders {
        let pkg = at(&tree, path);
        match pkg.version.is_empty() {
            // bun.lock records no version for folders and tarballs.
            true => assert!(id.starts_with(&format!("{}@", pkg.name)), "{path}"),
            false => assert_eq!(format!("{}@{}", pkg.name, pkg.version), *id, "{path}"),
        }
    }
    let iso = at(&tree, "node_modules/iso");
    assert_eq!(
        iso.source,
        Source::Registry {
            alias: Some("iso".into())
        }
    );
    assert!(iso
        .integrity
        .as_deref()
        .unwrap()
        .starts_with("sha512-Wu1VH"));
    assert!(at(&tree, "node_modules/kind-of").dev);
    assert!(at(&tree, "node_modules/is-odd/node_modules/is-number").optional);
    assert!(!at(&tree, "packages/ws-a/node_modules/is-number").optional);
    assert_eq!(
        at(&tree, "packages/ws-a").source,
        Source::Workspace {
            path: "packages/ws-a".into()
        }
    );
    assert_eq!(
        at(&tree, "node_modules/local-dir").source,
        Source::Directory {
            path: "local-dir".into()
        }
    );
    let tar = at(&tree, "node_modules/local-tar");
    assert_eq!(
        tar.source,
        Source::LocalTarball {
            path: "vendor/local-tar-1.0.0.tgz".into()
        }
    );
    assert!(tar
        .integrity
        .as_deref()
        .unwrap()
        .starts_with("sha512-lQ3w2tlO"));
    assert_eq!(tree.layout, Layout::NodeModules);
    let ms = tree
        .resolve("node_modules/debug", "ms")
        .map(|i| tree.packages[i].version.as_str());
    assert_eq!(ms, Some("2.1.2"));
}

#[test]
fn hoisted_install_marks_packages_installed() {
    let dir = installed("bun/hoisted");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(tree.linker, Linker::NodeModules);
    assert!(
        tree.packages.iter().all(|p| p.installed == Some(true)),
        "{:?}",
        tree.packages
    );
}

/// An empty `.bun` folder added to a hoisted tree (a restored node_modules) does not make it
/// read as an isolated install, whose checks differ.
#[test]
fn an_empty_store_folder_beside_hoisted_packages_is_still_hoisted() {
    let dir = installed("bun/hoisted");
    std::fs::create_dir_all(dir.path().join("node_modules/.bun")).unwrap();
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.linker, tree.layout == Layout::NodeModules),
        (Linker::NodeModules, true)
    );
    assert!(tree.packages.iter().all(|p| p.installed == Some(true)));
}

#[test]
fn isolated_store_is_matched_and_its_symlinks_are_the_edges() {
    let dir = installed("bun/isolated");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.manager, tree.linker),
        (Manager::Bun, Linker::Isolated)
    );
    assert!(tree.problems.is_empty(), "{:?}", tree.problems);
    let (folders, links) = listing("bun/isolated");
    for (path, id) in &folders {
        let pkg = at(&tree, path);
        assert!(id.starts_with(&format!("{}@", pkg.name)), "{path}");
        assert_eq!(pkg.installed, Some(true));
    }
    let kind_of = tree.packages.iter().find(|p| p.name == "kind-of").unwrap();
    assert!(kind_of.dev && kind_of.integrity.is_some());
    let mut checked = 0;
    for (link, target) in links
        .iter()
        .filter(|(l, _)| !l.starts_with("node_modules/.bun/node_modules/"))
    {
        let (dir, name) = link
            .rsplit_once("node_modules/")
            .map(|(d, n)| (d.trim_end_matches('/'), n))
            .unwrap();
        let from = match dir {
            "" => String::new(),
            d if d.starts_with("node_modules/.bun/") => folders
                .iter()
                .find(|(p, _)| p.starts_with(&format!("{d}/node_modules/")))
                .unwrap()
                .0
                .clone(),
            d => d.to_string(),
        };
        let got = tree
            .resolve(&from, name)
            .map(|i| tree.packages[i].location.clone());
        assert_eq!(got.as_deref(), Some(target.as_str()), "{from:?} -> {name}");
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
}

#[test]
fn lockfile_only_uses_the_hoisted_folders() {
    let dir = copy_of("bun/isolated");
    let tree = load_tree(dir.path()).unwrap();
    assert!(at(&tree, "node_modules/debug/node_modules/ms")
        .installed
        .is_none());
}

#[test]
fn the_binary_lockfile_is_refused_with_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bun.lockb"),
        b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\0\0",
    )
    .unwrap();
    let err = load_tree(dir.path()).unwrap_err();
    assert_eq!(err.code(), "EBUNLOCKB");
    assert!(
        err.remediation()
            .contains("bun install --save-text-lockfile"),
        "{}",
        err.remediation()
    );
    assert!(err.remediation().contains("1.1.39"));
    // With bun.lock beside it, Bun (and this crate) read the text lockfile.
    std::fs::write(
        dir.path().join("bun.lock"),
        fixture_text("bun/hoisted/bun.lock"),
    )
    .unwrap();
    assert_eq!(load_tree(dir.path()).unwrap().manager, Manager::Bun);
}
