//! JSON output: npm's `invalid` and `missing` keys, plus `skipped`, `verified` and totals.

use serde_json::{json, Value};
use sigverify_core::{Report, Status};

/// Renders a report as the `--json` document.
pub fn render(report: &Report) -> String {
    let bucket = |status: Status| -> Value {
        Value::Array(
            report
                .with_status(status)
                .map(|p| serde_json::to_value(p).expect("results serialize"))
                .collect(),
        )
    };
    let doc = json!({
        "schemaVersion": report.schema_version,
        "tool": report.tool,
        "project": report.project,
        "input": report.input,
        "inputPath": report.input_path,
        "mode": report.mode,
        "summary": report.summary,
        "registries": report.registries,
        "invalid": bucket(Status::Invalid),
        "missing": bucket(Status::Missing),
        "skipped": bucket(Status::Skipped),
        "verified": bucket(Status::Verified),
        "durationMs": report.duration_ms,
    });
    serde_json::to_string_pretty(&doc).expect("json renders")
}
