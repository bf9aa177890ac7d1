//! SARIF 2.1.0, validated against the official OASIS schema (see tests/fixtures/README.md).

mod common;

use serde_json::Value;
use sigverify_codes::Code;
use sigverify_policy::Outcome;
use sigverify_reports::{render_sarif, Report};

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
            ("EPROVENANCEREQUIRED", "error"),
            ("EMISSINGSIGNATURE", "error"),
            ("EEXCEPTIONEXPIRED", "warning"),
        ]
    );
    // The verifier passed trojan; the policy failed it: both are said.
    assert_eq!(results[1]["properties"]["status"], "verified");
    assert_eq!(results[1]["properties"]["decision"], "fail");
    assert_eq!(results[1]["properties"]["rule"], "trojan");
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
        results[2]["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    let name = results[0]["locations"][0]["logicalLocations"][0]["name"]
        .as_str()
        .unwrap();
    assert!(name.starts_with(common::HOSTILE_NAME), "{name}");
}

#[test]
fn rules_come_from_the_catalog() {
    let log = hostile_log();
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "EEXCEPTIONEXPIRED",
            "EINTEGRITYSIGNATURE",
            "EMISSINGSIGNATURE",
            "EPROVENANCEREQUIRED"
        ]
    );
    let signature = &rules[1];
    assert_eq!(signature["name"], "InvalidRegistrySignature");
    assert_eq!(
        signature["shortDescription"]["text"],
        "invalid registry signature"
    );
    assert_eq!(
        signature["help"]["text"],
        Code::IntegritySignature.remediation()
    );
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "warning");
    let required = &rules[3];
    assert_eq!(
        required["help"]["text"],
        format!(
            "{}\n\nTo accept it on purpose: {}",
            Code::ProvenanceRequired.remediation(),
            Code::ProvenanceRequired.policy_hint().unwrap()
        )
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
    // The package's own remediation stays in the result's message.
    assert!(log["runs"][0]["results"][0]["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with(&format!("(fix: {})", common::HOSTILE_FIX)));
}

/// One failing package per code of the catalog: each code's rule carries its catalog title.
#[test]
fn every_code_renders_with_its_catalog_title() {
    let mut core = common::demo_core();
    core.packages.clear();
    for (i, code) in Code::ALL.iter().enumerate() {
        let mut p = common::verified(&format!("pkg{i:02}"), "1.0.0");
        p.decision = Some(common::decision(
            Outcome::Fail,
            "default",
            vec![common::check(
                "some-check",
                false,
                true,
                Some(*code),
                &format!("failed with {code}"),
            )],
        ));
        core.packages.push(p);
    }
    let log: Value =
        serde_json::from_str(&render_sarif(&Report::from(&common::finish(core)))).unwrap();
    assert_valid(&log);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), Code::ALL.len());
    for code in Code::ALL {
        let rule = rules.iter().find(|r| r["id"] == code.as_str()).unwrap();
        assert_eq!(rule["shortDescription"]["text"], code.title(), "{code}");
        assert_eq!(
            rule["fullDescription"]["text"],
            format!("{}: {}", code.as_str(), code.title())
        );
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .starts_with(code.remediation()));
        let name = rule["name"].as_str().unwrap();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{name}"
        );
        assert_eq!(rule["properties"]["kind"], code.kind().as_str());
    }
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), Code::ALL.len());
    assert!(results.iter().all(|r| r["properties"]["title"]
        == rules[r["ruleIndex"].as_u64().unwrap() as usize]["shortDescription"]["text"]));
}

#[test]
fn verified_provenance_shows_its_repository() {
    let log = hostile_log();
    let listed = log["runs"][0]["properties"]["verifiedProvenance"]
        .as_array()
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["package"], "widget@1.2.3");
    assert_eq!(listed[0]["sourceRepository"], common::WIDGET_REPO);
    assert_eq!(listed[0]["workflowPath"], ".github/workflows/release.yml");
    assert_eq!(listed[0]["repositoryId"], "123456789");

    // A finding on a package with verified provenance names the repository in its result.
    let mut core = common::hostile_core();
    let widget = core
        .packages
        .iter_mut()
        .find(|p| p.name == "widget")
        .unwrap();
    let d = widget.decision.as_mut().unwrap();
    d.outcome = Outcome::Fail;
    d.checks.push(common::check(
        "provenance.workflowRef",
        false,
        true,
        Some(Code::ProvenanceWorkflow),
        "widget@1.2.3 was built from refs/heads/dev, which the rule does not allow",
    ));
    let core = common::finish(core);
    let log: Value = serde_json::from_str(&render_sarif(&Report::from(&core))).unwrap();
    assert_valid(&log);
    let result = (log["runs"][0]["results"].as_array().unwrap().iter())
        .find(|r| r["properties"]["package"] == "widget")
        .unwrap();
    assert_eq!(result["ruleId"], "EPROVENANCEWORKFLOW");
    assert_eq!(result["properties"]["provenance"], "verified");
    assert_eq!(
        result["properties"]["signer"]["sourceRepository"],
        common::WIDGET_REPO
    );
    assert_eq!(result["properties"]["signer"]["ownerId"], "4242");
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("[provenance: built from https://github.com/acme/widget]"));
}

#[test]
fn odd_lockfile_paths_become_valid_uri_references() {
    let mut core = common::hostile_core();
    core.input_path = "examples/demo/my lock#1%.json".into();
    let r = Report::from(&core);
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
