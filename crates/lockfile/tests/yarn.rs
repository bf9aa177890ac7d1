//! yarn.lock of Yarn classic (1.22) and Berry (4.18), lockfile-only and matched with the
//! node_modules each installed.

mod common;

use std::fs;

use common::{at, copy_of, installed, listing};
use sigverify_lockfile::{load_tree, Layout, Linker, Manager, Source, Tree};

/// Every registry folder of the listing became a registry package at that location.
fn assert_folders_match(tree: &Tree, fixture: &str) {
    let (folders, _) = listing(fixture);
    for (path, id) in &folders {
        let pkg = at(tree, path);
        assert_eq!(
            format!("{}@{}", pkg.name, pkg.version),
            *id,
            "{fixture}: {path}"
        );
        assert_eq!(pkg.installed, Some(true), "{path}");
    }
}

#[test]
fn classic_install_is_matched_folder_by_folder() {
    let dir = installed("yarn/classic");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.manager, tree.linker),
        (Manager::Yarn, Linker::NodeModules)
    );
    assert_eq!(tree.layout, Layout::NodeModules);
    assert!(tree.problems.is_empty(), "{:?}", tree.problems);
    assert_folders_match(&tree, "yarn/classic");
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
    assert_eq!(
        iso.resolved_registry.as_deref(),
        Some("https://registry.yarnpkg.com/")
    );
    assert!(iso
        .integrity
        .as_deref()
        .unwrap()
        .starts_with("sha512-Wu1VH"));
    assert!(at(&tree, "node_modules/kind-of").dev);
    assert!(at(&tree, "node_modules/is-odd/node_modules/is-number").optional);
    let tar = at(&tree, "node_modules/local-tar");
    assert_eq!(
        tar.source,
        Source::LocalTarball {
            path: "vendor/local-tar-1.0.0.tgz".into()
        }
    );
    // No `integrity` field for file: tarballs: the `#` fragment (the sha1 of the tarball, as
    // `sha1sum` gives it) stands in.
    assert_eq!(
        tar.integrity.as_deref(),
        Some("sha1-vS3WQK7u/s3Vl3SidYAfQ1mD0Io=")
    );
    assert_eq!(
        at(&tree, "node_modules/linked-dir").source,
        Source::Directory {
            path: "linked-dir".into()
        }
    );
    assert_eq!(
        at(&tree, "packages/ws-a").source,
        Source::Workspace {
            path: "packages/ws-a".into()
        }
    );
    let ws_dep = tree
        .resolve("packages/ws-a", "is-number")
        .map(|i| &tree.packages[i]);
    assert_eq!(ws_dep.map(|p| p.version.as_str()), Some("6.0.0"));
}

#[test]
fn classic_without_node_modules_uses_placeholders_and_the_lockfile_edges() {
    let dir = copy_of("yarn/classic");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(tree.manager, Manager::Yarn);
    let iso = tree
        .resolve("", "iso")
        .map(|i| tree.packages[i].location.as_str());
    assert_eq!(iso, Some("yarn.lock:is-number@6.0.0"));
    let ms = tree
        .resolve("yarn.lock:debug@4.3.4", "ms")
        .map(|i| tree.packages[i].location.as_str());
    assert_eq!(ms, Some("yarn.lock:ms@2.1.2"));
    let kind_of = at(&tree, "yarn.lock:kind-of@6.0.3");
    assert!(kind_of.dev && kind_of.installed.is_none());
    assert!(at(&tree, "yarn.lock:is-odd@3.0.1").optional);
    assert!(!at(&tree, "yarn.lock:ajv@6.12.6").dev);
}

#[test]
fn stray_folders_and_missing_folders_are_visible() {
    let dir = installed("yarn/classic");
    let stray = dir.path().join("node_modules/evil");
    fs::create_dir_all(&stray).unwrap();
    fs::write(
        stray.join("package.json"),
        r#"{"name":"evil","version":"1.0.0"}"#,
    )
    .unwrap();
    fs::remove_dir_all(dir.path().join("node_modules/kind-of")).unwrap();
    let tree = load_tree(dir.path()).unwrap();
    let problem = tree
        .problems
        .iter()
        .find(|p| p.location == "node_modules/evil")
        .unwrap();
    assert_eq!(problem.code, "ENOTINLOCKFILE");
    assert!(
        problem.message.contains("evil@1.0.0"),
        "{}",
        problem.message
    );
    assert_eq!(at(&tree, "yarn.lock:kind-of@6.0.3").installed, Some(false));
}

#[test]
fn berry_node_modules_install_is_matched() {
    let dir = installed("berry/node-modules");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.manager, tree.linker),
        (Manager::YarnBerry, Linker::NodeModules)
    );
    assert!(tree.problems.is_empty(), "{:?}", tree.problems);
    assert_folders_match(&tree, "berry/node-modules");
    // Berry's checksum is of its own zip: never an integrity.
    assert!(tree.packages.iter().all(|p| p.integrity.is_none()));
    let iso = at(&tree, "node_modules/iso");
    assert_eq!(
        iso.source,
        Source::Registry {
            alias: Some("iso".into())
        }
    );
    assert!(at(&tree, "node_modules/kind-of").dev);
    assert_eq!(
        at(&tree, "node_modules/portal-dir").source,
        Source::Directory {
            path: "linked-dir".into()
        }
    );
}

#[test]
fn berry_pnp_has_no_installed_folders() {
    let dir = copy_of("berry/pnp");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.manager, tree.linker),
        (Manager::YarnBerry, Linker::Pnp)
    );
    assert_eq!(tree.lockfile_version, Some(10));
    assert!(tree.packages.iter().all(|p| p.installed.is_none()));
    let loc = |from: &str, name: &str| {
        tree.resolve(from, name)
            .map(|i| tree.packages[i].location.clone())
    };
    assert_eq!(
        loc("", "iso").as_deref(),
        Some("yarn.lock:is-number@npm:6.0.0")
    );
    assert_eq!(
        loc("packages/ws-a", "is-number").as_deref(),
        Some("yarn.lock:is-number@npm:6.0.0")
    );
    assert_eq!(loc("", "ws-a").as_deref(), Some("packages/ws-a"));
    assert_eq!(
        loc("yarn.lock:debug@npm:4.3.4", "ms").as_deref(),
        Some("yarn.lock:ms@npm:2.1.2")
    );
    assert_eq!(
        loc("", "local-dir")
            .as_deref()
            .map(|l| l.starts_with("yarn.lock:local-dir@file:")),
        Some(true)
    );
    // package.json tells Berry's merged dependencies apart: kind-of is dev-only.
    assert!(at(&tree, "yarn.lock:kind-of@npm:6.0.3").dev);
    assert!(at(&tree, "yarn.lock:is-odd@npm:3.0.1").optional);
}

#[test]
fn berry_pnpm_linker_store_is_matched_and_its_symlinks_are_the_edges() {
    let dir = installed("berry/pnpm");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.manager, tree.linker),
        (Manager::YarnBerry, Linker::Isolated)
    );
    assert!(tree.problems.is_empty(), "{:?}", tree.problems);
    let (folders, links) = listing("berry/pnpm");
    for (path, id) in &folders {
        let pkg = at(&tree, path);
        assert_eq!(format!("{}@{}", pkg.name, pkg.version), *id, "{path}");
        assert_eq!(pkg.installed, Some(true));
    }
    assert!(
        at(
            &tree,
            "node_modules/.store/kind-of-npm-6.0.3-ab15f36220/package"
        )
        .dev
    );
    let mut checked = 0;
    for (link, target) in &links {
        let (dir, name) = link
            .rsplit_once("node_modules/")
            .map(|(d, n)| (d.trim_end_matches('/'), n))
            .unwrap();
        let from = match dir
            .strip_suffix("/node_modules")
            .or(Some(dir))
            .filter(|d| d.contains(".store/"))
        {
            Some(owner) => format!("{}/package", owner.trim_end_matches("/node_modules")),
            None => dir.to_string(),
        };
        if from == *target {
            continue; // a package's link to itself
        }
        let got = tree
            .resolve(&from, name)
            .map(|i| tree.packages[i].location.clone());
        assert_eq!(got.as_deref(), Some(target.as_str()), "{from:?} -> {name}");
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
}
