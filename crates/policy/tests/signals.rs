//! The `signals` section: loading (with positions on errors), environment actions, exclusions,
//! and how findings become failing or advisory checks with exceptions applied.

mod common;

use common::*;
use serde_json::json;
use sigverify_codes::Code;
use sigverify_policy::*;
use std::collections::HashMap;

const SIGNALS: &str = r#"
signals:
  releaseAge: { minimum: 36h, exclude: ["@acme/*"] }
  publisherContinuity: { action: fail, history: 3 }
  newInstallScripts: fail
  newDependencies: warn
  baseline: origin/main
exceptions:
  - package: "fresh@1.0.1"
    reason: "hotfix we need today (SEC-7)"
    expires: 2026-06-30
environments:
  development:
    signals: { releaseAge: warn, newInstallScripts: off }
"#;

fn finding(kind: SignalKind) -> SignalFinding {
    SignalFinding {
        signal: kind,
        code: kind.code(),
        message: format!("{} found", kind.as_str()),
        evidence: json!({ "k": 1 }),
    }
}

fn decide_in(p: &Policy, env: Option<&str>, ev: &PackageEvidence) -> Decision {
    let env = select_environment(p, env, &HashMap::new()).unwrap();
    decide(p, &env, ev, now())
}

#[test]
fn the_section_loads() {
    let p = policy(SIGNALS);
    let s = &p.signals;
    assert_eq!(s.minimum_release_age, chrono::TimeDelta::hours(36));
    assert_eq!(s.history, 3);
    assert_eq!(s.baseline.as_deref(), Some("origin/main"));
    assert_eq!(
        s.action(SignalKind::ReleaseAge, "x"),
        Action::Fail,
        "a mapping fails by default"
    );
    assert_eq!(s.action(SignalKind::ReleaseAge, "@acme/y"), Action::Off);
    assert_eq!(s.action(SignalKind::NewDependencies, "x"), Action::Warn);
    assert_eq!(
        s.action(SignalKind::Pins, "x"),
        Action::Off,
        "not named: off"
    );
}

#[test]
fn findings_fail_or_warn_per_action_and_environment() {
    let p = policy(SIGNALS);
    let mut ev = signed("fresh", "1.0.0");
    ev.signals = vec![
        finding(SignalKind::ReleaseAge),
        finding(SignalKind::NewDependencies),
    ];
    let d = decide_in(&p, None, &ev);
    assert_eq!(d.outcome, Outcome::Fail);
    let flagged: Vec<(&str, bool, Option<Code>)> = d
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| (c.check.as_str(), c.required, c.code))
        .collect();
    assert_eq!(
        flagged,
        vec![
            ("signals.releaseAge", true, Some(Code::ReleaseTooYoung)),
            ("signals.newDependencies", false, Some(Code::NewDependency)),
        ]
    );
    assert_eq!(
        decide_in(&p, Some("development"), &ev).outcome,
        Outcome::Warn
    );
    ev.name = "@acme/own".into();
    assert_eq!(decide_in(&p, None, &ev).outcome, Outcome::Warn, "excluded");
}

#[test]
fn an_exception_excuses_a_finding_until_it_expires() {
    let p = policy(SIGNALS);
    let mut ev = signed("fresh", "1.0.1");
    ev.signals = vec![finding(SignalKind::NewInstallScripts)];
    let d = decide_in(&p, None, &ev);
    assert_eq!(d.outcome, Outcome::Warn);
    assert!(d.exception.as_ref().unwrap().applied);
    let env = select_environment(&p, None, &HashMap::new()).unwrap();
    let later = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 7, 1, 0, 0, 0).unwrap();
    assert_eq!(decide(&p, &env, &ev, later).outcome, Outcome::Fail);
    let dev = decide_in(&p, Some("development"), &ev);
    assert!(dev.checks.iter().all(|c| c.passed), "off in development");
}

#[test]
fn an_unavailable_signal_is_an_operational_failure() {
    let p = policy(SIGNALS);
    let mut ev = signed("x", "1.0.0");
    ev.signals = vec![SignalFinding {
        code: Code::SignalUnavailable,
        ..finding(SignalKind::PublisherContinuity)
    }];
    let d = decide_in(&p, None, &ev);
    assert_eq!(d.outcome, Outcome::Fail);
    let failing: Vec<_> = d.checks.iter().filter(|c| !c.passed).collect();
    assert!(failing
        .iter()
        .all(|c| c.code.is_some_and(|c| c.is_operational())));
}

#[test]
fn mistakes_name_file_line_and_key() {
    let cases = [
        (
            "signals:\n  releaseAge: fail\n",
            "signals.releaseAge: releaseAge needs a minimum",
        ),
        (
            "signals:\n  releaseAge: { minimum: 2 }\n",
            "signals.releaseAge.minimum: '2' is not a duration",
        ),
        (
            "signals:\n  newInstallScripts: loud\n",
            "signals.newInstallScripts: unknown action 'loud'",
        ),
        (
            "signals:\n  newInstallScript: fail\n",
            "signals.newInstallScript: unknown key",
        ),
        (
            "signals:\n  typosquats: { history: 3 }\n",
            "signals.typosquats.history: unknown key",
        ),
        (
            "environments:\n  dev:\n    signals: { releaseAge: { minimum: 1d } }\n",
            "environments.dev.signals.releaseAge: expected a string",
        ),
    ];
    for (text, want) in cases {
        let e = load_str("t.yaml", text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{text:?}: {e}");
        assert!(e.starts_with("t.yaml:"), "{e}");
    }
}

#[test]
fn the_recommended_example_is_the_generated_policy() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/recommended.yaml"
    ))
    .unwrap();
    assert_eq!(example, recommended_policy(None));
}

#[test]
fn an_allow_list_alone_in_package_json_is_not_a_second_policy() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        ".npm-sigverify.yaml",
        &recommended_policy(Some("root/trusted_root.json")),
    );
    write(
        "package.json",
        r#"{"npm-sigverify": {"allowScripts": ["esbuild"]}}"#,
    );
    let loaded = discover(dir.path(), None).unwrap().unwrap();
    assert!(loaded.path.ends_with(".npm-sigverify.yaml"));
    let root = loaded.policy.trust.sigstore_root.unwrap();
    assert_eq!(
        root,
        dir.path().join("root/trusted_root.json"),
        "resolved against the file"
    );
    write(
        "package.json",
        r#"{"npm-sigverify": {"allowScripts": [], "rules": []}}"#,
    );
    let e = discover(dir.path(), None).unwrap_err();
    assert!(e.to_string().contains("several policies found"), "{e}");
}
