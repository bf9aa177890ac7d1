//! Errors of the pnpm, Yarn and Bun readers: real lockfiles with one thing changed per case.

mod common;

use std::path::Path;

use common::fixture_text;
use sigverify_lockfile::{parse_lockfile, LockfileError};

fn error(file: &str, base: &str, from: &str, to: &str) -> LockfileError {
    assert!(base.contains(from), "{from:?} not in base");
    parse_lockfile(Path::new(file), &base.replacen(from, to, 1))
        .expect_err("changed lockfile must fail")
}

#[test]
fn pnpm_errors() {
    let base = fixture_text("pnpm/pnpm10/pnpm-lock.yaml");
    let f = "/p/pnpm-lock.yaml";
    let e = error(f, &base, "lockfileVersion: '9.0'", "lockfileVersion: '5.4'");
    assert_eq!(e.code(), "ELOCKFILEVERSION");
    assert!(
        e.remediation().contains("pnpm install"),
        "{}",
        e.remediation()
    );
    let e = error(
        f,
        &base,
        "  kind-of@6.0.3:\n    resolution",
        "  kind-of@6.0.4:\n    resolution",
    );
    assert_eq!(e.code(), "ELOCKFILESHAPE");
    assert!(e.to_string().starts_with("/p/pnpm-lock.yaml:"), "{e}");
    assert!(
        e.to_string()
            .contains("snapshots[\"kind-of@6.0.3\"]: no entry in packages"),
        "{e}"
    );
    let e = error(
        f,
        &base,
        "resolution: {integrity: sha512-dcS1u",
        "resolutio: {integrity: sha512-dcS1u",
    );
    assert_eq!(
        e.to_string(),
        "/p/pnpm-lock.yaml:103:5: packages[\"kind-of@6.0.3\"].resolution: missing"
    );
    let e = error(f, &base, "importers:\n", "importers: [\n");
    assert_eq!(e.code(), "ELOCKFILEPARSE");
    let e = error(
        f,
        &base,
        "  ms@2.1.2:\n    resolution",
        "  ../../etc@2.1.2:\n    resolution",
    );
    assert_eq!(e.code(), "ELOCKFILESHAPE");
    let e = error(
        f,
        &base,
        "{integrity: sha512-dcS1u",
        "{type: svn, integrity: sha512-dcS1u",
    );
    assert!(
        e.to_string()
            .contains("unsupported resolution type \"svn\""),
        "{e}"
    );
}

#[test]
fn yarn_classic_errors() {
    let base = fixture_text("yarn/classic/yarn.lock");
    let f = "/p/yarn.lock";
    let e = error(f, &base, "  version \"6.0.3\"", "   version \"6.0.3\"");
    assert_eq!(e.code(), "ELOCKFILEPARSE");
    assert!(e.to_string().starts_with("/p/yarn.lock:"), "{e}");
    let e = error(f, &base, "  version \"6.0.3\"\n", "");
    assert_eq!(e.code(), "ELOCKFILESHAPE");
    assert!(
        e.to_string()
            .contains("[\"kind-of@6.0.3\"].version: missing"),
        "{e}"
    );
    assert!(e.remediation().contains("yarn install"));
    let e = error(f, &base, "kind-of@6.0.3:", "\"../x@6.0.3\":");
    assert!(e.to_string().contains("invalid package name"), "{e}");
}

#[test]
fn berry_errors() {
    let base = fixture_text("berry/pnp/yarn.lock");
    let f = "/p/yarn.lock";
    let e = error(f, &base, "  resolution: \"kind-of@npm:6.0.3\"\n", "");
    assert_eq!(e.code(), "ELOCKFILESHAPE");
    assert!(
        e.to_string()
            .contains("[\"kind-of@npm:6.0.3\"].resolution: missing"),
        "{e}"
    );
    let e = error(f, &base, "  version: 10\n", "  version: 2\n");
    assert_eq!(e.code(), "ELOCKFILEVERSION");
    let e = error(f, &base, "linkType: hard", "linkType: weird");
    assert!(e.to_string().contains("expected hard or soft"), "{e}");
    let e = error(f, &base, "\"kind-of@npm:6.0.3\":", "\"ms@npm:2.1.2\":");
    assert_eq!(e.code(), "ELOCKFILEPARSE", "{e}");
    assert!(e.to_string().contains("duplicate key"), "{e}");
}

#[test]
fn bun_errors() {
    let base = fixture_text("bun/hoisted/bun.lock");
    let f = "/p/bun.lock";
    let e = error(f, &base, "\"lockfileVersion\": 2", "\"lockfileVersion\": 9");
    assert_eq!(e.code(), "ELOCKFILEVERSION");
    let e = error(
        f,
        &base,
        "\"kind-of\": [\"kind-of@6.0.3\"",
        "\"kind-of\": [7",
    );
    assert!(
        e.to_string()
            .contains("packages[\"kind-of\"]: expected the package id first"),
        "{e}"
    );
    let e = error(f, &base, "\"packages\": {", "\"packages\": {{");
    assert_eq!(e.code(), "ELOCKFILEPARSE");
    assert!(e.to_string().starts_with("/p/bun.lock:"), "{e}");
    let e = error(f, &base, "\"kind-of\": [", "\"../kind-of\": [");
    assert!(e.to_string().contains("invalid install path"), "{e}");
}
