//! Shared test inputs, built through the typed core model: the recorded `--json` output of the
//! bundled demo (read back with `sigverify_core::Report::from_document`), plus synthetic
//! failing, missing, skipped, warning and provenance packages made with
//! `PackageResult::new` and settled by core, some with hostile names.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use sigverify_attest::ProvenanceFacts;
use sigverify_codes::Code;
use sigverify_core::model::{AttestationSummary, CheckOutcome, PackageResult, Summary};
use sigverify_policy::{CheckResult, Decision, ExceptionUse, Outcome};
use sigverify_reports::Report;

/// Where the fixtures live.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// A hostile package name: markup, quotes, an ampersand and a control character.
pub const HOSTILE_NAME: &str = "@evil/<script>alert(\"x&y\")</script>'\u{1}";

/// The remediation given to the hostile packages (markup and an ampersand).
pub const HOSTILE_FIX: &str = "do not install <b>this</b> & pin a known-good version";

/// The repository the `widget` package's verified provenance was built from.
pub const WIDGET_REPO: &str = "https://github.com/acme/widget";

/// The fixed render time.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

/// `npm-sigverify verify examples/demo --offline examples/demo-store --json`, recorded through
/// core by `tests/record_demo.rs` (12 verified, 3 skipped, all passed by npm's defaults).
pub fn demo_value() -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/demo-report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The demo, as core's typed report.
pub fn demo_core() -> sigverify_core::Report {
    sigverify_core::Report::from_document(&demo_value()).unwrap()
}

/// The demo report's view.
pub fn demo() -> Report {
    Report::from(&demo_core())
}

/// A registry package at `node_modules/NAME`, nothing checked yet.
pub fn package(name: &str, version: &str) -> PackageResult {
    let mut p = PackageResult::new(name, version, &format!("node_modules/{name}"), "registry");
    p.registry = Some("https://registry.npmjs.org/".into());
    p.resolved = Some(format!(
        "https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"
    ));
    p
}

/// One policy check.
pub fn check(
    name: &str,
    passed: bool,
    required: bool,
    code: Option<Code>,
    msg: &str,
) -> CheckResult {
    CheckResult {
        check: name.into(),
        passed,
        required,
        code,
        message: msg.into(),
        evidence: Value::Null,
    }
}

/// A policy decision.
pub fn decision(outcome: Outcome, rule: &str, checks: Vec<CheckResult>) -> Decision {
    let remediation = (checks.iter())
        .filter(|c| !c.passed)
        .filter_map(|c| c.code)
        .map(|c| c.policy_hint().unwrap_or(c.remediation()).to_string())
        .collect();
    Decision {
        outcome,
        rule: rule.into(),
        checks,
        exception: None,
        remediation,
    }
}

/// A registry package whose signature and integrity passed, settled and passed by the policy.
pub fn verified(name: &str, version: &str) -> PackageResult {
    let mut p = package(name, version);
    p.checks.registry_signature = CheckOutcome::passed();
    p.checks.integrity = CheckOutcome::passed();
    p.integrity = Some("sha512-AAAA".into());
    p.keyids = vec!["SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA".into()];
    p.settle();
    let id = p.id();
    p.decision = Some(decision(
        Outcome::Pass,
        "default",
        vec![check(
            "registry-signature",
            true,
            true,
            None,
            &format!("{id} has a verified registry signature"),
        )],
    ));
    p
}

/// The facts of a provenance built from `repo` by a tagged release workflow.
pub fn facts(repo: &str) -> ProvenanceFacts {
    ProvenanceFacts {
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        source_repository_uri: Some(repo.into()),
        source_repository_id: Some("123456789".into()),
        source_repository_owner_uri: Some("https://github.com/acme".into()),
        source_repository_owner_id: Some("4242".into()),
        source_repository_ref: Some("refs/tags/v1.2.3".into()),
        commit_sha: Some("0123456789abcdef0123456789abcdef01234567".into()),
        workflow_path: Some(".github/workflows/release.yml".into()),
        workflow_ref: Some("refs/tags/v1.2.3".into()),
        log_index: Some(99),
        ..ProvenanceFacts::default()
    }
}

/// `widget@1.2.3`: verified, with a verified provenance built from [`WIDGET_REPO`] and a
/// verified publish attestation, passed by the policy.
pub fn widget() -> PackageResult {
    let mut p = verified("widget", "1.2.3");
    p.checks.attestations = CheckOutcome::passed();
    p.repository = Some("github.com/acme/widget".into());
    p.provenance = Some("verified".into());
    p.attestations = vec![
        AttestationSummary {
            predicate_type: "https://slsa.dev/provenance/v1".into(),
            kind: "provenance".into(),
            status: "verified".into(),
            code: None,
            detail: None,
            message: None,
            signer: Some(facts(WIDGET_REPO)),
            keyid: None,
            signed_at: None,
            signed_at_source: None,
            log_index: Some(99),
        },
        AttestationSummary {
            predicate_type: "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
                .into(),
            kind: "publish".into(),
            status: "verified".into(),
            code: None,
            detail: None,
            message: None,
            signer: None,
            keyid: Some("SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U".into()),
            signed_at: None,
            signed_at_source: None,
            log_index: Some(100),
        },
    ];
    p.settle();
    let d = p.decision.as_mut().unwrap();
    d.checks.push(check(
        "provenance",
        true,
        true,
        None,
        "widget@1.2.3 has verified provenance from github.com/acme/widget",
    ));
    p
}

/// `trojan@2.0.0`: every verifier check passed (status verified), but the policy requires
/// provenance it does not have, so the decision is fail.
pub fn trojan() -> PackageResult {
    let mut p = verified("trojan", "2.0.0");
    p.checks.attestations = CheckOutcome::passed();
    p.provenance = Some("absent".into());
    p.decision = Some(decision(
        Outcome::Fail,
        "trojan",
        vec![
            check(
                "registry-signature",
                true,
                true,
                None,
                "trojan@2.0.0 has a verified registry signature",
            ),
            check(
                "provenance",
                false,
                true,
                Some(Code::ProvenanceRequired),
                "trojan@2.0.0 has no provenance and the rule requires it",
            ),
        ],
    ));
    p
}

/// Sorts the packages as core does and recounts the summary.
pub fn finish(mut report: sigverify_core::Report) -> sigverify_core::Report {
    report.packages.sort_by(|a, b| {
        (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
    });
    report.summary = Summary::of(&report.packages);
    report
}

/// The demo plus one package per interesting case:
/// - the hostile name, invalid (EINTEGRITYSIGNATURE), with an invalid provenance attestation;
/// - `unsigned-pkg`, missing (EMISSINGSIGNATURE);
/// - `ghost`, skipped (ENOTINSTALLED);
/// - `@isaacs/namespace-test`, verified but warned about (an expired exception);
/// - `widget`, verified with provenance from github.com/acme/widget;
/// - `trojan`, verified but failed by the policy (EPROVENANCEREQUIRED).
///
/// 20 packages: 14 verified, 1 invalid, 1 missing, 4 skipped; 3 fail, 1 warn.
pub fn hostile_core() -> sigverify_core::Report {
    let mut r = demo_core();
    r.policy.environment = "ci".into();
    r.exit_code = 1;

    let mut evil = package(HOSTILE_NAME, "1.0.0");
    evil.checks.registry_signature = CheckOutcome::failed(
        Code::IntegritySignature,
        "evil has an invalid registry signature\r\nsecond line 100% a:b,c http://evil.example/x"
            .into(),
    );
    evil.settle();
    evil.remediation = Some(HOSTILE_FIX.into());
    evil.lockfile_line = Some(123);
    evil.provenance = Some("invalid".into());
    evil.attestations = vec![AttestationSummary {
        predicate_type: "https://slsa.dev/provenance/v1".into(),
        kind: "provenance".into(),
        status: "invalid".into(),
        code: Some("EATTESTATIONVERIFY".into()),
        detail: Some("ESIGNATURE".into()),
        message: Some("signature <does not> verify".into()),
        signer: Some(facts("https://github.com/evil/repo")),
        keyid: None,
        signed_at: None,
        signed_at_source: None,
        log_index: Some(42),
    }];
    evil.decision = Some(decision(
        Outcome::Fail,
        "registry-signatures",
        vec![
            check(
                "registry-signature",
                false,
                true,
                Some(Code::IntegritySignature),
                "signature <bad>",
            ),
            check("integrity", true, true, None, "integrity check passed"),
        ],
    ));

    let mut unsigned = package("unsigned-pkg", "1.0.0");
    unsigned.checks.registry_signature = CheckOutcome::failed(
        Code::MissingSignature,
        "unsigned-pkg@1.0.0 has no registry signature".into(),
    );
    unsigned.settle();
    unsigned.remediation = Some(HOSTILE_FIX.into());
    unsigned.decision = Some(decision(
        Outcome::Fail,
        "default",
        vec![check(
            "registry-signature",
            false,
            true,
            Some(Code::MissingSignature),
            "unsigned-pkg@1.0.0 has no registry signature although the registry signs packages",
        )],
    ));

    let mut ghost = package("ghost", "1.0.0");
    ghost.checks.registry_signature =
        CheckOutcome::not_applicable(Code::NotInstalled, "ghost@1.0.0: not installed".into());
    ghost.settle();
    ghost.lockfile_line = Some(7);
    ghost.decision = Some(decision(
        Outcome::Pass,
        "default",
        vec![check(
            "registry-signature",
            true,
            true,
            Some(Code::NotInstalled),
            "ghost@1.0.0: registry signature not checked: not installed",
        )],
    ));

    let isaacs = (r.packages.iter_mut())
        .find(|p| p.name == "@isaacs/namespace-test")
        .unwrap();
    let d = isaacs.decision.as_mut().unwrap();
    d.outcome = Outcome::Warn;
    d.checks.push(check(
        "exception",
        false,
        false,
        Some(Code::ExceptionExpired),
        "exception '@isaacs/namespace-test@1' expired on 2026-01-01 and no longer excuses failures",
    ));
    d.exception = Some(ExceptionUse {
        package: "@isaacs/namespace-test@1".into(),
        reason: "vendored <until> the fix & lands".into(),
        expires: "2026-01-01".into(),
        expired: true,
        applied: false,
    });
    d.remediation = vec![Code::ExceptionExpired.remediation().into()];

    r.packages
        .extend([evil, unsigned, ghost, widget(), trojan()]);
    finish(r)
}

/// The hostile report as a `--json` document.
pub fn hostile_value() -> Value {
    hostile_core().to_document()
}

/// The hostile report's view.
pub fn hostile() -> Report {
    Report::from(&hostile_core())
}

/// `crates/reports/tests/output/NAME` (gitignored), created on demand.
pub fn output(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
