//! No lockfile: a walk of a `node_modules` built in a temporary directory.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use common::{at, locations};
use sigverify_lockfile::{load_tree, Input, Source};

fn write(root: &Path, rel: &str, text: &str) {
    assert!(Path::new(rel).is_relative(), "{rel}");
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn manifest(root: &Path, folder: &str, json: &str) {
    write(
        root,
        &Path::new(folder).join("package.json").to_string_lossy(),
        json,
    );
}

/// A project installed without any lockfile, plus a folder outside it.
fn project() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let r = dir.path();
    manifest(
        r,
        "",
        r#"{"name":"app","version":"1.0.0","workspaces":["packages/*"]}"#,
    );
    manifest(r, "packages/ws-a", r#"{"name":"ws-a","version":"0.1.0"}"#);
    manifest(
        r,
        "packages/ws-a/node_modules/hidden",
        r#"{"name":"hidden","version":"1.0.0"}"#,
    );
    manifest(r, "node_modules/a", r#"{"name":"a","version":"1.0.0"}"#);
    let b = r#"{"name":"b","version":"2.0.0","scripts":{"postinstall":"node x.js"}}"#;
    manifest(r, "node_modules/a/node_modules/b", b);
    manifest(
        r,
        "node_modules/@s/c",
        r#"{"name":"@s/c","version":"3.0.0"}"#,
    );
    manifest(
        r,
        "node_modules/alias-x",
        r#"{"name":"real-x","version":"1.2.3"}"#,
    );
    manifest(
        r,
        "node_modules/broken",
        "{\n  \"name\": \"broken\",\n  \"version\": \n}",
    );
    fs::create_dir_all(r.join("node_modules/empty-dir")).unwrap();
    fs::create_dir_all(r.join("node_modules/.bin")).unwrap();
    let bundler = r#"{"name":"bundler","version":"1.0.0","bundleDependencies":["inner"]}"#;
    manifest(r, "node_modules/bundler", bundler);
    manifest(
        r,
        "node_modules/bundler/node_modules/inner",
        r#"{"name":"inner","version":"1.0.0"}"#,
    );
    let deep = "node_modules/bundler/node_modules/inner/node_modules/deep";
    manifest(r, deep, r#"{"name":"deep","version":"1.0.0"}"#);
    manifest(
        r,
        "node_modules/bundler/node_modules/other",
        r#"{"name":"other","version":"1.0.0"}"#,
    );
    let old = r#"{"name":"old6","version":"1.0.0","_resolved":"https://registry.npmjs.org/old6/-/old6-1.0.0.tgz","_integrity":"sha512-AAAA"}"#;
    manifest(r, "node_modules/old6", old);
    let git = r#"{"name":"gitdep","version":"1.0.0","_resolved":"git+ssh://git@github.com/x/gitdep.git#0123abc"}"#;
    manifest(r, "node_modules/gitdep", git);
    manifest(r, "node_modules/gyp", r#"{"name":"gyp","version":"1.0.0"}"#);
    write(r, "node_modules/gyp/binding.gyp", "{}");
    symlink("../packages/ws-a", r.join("node_modules/ws-a")).unwrap();
    manifest(outside.path(), "ext", r#"{"name":"ext","version":"9.9.9"}"#);
    symlink(outside.path().join("ext"), r.join("node_modules/ext")).unwrap();
    (dir, outside)
}

#[test]
fn walk_lists_packages_nested_and_scoped() {
    let (dir, _outside) = project();
    let tree = load_tree(dir.path()).unwrap();
    assert_eq!(
        (tree.input, tree.lockfile_version),
        (Input::NodeModules, None)
    );
    assert_eq!(tree.input_path, dir.path().join("node_modules"));
    assert_eq!(
        locations(&tree),
        [
            "node_modules/@s/c",
            "node_modules/a",
            "node_modules/a/node_modules/b",
            "node_modules/alias-x",
            "node_modules/bundler",
            "node_modules/bundler/node_modules/inner",
            "node_modules/bundler/node_modules/inner/node_modules/deep",
            "node_modules/bundler/node_modules/other",
            "node_modules/ext",
            "node_modules/gitdep",
            "node_modules/gyp",
            "node_modules/old6",
            "node_modules/ws-a",
        ]
    );
    assert_eq!(at(&tree, "node_modules/@s/c").name, "@s/c");
    let alias = at(&tree, "node_modules/alias-x");
    assert_eq!(
        (alias.name.as_str(), alias.version.as_str()),
        ("real-x", "1.2.3")
    );
    assert_eq!(
        alias.source,
        Source::Registry {
            alias: Some("alias-x".into())
        }
    );
    assert!(tree.packages.iter().all(|p| p.installed.is_some()));
}

#[test]
fn walk_reports_links_without_descending() {
    let (dir, outside) = project();
    let tree = load_tree(dir.path()).unwrap();
    let ws = at(&tree, "node_modules/ws-a");
    assert_eq!(
        ws.source,
        Source::Workspace {
            path: "packages/ws-a".into()
        }
    );
    assert_eq!((ws.version.as_str(), ws.installed), ("0.1.0", Some(true)));
    let ext = at(&tree, "node_modules/ext");
    let Source::Directory { path } = &ext.source else {
        panic!("{:?}", ext.source)
    };
    assert!(path.starts_with("../") && path.ends_with("/ext"), "{path}");
    assert_eq!(ext.version, "", "nothing outside the project is read");
    assert!(outside.path().join("ext/package.json").exists());
    assert!(!locations(&tree).iter().any(|l| l.contains("hidden")));
}

#[test]
fn walk_keeps_going_past_broken_packages() {
    let (dir, _outside) = project();
    let tree = load_tree(dir.path()).unwrap();
    let problems: Vec<(&str, &str)> = tree
        .problems
        .iter()
        .map(|p| (p.location.as_str(), p.code))
        .collect();
    assert_eq!(
        problems,
        [
            ("node_modules/broken", "EPACKAGEJSON"),
            ("node_modules/empty-dir", "ENOPACKAGEJSON")
        ]
    );
    let broken = &tree.problems[0];
    assert!(
        broken.message.contains("broken/package.json:4:1: "),
        "{}",
        broken.message
    );
    assert!(broken.remediation.contains("npm ci"));
}

#[test]
fn walk_classifies_bundles_scripts_and_npm6_origins() {
    let (dir, _outside) = project();
    let tree = load_tree(dir.path()).unwrap();
    let src = |loc: &str| at(&tree, loc).source.clone();
    assert_eq!(
        src("node_modules/bundler/node_modules/inner"),
        Source::Bundled
    );
    let deep = "node_modules/bundler/node_modules/inner/node_modules/deep";
    assert_eq!(src(deep), Source::Bundled);
    assert!(src("node_modules/bundler/node_modules/other").is_registry());
    assert!(src("node_modules/bundler").is_registry());
    assert!(at(&tree, "node_modules/a/node_modules/b").has_install_script);
    assert!(at(&tree, "node_modules/gyp").has_install_script);
    assert!(!at(&tree, "node_modules/a").has_install_script);
    let old = at(&tree, "node_modules/old6");
    assert_eq!(
        old.resolved_registry.as_deref(),
        Some("https://registry.npmjs.org/")
    );
    assert_eq!(old.integrity.as_deref(), Some("sha512-AAAA"));
    assert!(matches!(src("node_modules/gitdep"), Source::Git { .. }));
}
