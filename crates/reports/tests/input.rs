//! Reading the `--json` document into checked types: each negative changes one thing.

mod common;

use serde_json::json;
use sigverify_reports::{Decision, InputError, Report, Status};

#[test]
fn reads_the_real_demo_report() {
    let r = common::demo();
    let t = r.totals();
    assert_eq!(
        (t.total, t.verified, t.skipped, t.invalid, t.missing),
        (15, 12, 3, 0, 0)
    );
    assert_eq!(r.decision(), Decision::Pass);
    assert_eq!(r.lockfile_uri(), "package-lock.json");
    assert_eq!(r.tool_name_version(), ("npm-sigverify", "0.1.0"));
    let names: Vec<_> = (r.packages.iter())
        .map(|p| (&p.name, &p.version, &p.location))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "packages are sorted");
}

#[test]
fn reads_the_new_optional_fields() {
    let r = common::hostile();
    let t = r.totals();
    assert_eq!((t.total, t.fail, t.warn, t.pass), (18, 2, 1, 15));
    assert_eq!(r.decision(), Decision::Fail);
    assert_eq!(r.environment.as_deref(), Some("ci"));
    assert_eq!(r.timings.get("lockfile"), Some(&1.5));
    let evil = r
        .packages
        .iter()
        .find(|p| p.name == common::HOSTILE_NAME)
        .unwrap();
    assert_eq!(evil.lockfile_line, Some(123));
    assert_eq!(evil.attestations[0].log_index, Some(42));
    assert_eq!(evil.status, Status::Invalid);
}

#[test]
fn extra_fields_are_ignored() {
    let mut v = common::demo_value();
    v["somethingNew"] = json!({"a": 1});
    v["verified"][0]["alsoNew"] = json!(true);
    assert_eq!(Report::from_value(&v).unwrap(), common::demo());
}

#[test]
fn status_must_match_its_bucket() {
    let mut v = common::demo_value();
    v["verified"][0]["status"] = json!("invalid");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(
        err,
        InputError::BucketMismatch {
            bucket: "verified",
            status: "invalid",
            ..
        }
    ));
    assert!(
        err.to_string()
            .contains("@isaacs/namespace-test@1.0.0 is in the verified list"),
        "{err}"
    );
}

#[test]
fn summary_must_match_the_packages() {
    let mut v = common::demo_value();
    v["summary"]["verified"] = json!(13);
    let err = Report::from_value(&v).unwrap_err();
    assert_eq!(
        err.to_string(),
        "summary says verified = 13 but the document lists 12"
    );
}

#[test]
fn unknown_status_is_a_typed_error() {
    let mut v = common::demo_value();
    v["verified"][0]["status"] = json!("trusted");
    assert!(matches!(Report::from_value(&v), Err(InputError::Shape(_))));
}

#[test]
fn unknown_decision_is_a_typed_error() {
    let mut v = common::demo_value();
    v["verified"][0]["decision"] = json!("maybe");
    assert!(matches!(Report::from_value(&v), Err(InputError::Shape(_))));
}

#[test]
fn malformed_code_is_rejected() {
    let mut v = common::demo_value();
    v["skipped"][0]["code"] = json!("ENOT REGISTRY::x");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(err, InputError::BadCode { .. }), "{err}");
}

#[test]
fn malformed_check_code_is_rejected() {
    let mut v = common::demo_value();
    v["verified"][0]["checks"] = json!([{"check": "x", "passed": false, "code": "lower"}]);
    assert!(matches!(
        Report::from_value(&v),
        Err(InputError::BadCode { .. })
    ));
}

#[test]
fn empty_name_is_rejected() {
    let mut v = common::demo_value();
    v["verified"][0]["name"] = json!("");
    assert!(matches!(
        Report::from_value(&v),
        Err(InputError::EmptyIdentity { .. })
    ));
}

#[test]
fn schema_version_zero_or_missing_is_rejected() {
    let mut v = common::demo_value();
    v["schemaVersion"] = json!(0);
    assert!(matches!(
        Report::from_value(&v),
        Err(InputError::SchemaVersion(0))
    ));
    v.as_object_mut().unwrap().remove("schemaVersion");
    assert!(matches!(Report::from_value(&v), Err(InputError::Shape(_))));
}

#[test]
fn non_object_documents_are_typed_errors() {
    for v in [
        json!(null),
        json!([]),
        json!("x"),
        json!({"schemaVersion": "1"}),
    ] {
        assert!(
            matches!(Report::from_value(&v), Err(InputError::Shape(_))),
            "{v}"
        );
    }
}

#[test]
fn failing_package_without_code_fails_closed_with_a_code() {
    let mut v = common::demo_value();
    let mut p = v["verified"][0].clone();
    p["status"] = json!("invalid");
    p["code"] = json!(null);
    v["invalid"] = json!([p]);
    v.as_object_mut().unwrap().remove("summary");
    let r = Report::from_value(&v).unwrap();
    let failing: Vec<_> = r.findings().collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0].code(), sigverify_reports::UNSPECIFIED_CODE);
}

#[test]
fn lockfile_uri_is_relative_to_the_project() {
    let mut v = common::demo_value();
    v["project"] = json!("/home/u/app/");
    v["lockfilePath"] = json!("/home/u/app/sub dir/npm-shrinkwrap.json");
    assert_eq!(
        Report::from_value(&v).unwrap().lockfile_uri(),
        "sub dir/npm-shrinkwrap.json"
    );
    v["project"] = json!(".");
    v["lockfilePath"] = json!("./package-lock.json");
    assert_eq!(
        Report::from_value(&v).unwrap().lockfile_uri(),
        "package-lock.json"
    );
}

#[test]
fn summary_counters_must_be_counts_and_new_ones_are_ignored() {
    let mut v = common::demo_value();
    v["summary"]["pass"] = json!({"new": "shape"});
    assert!(Report::from_value(&v).is_ok());
    v["summary"]["skipped"] = json!("3");
    let err = Report::from_value(&v).unwrap_err();
    assert_eq!(
        err.to_string(),
        "summary field skipped is not a non-negative integer"
    );
}
