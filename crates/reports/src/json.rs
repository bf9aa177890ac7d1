//! The versioned JSON report (`schema/report.schema.json`).
//!
//! Unlike the `--json` document (npm's bucketed shape), this one is a flat, documented list of
//! packages with their decisions, meant to be stored and compared between runs. Every field is
//! always present (`null` or empty when it does not apply), so consumers need no defaults.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::model::{Package, Report};

/// Version of the JSON report schema. Bump on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 2;

/// The `$id` of the schema shipped in `schema/report.schema.json`.
pub const JSON_SCHEMA_ID: &str = "urn:npm-sigverify:report:2";

/// Renders the versioned JSON report.
pub fn render_json(report: &Report, now: DateTime<Utc>) -> String {
    let (tool, version) = report.tool_name_version();
    let doc = json!({
        "$schema": JSON_SCHEMA_ID,
        "schemaVersion": JSON_SCHEMA_VERSION,
        "generatedAt": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "tool": { "name": tool, "version": version },
        "environment": report.environment,
        "project": report.project,
        "input": { "kind": report.input, "path": report.input_path, "manager": report.manager },
        "lockfile": report.lockfile_uri(),
        "mode": report.mode,
        "policy": report.policy,
        "decision": report.decision().as_str(),
        "exitCode": report.exit_code,
        "totals": report.totals(),
        "durations": durations(report),
        "warnings": report.warnings,
        "packages": report.packages.iter().map(package).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).expect("a json value always serializes");
    text.push('\n');
    text
}

fn durations(report: &Report) -> Value {
    let phases: Map<String, Value> = (report.timings.iter())
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({ "totalMs": report.duration_ms, "phases": phases })
}

fn package(p: &Package) -> Value {
    // Passing packages that carry a code (skipped ones) keep their explanation too.
    let explained = p.decision() != crate::Decision::Pass || p.code.is_some();
    let checks: Map<String, Value> = (p.outcomes.iter())
        .map(|o| {
            let value = json!({ "state": o.state, "code": o.code, "message": o.message });
            (o.check.clone(), value)
        })
        .collect();
    json!({
        "name": p.name,
        "version": p.version,
        "location": p.location,
        "alias": p.alias,
        "source": p.source,
        "type": p.dep_type,
        "registry": p.registry,
        "status": p.status.as_str(),
        "decision": p.decision().as_str(),
        "rule": p.rule(),
        "code": explained.then(|| p.code()),
        "title": explained.then(|| p.title()),
        "message": explained.then(|| p.explanation()),
        "remediation": explained.then(|| p.remediation()),
        "policyHint": p.policy_hint().filter(|_| p.decision() != crate::Decision::Pass),
        "lockfileLine": p.lockfile_line,
        "provenance": p.provenance.map(|v| v.as_str()),
        "provenanceRepository": p.provenance_repository(),
        "repository": p.repository,
        "integrity": p.integrity,
        "lockfileIntegrity": p.lockfile_integrity,
        "resolved": p.resolved,
        "keyids": p.keyids,
        "installScripts": p.install_scripts,
        "checks": checks,
        "policyChecks": p.checks(),
        "exception": p.exception(),
        "policyRemediation": p.policy.as_ref().map(|d| &d.remediation[..]).unwrap_or(&[]),
        "attestations": p.attestations,
        "internalSignatures": p.internal_signatures,
        "contents": p.contents,
    })
}
