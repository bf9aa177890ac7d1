//! Shared test inputs: the real `--json` output of the bundled demo, plus synthetic failing,
//! missing, skipped and warning packages with hostile names.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use sigverify_reports::Report;

/// Where the fixtures live.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

/// A hostile package name: markup, quotes, an ampersand and a control character.
pub const HOSTILE_NAME: &str = "@evil/<script>alert(\"x&y\")</script>'\u{1}";

/// The fixed render time.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap()
}

/// `node bin/npm-sigverify.js verify examples/demo --offline examples/demo-store --json`,
/// recorded (12 verified, 3 skipped).
pub fn demo_value() -> Value {
    let text = std::fs::read_to_string(format!("{FIXTURES}/demo-report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pkg(name: &str, status: &str, code: Option<&str>, message: &str, line: Option<u64>) -> Value {
    json!({
        "name": name, "version": "1.0.0", "location": format!("node_modules/{name}"),
        "source": "registry", "status": status, "code": code, "message": message,
        "remediation": "do not install <b>this</b> & pin a known-good version",
        "type": "dependencies", "lockfileLine": line,
    })
}

/// The demo plus one package per interesting case, with the fields the lead will add.
pub fn hostile_value() -> Value {
    let mut v = demo_value();
    let mut invalid = pkg(
        HOSTILE_NAME,
        "invalid",
        Some("EINTEGRITYSIGNATURE"),
        "evil has an invalid registry signature\r\nsecond line 100% a:b,c http://evil.example/x",
        Some(123),
    );
    invalid["checks"] = json!([
        {"check": "registry-signature", "passed": false, "code": "EINTEGRITYSIGNATURE", "message": "signature <bad>"},
        {"check": "integrity", "passed": true, "code": null, "message": null}
    ]);
    invalid["attestations"] = json!([{
        "predicateType": "https://slsa.dev/provenance/v1", "status": "invalid", "code": "EATTESTATIONVERIFY",
        "signer": {"sourceRepository": "https://github.com/evil/repo", "workflowRef": "refs/heads/main", "issuer": "https://token.actions.githubusercontent.com"},
        "logIndex": 42
    }]);
    invalid["provenance"] = json!("invalid");
    invalid["decision"] = json!("fail");
    invalid["rule"] = json!("registry-signatures");
    v["invalid"] = json!([invalid]);
    v["missing"] = json!([pkg(
        "unsigned-pkg",
        "missing",
        Some("EMISSINGSIGNATURE"),
        "unsigned-pkg@1.0.0 has no registry signature",
        None
    )]);
    let skipped = pkg(
        "ghost",
        "skipped",
        Some("ENOTINSTALLED"),
        "ghost@1.0.0: not installed",
        Some(7),
    );
    v["skipped"].as_array_mut().unwrap().push(skipped);
    let verified = v["verified"].as_array_mut().unwrap();
    verified[0]["decision"] = json!("warn");
    verified[0]["code"] = json!("EPROVENANCEABSENT");
    verified[0]["message"] = json!("@isaacs/namespace-test@1.0.0 has no provenance");
    verified[0]["remediation"] = json!("ask the publisher to publish with provenance");
    verified[0]["provenance"] = json!("absent");
    verified[0]["lockfileLine"] = json!(40);
    v["summary"] = json!({"total": 18, "verified": 12, "invalid": 1, "missing": 1, "skipped": 4});
    v["environment"] = json!("ci");
    v["lockfilePath"] = json!("examples/demo/package-lock.json");
    v["timings"] = json!({"lockfile": 1.5, "signatures": 3});
    v
}

/// The demo report, checked.
pub fn demo() -> Report {
    Report::from_value(&demo_value()).unwrap()
}

/// The hostile report, checked.
pub fn hostile() -> Report {
    Report::from_value(&hostile_value()).unwrap()
}

/// `crates/reports/tests/output/NAME` (gitignored), created on demand.
pub fn output(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/output");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}
