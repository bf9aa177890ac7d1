//! `verify` and `explain`: run the verification, apply the policy, and write every output the
//! run asks for (terminal, JSON, report files, audit log, GitHub annotations and summary).

use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::Utc;
use serde_json::Value;
use sigverify_core::{verify_tree, Report, VerifyOptions};
use sigverify_policy::Decision;

use crate::args::{ExplainArgs, VerifyArgs};
use crate::decisions::{self, Applied};
use crate::error::CliError;
use crate::lockfile_lines::LockfileLines;
use crate::{human, json, options, progress_bar, provenance_options};

/// Everything one verification produced.
pub struct Outcome {
    report: Report,
    decisions: Vec<Decision>,
    applied: Applied,
    document: Value,
}

/// Runs a verification with the policy applied.
pub async fn verify_with_policy(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let mut opts = verify_options(args);
    let applied = decisions::load(&opts.dir, args.policy.as_deref(), args.env.as_deref())?;
    opts.trust_file = args
        .trust
        .clone()
        .or_else(|| applied.policy.trust.internal_keys.clone());
    let report = verify_tree(&opts).await;
    if opts.progress.is_some() {
        progress_bar::clear();
    }
    let report = report?;
    let decisions = decisions::decide_all(&applied, &report);
    let lines = LockfileLines::read(&report.input_path);
    let document = json::document(&report, &decisions, &applied.environment.name, &lines);
    Ok(Outcome {
        report,
        decisions,
        applied,
        document,
    })
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
    opts.provenance = provenance_options(&args.provenance);
    // A bar only for a person watching: never in logs, pipes or CI output.
    if std::io::stderr().is_terminal() {
        opts.progress = Some(progress_bar::stderr_bar());
    }
    opts
}

/// `npm-sigverify verify`.
pub async fn run_verify(args: VerifyArgs) -> Result<(String, i32), CliError> {
    let outcome = verify_with_policy(&args).await?;
    if args.trace {
        eprint!("{}", human::trace(&outcome.report));
    }
    write_side_outputs(&args, &outcome)?;
    let code = decisions::run_exit_code(&outcome.applied, &outcome.report, &outcome.decisions);
    let text = if args.json {
        serde_json::to_string_pretty(&outcome.document).expect("json renders")
    } else {
        let mut text = human::render(&outcome.report);
        text.push_str(&human::policy_line(&outcome.applied, &outcome.decisions));
        text
    };
    Ok((text, code))
}

fn write_side_outputs(args: &VerifyArgs, outcome: &Outcome) -> Result<(), CliError> {
    if let Some(spec) = &args.report {
        let specs = sigverify_reports::parse_report_spec(spec)?;
        sigverify_reports::write_reports(&outcome.document, &specs, Utc::now()).map_err(|e| {
            CliError::new(
                "EREPORTWRITE",
                e.to_string(),
                "check the report paths are writable",
            )
        })?;
    }
    if let Some(path) = &args.audit_log {
        append_audit_log(path, outcome)?;
    }
    github_outputs(outcome)
}

fn append_audit_log(path: &Path, outcome: &Outcome) -> Result<(), CliError> {
    let env = &outcome.applied.environment.name;
    let mut text = String::new();
    for (p, d) in outcome.report.packages.iter().zip(&outcome.decisions) {
        text.push_str(&decisions::audit_line(p, d, env).to_string());
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

/// GitHub Actions: annotations on stderr-free stdout lines and the job summary, when present.
fn github_outputs(outcome: &Outcome) -> Result<(), CliError> {
    let on_actions = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let summary = std::env::var_os("GITHUB_STEP_SUMMARY");
    if !on_actions && summary.is_none() {
        return Ok(());
    }
    let report = sigverify_reports::Report::from_value(&outcome.document)
        .map_err(|e| CliError::new("EREPORTINPUT", e.to_string(), "report this as a bug"))?;
    if on_actions {
        print!("{}", sigverify_reports::github_annotations(&report));
    }
    if let Some(path) = summary {
        let markdown = sigverify_reports::render_markdown(&report);
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
/// evidence and the rule that decided.
pub async fn run_explain(args: ExplainArgs) -> Result<(String, i32), CliError> {
    let outcome = verify_with_policy(&args.verify).await?;
    let (name, version) = split_spec(&args.spec);
    let mut text = String::new();
    let mut found = 0;
    for (entry, p) in all_entries(&outcome.document).zip(&outcome.report.packages) {
        if p.name != name || version.is_some_and(|v| v != p.version) {
            continue;
        }
        found += 1;
        text.push_str(&human::explain(entry));
    }
    if found == 0 {
        let why = format!(
            "{} is not in the tree of {}",
            args.spec, outcome.report.project
        );
        return Err(CliError::new(
            "ENOTINTREE",
            why,
            "check the name (and version) against the lockfile",
        ));
    }
    Ok((text, 0))
}

fn split_spec(spec: &str) -> (&str, Option<&str>) {
    match spec[1.min(spec.len())..].rfind('@') {
        Some(i) => (&spec[..i + 1], Some(&spec[i + 2..])),
        None => (spec, None),
    }
}

/// JSON entries in report order (the document groups them by status).
fn all_entries(document: &Value) -> impl Iterator<Item = &Value> {
    let mut entries: Vec<&Value> = ["invalid", "missing", "skipped", "verified"]
        .iter()
        .flat_map(|k| document[*k].as_array().into_iter().flatten())
        .collect();
    entries.sort_by_key(|e| {
        (
            e["name"].as_str(),
            e["version"].as_str(),
            e["location"].as_str(),
        )
    });
    entries.into_iter()
}
