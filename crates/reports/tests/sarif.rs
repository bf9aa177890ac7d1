//! SARIF 2.1.0, validated against the official OASIS schema (see tests/fixtures/README.md).

mod common;

use serde_json::Value;
use sigverify_reports::render_sarif;

fn validator() -> jsonschema::Validator {
    let path = format!("{}/sarif-schema-2.1.0.json", common::FIXTURES);
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(doc: &Value) {
    let errors: Vec<String> = (validator().iter_errors(doc))
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

fn hostile_log() -> Value {
    serde_json::from_str(&render_sarif(&common::hostile())).unwrap()
}

#[test]
fn clean_run_is_valid_sarif_with_no_results() {
    let log: Value = serde_json::from_str(&render_sarif(&common::demo())).unwrap();
    assert_valid(&log);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "npm-sigverify");
}

#[test]
fn hostile_run_is_valid_sarif() {
    let log = hostile_log();
    assert_valid(&log);
    std::fs::write(
        common::output("report.sarif"),
        render_sarif(&common::hostile()),
    )
    .unwrap();
}

#[test]
fn one_result_per_failing_or_warning_package() {
    let log = hostile_log();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let summary: Vec<(&str, &str)> = (results.iter())
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("EINTEGRITYSIGNATURE", "error"),
            ("EMISSINGSIGNATURE", "error"),
            ("EPROVENANCEABSENT", "warning"),
        ]
    );
}

#[test]
fn results_point_at_the_lockfile_entry() {
    let log = hostile_log();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let physical = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(physical["artifactLocation"]["uri"], "package-lock.json");
    assert_eq!(physical["region"]["startLine"], 123);
    // No lockfileLine for the missing package: line 1.
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    let name = results[0]["locations"][0]["logicalLocations"][0]["name"]
        .as_str()
        .unwrap();
    assert!(name.starts_with(common::HOSTILE_NAME), "{name}");
}

#[test]
fn rules_carry_the_remediation_as_help() {
    let log = hostile_log();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "EINTEGRITYSIGNATURE",
            "EMISSINGSIGNATURE",
            "EPROVENANCEABSENT"
        ]
    );
    assert_eq!(
        rules[0]["help"]["text"],
        "do not install <b>this</b> & pin a known-good version"
    );
    for (i, r) in log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "result {i}");
    }
}

#[test]
fn odd_lockfile_paths_become_valid_uri_references() {
    let mut v = common::hostile_value();
    v["lockfilePath"] = serde_json::json!("examples/demo/my lock#1%.json");
    let r = sigverify_reports::Report::from_value(&v).unwrap();
    let log: Value = serde_json::from_str(&render_sarif(&r)).unwrap();
    assert_valid(&log);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "my%20lock%231%25.json");
}

#[test]
fn official_schema_rejects_a_log_changed_in_one_place() {
    let good = hostile_log();
    let edits: [fn(&mut Value); 4] = [
        |d| d["version"] = "2.0.0".into(),
        |d| d["runs"][0]["results"][0]["level"] = "fatal".into(),
        |d| {
            d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into()
        },
        |d| d["runs"][0]["tool"]["driver"]["bogus"] = true.into(),
    ];
    for edit in edits {
        let mut bad = good.clone();
        edit(&mut bad);
        assert!(!validator().is_valid(&bad), "schema accepted {bad}");
    }
}
