//! A Markdown job summary for `GITHUB_STEP_SUMMARY`: totals, then the failing and warning
//! packages with their code and fix.

use std::fmt::Write;

use crate::escape::markdown_cell as cell;
use crate::model::{Decision, Report};

/// Renders the job summary.
pub fn render_markdown(report: &Report) -> String {
    let t = report.totals();
    let mut out = String::new();
    let verdict = match report.decision() {
        Decision::Pass => "passed",
        Decision::Warn => "passed with warnings",
        Decision::Fail => "failed",
    };
    let _ = writeln!(out, "## npm-sigverify: {verdict}\n");
    let _ = write!(
        out,
        "Project `{}`, {} `{}`, {} mode",
        code_span(&report.project),
        cell(&report.input),
        code_span(&report.input_path),
        cell(&report.mode)
    );
    if let Some(env) = &report.environment {
        let _ = write!(out, ", environment `{}`", code_span(env));
    }
    if !report.policy.mode.is_empty() {
        let _ = write!(out, ", policy {}", cell(&report.policy.mode));
    }
    out.push_str(".\n\n");
    out.push_str("| total | verified | invalid | missing | skipped | fail | warn |\n");
    out.push_str("|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |",
        t.total, t.verified, t.invalid, t.missing, t.skipped, t.fail, t.warn
    );
    out.push_str(&findings_table(report));
    out
}

fn findings_table(report: &Report) -> String {
    let mut out = String::new();
    let findings: Vec<_> = report.findings().collect();
    if findings.is_empty() {
        out.push_str("\nNo failing packages.\n");
        return out;
    }
    out.push_str("\n### Failing and warning packages\n\n");
    out.push_str("| | package | location | status | code | problem | fix |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for p in findings {
        let icon = match report.enforced(p.decision()) {
            Decision::Fail => "❌",
            _ => "⚠️",
        };
        let _ = writeln!(
            out,
            "| {icon} | {} | {} | {} | {} | {} | {} |",
            cell(&p.id()),
            cell(&p.location),
            p.status.as_str(),
            cell(p.code()),
            cell(&p.explanation()),
            cell(p.remediation())
        );
    }
    out
}

/// Text for inside a single-backtick code span: backticks and line breaks cannot appear.
fn code_span(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}
