//! Every format follows the run's exit code: failures the environment does not enforce (warn
//! mode, within `allowedFailures`: the run exits 0) are warnings, never "failed".

mod common;

use serde_json::Value;
use sigverify_reports::{
    github_annotations, render_json, render_junit, render_markdown, render_sarif, Report,
};

fn with_exit_code(code: i32) -> Report {
    let mut core = common::hostile_core();
    core.exit_code = code;
    Report::from(&core)
}

fn levels(report: &Report) -> Vec<String> {
    let log: Value = serde_json::from_str(&render_sarif(report)).unwrap();
    (log["runs"][0]["results"].as_array().unwrap().iter())
        .map(|r| r["level"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_run_that_passes_reports_its_failures_as_warnings_everywhere() {
    let passed = with_exit_code(0);
    assert!(!levels(&passed).is_empty());
    assert!(
        levels(&passed).iter().all(|l| l == "warning"),
        "{:?}",
        levels(&passed)
    );
    let junit = render_junit(&passed, common::now());
    assert!(junit.contains(" failures=\"0\" errors=\"0\""), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    let json: Value = serde_json::from_str(&render_json(&passed, common::now())).unwrap();
    assert_eq!(json["decision"], "warn");
    assert!(render_markdown(&passed).starts_with("## npm-sigverify: passed with warnings"));
    let annotations = github_annotations(&passed);
    assert!(
        !annotations.is_empty() && !annotations.contains("::error"),
        "{annotations}"
    );
}

#[test]
fn a_run_that_fails_reports_them_as_failures() {
    let failed = with_exit_code(1);
    assert!(levels(&failed).iter().any(|l| l == "error"));
    assert!(!render_junit(&failed, common::now()).contains("failures=\"0\""));
    let json: Value = serde_json::from_str(&render_json(&failed, common::now())).unwrap();
    assert_eq!(json["decision"], "fail");
    assert!(render_markdown(&failed).starts_with("## npm-sigverify: failed"));
    assert!(github_annotations(&failed).contains("::error"));
}
