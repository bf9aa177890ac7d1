//! One self-contained HTML page: inline CSS and JS, no external URL, every report string
//! escaped. Each row leads with the policy decision (what the run acts on) and shows the
//! verifier's status beside it. Rows can be filtered by status or decision with buttons or
//! `#filter=STATUS`.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::escape::html as esc;
use crate::model::{Attestation, CheckState, Contents, Decision, Package, Report, Signer};

const CSS: &str = include_str!("../assets/report.css");
const JS: &str = include_str!("../assets/report.js");

/// The filters offered, in button order: `all`, the four statuses, then the two decisions.
pub const FILTERS: [&str; 7] = [
    "all", "invalid", "missing", "skipped", "verified", "fail", "warn",
];

/// File names listed per content change before the rest is only counted.
const FILES_SHOWN: usize = 10;

/// Renders the report as one HTML page.
pub fn render_html(report: &Report, now: DateTime<Utc>) -> String {
    let decision = report.decision().as_str();
    let mut out = String::with_capacity(16 * 1024 + report.packages.len() * 1024);
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
    out.push_str(&warnings(report));
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
        "Project <code>{}</code> &middot; {} <code>{}</code>",
        esc(&report.project),
        esc(&report.input),
        esc(&report.input_path),
    );
    if !report.manager.is_empty() {
        let _ = write!(line, " ({})", esc(&report.manager));
    }
    let _ = write!(line, " &middot; {} mode", esc(&report.mode));
    if let Some(env) = &report.environment {
        let _ = write!(line, " &middot; environment <code>{}</code>", esc(env));
    }
    let policy = &report.policy;
    let source = policy.source.as_deref().unwrap_or("npm defaults");
    let _ = write!(line, " &middot; policy <code>{}</code>", esc(source));
    if !policy.mode.is_empty() {
        let _ = write!(line, " ({}", esc(&policy.mode));
        if policy.allowed_failures > 0 {
            let _ = write!(line, ", {} failures allowed", policy.allowed_failures);
        }
        line.push(')');
    }
    let _ = write!(
        line,
        " &middot; exit code {} &middot; {} ms",
        report.exit_code, report.duration_ms
    );
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

fn warnings(report: &Report) -> String {
    if report.warnings.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"warnings\">");
    for w in &report.warnings {
        let _ = write!(out, "<li>{}</li>", esc(w));
    }
    out.push_str("</ul>\n");
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
    let mut out = String::from("<table id=\"packages\">\n<colgroup><col class=\"c-decision\"><col class=\"c-pkg\"><col class=\"c-loc\"><col class=\"c-code\"><col class=\"c-details\"></colgroup>\n<thead><tr><th>decision</th><th>package</th><th>location</th><th>code</th><th>details</th></tr></thead>\n<tbody>\n");
    // Failures first, then warnings, then the rest in report order.
    let rest = (report.packages.iter()).filter(|p| p.decision() == Decision::Pass);
    for p in report.findings().chain(rest) {
        out.push_str(&row(p));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// True when the row explains itself: anything the policy did not simply pass, and passing
/// packages that carry a code (skipped ones).
fn explained(p: &Package) -> bool {
    p.decision() != Decision::Pass || p.code.is_some()
}

fn row(p: &Package) -> String {
    let status = p.status.as_str();
    let decision = p.decision().as_str();
    let code = match explained(p) {
        true => format!(
            "<abbr title=\"{}\">{}</abbr>",
            esc(p.title()),
            esc(p.code())
        ),
        false => String::new(),
    };
    format!(
        "<tr class=\"row\" data-status=\"{status}\" data-decision=\"{decision}\"><td class=\"verdicts\"><span class=\"badge {decision}\" title=\"policy decision\">{decision}</span> <span class=\"status {status}\" title=\"verifier status\">{status}</span></td><td class=\"pkg\">{}</td><td class=\"loc\">{}</td><td class=\"code\">{code}</td><td class=\"details\">{}</td></tr>\n",
        esc(&p.id()),
        esc(&p.location),
        details(p)
    )
}

/// The explanation and fix for anything not simply passed, the rule and exception, the
/// provenance, then the policy's checks, the verifier's, contents and attestations.
fn details(p: &Package) -> String {
    let mut out = String::new();
    if explained(p) {
        let _ = write!(
            out,
            "<p class=\"why\">{}</p><p class=\"fix\"><b>Fix:</b> {}</p>",
            esc(&p.explanation()),
            esc(p.remediation())
        );
        if let Some(hint) = p.policy_hint().filter(|_| p.decision() != Decision::Pass) {
            let _ = write!(out, "<p class=\"fix\"><b>Policy:</b> {}</p>", esc(hint));
        }
    }
    out.push_str(&rule(p));
    if let Some(signer) = p.provenance_signer() {
        out.push_str(&provenance(signer));
    }
    out.push_str(&policy_checks(p));
    out.push_str(&verifier_checks(p));
    if let Some(c) = &p.contents {
        out.push_str(&contents(c));
    }
    let lines: Vec<String> = (p.attestations.iter().map(attestation))
        .chain(p.internal_signatures.iter().map(|s| {
            let verdict = if s.valid { "valid" } else { "INVALID" };
            let mut line = format!(
                "internal signature ({}) {} {verdict}",
                esc(&s.source),
                esc(&s.location)
            );
            for part in [&s.owner, &s.code, &s.message].into_iter().flatten() {
                let _ = write!(line, " {}", esc(part));
            }
            line
        }))
        .collect();
    if !lines.is_empty() {
        out.push_str("<ul class=\"checks\">");
        for line in lines {
            let _ = write!(out, "<li>{line}</li>");
        }
        out.push_str("</ul>");
    }
    out
}

/// The rule that decided, and the exception that matched.
fn rule(p: &Package) -> String {
    let Some(rule) = p.rule() else {
        return String::new();
    };
    let mut line = format!("<b>Rule:</b> {}", esc(rule));
    if let Some(e) = p.exception() {
        let state = match (e.expired, e.applied) {
            (true, _) => "expired",
            (false, true) => "applied",
            (false, false) => "matched",
        };
        let _ = write!(
            line,
            " &middot; <b>Exception</b> {} {state} (expires {}): {}",
            esc(&e.package),
            esc(&e.expires),
            esc(&e.reason)
        );
    }
    format!("<p class=\"fix\">{line}</p>")
}

/// Where a verified provenance says the package was built.
fn provenance(s: &Signer) -> String {
    let mut line = String::from("<b>Provenance:</b> built from ");
    let repo = s
        .source_repository
        .as_deref()
        .unwrap_or("an unnamed repository");
    let _ = write!(line, "<span class=\"repo\">{}</span>", esc(repo));
    if let Some(r) = &s.source_ref {
        let _ = write!(line, " at {}", esc(r));
    }
    if let Some(c) = &s.commit {
        let _ = write!(line, " (commit {})", esc(c));
    }
    if let Some(w) = &s.workflow_path {
        let _ = write!(line, " by {}", esc(w));
        if let Some(r) = &s.workflow_ref {
            let _ = write!(line, "@{}", esc(r));
        }
    }
    if let Some(i) = &s.issuer {
        let _ = write!(line, ", issuer {}", esc(i));
    }
    let ids = [
        ("repository id", &s.repository_id),
        ("owner id", &s.owner_id),
    ];
    for (name, id) in ids {
        if let Some(id) = id {
            let _ = write!(line, ", {name} {}", esc(id));
        }
    }
    format!("<p class=\"prov\">{line}</p>")
}

/// The policy's checks, one line each.
fn policy_checks(p: &Package) -> String {
    if p.checks().is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"checks\">");
    for c in p.checks() {
        let mark = match (c.passed, c.required) {
            (true, _) => "passed",
            (false, true) => "FAILED",
            (false, false) => "failed (advisory)",
        };
        let code = c
            .code
            .map(|c| format!(" {}", c.as_str()))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li>{} {mark}{code}: {}</li>",
            esc(&c.check),
            esc(&c.message)
        );
    }
    out.push_str("</ul>");
    out
}

/// The verifier's check states on one line (checks that were off are left out).
fn verifier_checks(p: &Package) -> String {
    let states: Vec<String> = (p.outcomes.iter())
        .filter(|o| o.state != CheckState::Off)
        .map(|o| {
            format!(
                "<span class=\"state {}\">{} {}</span>",
                o.state.as_str(),
                esc(&o.check),
                o.state.as_str()
            )
        })
        .collect();
    match states.is_empty() {
        true => String::new(),
        false => format!(
            "<p class=\"states\">verifier: {}</p>",
            states.join(" &middot; ")
        ),
    }
}

/// The files the content check found changed.
fn contents(c: &Contents) -> String {
    let mut out = String::new();
    for (what, files) in [
        ("loadable (changes what Node loads)", &c.loadable),
        ("modified", &c.modified),
        ("added", &c.added),
        ("removed", &c.removed),
    ] {
        if files.is_empty() {
            continue;
        }
        let shown: Vec<String> = files.iter().take(FILES_SHOWN).map(|f| esc(f)).collect();
        let mut line = format!("<b>{what}:</b> {}", shown.join(", "));
        if files.len() > FILES_SHOWN {
            let _ = write!(line, " and {} more", files.len() - FILES_SHOWN);
        }
        let _ = write!(out, "<p class=\"files\">{line}</p>");
    }
    out
}

/// One attestation: predicate type, verdict, code, builder repository and log index.
fn attestation(a: &Attestation) -> String {
    let mut line = format!("attestation {} {}", esc(&a.predicate_type), esc(&a.status));
    for part in [&a.code, &a.detail].into_iter().flatten() {
        let _ = write!(line, " {}", esc(part));
    }
    let repo = a
        .signer
        .as_ref()
        .and_then(|s| s.source_repository.as_deref());
    if let Some(repo) = repo {
        let _ = write!(line, ", built from {}", esc(repo));
    }
    if let Some(keyid) = &a.keyid {
        let _ = write!(line, ", key {}", esc(keyid));
    }
    if let Some(index) = a.log_index {
        let _ = write!(line, ", log index {index}");
    }
    if let Some(message) = &a.message {
        let _ = write!(line, ": {}", esc(message));
    }
    line
}
