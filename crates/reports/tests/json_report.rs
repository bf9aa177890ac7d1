//! The versioned JSON report, validated against `schema/report.schema.json`.

mod common;

use serde_json::Value;
use sigverify_reports::{render_json, JSON_SCHEMA_ID, JSON_SCHEMA_VERSION};

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
    assert_eq!(doc["$schema"], JSON_SCHEMA_ID);
    assert_eq!(doc["generatedAt"], "2026-11-25T12:00:00Z");
    assert_eq!(doc["tool"]["version"], "0.1.0");
    assert_eq!(doc["decision"], "pass");
    assert_eq!(doc["exitCode"], 0);
    assert_eq!(doc["totals"]["verified"], 12);
    let core = common::demo_core();
    assert_eq!(doc["durations"]["totalMs"], core.duration_ms);
    assert_eq!(doc["durations"]["phases"]["total"], core.timings["total"]);
    assert_eq!(doc["policy"]["mode"], "enforce");
    assert_eq!(doc["input"]["manager"], "npm");
}

#[test]
fn hostile_report_matches_the_schema_and_keeps_the_names() {
    let doc: Value = serde_json::from_str(&render_json(&common::hostile(), common::now())).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["decision"], "fail");
    assert_eq!(doc["environment"], "ci");
    let evil = package(&doc, common::HOSTILE_NAME);
    assert_eq!(evil["decision"], "fail");
    assert_eq!(evil["status"], "invalid");
    assert_eq!(evil["code"], "EINTEGRITYSIGNATURE");
    assert_eq!(evil["title"], "invalid registry signature");
    assert_eq!(evil["rule"], "registry-signatures");
    assert_eq!(evil["lockfileLine"], 123);
    assert_eq!(evil["checks"]["registrySignature"]["state"], "failed");
    assert_eq!(evil["policyChecks"][0]["code"], "EINTEGRITYSIGNATURE");
    assert_eq!(evil["policyChecks"][0]["required"], true);
    assert_eq!(
        evil["attestations"][0]["signer"]["sourceRepository"],
        "https://github.com/evil/repo"
    );
    assert_eq!(
        evil["provenanceRepository"],
        Value::Null,
        "not a verified provenance"
    );
    let trojan = package(&doc, "trojan");
    assert_eq!(
        (&trojan["status"], &trojan["decision"]),
        (&"verified".into(), &"fail".into())
    );
    assert_eq!(trojan["code"], "EPROVENANCEREQUIRED");
    assert!(trojan["policyHint"]
        .as_str()
        .unwrap()
        .starts_with("add an exception"));
    let isaacs = package(&doc, "@isaacs/namespace-test");
    assert_eq!(isaacs["exception"]["expired"], true);
}

#[test]
fn verified_provenance_shows_its_repository() {
    let doc: Value = serde_json::from_str(&render_json(&common::hostile(), common::now())).unwrap();
    let widget = package(&doc, "widget");
    assert_eq!(widget["provenance"], "verified");
    assert_eq!(widget["provenanceRepository"], common::WIDGET_REPO);
    let signer = &widget["attestations"][0]["signer"];
    assert_eq!(signer["sourceRepository"], common::WIDGET_REPO);
    assert_eq!(signer["repositoryId"], "123456789");
    assert_eq!(signer["ownerId"], "4242");
    assert_eq!(signer["workflowPath"], ".github/workflows/release.yml");
    assert_eq!(signer["workflowRef"], "refs/tags/v1.2.3");
    assert_eq!(widget["repository"], "github.com/acme/widget");
}

fn package<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()
}

#[test]
fn schema_rejects_a_document_changed_in_one_place() {
    let good: Value =
        serde_json::from_str(&render_json(&common::hostile(), common::now())).unwrap();
    let edits: [fn(&mut Value); 8] = [
        |d| d["schemaVersion"] = 1.into(),
        |d| d["decision"] = "ok".into(),
        |d| d["packages"][0]["status"] = "trusted".into(),
        |d| d["totals"]["fail"] = (-1).into(),
        |d| d["unexpected"] = true.into(),
        |d| d["packages"][0]["checks"]["contents"]["state"] = "skipped".into(),
        |d| d["packages"][0]["policyChecks"][0]["code"] = "lower".into(),
        |d| d["packages"][0]["attestations"] = serde_json::json!([{ "predicateType": "x" }]),
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
