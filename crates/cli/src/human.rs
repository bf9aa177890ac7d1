//! Human output, shaped like `npm audit signatures` (grouped, sorted), plus what npm leaves out:
//! the code, the reason and what to do, and the skipped packages with their reasons.

use std::collections::BTreeMap;
use std::fmt::Write;

use sigverify_core::{PackageResult, Report, Status};

/// Renders a report for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let audited = report.summary.total - report.summary.skipped;
    let secs = report.duration_ms as f64 / 1000.0;
    let _ = writeln!(
        out,
        "audited {audited} {} in {secs:.2}s\n",
        plural(audited, "package", "packages")
    );
    let verified = report.summary.verified;
    if verified > 0 {
        let has = plural(
            verified,
            "package has a verified registry signature",
            "packages have verified registry signatures",
        );
        let _ = writeln!(out, "{verified} {has}\n");
    }
    render_missing(&mut out, report);
    render_invalid(&mut out, report);
    render_skipped(&mut out, report);
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn render_missing(out: &mut String, report: &Report) {
    let missing: Vec<_> = report.with_status(Status::Missing).collect();
    if missing.is_empty() {
        return;
    }
    let n = missing.len();
    let what = plural(
        n,
        "package has a missing registry signature",
        "packages have missing registry signatures",
    );
    let _ = writeln!(
        out,
        "{n} {what} but the registry is providing signing keys:\n"
    );
    for p in missing {
        let _ = writeln!(
            out,
            "{}@{} ({})",
            p.name,
            p.version,
            p.registry.as_deref().unwrap_or("?")
        );
    }
    out.push('\n');
}

fn render_invalid(out: &mut String, report: &Report) {
    let invalid: Vec<_> = report.with_status(Status::Invalid).collect();
    if invalid.is_empty() {
        return;
    }
    let n = invalid.len();
    let what = plural(
        n,
        "package failed verification",
        "packages failed verification",
    );
    let _ = writeln!(out, "{n} {what}:\n");
    for p in &invalid {
        render_failure(out, p);
    }
    let tail = plural(n, "this package", "these packages");
    let _ = writeln!(out, "Someone might have tampered with {tail} since it was published on the registry, or the evidence could not be checked!\n");
}

fn render_failure(out: &mut String, p: &PackageResult) {
    let code = p.code.map(|c| c.as_str()).unwrap_or("");
    let _ = writeln!(
        out,
        "{}@{} ({}) {code}",
        p.name,
        p.version,
        p.registry.as_deref().unwrap_or("?")
    );
    if let Some(message) = &p.message {
        let _ = writeln!(out, "  {message}");
    }
    let _ = writeln!(out, "  at {}", p.location);
    if let Some(fix) = &p.remediation {
        let _ = writeln!(out, "  fix: {fix}");
    }
}

fn render_skipped(out: &mut String, report: &Report) {
    let mut by_code: BTreeMap<&str, Vec<&PackageResult>> = BTreeMap::new();
    for p in report.with_status(Status::Skipped) {
        by_code
            .entry(p.code.map(|c| c.as_str()).unwrap_or(""))
            .or_default()
            .push(p);
    }
    for (code, packages) in by_code {
        let n = packages.len();
        let _ = writeln!(
            out,
            "{n} {} skipped ({code}):",
            plural(n, "package", "packages")
        );
        for p in packages {
            let _ = writeln!(
                out,
                "  {} [{}]",
                p.message.as_deref().unwrap_or(&p.name),
                p.location
            );
        }
        out.push('\n');
    }
}

/// One line saying which policy and environment decided, and the decision counts.
pub fn policy_line(
    applied: &crate::decisions::Applied,
    decisions: &[sigverify_policy::Decision],
) -> String {
    use sigverify_policy::Outcome;
    let count = |o: Outcome| decisions.iter().filter(|d| d.outcome == o).count();
    let source = applied
        .source
        .as_deref()
        .unwrap_or("npm defaults (no policy file)");
    let env = &applied.environment;
    format!(
        "\npolicy: {source}, environment {} ({}): {} pass, {} warn, {} fail\n",
        env.name,
        format!("{:?}", env.mode).to_lowercase(),
        count(Outcome::Pass),
        count(Outcome::Warn),
        count(Outcome::Fail)
    )
}

/// Everything known about one package: each check, its evidence, and the rule that decided.
pub fn explain(entry: &serde_json::Value) -> String {
    let field = |k: &str| entry[k].as_str().unwrap_or("-").to_string();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}@{} at {}",
        field("name"),
        field("version"),
        field("location")
    );
    let _ = writeln!(
        out,
        "  status:      {} {}",
        field("status"),
        entry["code"].as_str().unwrap_or("")
    );
    let _ = writeln!(out, "  registry:    {}", field("registry"));
    let _ = writeln!(
        out,
        "  integrity:   {} (lockfile {})",
        field("integrity"),
        field("lockfileIntegrity")
    );
    let _ = writeln!(out, "  keyids:      {}", entry["keyids"]);
    let _ = writeln!(out, "  provenance:  {}", field("provenance"));
    for a in entry["attestations"].as_array().into_iter().flatten() {
        let signer = &a["signer"];
        let _ = writeln!(
            out,
            "    {} {} log {} repo {} ref {}",
            a["kind"].as_str().unwrap_or("?"),
            a["status"].as_str().unwrap_or("?"),
            a["logIndex"],
            signer["sourceRepositoryUri"].as_str().unwrap_or("-"),
            signer["sourceRepositoryRef"].as_str().unwrap_or("-")
        );
    }
    if entry["contents"].is_object() {
        let _ = writeln!(out, "  contents:    {}", entry["contents"]);
    }
    let _ = writeln!(
        out,
        "  decision:    {} (rule {})",
        field("decision"),
        field("rule")
    );
    for check in entry["checks"].as_array().into_iter().flatten() {
        let mark = if check["passed"].as_bool() == Some(true) {
            "ok  "
        } else {
            "FAIL"
        };
        let _ = writeln!(
            out,
            "    {mark} {}: {}",
            check["check"].as_str().unwrap_or("?"),
            check["message"].as_str().unwrap_or("")
        );
    }
    if let Some(message) = entry["message"].as_str() {
        let _ = writeln!(out, "  message:     {message}");
    }
    if let Some(fix) = entry["remediation"].as_str() {
        let _ = writeln!(out, "  fix:         {fix}");
    }
    out.push('\n');
    out
}

/// `--trace`: wall time per phase, work summed over packages, and the slowest packages.
pub fn trace(report: &Report) -> String {
    let mut out = String::from("timings (ms):\n");
    let (sums, phases): (Vec<_>, Vec<_>) = report
        .timings
        .iter()
        .partition(|(name, _)| name.starts_with("sum."));
    for (name, ms) in phases.iter().chain(sums.iter()) {
        out.push_str(&format!("  {name:<14} {ms:>7}\n"));
    }
    if report.slowest.is_empty() {
        return out;
    }
    out.push_str("slowest packages (ms): total = fetch + parse + verify + attest + contents\n");
    for s in &report.slowest {
        out.push_str(&format!(
            "  {:>6} = {:>5} + {:>4} + {:>4} + {:>5} + {:>5}  {} ({})\n",
            s.total_ms,
            s.fetch_ms,
            s.parse_ms,
            s.verify_ms,
            s.attest_ms,
            s.contents_ms,
            s.package,
            s.location
        ));
    }
    out
}
