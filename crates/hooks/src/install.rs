//! The safe install: verify the lockfile, install it with the project's package manager and
//! every script off (`npm ci --ignore-scripts` and its equivalents, see [`crate::installer`]),
//! verify what landed, then run the install scripts of the accepted (and allowed) packages only.

use std::path::{Path, PathBuf};

use sigverify_core::npmrc::ConfigOverrides;
use sigverify_core::{verify_tree, Report, VerifyError, VerifyOptions};

use crate::allow::ManagerAllowList;
use crate::approvals::ProjectApprovals;
use crate::ci_flags::check_ci_args;
use crate::error::{InstallError, ManifestError};
use crate::installer::Installer;
use crate::lifecycle::{run_package_scripts, shadowing_bin};
use crate::npm::{default_npm, rebuild_args, run_command, run_npm, run_script_args};
use crate::policy::ScriptPolicy;
use crate::preflight;
use crate::scripts::{plan_scripts_with, root_scripts, ScriptPlan, Withheld};

/// What to install and how.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The project folder.
    pub dir: PathBuf,
    /// Registry URL (passed to npm and to verification).
    pub registry: Option<String>,
    /// Extra arguments for `npm ci`.
    pub npm_args: Vec<String>,
    /// The npm executable.
    pub npm: PathBuf,
    /// The verification options both verifications start from (policy, environment, trust file,
    /// provenance, cache, HTTP): the project folder, the registry and the lockfile-only and
    /// contents switches are set per step.
    pub verify: VerifyOptions,
}

impl InstallOptions {
    /// Options for the project in `dir`, with defaults.
    pub fn new(dir: impl Into<PathBuf>) -> InstallOptions {
        InstallOptions {
            dir: dir.into(),
            registry: None,
            npm_args: Vec::new(),
            npm: default_npm(),
            verify: VerifyOptions::default(),
        }
    }
}

/// Progress of a safe install, for callers that print as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// Step 1 done.
    LockfileVerified(&'a Report),
    /// Step 2 starting: the npm command line.
    Installing(&'a [String]),
    /// Step 3 done.
    TreeVerified(&'a Report),
    /// Step 4 starting: whose scripts run and whose do not.
    Scripts(&'a ScriptPlan),
}

/// The result of a safe install that ran to a verdict.
#[derive(Debug, Clone)]
pub struct InstallOutcome {
    /// The lockfile verification (step 1).
    pub lockfile: Report,
    /// The installed tree's verification (step 3), when the lockfile passed.
    pub tree: Option<Report>,
    /// The script decisions (step 4), when the tree passed; their scripts have run.
    pub scripts: Option<ScriptPlan>,
    /// The project's own lifecycle scripts that ran last, as `npm ci` would have run them.
    pub root_scripts: Vec<String>,
}

impl InstallOutcome {
    /// The report that stopped the install, if one did.
    pub fn rejected_by(&self) -> Option<&Report> {
        match &self.tree {
            None => Some(&self.lockfile),
            Some(tree) if tree.exit_code != 0 => Some(tree),
            Some(_) => None,
        }
    }

    /// 0 when the policy accepted the tree and the allowed scripts ran; else the exit code of the
    /// verification that stopped it, as `verify` would give (1 a failure the policy enforces, 3
    /// only evidence that could not be obtained).
    pub fn exit_code(&self) -> i32 {
        self.rejected_by().map_or(0, |r| r.exit_code.max(1))
    }
}

/// Runs the safe install. A verification failure is an outcome (nothing after it runs); an
/// error means a step could not run at all.
pub async fn safe_install(
    options: &InstallOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<InstallOutcome, InstallError> {
    check_ci_args(&options.npm_args).map_err(InstallError::NpmArgument)?;
    let dir = canonical(&options.dir)?;
    // Read package.json first: a broken allow-list must stop us before npm runs.
    let (policy, root_events) = read_project(&dir)?;
    let approvals = read_approvals(&dir)?;
    // 1. The lockfile, before anything is downloaded or extracted.
    let lockfile = verify(&dir, options, true).await?;
    on_event(Event::LockfileVerified(&lockfile));
    let mut outcome = InstallOutcome {
        lockfile,
        tree: None,
        scripts: None,
        root_scripts: Vec::new(),
    };
    if outcome.lockfile.exit_code != 0 {
        return Ok(outcome);
    }
    // 2. Install without running any script, with the manager whose lockfile was verified.
    let installer = Installer::from_manager(&outcome.lockfile.manager);
    if installer != Installer::Npm && !options.npm_args.is_empty() {
        let why = format!(
            "the arguments after -- are for npm ci only; a {} install takes none",
            installer.name()
        );
        return Err(InstallError::NpmArgument(why));
    }
    if let Some(why) = preflight::unjudged_code(&dir, installer, &outcome.lockfile.packages) {
        return Err(InstallError::Unjudged(why));
    }
    let command = installer.install(&options.npm, options.registry.as_deref(), &options.npm_args);
    let line: Vec<String> = std::iter::once(command.program.display().to_string())
        .chain(command.args.iter().cloned())
        .collect();
    on_event(Event::Installing(&line));
    run_command(&command, &dir)
        .await
        .map_err(InstallError::Ci)?;
    // 3. What actually landed, contents included.
    let tree = verify(&dir, options, false).await?;
    on_event(Event::TreeVerified(&tree));
    let passed = tree.exit_code == 0;
    outcome.tree = Some(tree);
    if passed {
        let tree = outcome.tree.as_ref().expect("just set");
        let gate = (&policy, &approvals);
        let scripts = run_scripts(options, installer, &dir, tree, gate, on_event).await?;
        outcome.scripts = Some(scripts);
        run_root_scripts(options, &dir, &root_events).await?;
        outcome.root_scripts = root_events;
    }
    Ok(outcome)
}

fn canonical(dir: &Path) -> Result<PathBuf, InstallError> {
    std::fs::canonicalize(dir).map_err(|source| {
        InstallError::Manifest(ManifestError::Io {
            action: "read",
            path: dir.to_path_buf(),
            source,
        })
    })
}

fn read_project(dir: &Path) -> Result<(ScriptPolicy, Vec<String>), InstallError> {
    let path = dir.join("package.json");
    let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Io {
        action: "read",
        path,
        source,
    })?;
    Ok((ScriptPolicy::from_manifest(&text)?, root_scripts(&text)?))
}

async fn verify(
    dir: &Path,
    options: &InstallOptions,
    lockfile_only: bool,
) -> Result<Report, InstallError> {
    // The lockfile check never reads node_modules; the tree check always compares contents (a
    // safe install that skipped them would run scripts of unchecked files).
    let opts = VerifyOptions {
        dir: dir.to_path_buf(),
        lockfile: None,
        overrides: ConfigOverrides {
            registry: options.registry.clone(),
        },
        lockfile_only,
        contents: !lockfile_only,
        ..options.verify.clone()
    };
    let stage = if lockfile_only {
        "lockfile verification"
    } else {
        "installed tree verification"
    };
    verify_tree(&opts)
        .await
        .map_err(|source| InstallError::Verify { stage, source })
}

/// package.json `allowScripts` (npm 12) and `sigverify.approvals.json`.
fn read_approvals(dir: &Path) -> Result<ProjectApprovals, InstallError> {
    let path = dir.join("package.json");
    let text = std::fs::read_to_string(&path).map_err(|source| ManifestError::Io {
        action: "read",
        path,
        source,
    })?;
    Ok(ProjectApprovals::read(dir, &text)?)
}

fn plan(
    dir: &Path,
    report: &Report,
    (policy, approvals): (&ScriptPolicy, &ProjectApprovals),
) -> Result<ScriptPlan, InstallError> {
    let tree = sigverify_lockfile::load_tree(dir).map_err(|e| InstallError::Verify {
        stage: "reading the installed tree",
        source: VerifyError::from(e),
    })?;
    Ok(plan_scripts_with(&tree, report, policy, approvals))
}

/// Step 4: the install scripts of accepted, allowed packages only: `npm rebuild` of exactly
/// their folders under npm; each package's own scripts under the other managers (whose rebuild
/// commands select by name, or not at all), and only those the manager itself would run.
async fn run_scripts(
    options: &InstallOptions,
    installer: Installer,
    dir: &Path,
    tree: &Report,
    gate: (&ScriptPolicy, &ProjectApprovals),
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<ScriptPlan, InstallError> {
    let mut plan = plan(dir, tree, gate)?;
    let allow = ManagerAllowList::read(dir, installer);
    let (run, stopped): (Vec<_>, Vec<_>) = plan
        .run
        .drain(..)
        .partition(|p| allow.check(&p.name).is_ok());
    for p in stopped {
        let why = allow.check(&p.name).expect_err("partitioned on it");
        plan.withheld
            .push((p, Withheld::NotAllowedByManager { why }));
    }
    let (shadowed, run): (Vec<_>, Vec<_>) = run
        .into_iter()
        .map(|p| (shadowing_bin(dir, &p.location), p))
        .partition(|(entry, _)| entry.is_some());
    for (entry, p) in shadowed {
        let entry = entry.expect("partitioned on it");
        plan.withheld.push((p, Withheld::Shadowed { entry }));
    }
    let run = run.into_iter().map(|(_, p)| p).collect();
    plan.run = run;
    on_event(Event::Scripts(&plan));
    if plan.run.is_empty() {
        return Ok(plan);
    }
    if installer == Installer::Npm {
        let locations: Vec<&str> = plan.run.iter().map(|p| p.location.as_str()).collect();
        let args = rebuild_args(dir, &locations);
        run_npm(&options.npm, dir, &args)
            .await
            .map_err(InstallError::Rebuild)?;
        return Ok(plan);
    }
    for p in &plan.run {
        let events = tree
            .packages
            .iter()
            .find(|r| r.location == p.location)
            .and_then(|r| r.install_scripts.clone())
            .unwrap_or_default();
        run_package_scripts(dir, &p.location, &events)
            .await
            .map_err(InstallError::Rebuild)?;
    }
    Ok(plan)
}

/// Step 5: the project's own lifecycle scripts (its own code), after its dependencies', as
/// `npm ci` does.
async fn run_root_scripts(
    options: &InstallOptions,
    dir: &Path,
    events: &[String],
) -> Result<(), InstallError> {
    for event in events {
        run_npm(&options.npm, dir, &run_script_args(event))
            .await
            .map_err(InstallError::RootScript)?;
    }
    Ok(())
}
