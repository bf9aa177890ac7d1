//! Which lockfile `load_tree` reads when a project has several.

mod common;

use std::fs;
use std::path::Path;

use common::{fixture_text, installed};
use sigverify_lockfile::{load_lockfile, load_tree, Input, Manager};

fn project(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn npm() -> (&'static str, String) {
    (
        "package-lock.json",
        fixture_text("npm/project/package-lock.json"),
    )
}

fn pnpm() -> (&'static str, String) {
    ("pnpm-lock.yaml", fixture_text("pnpm/pnpm10/pnpm-lock.yaml"))
}

fn yarn() -> (&'static str, String) {
    ("yarn.lock", fixture_text("yarn/classic/yarn.lock"))
}

fn manager(dir: &Path) -> Manager {
    load_tree(dir).unwrap().manager
}

#[test]
fn a_single_lockfile_decides() {
    for (file, expected) in [
        (npm(), Manager::Npm),
        (pnpm(), Manager::Pnpm),
        (yarn(), Manager::Yarn),
    ] {
        let dir = project(&[file]);
        let tree = load_tree(dir.path()).unwrap();
        assert_eq!(tree.manager, expected);
        assert_eq!(tree.input, Input::PackageLock);
    }
    let berry = project(&[("yarn.lock", fixture_text("berry/pnp/yarn.lock"))]);
    assert_eq!(manager(berry.path()), Manager::YarnBerry);
    let bun = project(&[("bun.lock", fixture_text("bun/hoisted/bun.lock"))]);
    assert_eq!(manager(bun.path()), Manager::Bun);
}

fn package_manager(field: &str) -> (&'static str, String) {
    (
        "package.json",
        format!("{{\"name\":\"p\",\"packageManager\":\"{field}\"}}"),
    )
}

#[test]
fn package_manager_field_breaks_ties() {
    for (field, expected) in [
        ("pnpm@9.1.0", Manager::Pnpm),
        ("yarn@1.22.22", Manager::Yarn),
    ] {
        let dir = project(&[pnpm(), yarn(), package_manager(field)]);
        assert_eq!(manager(dir.path()), expected, "{field}");
    }
    let dir = project(&[npm(), pnpm(), yarn(), package_manager("npm@11.0.0")]);
    assert_eq!(manager(dir.path()), Manager::Npm);
}

#[test]
fn install_markers_break_ties_without_package_manager() {
    for (marker, expected) in [
        ("node_modules/.modules.yaml", Manager::Pnpm),
        ("node_modules/.yarn-integrity", Manager::Yarn),
    ] {
        let dir = project(&[pnpm(), yarn(), (marker, "{}".to_string())]);
        assert_eq!(manager(dir.path()), expected, "{marker}");
    }
    let marker = ("node_modules/.package-lock.json", "{}".to_string());
    let dir = project(&[npm(), pnpm(), yarn(), marker]);
    assert_eq!(manager(dir.path()), Manager::Npm);
}

/// `npm ci` installs package-lock.json whatever packageManager says: a decoy yarn.lock (or
/// pnpm-lock.yaml) named by packageManager, or a layout marker, must not leave it unread.
#[test]
fn an_npm_or_bun_lockfile_beside_the_chosen_one_is_ambiguous() {
    let bun = || ("bun.lock", fixture_text("bun/hoisted/bun.lock"));
    for files in [
        vec![npm(), yarn(), package_manager("yarn@1.22.22")],
        vec![npm(), pnpm(), package_manager("pnpm@10.0.0")],
        vec![npm(), pnpm(), ("node_modules/.modules.yaml", "{}".into())],
        vec![bun(), yarn(), package_manager("yarn@1.22.22")],
        vec![npm(), bun(), package_manager("bun@1.2.0")],
    ] {
        let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
        let dir = project(&files);
        let err = load_tree(dir.path()).unwrap_err();
        assert_eq!(err.code(), "EAMBIGUOUSLOCKFILE", "{names:?}");
        assert!(err.remediation().contains("--lockfile FILE"), "{names:?}");
    }
}

#[test]
fn an_undecidable_project_names_its_lockfiles() {
    let dir = project(&[npm(), yarn()]);
    let err = load_tree(dir.path()).unwrap_err();
    assert_eq!(err.code(), "EAMBIGUOUSLOCKFILE");
    assert!(
        err.to_string().contains("package-lock.json, yarn.lock"),
        "{err}"
    );
    assert!(err.remediation().contains("--lockfile FILE"));
}

#[test]
fn npm_precedence_is_unchanged() {
    let shrinkwrap = (
        "npm-shrinkwrap.json",
        fixture_text("npm/project/package-lock.json"),
    );
    let dir = project(&[npm(), shrinkwrap]);
    assert_eq!(load_tree(dir.path()).unwrap().input, Input::Shrinkwrap);
    let hidden = (
        "node_modules/.package-lock.json",
        fixture_text("npm11-hidden.package-lock.json"),
    );
    let dir = project(&[hidden]);
    assert_eq!(load_tree(dir.path()).unwrap().input, Input::HiddenLockfile);
}

#[test]
fn load_lockfile_reads_any_name_by_content() {
    let dir = installed("pnpm/pnpm9");
    let renamed = dir.path().join("lock.yaml");
    fs::rename(dir.path().join("pnpm-lock.yaml"), &renamed).unwrap();
    let tree = load_lockfile(&renamed).unwrap();
    assert_eq!(tree.manager, Manager::Pnpm);
    assert_eq!(tree.input_path, renamed);
    assert!(tree.packages.iter().all(|p| p.installed == Some(true)));
    for (name, text, expected) in [
        (
            "a.lock",
            fixture_text("yarn/classic/yarn.lock"),
            Manager::Yarn,
        ),
        (
            "b.lock",
            fixture_text("berry/pnp/yarn.lock"),
            Manager::YarnBerry,
        ),
        ("c.lock", fixture_text("bun/hoisted/bun.lock"), Manager::Bun),
        (
            "d.json",
            fixture_text("npm/project/package-lock.json"),
            Manager::Npm,
        ),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        assert_eq!(load_lockfile(&path).unwrap().manager, expected, "{name}");
    }
}
