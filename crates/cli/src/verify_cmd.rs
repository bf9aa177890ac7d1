//! `verify` and `explain`: run the verification (core decides with the policy) and write every
//! output the run asks for: terminal or JSON, report files, audit log, GitHub annotations and
//! step summary. All of them render the same typed report.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use serde_json::json;
use sigverify_core::{verify_tree, PackageResult, Report, VerifyOptions};

use crate::args::{ExplainArgs, VerifyArgs};
use crate::error::CliError;
use crate::{apply_policy, human, options, progress_bar, provenance_options};

/// Runs a verification with the policy applied.
pub async fn verify(args: &VerifyArgs) -> Result<Report, CliError> {
    let opts = verify_options(args);
    let report = verify_tree(&opts).await;
    if opts.progress.is_some() {
        progress_bar::clear();
    }
    Ok(report?)
}

fn verify_options(args: &VerifyArgs) -> VerifyOptions {
    let mut opts = options(
        args.dir.clone(),
        args.lockfile.clone(),
        args.offline.clone(),
        &args.omit,
        &args.evidence,
    );
    opts.lockfile_only = args.lockfile_only;
    opts.contents = !args.no_content && !args.lockfile_only;
    opts.rehash = args.rehash;
    opts.provenance = provenance_options(&args.provenance);
    opts.trust_file = args.trust.clone();
    opts.signals = args.signals.overrides();
    apply_policy(&mut opts, &args.policy);
    if progress_bar::wanted() {
        opts.progress = Some(progress_bar::stderr_bar());
    }
    opts
}

/// `npm-sigverify verify`.
pub async fn run_verify(args: VerifyArgs) -> Result<(String, i32), CliError> {
    refuse_vsa_under_changed_policy(&args)?;
    let mut report = verify(&args).await?;
    if args.trace {
        eprint!("{}", human::trace(&report));
    }
    write_side_outputs(&args, &report)?;
    if let (Some(out), Some(key)) = (&args.vsa, &args.vsa_key) {
        crate::vsa_cmd::write_vsa(&report, out, key)?;
    }
    let text = if args.json {
        // Streamed: the text of a big tree's document is tens of MB.
        let redactor = crate::redactor(args.dir.clone());
        crate::output::print_streamed(&redactor, |out| Ok(report.write_document(out)?));
        String::new()
    } else {
        human::render(&report)
    };
    Ok((text, report.exit_code))
}

/// A VSA records the verdict of the policy file it names, in the environment it names: flags
/// that change that verdict are refused with `--vsa` (put them in the policy instead).
fn refuse_vsa_under_changed_policy(args: &VerifyArgs) -> Result<(), CliError> {
    if args.vsa.is_none() {
        return Ok(());
    }
    let flags = policy_changing_flags(args);
    if flags.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        "EUSAGE",
        format!(
            "--vsa records the verdict of the policy file, and {} would change it",
            flags.join(", ")
        ),
        "put the setting in the policy (or its environment) and verify without the flag",
    ))
}

/// Flags of a `verify --vsa` run that change what the policy file decides: a VSA names the
/// policy file, so a verdict made under them would pass for the file's own.
fn policy_changing_flags(args: &VerifyArgs) -> Vec<&'static str> {
    let signals = args.signals.overrides();
    let p = &args.provenance;
    [
        ("--omit", !args.omit.is_empty()),
        ("--min-release-age", signals.minimum_release_age.is_some()),
        ("a signal action flag", !signals.actions.is_empty()),
        ("--pins-file", signals.pins_file.is_some()),
        ("--continuity-history", signals.history.is_some()),
        ("--no-attestations", p.no_attestations),
        (
            "--provenance-repository-match false",
            !p.provenance_repository_match,
        ),
        // The trust anchors the policy names (trust.internalKeys, trust.sigstoreRoot), and the
        // lockfile the incident signals compare with.
        ("--trust", args.trust.is_some()),
        ("--trusted-root", p.trusted_root.is_some()),
        ("--baseline", args.signals.baseline.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(flag, _)| flag)
    .collect()
}

fn write_side_outputs(args: &VerifyArgs, report: &Report) -> Result<(), CliError> {
    if let Some(spec) = &args.report {
        let specs = sigverify_reports::parse_report_spec(spec)?;
        let view = sigverify_reports::Report::from(report);
        sigverify_reports::write_reports(&view, &specs, Utc::now()).map_err(|e| {
            CliError::new(
                "EREPORTWRITE",
                e.to_string(),
                "check the report paths are writable",
            )
        })?;
    }
    if let Some(path) = &args.audit_log {
        append_audit_log(path, report)?;
    }
    github_outputs(report)
}

fn append_audit_log(path: &Path, report: &Report) -> Result<(), CliError> {
    let mut text = String::new();
    for p in &report.packages {
        text.push_str(&audit_line(p, &report.policy.environment).to_string());
        text.push('\n');
    }
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        file.write_all(text.as_bytes())
    };
    write().map_err(|e| {
        CliError::new(
            "EAUDITLOG",
            format!("cannot write {}: {e}", path.display()),
            "check the audit log path is writable",
        )
    })
}

/// One audit-log line: what was decided about a package, and on what evidence.
fn audit_line(p: &PackageResult, environment: &str) -> serde_json::Value {
    let decision = p.decision.as_ref();
    json!({
        "time": Utc::now().to_rfc3339(),
        "package": p.id(),
        "location": p.location,
        "status": p.status,
        "code": p.code,
        "decision": decision.map(|d| d.outcome),
        "rule": decision.map(|d| d.rule.as_str()),
        "checks": p.checks,
        "policyChecks": decision.map(|d| &d.checks),
        "exception": decision.and_then(|d| d.exception.as_ref()),
        "signer": { "keyids": p.keyids, "attestations": p.attestations },
        "environment": environment,
    })
}

/// GitHub Actions: annotations on stdout and the job summary, when present.
fn github_outputs(report: &Report) -> Result<(), CliError> {
    let on_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let summary = std::env::var_os("GITHUB_STEP_SUMMARY");
    if !on_actions && summary.is_none() {
        return Ok(());
    }
    let view = sigverify_reports::Report::from(report);
    if on_actions {
        crate::output::print(&sigverify_reports::github_annotations(&view));
    }
    if let Some(path) = summary {
        let markdown = sigverify_reports::render_markdown(&view);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| {
                CliError::new("ESTEPSUMMARY", e.to_string(), "check GITHUB_STEP_SUMMARY")
            })?;
        let _ = file.write_all(markdown.as_bytes());
    }
    Ok(())
}

/// `npm-sigverify explain <name>[@version]`: every check of the matching packages, its
/// evidence and the rule that decided. Exit code: that of the explained packages (0 when they
/// pass, 1 when the policy fails one, 3 when only evidence was missing), and 0 whenever `verify`
/// would exit 0 (an environment in warn mode, allowed failures): one verdict for both commands.
pub async fn run_explain(args: ExplainArgs) -> Result<(String, i32), CliError> {
    let report = verify(&args.verify).await?;
    let (name, version) = split_spec(&args.spec);
    let matched: Vec<&PackageResult> = report
        .packages
        .iter()
        .filter(|p| p.name == name && version.is_none_or(|v| v == p.version))
        .collect();
    if matched.is_empty() {
        let why = format!("{} is not in the tree of {}", args.spec, report.project);
        return Err(CliError::new(
            "ENOTINTREE",
            why,
            "check the name (and version) against the lockfile",
        ));
    }
    write_side_outputs(&args.verify, &report)?;
    let code = match report.exit_code {
        0 => 0,
        _ => explained_exit_code(&matched),
    };
    let text = if args.verify.json {
        serde_json::to_string_pretty(&matched).expect("json renders")
    } else {
        matched.iter().map(|p| human::explain(p)).collect()
    };
    Ok((text, code))
}

fn explained_exit_code(matched: &[&PackageResult]) -> i32 {
    use sigverify_policy::Outcome;
    let failing: Vec<&&PackageResult> = matched
        .iter()
        .filter(|p| p.decision.as_ref().map(|d| d.outcome) == Some(Outcome::Fail))
        .collect();
    match failing.is_empty() {
        true => 0,
        false if failing.iter().all(|p| human::operational_only(p)) => 3,
        false => 1,
    }
}

fn split_spec(spec: &str) -> (&str, Option<&str>) {
    match spec[1.min(spec.len())..].rfind('@') {
        Some(i) => (&spec[..i + 1], Some(&spec[i + 2..])),
        None => (spec, None),
    }
}
