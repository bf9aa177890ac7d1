//! Building the view: from the typed core report (`From`), and from a stored `--json`
//! document (`from_value`), whose negatives each change one thing.

mod common;

use serde_json::json;
use sigverify_codes::Code;
use sigverify_reports::{
    render, CheckState, Decision, Format, InputError, Provenance, Report, Status,
};

#[test]
fn reads_the_recorded_demo_report() {
    let r = Report::from_value(&common::demo_value()).unwrap();
    let t = r.totals();
    assert_eq!(
        (t.total, t.verified, t.skipped, t.invalid, t.missing),
        (15, 12, 3, 0, 0)
    );
    assert_eq!((t.pass, t.warn, t.fail), (15, 0, 0));
    assert_eq!(r.decision(), Decision::Pass);
    assert_eq!(r.lockfile_uri(), "package-lock.json");
    assert_eq!(r.tool_name_version(), ("npm-sigverify", "0.1.0"));
    assert_eq!(r.environment.as_deref(), Some("production"));
    assert_eq!(r.manager, "npm");
    assert_eq!(r.policy.mode, "enforce");
    let names: Vec<_> = (r.packages.iter())
        .map(|p| (&p.name, &p.version, &p.location))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "packages are sorted");
    assert_eq!(r, common::demo(), "from_value is from_document then From");
}

#[test]
fn maps_every_field_of_the_typed_model() {
    let r = common::hostile();
    let t = r.totals();
    assert_eq!(
        (t.total, t.verified, t.invalid, t.missing, t.skipped),
        (20, 14, 1, 1, 4)
    );
    assert_eq!((t.pass, t.warn, t.fail), (16, 1, 3));
    assert_eq!(r.decision(), Decision::Fail);
    assert_eq!(r.environment.as_deref(), Some("ci"));
    assert_eq!(r.lockfile_path, r.input_path);
    assert_eq!(r.duration_ms, common::demo_core().duration_ms);
    assert_eq!(r.timings, common::demo_core().timings);

    let evil = r
        .packages
        .iter()
        .find(|p| p.name == common::HOSTILE_NAME)
        .unwrap();
    assert_eq!(evil.status, Status::Invalid);
    assert_eq!(evil.code, Some(Code::IntegritySignature));
    assert_eq!(evil.lockfile_line, Some(123));
    assert_eq!(evil.provenance, Some(Provenance::Invalid));
    assert_eq!(evil.attestations[0].log_index, Some(42));
    assert_eq!(evil.attestations[0].detail.as_deref(), Some("ESIGNATURE"));
    assert_eq!(evil.rule(), Some("registry-signatures"));
    assert_eq!(evil.checks()[0].code, Some(Code::IntegritySignature));
    let signature = &evil.outcomes[1];
    assert_eq!(
        (signature.check.as_str(), signature.state),
        ("registrySignature", CheckState::Failed)
    );

    let widget = r.packages.iter().find(|p| p.name == "widget").unwrap();
    let signer = widget.provenance_signer().unwrap();
    assert_eq!(
        signer.source_repository.as_deref(),
        Some(common::WIDGET_REPO)
    );
    assert_eq!(signer.repository_id.as_deref(), Some("123456789"));
    assert_eq!(signer.owner_id.as_deref(), Some("4242"));
    assert_eq!(
        signer.workflow_path.as_deref(),
        Some(".github/workflows/release.yml")
    );
    assert_eq!(signer.workflow_ref.as_deref(), Some("refs/tags/v1.2.3"));
    assert_eq!(
        signer.issuer.as_deref(),
        Some("https://token.actions.githubusercontent.com")
    );
    assert_eq!(widget.repository.as_deref(), Some("github.com/acme/widget"));
    assert_eq!(
        widget.attestations[1].keyid.as_deref(),
        Some("SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U")
    );

    let isaacs = (r.packages.iter())
        .find(|p| p.name == "@isaacs/namespace-test")
        .unwrap();
    assert_eq!(isaacs.decision(), Decision::Warn);
    assert_eq!(isaacs.code(), "EEXCEPTIONEXPIRED");
    let exception = isaacs.exception().unwrap();
    assert!(exception.expired && !exception.applied);
}

#[test]
fn the_decision_and_its_code_come_from_the_policy() {
    let r = common::hostile();
    let trojan = r.packages.iter().find(|p| p.name == "trojan").unwrap();
    assert_eq!(trojan.status, Status::Verified);
    assert_eq!(trojan.code, None, "the verifier found nothing");
    assert_eq!(trojan.decision(), Decision::Fail);
    assert_eq!(trojan.code(), "EPROVENANCEREQUIRED");
    assert_eq!(trojan.title(), Code::ProvenanceRequired.title());
    assert_eq!(
        trojan.explanation(),
        "trojan@2.0.0 has no provenance and the rule requires it"
    );
    assert_eq!(trojan.remediation(), Code::ProvenanceRequired.remediation());
    assert_eq!(trojan.policy_hint(), Code::ProvenanceRequired.policy_hint());
    let failing: Vec<&str> = r.findings().map(|p| p.code()).collect();
    assert_eq!(
        failing,
        [
            "EINTEGRITYSIGNATURE",
            "EPROVENANCEREQUIRED",
            "EMISSINGSIGNATURE",
            "EEXCEPTIONEXPIRED"
        ]
    );
}

#[test]
fn from_value_of_to_document_renders_the_same() {
    let core = common::hostile_core();
    let direct = Report::from(&core);
    let stored = Report::from_value(&core.to_document()).unwrap();
    assert_eq!(stored, direct);
    // Through text too, as a stored file is read.
    let text = serde_json::to_string_pretty(&core.to_document()).unwrap();
    let reread = Report::from_value(&serde_json::from_str(&text).unwrap()).unwrap();
    for format in Format::ALL {
        let expected = render(format, &direct, common::now());
        assert_eq!(
            render(format, &stored, common::now()),
            expected,
            "{format:?}"
        );
        assert_eq!(
            render(format, &reread, common::now()),
            expected,
            "{format:?}"
        );
    }
}

#[test]
fn from_sorts_the_packages() {
    let mut core = common::hostile_core();
    core.packages.reverse();
    assert_eq!(Report::from(&core), common::hostile());
}

#[test]
fn extra_fields_are_ignored() {
    let mut v = common::demo_value();
    v["somethingNew"] = json!({"a": 1});
    v["verified"][0]["alsoNew"] = json!(true);
    v["summary"]["somethingNew"] = json!({"new": "shape"});
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
    assert_eq!(
        err.to_string(),
        "package @isaacs/namespace-test@1.0.0 is in the verified list but has status invalid"
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
    // The decision counts too.
    let mut v = common::hostile_value();
    v["summary"]["fail"] = json!(0);
    let err = Report::from_value(&v).unwrap_err();
    assert_eq!(
        err.to_string(),
        "summary says fail = 0 but the document lists 3"
    );
}

#[test]
fn summary_counters_must_be_counts() {
    let mut v = common::demo_value();
    v["summary"]["skipped"] = json!("3");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(err, InputError::SummaryField { field: "skipped" }));
    assert_eq!(
        err.to_string(),
        "summary field skipped is not a non-negative integer"
    );
}

#[test]
fn unknown_status_is_a_typed_error() {
    let mut v = common::demo_value();
    v["verified"][0]["status"] = json!("trusted");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(err, InputError::Shape(_)), "{err}");
    assert!(err.to_string().contains("trusted"), "{err}");
}

#[test]
fn unknown_decision_is_a_typed_error() {
    let mut v = common::demo_value();
    v["verified"][0]["decision"]["outcome"] = json!("maybe");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(err, InputError::Shape(_)), "{err}");
}

#[test]
fn malformed_code_is_rejected() {
    let mut v = common::demo_value();
    v["skipped"][0]["code"] = json!("ENOT REGISTRY::x");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(err, InputError::BadCode { .. }), "{err}");
    assert!(err
        .to_string()
        .starts_with("package left-pad-fork@1.3.0 has malformed code"));
}

#[test]
fn malformed_codes_anywhere_in_a_package_are_rejected() {
    let edits: [fn(&mut serde_json::Value); 4] = [
        |v| v["verified"][0]["checks"]["integrity"]["code"] = json!("lower"),
        |v| v["verified"][0]["decision"]["checks"][0]["code"] = json!("E<b>"),
        |v| v["verified"][0]["attestations"] = json!([{"predicateType": "x", "kind": "other", "status": "invalid", "code": "bad code"}]),
        |v| {
            v["verified"][0]["attestations"] = json!([{"predicateType": "x", "kind": "other", "status": "invalid", "detail": "E\n"}])
        },
    ];
    for edit in edits {
        let mut v = common::demo_value();
        edit(&mut v);
        let err = Report::from_value(&v).unwrap_err();
        assert!(matches!(err, InputError::BadCode { .. }), "{err}");
    }
}

#[test]
fn unknown_code_is_named() {
    let mut v = common::demo_value();
    v["skipped"][0]["code"] = json!("ENOSUCHCODE");
    let err = Report::from_value(&v).unwrap_err();
    assert!(matches!(err, InputError::UnknownCode { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("package left-pad-fork@1.3.0 has code ENOSUCHCODE, which this version"),
        "{err}"
    );
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
fn other_schema_versions_are_rejected() {
    let mut v = common::demo_value();
    for version in [0, 1, 3] {
        v["schemaVersion"] = json!(version);
        let err = Report::from_value(&v).unwrap_err();
        assert!(
            matches!(err, InputError::SchemaVersion(n) if n == version),
            "{err}"
        );
    }
    assert!(Report::from_value(&v).unwrap_err().to_string().starts_with(
        "report document has unsupported schemaVersion 3 (this version reads schemaVersion 2"
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
        json!({"schemaVersion": "2"}),
        json!({"schemaVersion": 2}),
    ] {
        assert!(
            matches!(Report::from_value(&v), Err(InputError::Shape(_))),
            "{v}"
        );
    }
}

#[test]
fn a_rendered_report_is_not_a_document() {
    let rendered = sigverify_reports::render_json(&common::demo(), common::now());
    let v: serde_json::Value = serde_json::from_str(&rendered).unwrap();
    let err = Report::from_value(&v).unwrap_err();
    assert!(err.to_string().contains("has a packages list"), "{err}");
}

#[test]
fn failing_package_without_code_fails_closed_with_a_code() {
    let mut core = common::demo_core();
    let p = &mut core.packages[0];
    p.status = sigverify_core::Status::Invalid;
    p.code = None;
    p.decision = None;
    let r = Report::from(&core);
    let failing: Vec<_> = r.findings().collect();
    assert_eq!(failing.len(), 1);
    assert_eq!(failing[0].code(), sigverify_reports::UNSPECIFIED_CODE);
    assert_eq!(failing[0].decision(), Decision::Fail, "npm's semantics");
}

#[test]
fn lockfile_uri_is_relative_to_the_project() {
    let mut core = common::demo_core();
    core.project = "/home/u/app/".into();
    core.input_path = "/home/u/app/sub dir/npm-shrinkwrap.json".into();
    assert_eq!(
        Report::from(&core).lockfile_uri(),
        "sub dir/npm-shrinkwrap.json"
    );
    core.project = ".".into();
    core.input_path = "./package-lock.json".into();
    assert_eq!(Report::from(&core).lockfile_uri(), "package-lock.json");
}
