//! Every lockfile error: a valid base document with exactly one thing changed per case.

use std::path::Path;

use sigverify_lockfile::{parse_lockfile, LockfileError};

const FILE: &str = "/p/package-lock.json";

const BASE: &str = r#"{
  "name": "p",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "p", "version": "0.0.1", "workspaces": ["packages/*"] },
    "node_modules/a": {
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
      "integrity": "sha512-AAAA",
      "dev": true
    }
  }
}"#;

const BASE_V1: &str = r#"{
  "lockfileVersion": 1,
  "dependencies": {
    "a": {
      "version": "1.0.0",
      "dependencies": { "b": { "version": "2.0.0", "optional": true } }
    }
  }
}"#;

fn parse(text: &str) -> Result<sigverify_lockfile::Tree, LockfileError> {
    parse_lockfile(Path::new(FILE), text)
}

/// `base` with `from` replaced by `to` (which must occur), parsed; the error expected.
fn error(base: &str, from: &str, to: &str) -> LockfileError {
    assert!(base.contains(from), "{from:?} not in base");
    parse(&base.replacen(from, to, 1)).expect_err("changed lockfile must fail")
}

fn message(base: &str, from: &str, to: &str) -> (String, &'static str) {
    let e = error(base, from, to);
    (e.to_string(), e.code())
}

#[test]
fn bases_are_valid() {
    assert_eq!(parse(BASE).unwrap().packages.len(), 1);
    assert_eq!(parse(BASE_V1).unwrap().packages.len(), 2);
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let missing_comma = message(BASE, r#""1.0.0","#, r#""1.0.0""#);
    assert_eq!(
        missing_comma,
        (
            "/p/package-lock.json:9:7: expected `,` or `}`".into(),
            "ELOCKFILEPARSE"
        )
    );
    let trailing_comma = message(BASE, r#""dev": true"#, r#""dev": true,"#);
    assert_eq!(
        trailing_comma.0,
        "/p/package-lock.json:12:5: trailing comma"
    );
    let truncated = parse(&BASE[..BASE.len() - 10]).unwrap_err();
    assert_eq!(
        truncated.to_string(),
        "/p/package-lock.json:12:1: EOF while parsing an object"
    );
    let empty = parse("").unwrap_err();
    assert_eq!(
        empty.to_string(),
        "/p/package-lock.json:1:0: EOF while parsing a value"
    );
    match parse("{\n  \"lockfileVersion\": 3 x").unwrap_err() {
        LockfileError::Parse { line, column, .. } => assert_eq!((line, column), (2, 24)),
        other => panic!("{other}"),
    }
}

#[test]
fn a_repeated_field_is_a_parse_error_at_its_position() {
    let (msg, code) = message(BASE, r#""dev": true"#, r#""dev": true, "version": "6.6.6""#);
    assert_eq!(msg, "/p/package-lock.json:11:28: duplicate field `version`");
    assert_eq!(code, "ELOCKFILEPARSE");
}

#[test]
fn wrong_types_name_the_json_path() {
    let cases = [
        (
            r#""version": "1.0.0""#,
            r#""version": 1"#,
            r#"packages["node_modules/a"].version: expected a string, found a number"#,
        ),
        (
            r#""dev": true"#,
            r#""dev": "yes""#,
            r#"packages["node_modules/a"].dev: expected a boolean, found a string"#,
        ),
        (
            r#""integrity": "sha512-AAAA""#,
            r#""integrity": ["x"]"#,
            r#"packages["node_modules/a"].integrity: expected a string, found an array"#,
        ),
        (
            r#""workspaces": ["packages/*"]"#,
            r#""workspaces": "packages/*""#,
            r#"packages[""].workspaces: expected an array, found a string"#,
        ),
        (
            r#"["packages/*"]"#,
            r#"["packages/*", 7]"#,
            r#"packages[""].workspaces[1]: expected a string, found a number"#,
        ),
        (
            r#""lockfileVersion": 3"#,
            r#""lockfileVersion": "3""#,
            "lockfileVersion: expected a positive integer, found a string",
        ),
        (
            r#""lockfileVersion": 3"#,
            r#""lockfileVersion": 2.5"#,
            "lockfileVersion: expected a positive integer, found a number",
        ),
    ];
    for (from, to, expected) in cases {
        let (msg, code) = message(BASE, from, to);
        assert_eq!(msg, format!("{FILE}: {expected}"), "{from} -> {to}");
        assert_eq!(code, "ELOCKFILESHAPE");
    }
}

#[test]
fn wrong_containers_name_the_json_path() {
    let cases = [
        (
            r#""packages": {"#,
            r#""packages": [], "old": {"#,
            "packages: expected an object, found an array",
        ),
        (
            r#""node_modules/a": {"#,
            r#""node_modules/a": "1.0.0", "x": {"#,
            r#"packages["node_modules/a"]: expected an object, found a string"#,
        ),
        (
            r#""node_modules/a": {"#,
            r#""node_modules/a": {"version": "2.0.0"}, "node_modules/a": {"#,
            r#"packages["node_modules/a"]: duplicate key"#,
        ),
        (r#""packages": {"#, r#""pkgs": {"#, "packages: missing"),
        (r#""lockfileVersion": 3,"#, "", "lockfileVersion: missing"),
    ];
    for (from, to, expected) in cases {
        assert_eq!(
            message(BASE, from, to),
            (format!("{FILE}: {expected}"), "ELOCKFILESHAPE")
        );
    }
    let root = parse("[1, 2]").unwrap_err();
    assert_eq!(
        root.to_string(),
        format!("{FILE}: (root): expected an object, found an array")
    );
}

/// BASE as npm writes it with `omit-lockfile-registry-resolved`.
fn base_without_resolved() -> String {
    let line = r#""resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz","#;
    BASE.replacen(line, "", 1)
}

#[test]
fn entries_npm_never_writes_are_rejected() {
    let bare = base_without_resolved();
    let cases = [
        (
            &bare,
            r#""version": "1.0.0""#,
            r#""version": "latest""#,
            r#"packages["node_modules/a"].version: expected a semver version for a registry package, found "latest""#,
        ),
        (
            &bare,
            r#""version": "1.0.0","#,
            r#""link": true,"#,
            r#"packages["node_modules/a"].resolved: missing: a link must name its target"#,
        ),
        (
            &BASE.to_string(),
            r#""version": "1.0.0","#,
            "",
            r#"packages["node_modules/a"].version: missing"#,
        ),
        (
            &BASE.to_string(),
            r#""https://registry"#,
            r#""ftp://registry"#,
            r#"packages["node_modules/a"].resolved: unsupported resolved "ftp://registry.npmjs.org/a/-/a-1.0.0.tgz": expected a registry tarball URL, git URL, file: path or tarball URL"#,
        ),
        (
            &BASE.to_string(),
            r#""node_modules/a""#,
            r#""node_modules/../../etc""#,
            r#"packages["node_modules/../../etc"].name: invalid package name "../../etc" at location "node_modules/../../etc""#,
        ),
        (
            &BASE.to_string(),
            r#""version": "1.0.0","#,
            r#""name": "@x", "version": "1.0.0","#,
            r#"packages["node_modules/a"].name: invalid package name "@x" at location "node_modules/a""#,
        ),
    ];
    for (base, from, to, expected) in cases {
        let got = message(base, from, to);
        assert_eq!(
            got,
            (format!("{FILE}: {expected}"), "ELOCKFILESHAPE"),
            "{to}"
        );
    }
}

#[test]
fn v1_paths_follow_the_nesting() {
    let cases = [
        (
            r#""version": "2.0.0""#,
            r#""version": false"#,
            r#"dependencies["a"].dependencies["b"].version: expected a string, found a boolean"#,
        ),
        (
            r#""optional": true"#,
            r#""optional": 1"#,
            r#"dependencies["a"].dependencies["b"].optional: expected a boolean, found a number"#,
        ),
        (
            r#"{ "b": {"#,
            r#"{ "b": 3, "c": {"#,
            r#"dependencies["a"].dependencies["b"]: expected an object, found a number"#,
        ),
        (
            r#""dependencies": { "b""#,
            r#""dependencies": [], "x": { "b""#,
            r#"dependencies["a"].dependencies: expected an object, found an array"#,
        ),
        (
            r#""version": "1.0.0""#,
            r#""version": "^1.0.0""#,
            r#"dependencies["a"].version: expected a semver version, npm: alias, git URL, file: path or tarball URL, found "^1.0.0""#,
        ),
        (
            r#""version": "1.0.0""#,
            r#""version": "npm:@x@""#,
            r#"dependencies["a"].version: invalid npm: alias "npm:@x@""#,
        ),
        (
            r#""a": {"#,
            r#""..": {"#,
            r#"dependencies[".."].name: invalid package name "..""#,
        ),
    ];
    for (from, to, expected) in cases {
        let got = message(BASE_V1, from, to);
        assert_eq!(
            got,
            (format!("{FILE}: {expected}"), "ELOCKFILESHAPE"),
            "{to}"
        );
    }
    let top = r#"{ "lockfileVersion": 1, "dependencies": [] }"#;
    let expected = format!("{FILE}: dependencies: expected an object, found an array");
    assert_eq!(parse(top).unwrap_err().to_string(), expected);
}

#[test]
fn unsupported_versions_have_their_own_error() {
    for (v, found) in [("4", 4), ("0", 0)] {
        let e = error(
            BASE,
            r#""lockfileVersion": 3"#,
            &format!(r#""lockfileVersion": {v}"#),
        );
        assert!(matches!(e, LockfileError::UnsupportedVersion { found: f, .. } if f == found));
        assert_eq!(e.code(), "ELOCKFILEVERSION");
        assert_eq!(
            e.to_string(),
            format!("{FILE}: unsupported lockfileVersion {found} (supported: 1, 2, 3)")
        );
    }
}

#[test]
fn every_error_has_a_remediation() {
    let parse_err = error(BASE, r#""1.0.0","#, r#""1.0.0""#);
    assert!(parse_err.remediation().contains("package-lock.json"));
    assert!(parse_err.remediation().contains("npm install"));
    let shape = error(BASE, r#""dev": true"#, r#""dev": 1"#);
    assert!(shape.remediation().contains("regenerate"));
    let version = error(BASE, r#""lockfileVersion": 3"#, r#""lockfileVersion": 9"#);
    assert!(version.remediation().contains("lockfile-version"));
}

#[test]
fn v1_links_sharing_a_target_list_its_dependencies_once() {
    let two_links = r#"{ "lockfileVersion": 1, "dependencies": {
      "x": { "version": "file:libs/x", "dependencies": { "b": { "version": "1.0.0" } } },
      "y": { "version": "file:libs/x", "dependencies": { "b": { "version": "1.0.0" } } } } }"#;
    let tree = parse(two_links).unwrap();
    let nested: Vec<_> = tree
        .packages
        .iter()
        .filter(|p| p.location == "libs/x/node_modules/b")
        .collect();
    assert_eq!(nested.len(), 1);
    let conflict = two_links.replacen(r#""version": "1.0.0""#, r#""version": "1.0.1""#, 1);
    let err = parse(&conflict).unwrap_err();
    let expected = r#"dependencies: two different entries install to "libs/x/node_modules/b""#;
    assert_eq!(err.to_string(), format!("{FILE}: {expected}"));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let depth = 300;
    let mut text = String::from(r#"{"lockfileVersion":1,"dependencies":"#);
    for _ in 0..depth {
        text.push_str(r#"{"a":{"version":"1.0.0","dependencies":"#);
    }
    text.push_str("{}");
    text.push_str(&"}}".repeat(depth));
    text.push('}');
    let err = parse(&text).unwrap_err();
    assert_eq!(err.code(), "ELOCKFILEPARSE");
    assert!(
        err.to_string().ends_with("recursion limit exceeded"),
        "{err}"
    );
}

#[test]
fn a_v2_lockfile_without_packages_is_read_from_dependencies_like_npm() {
    let v2 = BASE_V1.replacen(r#""lockfileVersion": 1"#, r#""lockfileVersion": 2"#, 1);
    let tree = parse(&v2).unwrap();
    assert_eq!(tree.lockfile_version, Some(2));
    let locations: Vec<&str> = tree.packages.iter().map(|p| p.location.as_str()).collect();
    assert_eq!(
        locations,
        ["node_modules/a", "node_modules/a/node_modules/b"]
    );
}
