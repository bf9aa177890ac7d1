//! Which packages' install scripts the safe install runs: verified and allowed ones only.

use std::path::Path;

use sigverify_core::model::PolicySummary;
use sigverify_core::{Code, PackageResult, Report, Status, Summary};
use sigverify_hooks::{plan_scripts, ScriptPolicy, Withheld};
use sigverify_policy::{Decision, Outcome};

const LOCK: &str = r#"{
  "name": "app", "version": "1.0.0", "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "version": "1.0.0" },
    "node_modules/esbuild": { "version": "0.20.0", "resolved": "https://registry.npmjs.org/esbuild/-/esbuild-0.20.0.tgz", "integrity": "sha512-AAAA", "hasInstallScript": true },
    "node_modules/@acme/tool": { "version": "1.0.0", "resolved": "https://registry.npmjs.org/@acme/tool/-/tool-1.0.0.tgz", "integrity": "sha512-BBBB", "hasInstallScript": true },
    "node_modules/evil": { "version": "6.6.6", "resolved": "https://registry.npmjs.org/evil/-/evil-6.6.6.tgz", "integrity": "sha512-CCCC", "hasInstallScript": true },
    "node_modules/gitdep": { "version": "1.0.0", "resolved": "git+ssh://git@github.com/a/b.git#0123456789abcdef0123456789abcdef01234567", "hasInstallScript": true },
    "node_modules/quiet": { "version": "1.0.0", "resolved": "https://registry.npmjs.org/quiet/-/quiet-1.0.0.tgz", "integrity": "sha512-DDDD" }
  }
}"#;

fn result(name: &str, version: &str, status: Status, code: Option<Code>) -> PackageResult {
    let mut r = PackageResult::new(name, version, &format!("node_modules/{name}"), "registry");
    r.status = status;
    r.code = code;
    let outcome = match status {
        Status::Invalid | Status::Missing => Outcome::Fail,
        _ => Outcome::Pass,
    };
    r.decision = Some(Decision {
        outcome,
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

fn fixture() -> (sigverify_lockfile::Tree, Report) {
    let tree = sigverify_lockfile::parse_lockfile(Path::new("/p/package-lock.json"), LOCK).unwrap();
    let report = report(vec![
        result("esbuild", "0.20.0", Status::Verified, None),
        result("@acme/tool", "1.0.0", Status::Verified, None),
        result(
            "evil",
            "6.6.6",
            Status::Invalid,
            Some(Code::IntegritySignature),
        ),
        result("gitdep", "1.0.0", Status::Skipped, Some(Code::NotRegistry)),
        result("quiet", "1.0.0", Status::Verified, None),
    ]);
    (tree, report)
}

fn names(list: &[sigverify_hooks::ScriptPackage]) -> Vec<&str> {
    list.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn only_verified_packages_with_scripts_run() {
    let (tree, report) = fixture();
    let plan = plan_scripts(&tree, &report, &ScriptPolicy::AllVerified);
    assert_eq!(names(&plan.run), ["@acme/tool", "esbuild"]);
    let withheld: Vec<(&str, &Withheld)> = plan
        .withheld
        .iter()
        .map(|(p, w)| (p.name.as_str(), w))
        .collect();
    assert_eq!(
        withheld,
        [
            (
                "evil",
                &Withheld::PolicyFailed {
                    code: Some("EINTEGRITYSIGNATURE".into())
                }
            ),
            (
                "gitdep",
                &Withheld::NotVerified {
                    status: "skipped".into(),
                    code: Some("ENOTREGISTRY".into())
                }
            ),
        ]
    );
}

#[test]
fn the_allow_list_restricts_verified_packages() {
    let (tree, report) = fixture();
    let policy = ScriptPolicy::Allow(vec!["@acme/*".into()]);
    let plan = plan_scripts(&tree, &report, &policy);
    assert_eq!(names(&plan.run), ["@acme/tool"]);
    let esbuild = plan
        .withheld
        .iter()
        .find(|(p, _)| p.name == "esbuild")
        .unwrap();
    assert_eq!(esbuild.1, Withheld::NotAllowed);
}

#[test]
fn a_package_missing_from_the_report_does_not_run() {
    let (tree, mut report) = fixture();
    report.packages.retain(|p| p.name != "esbuild");
    let plan = plan_scripts(&tree, &report, &ScriptPolicy::AllVerified);
    assert_eq!(names(&plan.run), ["@acme/tool"]);
    assert!(plan
        .withheld
        .iter()
        .any(|(p, w)| p.name == "esbuild" && *w == Withheld::NotInReport));
}

#[test]
fn root_scripts_follow_npm_ci_order() {
    let manifest =
        r#"{"scripts": {"prepare": "tsc", "test": "jest", "postinstall": "x", "preinstall": "y"}}"#;
    assert_eq!(
        sigverify_hooks::root_scripts(manifest).unwrap(),
        ["preinstall", "postinstall", "prepare"]
    );
    assert!(sigverify_hooks::root_scripts("{}").unwrap().is_empty());
    let err = sigverify_hooks::root_scripts(r#"{"scripts": "tsc"}"#).unwrap_err();
    assert_eq!(err.code(), "EPACKAGEJSON");
}

#[test]
fn a_rejected_lockfile_report_names_each_failure_and_what_to_do() {
    let (_, mut report) = fixture();
    report.packages[2] = result(
        "evil",
        "6.6.6",
        Status::Invalid,
        Some(Code::IntegritySignature),
    );
    report.packages[2].message = Some("evil@6.6.6 has an invalid registry signature".into());
    report.packages[2].remediation = Some("do not install this version".into());
    report.summary = Summary::of(&report.packages);
    let outcome = sigverify_hooks::InstallOutcome {
        lockfile: report,
        tree: None,
        scripts: None,
        root_scripts: Vec::new(),
    };
    assert_eq!(outcome.exit_code(), 1);
    let text = sigverify_hooks::install_text(&outcome);
    assert!(
        text.contains("lockfile 3 verified, 1 invalid, 0 missing, 1 skipped"),
        "{text}"
    );
    assert!(text.contains("STOPPED: the lockfile failed verification; nothing was installed"));
    assert!(text.contains(
        "  evil@6.6.6 (node_modules/evil) EINTEGRITYSIGNATURE\n    evil@6.6.6 has an invalid registry signature\n    fix: do not install this version\n"
    ), "{text}");
}

#[test]
fn a_verified_package_the_policy_fails_does_not_run() {
    let (tree, mut report) = fixture();
    let esbuild = report
        .packages
        .iter_mut()
        .find(|p| p.name == "esbuild")
        .unwrap();
    esbuild.decision.as_mut().unwrap().outcome = Outcome::Fail;
    let plan = plan_scripts(&tree, &report, &ScriptPolicy::AllVerified);
    assert_eq!(names(&plan.run), ["@acme/tool"]);
}

#[test]
fn an_excused_package_runs_and_the_tarball_decides_who_has_scripts() {
    let (tree, mut report) = fixture();
    let evil = report
        .packages
        .iter_mut()
        .find(|p| p.name == "evil")
        .unwrap();
    let decision = evil.decision.as_mut().unwrap();
    decision.outcome = Outcome::Warn;
    decision.exception = Some(sigverify_policy::ExceptionUse {
        package: "evil@6".into(),
        reason: "vendor build".into(),
        expires: "2099-01-01".into(),
        expired: false,
        applied: true,
    });
    // The lockfile says `quiet` has no install script; its signed tarball says it has one.
    let quiet = report
        .packages
        .iter_mut()
        .find(|p| p.name == "quiet")
        .unwrap();
    quiet.install_scripts = Some(vec!["postinstall".into()]);
    let plan = plan_scripts(&tree, &report, &ScriptPolicy::AllVerified);
    assert_eq!(names(&plan.run), ["@acme/tool", "esbuild", "evil", "quiet"]);
}

#[test]
fn an_install_stopped_only_for_missing_evidence_exits_3_like_verify() {
    let (_, mut report) = fixture();
    report.exit_code = 3;
    let outcome = sigverify_hooks::InstallOutcome {
        lockfile: report.clone(),
        tree: None,
        scripts: None,
        root_scripts: Vec::new(),
    };
    assert_eq!(outcome.exit_code(), 3);
    report.exit_code = 0;
    let accepted = sigverify_hooks::InstallOutcome {
        lockfile: report.clone(),
        tree: Some(report),
        scripts: None,
        root_scripts: Vec::new(),
    };
    assert_eq!(accepted.exit_code(), 0);
}

/// A dependency bundled inside its parent's tarball is rebuilt with `--rebuild-bundle=false`:
/// its scripts never run, and the plan says so instead of leaving it out.
#[test]
fn a_bundled_dependency_with_scripts_is_listed_as_not_run() {
    let lock = LOCK.replace(
        r#""node_modules/quiet": {"#,
        r#""node_modules/esbuild/node_modules/inner": { "version": "1.0.0", "inBundle": true, "hasInstallScript": true },
    "node_modules/quiet": {"#,
    );
    let tree =
        sigverify_lockfile::parse_lockfile(Path::new("/p/package-lock.json"), &lock).unwrap();
    let (_, report) = fixture();
    let plan = plan_scripts(&tree, &report, &ScriptPolicy::AllVerified);
    assert_eq!(names(&plan.run), ["@acme/tool", "esbuild"]);
    let inner = plan.withheld.iter().find(|(p, _)| p.name == "inner");
    assert_eq!(inner.map(|(_, w)| w), Some(&Withheld::Bundled));
}
