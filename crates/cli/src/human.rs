//! Human output. Like `npm audit signatures` it says how many packages were audited and
//! verified; unlike it, every package that decides the exit code is named, with its code, the
//! rule that decided and what to do, failures are grouped by cause (one line per cause with a
//! count, not one block per package), and exceptions and warnings are shown.

use std::collections::BTreeMap;
use std::fmt::Write;

use sigverify_core::model::CheckState;
use sigverify_core::{Code, PackageResult, Report, Status};
use sigverify_policy::{CheckResult, Outcome};
use sigverify_reports::terminal as shown;

pub use crate::explain::explain;

/// At most this many packages are named per cause (the JSON and reports have them all).
const NAMED_PER_CAUSE: usize = 10;

/// Renders a report for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let audited = s.total - s.skipped;
    let secs = report.duration_ms as f64 / 1000.0;
    let _ = writeln!(
        out,
        "audited {audited} {} in {secs:.2}s\n",
        plural(audited, "package", "packages")
    );
    if s.verified > 0 {
        out.push_str(&verified_line(report));
    }
    render_decided(&mut out, report, Outcome::Fail);
    render_decided(&mut out, report, Outcome::Warn);
    render_skipped(&mut out, report);
    for warning in &report.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out.push_str(&policy_line(report));
    out
}

/// How many packages verified, and of those how many had their installed files compared with the
/// signed tarball (none after `--lockfile-only` or `--no-content`: the line must not claim it).
fn verified_line(report: &Report) -> String {
    let verified: Vec<&PackageResult> = report
        .packages
        .iter()
        .filter(|p| p.status == Status::Verified)
        .collect();
    let contents = verified
        .iter()
        .filter(|p| p.checks.contents.state == CheckState::Passed)
        .count();
    let n = verified.len();
    let has = plural(n, "package has", "packages have");
    match contents {
        0 => {
            format!("{n} {has} verified registry signatures (installed contents not compared)\n\n")
        }
        c if c == n => format!("{n} {has} verified registry signatures and installed contents\n\n"),
        c => format!(
            "{n} {has} verified registry signatures; installed contents compared for {c}\n\n"
        ),
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// The packages with one decision, grouped by the code that decided them.
fn render_decided(out: &mut String, report: &Report, outcome: Outcome) {
    let mut by_cause: BTreeMap<String, Vec<&PackageResult>> = BTreeMap::new();
    for p in report
        .packages
        .iter()
        .filter(|p| outcome_of(p) == Some(outcome))
    {
        by_cause.entry(deciding_code(p)).or_default().push(p);
    }
    if by_cause.is_empty() {
        return;
    }
    let n: usize = by_cause.values().map(Vec::len).sum();
    let _ = match outcome {
        Outcome::Fail => writeln!(
            out,
            "{n} {} the policy:\n",
            plural(n, "package fails", "packages fail")
        ),
        _ if report.policy.mode == "warn" => writeln!(
            out,
            "{n} {} (not enforced: environment {} only warns):\n",
            plural(n, "package has findings", "packages have findings"),
            report.policy.environment
        ),
        _ => writeln!(
            out,
            "{n} {} with warnings:\n",
            plural(n, "package passes", "packages pass")
        ),
    };
    for (code, packages) in by_cause {
        render_cause(out, &code, &packages);
    }
}

fn render_cause(out: &mut String, code: &str, packages: &[&PackageResult]) {
    let title = sigverify_codes::title_of(code);
    let count = packages.len();
    let _ = writeln!(
        out,
        "{code} {title} ({count} {})",
        plural(count, "package", "packages")
    );
    for p in packages.iter().take(NAMED_PER_CAUSE) {
        let rule = p
            .decision
            .as_ref()
            .map(|d| d.rule.as_str())
            .unwrap_or("default");
        let (id, location) = (p.id(), &p.location);
        let _ = writeln!(
            out,
            "  {} at {} (rule {})",
            shown(&id),
            shown(location),
            shown(rule)
        );
        if count <= 3 {
            if let Some(message) = deciding_message(p) {
                let _ = writeln!(out, "    {}", shown(&message));
            }
        }
        if let Some(exception) = p.decision.as_ref().and_then(|d| d.exception.as_ref()) {
            let state = match (exception.applied, exception.expired) {
                (_, true) => "expired",
                (true, _) => "applied",
                _ => "matched",
            };
            let _ = writeln!(
                out,
                "    exception {} {state} (expires {}): {}",
                shown(&exception.package),
                shown(&exception.expires),
                shown(&exception.reason)
            );
        }
    }
    if count > NAMED_PER_CAUSE {
        let _ = writeln!(
            out,
            "  and {} more (--json lists them all)",
            count - NAMED_PER_CAUSE
        );
    }
    let fix = Code::parse(code)
        .map(|c| c.remediation())
        .unwrap_or("see the message above");
    let _ = writeln!(out, "  fix: {fix}\n");
}

/// The code that decided a package: its own (the verifier's) when the verifier failed it, else
/// the first failing (or, for warnings, flagged) policy check's.
fn deciding_code(p: &PackageResult) -> String {
    if matches!(p.status, Status::Invalid | Status::Missing) {
        if let Some(code) = p.code {
            return code.as_str().to_string();
        }
    }
    first_flagged(p)
        .and_then(|c| c.code)
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|| "EPOLICY".to_string())
}

fn deciding_message(p: &PackageResult) -> Option<String> {
    if matches!(p.status, Status::Invalid | Status::Missing) {
        if let Some(message) = &p.message {
            return Some(message.clone());
        }
    }
    first_flagged(p).map(|c| c.message.clone())
}

fn first_flagged(p: &PackageResult) -> Option<&CheckResult> {
    let checks = &p.decision.as_ref()?.checks;
    checks
        .iter()
        .find(|c| !c.passed && c.required)
        .or_else(|| checks.iter().find(|c| !c.passed))
}

fn outcome_of(p: &PackageResult) -> Option<Outcome> {
    p.decision.as_ref().map(|d| d.outcome)
}

/// True when every failing check of a package's decision is operational (nothing is known to
/// be wrong; the evidence could not be obtained).
pub fn operational_only(p: &PackageResult) -> bool {
    let Some(decision) = &p.decision else {
        return false;
    };
    decision
        .checks
        .iter()
        .filter(|c| !c.passed && c.required)
        .all(|c| c.code.is_some_and(|code| code.is_operational()))
}

fn render_skipped(out: &mut String, report: &Report) {
    let mut by_code: BTreeMap<&str, Vec<&PackageResult>> = BTreeMap::new();
    let skipped = report
        .with_status(Status::Skipped)
        .filter(|p| outcome_of(p) == Some(Outcome::Pass));
    for p in skipped {
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
        for p in packages.iter().take(NAMED_PER_CAUSE * 2) {
            let _ = writeln!(
                out,
                "  {} [{}]",
                shown(p.message.as_deref().unwrap_or(&p.name)),
                shown(&p.location)
            );
        }
        if n > NAMED_PER_CAUSE * 2 {
            let _ = writeln!(out, "  and {} more", n - NAMED_PER_CAUSE * 2);
        }
        out.push('\n');
    }
}

/// Which policy and environment decided, the decision counts, and the exit code.
fn policy_line(report: &Report) -> String {
    let p = &report.policy;
    let source = p
        .source
        .as_deref()
        .unwrap_or("npm defaults (no policy file)");
    let s = &report.summary;
    let enforced = match p.mode.as_str() {
        "warn" => " (warn: failures not enforced)",
        _ => "",
    };
    format!(
        "policy: {source}, environment {}{enforced}: {} pass, {} warn, {} fail; exit code {}\n",
        p.environment, s.pass, s.warn, s.fail, report.exit_code
    )
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
            shown(&s.package),
            shown(&s.location)
        ));
    }
    out
}
