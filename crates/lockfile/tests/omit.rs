//! `--omit dev|optional|peer`: checked against what the real npm 11 installed for each
//! combination, and against a hand-written table of npm's rules (arborist `shouldOmit`).

mod common;

use common::{fixture, fixture_text};
use sigverify_lockfile::{is_omitted, parse_lockfile, Omit, Package, Source};

fn omit_of(key: &str) -> Omit {
    Omit {
        dev: key.contains("dev"),
        optional: key.contains("optional"),
        peer: key.contains("peer"),
    }
}

#[test]
fn kept_packages_equal_what_npm_ci_installed() {
    let name = "npm11-v3.package-lock.json";
    let tree = parse_lockfile(&fixture(name), &fixture_text(name)).unwrap();
    let truth: serde_json::Value =
        serde_json::from_str(&fixture_text("npm11-omit-ground-truth.json")).unwrap();
    let installed = truth["installed"].as_object().unwrap();
    assert_eq!(installed.len(), 8, "all eight combinations recorded");
    for (key, locations) in installed {
        let omit = omit_of(key);
        let kept: Vec<&str> = tree.kept(&omit).map(|p| p.location.as_str()).collect();
        let expected: Vec<&str> = locations
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(kept, expected, "--omit {key}");
    }
}

fn pkg(location: &str, flags: &str) -> Package {
    Package {
        name: location.rsplit('/').next().unwrap().to_string(),
        version: "1.0.0".into(),
        location: location.into(),
        integrity: None,
        resolved: None,
        source: Source::Registry { alias: None },
        resolved_registry: None,
        dev: flags.split(',').any(|f| f == "dev"),
        optional: flags.split(',').any(|f| f == "optional"),
        dev_optional: flags.split(',').any(|f| f == "devOptional"),
        peer: flags.split(',').any(|f| f == "peer"),
        has_install_script: false,
        patch: None,
        bin: None,
        installed: None,
    }
}

#[test]
fn npm_omit_rules_table() {
    let packages = [
        pkg("node_modules/prod", ""),
        pkg("node_modules/dev", "dev"),
        pkg("node_modules/opt", "optional"),
        pkg("node_modules/devopt", "devOptional"),
        pkg("node_modules/dev-and-opt", "dev,optional"),
        pkg("node_modules/peer", "peer"),
        pkg("node_modules/peer-devopt", "peer,devOptional"),
        pkg("../outside/node_modules/dev", "dev"),
    ];
    // Omit set -> the packages npm leaves out.
    let table = [
        ("", vec![]),
        ("dev", vec!["dev", "dev-and-opt"]),
        ("optional", vec!["opt", "dev-and-opt"]),
        ("peer", vec!["peer", "peer-devopt"]),
        (
            "dev,optional",
            vec!["dev", "opt", "devopt", "dev-and-opt", "peer-devopt"],
        ),
        (
            "dev,peer",
            vec!["dev", "dev-and-opt", "peer", "peer-devopt"],
        ),
        (
            "optional,peer",
            vec!["opt", "dev-and-opt", "peer", "peer-devopt"],
        ),
        (
            "dev,optional,peer",
            vec!["dev", "opt", "devopt", "dev-and-opt", "peer", "peer-devopt"],
        ),
    ];
    for (key, expected) in table {
        let omit = omit_of(key);
        let omitted: Vec<&str> = packages
            .iter()
            .filter(|p| is_omitted(p, &omit))
            .map(|p| p.location.strip_prefix("node_modules/").unwrap())
            .collect();
        assert_eq!(omitted, expected, "--omit {key}");
    }
}
