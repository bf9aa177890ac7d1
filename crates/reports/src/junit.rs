//! JUnit XML: one `<testsuite>` per run, one `<testcase>` per package.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::escape::xml;
use crate::model::{Decision, Package, Report, Status};

/// Renders the report as a JUnit XML document.
pub fn render_junit(report: &Report, now: DateTime<Utc>) -> String {
    let totals = report.totals();
    // Failures the run does not enforce (its exit code is 0) are not JUnit failures.
    let failures = match report.exit_code {
        0 => 0,
        _ => totals.fail,
    };
    let skipped = report.packages.iter().filter(|p| is_skipped(p)).count();
    let seconds = report.duration_ms as f64 / 1000.0;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"npm-sigverify\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{seconds:.3}\">",
        totals.total
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{seconds:.3}\" timestamp=\"{}\">",
        xml(&suite_name(report)),
        totals.total,
        now.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    out.push_str(&properties(report));
    for p in &report.packages {
        out.push_str(&testcase(report, p));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn suite_name(report: &Report) -> String {
    match report.project.is_empty() {
        true => "npm-sigverify".to_string(),
        false => format!("npm-sigverify {}", report.project),
    }
}

/// Skipped packages that nothing failed or warned about are JUnit skips.
fn is_skipped(p: &Package) -> bool {
    p.status == Status::Skipped && p.decision() == Decision::Pass
}

fn properties(report: &Report) -> String {
    let mut props = vec![
        ("tool", report.tool.clone()),
        ("input", report.input_path.clone()),
        ("mode", report.mode.clone()),
    ];
    if let Some(env) = &report.environment {
        props.push(("environment", env.clone()));
    }
    props.push(("policyMode", report.policy.mode.clone()));
    props.push(("exitCode", report.exit_code.to_string()));
    let mut out = String::from("    <properties>\n");
    for (name, value) in props {
        let _ = writeln!(
            out,
            "      <property name=\"{name}\" value=\"{}\"/>",
            xml(&value)
        );
    }
    out.push_str("    </properties>\n");
    out
}

fn testcase(report: &Report, p: &Package) -> String {
    let mut out = format!(
        "    <testcase classname=\"npm-sigverify\" name=\"{}\" time=\"0\">\n",
        xml(&p.label())
    );
    match report.enforced(p.decision()) {
        Decision::Fail => out.push_str(&failure(p)),
        Decision::Warn => out.push_str(&system_out(&format!("warning {}", detail(p)))),
        Decision::Pass if is_skipped(p) => {
            let _ = writeln!(
                out,
                "      <skipped message=\"{}\"/>",
                xml(&format!("{}: {}", p.code(), p.explanation()))
            );
        }
        Decision::Pass => {}
    }
    out.push_str("    </testcase>\n");
    out
}

fn failure(p: &Package) -> String {
    format!(
        "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
        xml(&p.explanation()),
        xml(p.code()),
        xml(&detail(p))
    )
}

fn system_out(text: &str) -> String {
    format!("      <system-out>{}</system-out>\n", xml(text))
}

/// The failure body: code and title, explanation, remediation, the status beside the
/// decision, the failed policy checks, and the provenance's repository.
fn detail(p: &Package) -> String {
    let mut text = format!(
        "{} ({}): {}\nremediation: {}\nstatus: {}, decision: {}",
        p.code(),
        p.title(),
        p.explanation(),
        p.remediation(),
        p.status.as_str(),
        p.decision().as_str()
    );
    if let Some(rule) = p.rule() {
        let _ = write!(text, " (rule {rule})");
    }
    for c in p.checks().iter().filter(|c| !c.passed) {
        let advisory = if c.required { "" } else { " (advisory)" };
        let _ = write!(text, "\ncheck {} failed{advisory}", c.check);
        if let Some(code) = c.code {
            let _ = write!(text, " {code}");
        }
        let _ = write!(text, ": {}", c.message);
    }
    if let Some(repo) = p.provenance_repository() {
        let _ = write!(text, "\nprovenance: built from {repo}");
    }
    text
}
