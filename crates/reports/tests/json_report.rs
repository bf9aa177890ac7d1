//! The versioned JSON report, validated against `schema/report.schema.json`.

mod common;

use serde_json::Value;
use sigverify_reports::{render_json, JSON_SCHEMA_VERSION};

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(doc: &Value) {
    let errors: Vec<String> = validator()
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn demo_report_matches_the_schema() {
    let doc: Value = serde_json::from_str(&render_json(&common::demo(), common::now())).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["schemaVersion"], JSON_SCHEMA_VERSION);
    assert_eq!(doc["generatedAt"], "2026-11-25T12:00:00Z");
    assert_eq!(doc["tool"]["version"], "0.1.0");
    assert_eq!(doc["decision"], "pass");
    assert_eq!(doc["totals"]["verified"], 12);
    assert_eq!(doc["durations"]["totalMs"], 2);
}

#[test]
fn hostile_report_matches_the_schema_and_keeps_the_names() {
    let doc: Value = serde_json::from_str(&render_json(&common::hostile(), common::now())).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["decision"], "fail");
    assert_eq!(doc["environment"], "ci");
    assert_eq!(doc["durations"]["phases"]["lockfile"], 1.5);
    let evil = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == common::HOSTILE_NAME)
        .unwrap();
    assert_eq!(evil["decision"], "fail");
    assert_eq!(evil["code"], "EINTEGRITYSIGNATURE");
    assert_eq!(evil["lockfileLine"], 123);
    assert_eq!(
        evil["attestations"][0]["signer"]["sourceRepository"],
        "https://github.com/evil/repo"
    );
}

#[test]
fn schema_rejects_a_document_changed_in_one_place() {
    let good: Value =
        serde_json::from_str(&render_json(&common::hostile(), common::now())).unwrap();
    let edits: [fn(&mut Value); 5] = [
        |d| d["schemaVersion"] = 2.into(),
        |d| d["decision"] = "ok".into(),
        |d| d["packages"][0]["status"] = "trusted".into(),
        |d| d["totals"]["fail"] = (-1).into(),
        |d| d["unexpected"] = true.into(),
    ];
    for edit in edits {
        let mut bad = good.clone();
        edit(&mut bad);
        assert!(!validator().is_valid(&bad), "schema accepted {bad}");
    }
}

#[test]
fn rendering_is_deterministic() {
    let r = common::hostile();
    assert_eq!(
        render_json(&r, common::now()),
        render_json(&r, common::now())
    );
}
