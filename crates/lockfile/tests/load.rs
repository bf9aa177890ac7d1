//! Finding a project's input on disk: precedence, `installed`, and the load errors.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use common::{at, fixture, fixture_text};
use sigverify_lockfile::{load_lockfile, load_tree, Input, LockfileError, Source};

/// A v3 lockfile with one package, tagged by its version so each input is recognisable.
fn tagged(version: &str) -> String {
    format!(
        r#"{{"lockfileVersion":3,"packages":{{"":{{}},"node_modules/tag":{{"version":"{version}"}}}}}}"#
    )
}

fn tag_of(dir: &Path) -> (Input, String) {
    let tree = load_tree(dir).unwrap();
    let version = tree
        .packages
        .first()
        .map(|p| p.version.clone())
        .unwrap_or_default();
    (tree.input, version)
}

#[test]
fn inputs_are_tried_in_npm_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join("node_modules/tag")).unwrap();
    fs::write(
        d.join("node_modules/tag/package.json"),
        r#"{"name":"tag","version":"4.0.0"}"#,
    )
    .unwrap();
    fs::write(d.join("node_modules/.package-lock.json"), tagged("3.0.0")).unwrap();
    fs::write(d.join("package-lock.json"), tagged("2.0.0")).unwrap();
    fs::write(d.join("npm-shrinkwrap.json"), tagged("1.0.0")).unwrap();
    assert_eq!(tag_of(d), (Input::Shrinkwrap, "1.0.0".into()));
    fs::remove_file(d.join("npm-shrinkwrap.json")).unwrap();
    assert_eq!(tag_of(d), (Input::PackageLock, "2.0.0".into()));
    fs::remove_file(d.join("package-lock.json")).unwrap();
    assert_eq!(tag_of(d), (Input::HiddenLockfile, "3.0.0".into()));
    fs::remove_file(d.join("node_modules/.package-lock.json")).unwrap();
    assert_eq!(tag_of(d), (Input::NodeModules, "4.0.0".into()));
    fs::remove_dir_all(d.join("node_modules")).unwrap();
    let err = load_tree(d).unwrap_err();
    assert!(matches!(err, LockfileError::NoLockfile { .. }), "{err}");
    assert_eq!(err.code(), "ENOLOCKFILE");
    assert!(err.remediation().contains("npm install"));
}

#[test]
fn installed_follows_node_modules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("package-lock.json"),
        fixture_text("npm11-v3.package-lock.json"),
    )
    .unwrap();
    let lockfile_only = load_tree(d).unwrap();
    assert!(lockfile_only.packages.iter().all(|p| p.installed.is_none()));
    for folder in [
        "node_modules/is-number",
        "packages/ws-a",
        "node_modules/is-odd",
    ] {
        fs::create_dir_all(d.join(folder)).unwrap();
        fs::write(d.join(folder).join("package.json"), "{}").unwrap();
    }
    symlink("../packages/ws-a", d.join("node_modules/ws-a")).unwrap();
    let tree = load_tree(d).unwrap();
    let installed = |loc: &str| at(&tree, loc).installed;
    assert_eq!(installed("node_modules/is-number"), Some(true));
    assert_eq!(installed("node_modules/is-odd"), Some(true));
    assert_eq!(
        installed("node_modules/ws-a"),
        Some(true),
        "through the link"
    );
    assert_eq!(installed("packages/ws-a"), Some(true));
    assert_eq!(
        installed("node_modules/is-odd/node_modules/is-number"),
        Some(false)
    );
    assert_eq!(installed("node_modules/iso"), Some(false));
}

#[test]
fn lockfiles_without_workspaces_use_package_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("package.json"),
        fixture_text("npm11-project.package.json"),
    )
    .unwrap();
    fs::create_dir_all(d.join("node_modules")).unwrap();
    let hidden = fixture_text("npm11-hidden.package-lock.json");
    fs::write(d.join("node_modules/.package-lock.json"), hidden).unwrap();
    let tree = load_tree(d).unwrap();
    assert_eq!(tree.input, Input::HiddenLockfile);
    let ws = Source::Workspace {
        path: "packages/ws-a".into(),
    };
    assert_eq!(at(&tree, "node_modules/ws-a").source, ws);
    let v1 = d.join("v1.json");
    fs::write(&v1, fixture_text("npm11-v1.package-lock.json")).unwrap();
    let tree = load_lockfile(&v1).unwrap();
    assert_eq!(at(&tree, "node_modules/ws-a").source, ws);
    assert_eq!(
        at(&tree, "node_modules/local-dir").source,
        Source::Directory {
            path: "local-dir".into()
        }
    );
}

#[test]
fn missing_project_and_unreadable_files_are_distinct_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = load_tree(&d.join("nope")).unwrap_err();
    assert_eq!(missing.code(), "ENOPROJECT");
    assert!(missing.to_string().contains("nope"), "{missing}");
    fs::write(d.join("file"), "").unwrap();
    assert_eq!(load_tree(&d.join("file")).unwrap_err().code(), "ENOPROJECT");
    // A package-lock.json that is a folder cannot be read: an I/O error, not "no lockfile".
    fs::create_dir_all(d.join("package-lock.json")).unwrap();
    let io = load_tree(d).unwrap_err();
    assert!(matches!(io, LockfileError::Io { .. }), "{io}");
    assert_eq!(io.code(), "EIO");
    assert!(io.to_string().contains("package-lock.json"), "{io}");
    let absent = load_lockfile(&d.join("absent.json")).unwrap_err();
    assert_eq!(absent.code(), "EIO");
}

#[test]
fn parse_errors_name_the_file_that_was_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("npm-shrinkwrap.json");
    fs::write(&path, "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n}").unwrap();
    let err = load_tree(dir.path()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}:4:1: EOF while parsing an object", path.display())
    );
    assert!(err.remediation().contains("npm-shrinkwrap.json"));
}

#[test]
fn utf8_bom_is_tolerated() {
    let text = format!("\u{feff}{}", fixture_text("npm11-v3.package-lock.json"));
    let tree = sigverify_lockfile::parse_lockfile(&fixture("x.json"), &text).unwrap();
    assert_eq!(tree.packages.len(), 23);
}
