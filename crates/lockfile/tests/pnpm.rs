//! pnpm-lock.yaml 6.0 (pnpm 8) and 9.0 (pnpm 9, 10, 11) against what each pnpm installed.

mod common;

use common::{at, fixture, fixture_text, installed, listing};
use sigverify_lockfile::{load_tree, parse_lockfile, Layout, Linker, Manager, Source, Tree};

const VERSIONS: [&str; 4] = ["pnpm8", "pnpm9", "pnpm10", "pnpm11"];

fn parsed(version: &str) -> Tree {
    let path = fixture(&format!("pnpm/{version}/pnpm-lock.yaml"));
    parse_lockfile(
        &path,
        &fixture_text(&format!("pnpm/{version}/pnpm-lock.yaml")),
    )
    .unwrap()
}

#[test]
fn store_packages_sit_in_the_folders_pnpm_created() {
    for version in VERSIONS {
        let tree = parsed(version);
        assert_eq!(tree.manager, Manager::Pnpm);
        assert_eq!(tree.linker, Linker::Isolated);
        let (folders, _) = listing(&format!("pnpm/{version}"));
        let store: Vec<_> = tree
            .packages
            .iter()
            .filter(|p| p.location.starts_with("node_modules/.pnpm/"))
            .collect();
        assert_eq!(
            store.len(),
            folders.len(),
            "{version}: one package per real folder"
        );
        for pkg in store {
            let found = folders.iter().find(|(path, _)| *path == pkg.location);
            let (_, id) = found.unwrap_or_else(|| panic!("{version}: no folder {}", pkg.location));
            // Folders recorded without a version (v9 `file:` folders) only match by name.
            match pkg.version.is_empty() {
                true => assert!(id.starts_with(&format!("{}@", pkg.name)), "{version}: {id}"),
                false => assert_eq!(*id, format!("{}@{}", pkg.name, pkg.version), "{version}"),
            }
        }
    }
}

#[test]
fn sources_integrity_and_flags() {
    for version in VERSIONS {
        let tree = parsed(version);
        let registry: Vec<_> = tree
            .packages
            .iter()
            .filter(|p| p.source.is_registry())
            .collect();
        assert_eq!(registry.len(), 15, "{version}");
        assert!(registry.iter().all(|p| p
            .integrity
            .as_deref()
            .is_some_and(|i| i.starts_with("sha512-"))));
        assert!(
            registry.iter().all(|p| p.resolved_registry.is_none()),
            "no tarball URL: the scope's registry"
        );
        let by_id = |id: &str| {
            tree.packages
                .iter()
                .find(|p| format!("{}@{}", p.name, p.version) == id)
                .unwrap_or_else(|| panic!("{version}: {id}"))
        };
        assert!(
            by_id("kind-of@6.0.3").dev && !by_id("kind-of@6.0.3").optional,
            "{version}"
        );
        assert!(
            by_id("is-odd@3.0.1").optional && !by_id("is-odd@3.0.1").dev,
            "{version}"
        );
        let prod = by_id("ajv@6.12.6");
        assert!(!(prod.dev || prod.optional || prod.peer), "{version}");
        let tar = tree
            .packages
            .iter()
            .find(|p| p.name == "local-tar")
            .unwrap();
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
        let dir = tree
            .packages
            .iter()
            .find(|p| p.name == "local-dir")
            .unwrap();
        assert_eq!(
            dir.source,
            Source::Directory {
                path: "local-dir".into()
            }
        );
        assert_eq!(
            at(&tree, "packages/ws-a").source,
            Source::Workspace {
                path: "packages/ws-a".into()
            }
        );
        assert_eq!(at(&tree, "packages/ws-a").name, "ws-a");
        assert_eq!(
            at(&tree, "linked-dir").source,
            Source::Directory {
                path: "linked-dir".into()
            }
        );
    }
}

#[test]
fn resolve_follows_the_symlinks_pnpm_made() {
    for version in VERSIONS {
        let tree = parsed(version);
        let (folders, links) = listing(&format!("pnpm/{version}"));
        let mut checked = 0;
        for (link, target) in &links {
            let (dir, name) = split_link(link);
            // `.pnpm/node_modules` holds pnpm's hoisting links, not declared dependencies.
            if dir == "node_modules/.pnpm/node_modules" {
                continue;
            }
            let from = match dir.strip_suffix("/node_modules") {
                Some(d) if d.starts_with("node_modules/.pnpm/") => folders
                    .iter()
                    .find(|(p, _)| p.starts_with(&format!("{d}/node_modules/")))
                    .map(|(p, _)| p.clone())
                    .unwrap(),
                Some(d) => d.to_string(),
                None => String::new(),
            };
            let got = tree
                .resolve(&from, name)
                .map(|i| tree.packages[i].location.clone());
            assert_eq!(
                got.as_deref(),
                Some(target.as_str()),
                "{version}: {from:?} -> {name}"
            );
            checked += 1;
        }
        assert!(checked >= 20, "{version}: {checked}");
        assert!(matches!(tree.layout, Layout::Explicit { .. }));
    }
}

/// `a/node_modules/@s/x` -> (`a/node_modules`, `@s/x`).
fn split_link(link: &str) -> (&str, &str) {
    let i = link.rfind("node_modules/").unwrap() + "node_modules".len();
    (link[..i].trim_end_matches('/'), &link[i + 1..])
}

#[test]
fn an_install_marks_every_package_installed() {
    for version in VERSIONS {
        let dir = installed(&format!("pnpm/{version}"));
        let tree = load_tree(dir.path()).unwrap();
        assert_eq!(tree.manager, Manager::Pnpm);
        assert_eq!(tree.input_path, dir.path().join("pnpm-lock.yaml"));
        for p in &tree.packages {
            assert_eq!(p.installed, Some(true), "{version}: {}", p.location);
        }
    }
}

#[test]
fn modules_yaml_picks_the_folder_naming_of_the_pnpm_that_installed() {
    // pnpm 9 names upper-case ids with md5/base32, pnpm 10 with sha256/hex: .modules.yaml says
    // which one installed a v9 lockfile.
    let lock = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      JSONStream:\n        specifier: 1.3.5\n        version: 1.3.5\npackages:\n  JSONStream@1.3.5:\n    resolution: {integrity: sha512-AA==}\nsnapshots:\n  JSONStream@1.3.5: {}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pnpm-lock.yaml"), lock).unwrap();
    std::fs::create_dir_all(dir.path().join("node_modules")).unwrap();
    let modules = dir.path().join("node_modules/.modules.yaml");
    for (pm, folder) in [
        ("pnpm@9.15.9", "JSONStream@1.3.5_r3os6ifnv5rfzwtsmjig3b325i"),
        (
            "pnpm@10.34.9",
            "JSONStream@1.3.5_fb8f73c374dcf7070ffed90b688edabd",
        ),
    ] {
        std::fs::write(
            &modules,
            format!("{{\"packageManager\": \"{pm}\", \"virtualStoreDir\": \".pnpm\"}}"),
        )
        .unwrap();
        let tree = load_tree(dir.path()).unwrap();
        assert_eq!(
            tree.packages[0].location,
            format!("node_modules/.pnpm/{folder}/node_modules/JSONStream")
        );
    }
}

#[test]
fn hoisted_node_linker_is_matched_folder_by_folder() {
    // pnpm 10 with `node-linker=hoisted`: the same lockfile, an npm-like node_modules.
    let dir = installed("pnpm/pnpm10-hoisted");
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.manager, tree.linker),
        (Manager::Pnpm, Linker::NodeModules)
    );
    assert!(tree.problems.is_empty(), "{:?}", tree.problems);
    let (folders, _) = listing("pnpm/pnpm10-hoisted");
    for (path, id) in &folders {
        let pkg = at(&tree, path);
        // Folder entries of lockfile v9 have no version: they match by name.
        let same_version = pkg.version.is_empty() || id.ends_with(&format!("@{}", pkg.version));
        assert!(
            id.starts_with(&format!("{}@", pkg.name)) && same_version,
            "{path}: {id}"
        );
        assert_eq!(pkg.installed, Some(true));
    }
    let iso = at(&tree, "node_modules/iso");
    assert_eq!(
        iso.source,
        Source::Registry {
            alias: Some("iso".into())
        }
    );
    assert!(iso.integrity.is_some());
    assert!(at(&tree, "node_modules/kind-of").dev);
}

#[test]
fn pnpm8_without_workspaces_keeps_the_dependencies_at_the_top() {
    // What pnpm 8.15.9 wrote for {"dependencies":{"debug":"4.3.4"},"devDependencies":{"kind-of":"6.0.3"}}.
    let lock = "lockfileVersion: '6.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\ndependencies:\n  debug:\n    specifier: 4.3.4\n    version: 4.3.4\n\ndevDependencies:\n  kind-of:\n    specifier: 6.0.3\n    version: 6.0.3\n\npackages:\n\n  /debug@4.3.4:\n    resolution: {integrity: sha512-PRWFHuSU3eDtQJPvnNY7Jcket1j0t5OuOsFzPPzsekD52Zl8qUfFIPEiswXqIvHWGVHOgX+7G/vCNNhehwxfkQ==}\n    dependencies:\n      ms: 2.1.2\n    dev: false\n\n  /kind-of@6.0.3:\n    resolution: {integrity: sha512-dcS1ul+9tmeD95T+x28/ehLgd9mENa3LsvDTtzm3vyBEO7RPptvAD+t44WVXaUjTBRcrpFeFlC8WCruUR456hw==}\n    dev: true\n\n  /ms@2.1.2:\n    resolution: {integrity: sha512-sGkPx+VjMtmA6MX27oA4FBFELFCZZ4S4XqeGOXCv68tT+jb3vk/RyaKWP0PTKyWtmLSM0b+adUTEvbs1PEaH2w==}\n    dev: false\n";
    let tree = parse_lockfile(std::path::Path::new("/p/pnpm-lock.yaml"), lock).unwrap();
    let loc = |from: &str, name: &str| {
        tree.resolve(from, name)
            .map(|i| tree.packages[i].location.clone())
    };
    assert_eq!(
        loc("", "debug").as_deref(),
        Some("node_modules/.pnpm/debug@4.3.4/node_modules/debug")
    );
    let debug = loc("", "debug").unwrap();
    assert_eq!(
        loc(&debug, "ms").as_deref(),
        Some("node_modules/.pnpm/ms@2.1.2/node_modules/ms")
    );
    assert!(
        at(
            &tree,
            "node_modules/.pnpm/kind-of@6.0.3/node_modules/kind-of"
        )
        .dev
    );
}

/// `node_modules/.modules.yaml` from a restored cache can be a FIFO (reading it would wait for
/// a writer forever) or a link to an endless device: it is read as absent, at once.
#[cfg(unix)]
#[test]
fn a_modules_file_that_is_no_regular_file_is_read_as_absent() {
    let dir = installed("pnpm/pnpm10-hoisted");
    let modules = dir.path().join("node_modules/.modules.yaml");
    std::fs::remove_file(&modules).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&modules).status();
    assert!(made.unwrap().success());
    assert!(load_tree(dir.path()).is_ok());
    std::fs::remove_file(&modules).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &modules).unwrap();
    assert!(load_tree(dir.path()).is_ok());
}
