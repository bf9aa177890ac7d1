//! Script approvals tied to bytes (`sigverify.approvals.json`) and npm 12's `allowScripts`:
//! which verified packages' scripts the safe install runs when a project gates them.

use std::path::Path;

use sigverify_core::model::PolicySummary;
use sigverify_core::{PackageResult, Report, Status, Summary};
use sigverify_hooks::{
    approve_scripts, plan_scripts_with, ProjectApprovals, ScriptPolicy, Withheld,
};
use sigverify_policy::{Decision, Outcome};

const LOCK: &str = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "version": "1.0.0" },
    "node_modules/esbuild": { "version": "0.20.0", "resolved": "https://registry.npmjs.org/esbuild/-/esbuild-0.20.0.tgz", "integrity": "sha512-AAAA", "hasInstallScript": true },
    "node_modules/sharp": { "version": "0.33.5", "resolved": "https://registry.npmjs.org/sharp/-/sharp-0.33.5.tgz", "integrity": "sha512-BBBB", "hasInstallScript": true },
    "node_modules/evil": { "version": "6.6.6", "resolved": "https://registry.npmjs.org/evil/-/evil-6.6.6.tgz", "integrity": "sha512-CCCC", "hasInstallScript": true }
  }
}"#;

fn verified(name: &str, version: &str, integrity: &str) -> PackageResult {
    let mut r = PackageResult::new(name, version, &format!("node_modules/{name}"), "registry");
    r.status = Status::Verified;
    r.integrity = Some(integrity.into());
    r.install_scripts = Some(vec!["postinstall".into()]);
    r.decision = Some(Decision {
        outcome: Outcome::Pass,
        rule: "default".into(),
        checks: Vec::new(),
        exception: None,
        remediation: Vec::new(),
    });
    r
}

fn report(packages: Vec<PackageResult>) -> Report {
    Report {
        schema_version: 2,
        tool: "test".into(),
        project: "/p".into(),
        input: "package-lock".into(),
        manager: "npm".into(),
        input_path: "/p/package-lock.json".into(),
        mode: "online".into(),
        registries: Vec::new(),
        policy: PolicySummary {
            source: None,
            environment: "production".into(),
            mode: "enforce".into(),
            allowed_failures: 0,
        },
        summary: Summary::of(&packages),
        exit_code: 0,
        packages,
        duration_ms: 0,
        timings: Default::default(),
        slowest: Vec::new(),
        cache: "off".into(),
        warnings: Vec::new(),
        baseline: None,
    }
}

fn fixture(esbuild_integrity: &str) -> (sigverify_lockfile::Tree, Report) {
    let tree = sigverify_lockfile::parse_lockfile(Path::new("/p/package-lock.json"), LOCK).unwrap();
    let report = report(vec![
        verified("esbuild", "0.20.0", esbuild_integrity),
        verified("sharp", "0.33.5", "sha512-BBBB"),
        verified("evil", "6.6.6", "sha512-CCCC"),
    ]);
    (tree, report)
}

fn ran(plan: &sigverify_hooks::ScriptPlan) -> Vec<&str> {
    let mut names: Vec<&str> = plan.run.iter().map(|p| p.name.as_str()).collect();
    names.sort();
    names
}

#[test]
fn an_approval_runs_exactly_the_approved_tarball() {
    let dir = tempfile::tempdir().unwrap();
    let (tree, approved) = fixture("sha512-AAAA");
    let done = approve_scripts(&approved, &["esbuild".into(), "nope".into()], dir.path()).unwrap();
    assert_eq!(done.approved, ["esbuild@0.20.0 (sha512-AAAA)"]);
    assert_eq!(done.missing, ["nope"]);
    let manifest = r#"{"name": "app"}"#;
    let approvals = ProjectApprovals::read(dir.path(), manifest).unwrap();
    let plan = plan_scripts_with(&tree, &approved, &ScriptPolicy::AllVerified, &approvals);
    assert_eq!(ran(&plan), ["esbuild"], "approvals gate the other packages");
    // The same version with other bytes (a republished or mirrored tarball) is not approved.
    let (tree, swapped) = fixture("sha512-ZZZZ");
    let plan = plan_scripts_with(&tree, &swapped, &ScriptPolicy::AllVerified, &approvals);
    assert!(ran(&plan).is_empty());
    let why = plan
        .withheld
        .iter()
        .find(|(p, _)| p.name == "esbuild")
        .unwrap();
    assert!(
        matches!(&why.1, Withheld::NotApproved { why } if why.contains("not for this tarball"))
    );
}

#[test]
fn npm_allow_scripts_allows_and_denies_and_names_still_count() {
    let dir = tempfile::tempdir().unwrap();
    let (tree, report) = fixture("sha512-AAAA");
    let manifest = r#"{"allowScripts": {"sharp@0.33.5": true, "evil": false}}"#;
    let approvals = ProjectApprovals::read(dir.path(), manifest).unwrap();
    let plan = plan_scripts_with(&tree, &report, &ScriptPolicy::AllVerified, &approvals);
    assert_eq!(ran(&plan), ["sharp"]);
    let evil = plan
        .withheld
        .iter()
        .find(|(p, _)| p.name == "evil")
        .unwrap();
    assert_eq!(evil.1, Withheld::Denied);
    let listed = ScriptPolicy::Allow(vec!["esbuild".into(), "evil".into()]);
    let plan = plan_scripts_with(&tree, &report, &listed, &approvals);
    assert_eq!(
        ran(&plan),
        ["esbuild", "sharp"],
        "a deny beats the name list"
    );
}

#[test]
fn only_verified_packages_with_scripts_can_be_approved() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut report) = fixture("sha512-AAAA");
    report.packages[2].decision.as_mut().unwrap().outcome = Outcome::Fail;
    report.packages[1].install_scripts = Some(Vec::new());
    let done =
        approve_scripts(&report, &["evil".into(), "sharp@0.33.5".into()], dir.path()).unwrap();
    assert!(done.approved.is_empty() && done.path.is_none());
    let reasons: Vec<&str> = done.refused.iter().map(|(_, why)| why.as_str()).collect();
    assert!(
        reasons[0].contains("does not pass verification"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("no install scripts"), "{reasons:?}");
    assert!(!dir.path().join("sigverify.approvals.json").exists());
}
