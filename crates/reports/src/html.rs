//! One self-contained HTML page: inline CSS and JS, no external URL, every report string
//! escaped. Rows can be filtered by status or decision with buttons or `#filter=STATUS`.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::escape::html as esc;
use crate::input::{Package, Report};
use crate::model::{Attestation, Decision};

const CSS: &str = include_str!("../assets/report.css");
const JS: &str = include_str!("../assets/report.js");

/// The filters offered, in button order: `all`, the four statuses, then the two decisions.
pub const FILTERS: [&str; 7] = [
    "all", "invalid", "missing", "skipped", "verified", "fail", "warn",
];

/// Renders the report as one HTML page.
pub fn render_html(report: &Report, now: DateTime<Utc>) -> String {
    let decision = report.decision().as_str();
    let mut out = String::with_capacity(16 * 1024 + report.packages.len() * 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // The page needs nothing from outside: forbid it, so even a bug cannot load anything.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>npm-sigverify: {}</title>",
        esc(&report.project)
    );
    let _ = writeln!(out, "<style>\n{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<h1>npm-sigverify report <span class=\"verdict {decision}\">{decision}</span></h1>"
    );
    out.push_str(&meta(report, now));
    out.push_str(&cards(report));
    out.push_str(&filters());
    out.push_str(&table(report));
    let _ = writeln!(
        out,
        "<footer>{}</footer>\n<script>\n{JS}</script>\n</body>\n</html>",
        esc(&report.tool)
    );
    out
}

fn meta(report: &Report, now: DateTime<Utc>) -> String {
    let mut line = format!(
        "Project <code>{}</code> &middot; {} <code>{}</code> &middot; {} mode",
        esc(&report.project),
        esc(&report.input),
        esc(&report.input_path),
        esc(&report.mode)
    );
    if let Some(env) = &report.environment {
        let _ = write!(line, " &middot; environment <code>{}</code>", esc(env));
    }
    if let Some(ms) = report.duration_ms {
        let _ = write!(line, " &middot; {ms} ms");
    }
    let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    format!("<p class=\"meta\">{line} &middot; generated {at}</p>\n")
}

fn cards(report: &Report) -> String {
    let t = report.totals();
    let counts = [
        ("total", t.total),
        ("verified", t.verified),
        ("invalid", t.invalid),
        ("missing", t.missing),
        ("skipped", t.skipped),
        ("fail", t.fail),
        ("warn", t.warn),
    ];
    let mut out = String::from("<div class=\"cards\">\n");
    for (name, n) in counts {
        let _ = writeln!(
            out,
            "<div class=\"card {name}\" id=\"count-{name}\"><span class=\"n\">{n}</span>{name}</div>"
        );
    }
    out.push_str("</div>\n");
    out
}

fn filters() -> String {
    let mut out =
        String::from("<div class=\"filters\" role=\"group\" aria-label=\"filter\">Show:\n");
    for f in FILTERS {
        let _ = writeln!(
            out,
            "<button type=\"button\" data-filter=\"{f}\" aria-pressed=\"{}\">{f}</button>",
            f == "all"
        );
    }
    out.push_str("<span id=\"shown\"></span>\n</div>\n");
    out
}

fn table(report: &Report) -> String {
    let mut out = String::from("<table id=\"packages\">\n<thead><tr><th>status</th><th>package</th><th>location</th><th>code</th><th>details</th></tr></thead>\n<tbody>\n");
    // Failures first, then warnings, then the rest in report order.
    let rest = (report.packages.iter()).filter(|p| p.decision() == Decision::Pass);
    for p in report.findings().chain(rest) {
        out.push_str(&row(p));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

fn row(p: &Package) -> String {
    let status = p.status.as_str();
    let code = match p.decision() != Decision::Pass || p.code.is_some() {
        true => esc(p.code()),
        false => String::new(),
    };
    format!(
        "<tr class=\"row\" data-status=\"{status}\" data-decision=\"{}\"><td><span class=\"badge {status}\">{status}</span></td><td class=\"pkg\">{}</td><td class=\"loc\">{}</td><td class=\"code\">{code}</td><td>{}</td></tr>\n",
        p.decision().as_str(),
        esc(&p.id()),
        esc(&p.location),
        details(p)
    )
}

/// The explanation and remediation for anything not simply verified, then the checks.
fn details(p: &Package) -> String {
    let mut out = String::new();
    if p.decision() != Decision::Pass || p.code.is_some() {
        let _ = write!(
            out,
            "<p class=\"why\">{}</p><p class=\"fix\"><b>Fix:</b> {}</p>",
            esc(&p.explanation()),
            esc(p.remediation())
        );
    }
    if let Some(rule) = &p.rule {
        let _ = write!(out, "<p class=\"fix\"><b>Rule:</b> {}</p>", esc(rule));
    }
    if !p.checks.is_empty() {
        out.push_str("<ul class=\"checks\">");
        for c in &p.checks {
            let mark = if c.passed { "passed" } else { "FAILED" };
            let msg = c.message.as_deref().map(esc).unwrap_or_default();
            let _ = write!(out, "<li>{} {mark} {msg}</li>", esc(&c.check));
        }
        out.push_str("</ul>");
    }
    if !p.attestations.is_empty() {
        out.push_str("<ul class=\"checks\">");
        for a in &p.attestations {
            out.push_str(&attestation(a));
        }
        out.push_str("</ul>");
    }
    out
}

/// One attestation: predicate type, verdict, code, signer repository and log index.
fn attestation(a: &Attestation) -> String {
    let mut line = format!("attestation {}", esc(&a.predicate_type));
    for part in [&a.status, &a.code].into_iter().flatten() {
        let _ = write!(line, " {}", esc(part));
    }
    let repo = a
        .signer
        .as_ref()
        .and_then(|s| s.source_repository.as_deref());
    if let Some(repo) = repo {
        let _ = write!(line, ", signed by {}", esc(repo));
    }
    if let Some(index) = a.log_index {
        let _ = write!(line, ", log index {index}");
    }
    format!("<li>{line}</li>")
}
