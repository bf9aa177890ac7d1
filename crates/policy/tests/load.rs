//! Loading: validation errors with positions (YAML and JSON), discovery, package.json, the JSON
//! Schema and the example policies.

use sigverify_policy::*;
use std::path::{Path, PathBuf};

fn yaml_err(text: &str) -> PolicyError {
    load_str(".npm-sigverify.yaml", text, Format::Yaml).expect_err("policy should be rejected")
}

fn json_err(text: &str) -> PolicyError {
    load_str(".npm-sigverify.json", text, Format::Json).expect_err("policy should be rejected")
}

// ---- YAML errors ----

#[test]
fn unknown_evidence_names_file_line_column_and_key() {
    let text = "version: 1\nrules:\n  - package: a\n  - package: b\n  - package: c\n    require:\n      - provenence\n";
    let e = yaml_err(text);
    assert_eq!(e.code(), "EPOLICYSCHEMA");
    assert_eq!(
        e.to_string(),
        ".npm-sigverify.yaml:7:9: rules[2].require: unknown evidence 'provenence' (expected one of registry-signature, provenance, internal-signature)"
    );
    assert!(!e.remediation().is_empty());
}

#[test]
fn yaml_syntax_error_has_position() {
    let e = yaml_err("rules:\n  - package: [a\n");
    assert_eq!(e.code(), "EPOLICYPARSE");
    assert!(e.to_string().starts_with(".npm-sigverify.yaml:3:"), "{e}");
}

#[test]
fn yaml_unknown_key_is_an_error() {
    let e = yaml_err("rules:\n  - package: a\n    requires: [provenance]\n");
    assert!(
        e.to_string()
            .starts_with(".npm-sigverify.yaml:3:5: rules[0].requires: unknown key 'requires'"),
        "{e}"
    );
    let e = yaml_err("rule: []\n");
    assert!(
        e.to_string()
            .starts_with(".npm-sigverify.yaml:1:1: rule: unknown key 'rule'"),
        "{e}"
    );
}

#[test]
fn yaml_wrong_type() {
    let e = yaml_err("rules:\n  - package: a\n    allowUnsigned: \"yes\"\n");
    assert_eq!(
        e.to_string(),
        ".npm-sigverify.yaml:3:20: rules[0].allowUnsigned: expected a boolean, found a string"
    );
    let e = yaml_err("environments:\n  ci:\n    allowedFailures: -1\n");
    assert!(
        e.to_string()
            .contains("3:22: environments.ci.allowedFailures: expected a non-negative integer"),
        "{e}"
    );
    let e = yaml_err("rules: {}\n");
    assert!(
        e.to_string()
            .contains("rules: expected a list, found a mapping"),
        "{e}"
    );
}

#[test]
fn yaml_bad_patterns() {
    let e = yaml_err("rules:\n  - package: \"@acme\"\n");
    assert!(
        e.to_string()
            .starts_with(".npm-sigverify.yaml:2:14: rules[0].package: pattern '@acme'"),
        "{e}"
    );
    let e = yaml_err("rules:\n  - package: \"left pad\"\n");
    assert!(
        e.to_string()
            .contains("rules[0].package: pattern 'left pad' is not a package name"),
        "{e}"
    );
    let e = yaml_err("trust:\n  identities:\n    x: { issuer: i, subjectRegex: '(unclosed' }\n");
    assert!(
        e.to_string()
            .contains("trust.identities.x.subjectRegex: bad regex '(unclosed'"),
        "{e}"
    );
    let e =
        yaml_err("rules:\n  - package: a\n    provenance: { repositories: ['github.com/***'] }\n");
    assert!(
        e.to_string()
            .contains("rules[0].provenance.repositories[0]: pattern"),
        "{e}"
    );
    let e = yaml_err("rules:\n  - package: a\n  - package: a\n");
    assert!(
        e.to_string()
            .contains("3:14: rules[1].package: a rule for 'a' already exists"),
        "{e}"
    );
}

#[test]
fn yaml_bad_dates_and_ranges() {
    let base = "exceptions:\n  - package: \"a@^1\"\n    reason: r\n    expires: ";
    let e = yaml_err(&format!("{base}2026-02-30\n"));
    assert_eq!(
        e.to_string(),
        ".npm-sigverify.yaml:4:14: exceptions[0].expires: bad date '2026-02-30' (expected YYYY-MM-DD or an RFC 3339 time)"
    );
    let e = yaml_err("exceptions:\n  - package: \"a\"\n    reason: r\n    expires: 2026-01-01\n");
    assert!(
        e.to_string()
            .contains("exceptions[0].package: 'a' has no version range"),
        "{e}"
    );
    let e =
        yaml_err("exceptions:\n  - package: \"a@>>1\"\n    reason: r\n    expires: 2026-01-01\n");
    assert!(
        e.to_string()
            .contains("exceptions[0].package: bad version range '>>1'"),
        "{e}"
    );
    let e = yaml_err("exceptions:\n  - package: \"a@1\"\n    expires: 2026-01-01\n");
    assert!(
        e.to_string()
            .contains("exceptions[0].reason: missing 'reason'"),
        "{e}"
    );
}

#[test]
fn yaml_semantic_checks() {
    let fp = "a".repeat(64);
    let e = yaml_err(&format!(
        "rules:\n  - package: a\n    approvals: {{ threshold: 2, keys: [{fp}] }}\n"
    ));
    assert!(e.to_string().contains("rules[0].approvals.threshold: threshold 2 must be between 1 and the number of keys (1)"), "{e}");
    let e = yaml_err("rules:\n  - package: a\n    approvals: { threshold: 1, keys: [bob] }\n");
    assert!(
        e.to_string()
            .contains("'bob' is neither a key named in trust.keys nor a fingerprint"),
        "{e}"
    );
    let e = yaml_err("rules:\n  - package: a\n    provenance: { identities: [nobody] }\n");
    assert!(
        e.to_string().contains("identity 'nobody' is not defined"),
        "{e}"
    );
    let e = yaml_err("environments:\n  default: qa\n  ci: {}\n");
    assert!(
        e.to_string()
            .contains("environments.default: environment 'qa' is not defined"),
        "{e}"
    );
    let e = yaml_err("trust:\n  registries:\n    https://r.example: { keys: [\"md5:x\"] }\n");
    assert!(e.to_string().contains("keyid 'md5:x'"), "{e}");
    let e = yaml_err("rules:\n  - package: a\n  - package: b\n    package: c\n");
    assert!(
        e.to_string().contains("4:5: duplicate key 'package'"),
        "{e}"
    );
    let e = yaml_err(
        "trust:\n  identities:\n    all: { issuer: https://token.actions.githubusercontent.com }\n",
    );
    assert!(e.to_string().contains("an identity needs"), "{e}");
}

// ---- JSON errors ----

#[test]
fn json_syntax_error_has_position() {
    let e = json_err("{\n  \"rules\": [\n    { \"package\": \"a\", }\n  ]\n}\n");
    assert_eq!(e.code(), "EPOLICYPARSE");
    assert!(
        e.to_string().starts_with(".npm-sigverify.json:3:23: "),
        "{e}"
    );
    let e = json_err("# comment\n{}");
    assert!(e.to_string().starts_with(".npm-sigverify.json:1:1:"), "{e}");
}

#[test]
fn json_semantic_errors_have_positions() {
    let e = json_err("{\"rules\": [{\"package\": \"a\", \"requir\": []}]}");
    assert!(
        e.to_string()
            .starts_with(".npm-sigverify.json:1:29: rules[0].requir: unknown key 'requir'"),
        "{e}"
    );
    let e = json_err(
        "{\n  \"rules\": [\n    {\"package\": \"a\",\n     \"require\": [\"provenence\"]}]}",
    );
    assert!(
        e.to_string().starts_with(
            ".npm-sigverify.json:4:18: rules[0].require: unknown evidence 'provenence'"
        ),
        "{e}"
    );
    let e = json_err("{\"environments\": {\"ci\": {\"allowedFailures\": \"2\"}}}");
    assert!(
        e.to_string().contains(
            "environments.ci.allowedFailures: expected a non-negative integer, found a string"
        ),
        "{e}"
    );
    let e = json_err("{\"rules\": [{\"package\": \"@acme/\"}]}");
    assert!(
        e.to_string()
            .contains("1:24: rules[0].package: pattern '@acme/'"),
        "{e}"
    );
    let e = json_err("{\"exceptions\": [{\"package\": \"a@1\", \"reason\": \"r\", \"expires\": \"31/12/2026\"}]}");
    assert!(
        e.to_string()
            .contains("exceptions[0].expires: bad date '31/12/2026'"),
        "{e}"
    );
    let e = json_err("{\"rules\": [],\t\"rules\": []}");
    assert!(e.to_string().contains("duplicate key 'rules'"), "{e}");
}

// ---- discovery and package.json ----

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn discover_finds_each_file_name() {
    assert!(discover(project(&[]).path(), None).unwrap().is_none());
    for name in POLICY_FILES {
        let text = if name.ends_with("json") {
            "{\"rules\": [{\"package\": \"x\"}]}"
        } else {
            "rules:\n  - package: x\n"
        };
        let dir = project(&[(name, text)]);
        let loaded = discover(dir.path(), None).unwrap().unwrap();
        assert_eq!(loaded.path, dir.path().join(name));
        assert_eq!(loaded.policy.rules.len(), 1);
    }
}

#[test]
fn package_json_key() {
    let pkg = "{\"name\": \"app\", \"npm-sigverify\": {\"rules\": [{\"package\": \"x\", \"require\": [\"provenance\"]}],\n \"trust\": {\"internalKeys\": \"keys/trust.json\"}}}";
    let dir = project(&[("package.json", pkg)]);
    let loaded = discover(dir.path(), None).unwrap().unwrap();
    assert!(loaded.from_package_json);
    assert_eq!(
        loaded.policy.rules[0].require,
        vec![EvidenceKind::Provenance]
    );
    assert_eq!(
        loaded.policy.trust.internal_keys,
        Some(dir.path().join("keys/trust.json"))
    );
    assert!(discover(
        project(&[("package.json", "{\"name\": \"app\"}")]).path(),
        None
    )
    .unwrap()
    .is_none());
    let bad = project(&[(
        "package.json",
        "{\"name\": \"app\",\n \"npm-sigverify\": {\"rule\": []}}",
    )]);
    let e = discover(bad.path(), None).unwrap_err();
    assert!(e.to_string().ends_with("package.json:2:20: rule: unknown key 'rule' (expected one of $schema, version, trust, rules, exceptions, environments, signals, allowScripts)"), "{e}");
}

#[test]
fn two_policies_are_ambiguous() {
    let dir = project(&[
        (".npm-sigverify.yaml", "rules: []\n"),
        ("package.json", "{\"npm-sigverify\": {}}"),
    ]);
    let e = discover(dir.path(), None).unwrap_err();
    assert!(e.to_string().contains("several policies found"), "{e}");
}

#[test]
fn explicit_policy_file() {
    let dir = project(&[
        ("custom.yml", "rules:\n  - package: y\n"),
        (".npm-sigverify.yaml", "rules: []\n"),
    ]);
    let loaded = discover(dir.path(), Some(&dir.path().join("custom.yml")))
        .unwrap()
        .unwrap();
    assert_eq!(loaded.policy.rules[0].pattern.as_str(), "y");
    let e = discover(dir.path(), Some(&dir.path().join("missing.yaml"))).unwrap_err();
    assert_eq!(e.code(), "EPOLICYIO");
    assert!(e.to_string().contains("missing.yaml"), "{e}");
}

// ---- schema and examples ----

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> jsonschema::Validator {
    let text =
        std::fs::read_to_string(crate_dir().join("schema/npm-sigverify.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::draft202012::new(&schema).unwrap()
}

fn document(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.display().to_string();
    if path.file_name().unwrap() == "package.json" {
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        return doc[PACKAGE_JSON_KEY].clone();
    }
    let format = if name.ends_with(".json") {
        Format::Json
    } else {
        Format::Yaml
    };
    document_json(&name, &text, format).unwrap()
}

#[test]
fn examples_validate_against_the_schema_and_load() {
    let validator = schema();
    let mut count = 0;
    for entry in std::fs::read_dir(crate_dir().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        let doc = document(&path);
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        count += 1;
    }
    assert_eq!(count, 6, "every example is checked");
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let validator = schema();
    let cases = [
        "rules:\n  - package: a\n    requires: [provenance]\n",
        "rules:\n  - package: a\n    require: [provenence]\n",
        "rules:\n  - package: \"left pad\"\n",
        "exceptions:\n  - package: a\n    reason: r\n    expires: 2026-01-01\n",
        "exceptions:\n  - package: a@1\n    reason: r\n    expires: 31/12/2026\n",
        "environments:\n  ci: { mode: loud }\n",
        "rules:\n  - package: a\n    allowUnsigned: \"yes\"\n",
        "signals:\n  newInstallScripts: loud\n",
        "signals:\n  releaseAge: { action: fail }\n",
        "signals:\n  publishBursts: { within: 2 }\n",
        "environments:\n  dev: { signals: { pins: maybe } }\n",
    ];
    for text in cases {
        let doc = document_json("t.yaml", text, Format::Yaml).unwrap();
        assert!(!validator.is_valid(&doc), "schema accepted {text:?}");
        assert!(
            load_str("t.yaml", text, Format::Yaml).is_err(),
            "loader accepted {text:?}"
        );
    }
}

#[test]
fn real_npm_keyids_can_be_pinned() {
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../__test__/fixtures/corpus"
    );
    let keys: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{corpus}/registry-keys/npm-keys-2025.json")).unwrap(),
    )
    .unwrap();
    let ids: Vec<String> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["keyid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    let text = format!(
        "trust:\n  registries:\n    https://registry.npmjs.org/:\n      keys: {}\n",
        serde_json::to_string(&ids).unwrap()
    );
    let policy = load_str("t.yaml", &text, Format::Yaml).unwrap();
    assert_eq!(
        policy.trust.registries["https://registry.npmjs.org"],
        RegistryKeys::Pinned(ids)
    );
}
