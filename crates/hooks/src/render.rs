//! Human output of `init` and `install`: short, naming packages and what to do.

use std::fmt::Write;

use sigverify_core::{PackageResult, Report, Status};
use sigverify_policy::Outcome;

use crate::init::InitOutcome;
use crate::install::InstallOutcome;
use crate::installer::Installer;
use crate::manifest::HookChange;
use crate::scripts::ScriptPlan;

/// The npm-version caveat printed by `init` in an npm project.
pub const NPM_CAVEAT: &str = "note: npm 7-11 run the install scripts of dependencies BEFORE the \
root preinstall/postinstall, so these hooks can only report a bad package after its scripts ran. \
`npm install <pkg>` runs no root scripts at all. npm 12 runs the root preinstall first. For real \
protection install with `npm-sigverify install` (verifies first, then runs only verified \
packages' scripts).";

/// What the hooks can and cannot do under each manager (measured with each: when its root
/// preinstall runs, relative to linking packages and running their scripts).
pub fn caveat(installer: Installer) -> &'static str {
    match installer {
        Installer::Npm => NPM_CAVEAT,
        Installer::Pnpm => {
            "note: pnpm links every package before the root preinstall runs, so \
the hooks report a bad package after it is on disk. pnpm 10 runs no dependency install script \
unless onlyBuiltDependencies lists it (pnpm 9 and older run them all, before the root \
postinstall). For real protection install with `npm-sigverify install` (verifies the lockfile \
first, then runs the scripts of accepted packages pnpm would run)."
        }
        Installer::YarnClassic => {
            "note: Yarn 1 runs the root preinstall before it links \
packages, so the lockfile is checked before anything lands; dependencies' install scripts run \
before the root postinstall. For real protection install with `npm-sigverify install`."
        }
        Installer::YarnBerry => {
            "note: Yarn 2-4 run the root lifecycle scripts in their link step, \
after fetching packages and building dependencies, so these hooks only detect. Set \
`enableScripts: false` in .yarnrc.yml and install with `npm-sigverify install` for real \
protection."
        }
        Installer::Bun => {
            "note: Bun links packages before the root preinstall runs and runs only \
trustedDependencies' install scripts. For protection before anything is downloaded, add \
`[install.security] scanner = \"npm-sigverify/bun-scanner\"` to bunfig.toml; \
`npm-sigverify install` verifies, installs and runs accepted trusted scripts."
        }
    }
}

/// What `init` changed.
pub fn init_text(outcome: &InitOutcome) -> String {
    let mut out = format!(
        "npm-sigverify init: {} ({} project)\n",
        outcome.path.display(),
        outcome.installer.name()
    );
    for (hook, change) in &outcome.edit.changes {
        let cmd = hook.command();
        let line = match change {
            HookChange::Added => format!("added \"{cmd}\""),
            HookChange::Chained { existing } => {
                format!("\"{cmd}\" now runs before your \"{existing}\"")
            }
            HookChange::AlreadyPresent => "already set up, unchanged".into(),
            HookChange::Removed => format!("removed \"{cmd}\""),
            HookChange::Unchained { kept } => format!("took \"{cmd}\" out, kept your \"{kept}\""),
            HookChange::NotPresent => "not ours, unchanged".into(),
        };
        let _ = writeln!(out, "  {}: {line}", hook.key());
    }
    if !outcome.edit.changed() {
        out.push_str("  package.json unchanged\n");
    }
    out
}

/// One line of counts.
fn counts(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{} verified, {} invalid, {} missing, {} skipped",
        s.verified, s.invalid, s.missing, s.skipped
    )
}

/// The packages that stopped a report: those the policy fails (or, without a decision, that are
/// invalid or missing), each with the checks that failed and what to do.
pub fn failures(report: &Report) -> String {
    let mut out = String::new();
    for p in report.packages.iter().filter(|p| stops(p)) {
        // A verified package the policy fails (a signal) is named by its first failing check.
        let policy_code = p.decision.as_ref().and_then(|d| {
            let failing = d.checks.iter().find(|c| !c.passed && c.required)?;
            failing.code
        });
        let code = p.code.or(policy_code).map_or("-", |c| c.as_str());
        let _ = writeln!(out, "  {}@{} ({}) {code}", p.name, p.version, p.location);
        if let Some(message) = &p.message {
            let _ = writeln!(out, "    {message}");
        }
        let mut fixes: Vec<&str> = Vec::new();
        if let Some(d) = &p.decision {
            for c in d.checks.iter().filter(|c| !c.passed && c.required) {
                let code = c.code.map_or("-", |c| c.as_str());
                let _ = writeln!(
                    out,
                    "    {} {code}: {} (rule {})",
                    c.check, c.message, d.rule
                );
            }
            fixes.extend(d.remediation.iter().map(String::as_str));
        }
        if fixes.is_empty() {
            fixes.extend(p.remediation.as_deref());
        }
        for fix in fixes {
            let _ = writeln!(out, "    fix: {fix}");
        }
    }
    out
}

fn stops(p: &PackageResult) -> bool {
    match &p.decision {
        Some(d) => d.outcome == Outcome::Fail,
        None => matches!(p.status, Status::Invalid | Status::Missing),
    }
}

fn scripts_text(plan: &ScriptPlan) -> String {
    let mut out = String::new();
    let ran: Vec<String> = plan
        .run
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    let _ = writeln!(
        out,
        "  install scripts run ({}): {}",
        ran.len(),
        if ran.is_empty() {
            "none".into()
        } else {
            ran.join(", ")
        }
    );
    if !plan.withheld.is_empty() {
        let _ = writeln!(out, "  scripts not run ({}):", plan.withheld.len());
        for (p, why) in &plan.withheld {
            let _ = writeln!(out, "    {}@{} ({}): {why}", p.name, p.version, p.location);
        }
    }
    if let Some(why) = &plan.unlisted {
        let _ = writeln!(out, "  scripts not listed: {why}");
    }
    out
}

/// The final report of `install`.
pub fn install_text(outcome: &InstallOutcome) -> String {
    let mut out = format!(
        "npm-sigverify install: lockfile {}\n",
        counts(&outcome.lockfile)
    );
    if let Some(tree) = &outcome.tree {
        let _ = writeln!(
            out,
            "npm-sigverify install: installed tree {}",
            counts(tree)
        );
    }
    match (&outcome.tree, outcome.rejected_by()) {
        (None, Some(report)) => {
            out.push_str("STOPPED: the lockfile failed verification; nothing was installed and no script ran:\n");
            out.push_str(&failures(report));
        }
        (Some(_), Some(report)) => {
            out.push_str(
                "STOPPED: the installed packages failed verification; no install script ran:\n",
            );
            out.push_str(&failures(report));
            out.push_str("node_modules now holds unverified code: remove it (rm -rf node_modules) before running anything\n");
        }
        _ => {
            if let Some(plan) = &outcome.scripts {
                out.push_str(&scripts_text(plan));
            }
            if !outcome.root_scripts.is_empty() {
                let _ = writeln!(
                    out,
                    "  project scripts run: {}",
                    outcome.root_scripts.join(", ")
                );
            }
            out.push_str("ok: the policy accepts every installed package\n");
        }
    }
    out
}
