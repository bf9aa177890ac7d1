//! JSON output: npm's `invalid` and `missing` keys, plus `skipped`, `verified`, totals, the
//! environment and each package's policy decision. Versioned by `schemaVersion`.

use serde_json::{json, Value};
use sigverify_core::{Report, Status};
use sigverify_policy::Decision;

use crate::decisions::decision_json;
use crate::lockfile_lines::LockfileLines;

/// The `--json` document (also the input of `--report`).
pub fn document(
    report: &Report,
    decisions: &[Decision],
    environment: &str,
    lines: &LockfileLines,
) -> Value {
    let entries: Vec<(Status, Value)> = report
        .packages
        .iter()
        .zip(decisions)
        .map(|(p, d)| {
            let mut entry = serde_json::to_value(p).expect("results serialize");
            merge(&mut entry, decision_json(d));
            if let Some(line) = lines.line_of(&p.location) {
                entry["lockfileLine"] = json!(line);
            }
            (p.status, entry)
        })
        .collect();
    let bucket = |status: Status| -> Value {
        Value::Array(
            entries
                .iter()
                .filter(|(s, _)| *s == status)
                .map(|(_, e)| e.clone())
                .collect(),
        )
    };
    json!({
        "schemaVersion": report.schema_version,
        "tool": report.tool,
        "project": report.project,
        "input": report.input,
        "inputPath": report.input_path,
        "lockfilePath": lines.path(),
        "mode": report.mode,
        "environment": environment,
        "summary": report.summary,
        "registries": report.registries,
        "invalid": bucket(Status::Invalid),
        "missing": bucket(Status::Missing),
        "skipped": bucket(Status::Skipped),
        "verified": bucket(Status::Verified),
        "cache": report.cache,
        "warnings": report.warnings,
        "durationMs": report.duration_ms,
        "timings": report.timings,
        "slowest": report.slowest,
    })
}

fn merge(target: &mut Value, extra: Value) {
    if let (Value::Object(target), Value::Object(extra)) = (target, extra) {
        target.extend(extra);
    }
}
