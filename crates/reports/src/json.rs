//! The versioned JSON report (`schema/report.schema.json`).
//!
//! Unlike the `--json` document (npm's bucketed shape), this one is a flat, documented list of
//! packages with their decisions, meant to be stored and compared between runs.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::input::{Package, Report};

/// Version of the JSON report schema. Bump on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// The `$id` of the schema shipped in `schema/report.schema.json`.
pub const JSON_SCHEMA_ID: &str = "urn:npm-sigverify:report:1";

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
        "input": { "kind": report.input, "path": report.input_path },
        "lockfile": report.lockfile_uri(),
        "mode": report.mode,
        "decision": report.decision().as_str(),
        "totals": report.totals(),
        "durations": durations(report),
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
    json!({
        "name": p.name,
        "version": p.version,
        "location": p.location,
        "source": p.source,
        "status": p.status.as_str(),
        "decision": p.decision().as_str(),
        "rule": p.rule,
        "code": explained.then(|| p.code()),
        "message": explained.then(|| p.explanation()),
        "remediation": explained.then(|| p.remediation()),
        "lockfileLine": p.lockfile_line,
        "provenance": p.provenance,
        "integrity": p.integrity,
        "resolved": p.resolved,
        "keyids": p.keyids,
        "checks": p.checks,
        "attestations": p.attestations,
    })
}
