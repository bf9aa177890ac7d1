//! Which installed packages may run their install scripts: verified ones only, and of those only
//! the ones the project's allow-list admits.

use std::collections::HashMap;

use serde::Serialize;
use sigverify_core::{PackageResult, Report, Status};
use sigverify_lockfile::{Source, Tree};
use sigverify_policy::Outcome;

use crate::approvals::{Judgement, ProjectApprovals};
use crate::error::ManifestError;
use crate::policy::ScriptPolicy;

/// The project's own lifecycle scripts that `npm ci` runs after installing, in npm's order.
pub const ROOT_EVENTS: [&str; 7] = [
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
];

/// Which of [`ROOT_EVENTS`] the project's package.json defines, in order.
pub fn root_scripts(manifest: &str) -> Result<Vec<String>, ManifestError> {
    let manifest = manifest.strip_prefix('\u{feff}').unwrap_or(manifest);
    let doc: serde_json::Value =
        serde_json::from_str(manifest).map_err(|e| ManifestError::Malformed(e.to_string()))?;
    let scripts = match doc.get("scripts") {
        None => return Ok(Vec::new()),
        Some(serde_json::Value::Object(s)) => s,
        Some(_) => {
            return Err(ManifestError::Field {
                field: "scripts".into(),
                expected: "an object",
            })
        }
    };
    Ok(ROOT_EVENTS
        .iter()
        .filter(|e| scripts.get(**e).is_some_and(|v| v.is_string()))
        .map(|e| e.to_string())
        .collect())
}

/// A package that has install scripts (`preinstall`, `install`, `postinstall` or a binding.gyp).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScriptPackage {
    /// Package name.
    pub name: String,
    /// Version.
    pub version: String,
    /// npm location (`node_modules/a/node_modules/b`).
    pub location: String,
}

/// Why a package's scripts were not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "reason")]
pub enum Withheld {
    /// The policy failed it (whatever the environment's mode).
    PolicyFailed {
        /// The code that decided.
        code: Option<String>,
    },
    /// Verification did not say `verified` (e.g. skipped: a git dependency), and no exception
    /// covers it.
    NotVerified {
        /// Its status.
        status: String,
        /// Its code, when it has one.
        code: Option<String>,
    },
    /// The verification report has no entry for its location.
    NotInReport,
    /// Verified, but not in `npm-sigverify.allowScripts`.
    NotAllowed,
    /// Verified, but denied by package.json `allowScripts` (npm 12).
    Denied,
    /// Verified, but the project gates scripts with approvals and none covers this tarball.
    NotApproved {
        /// Why, and what to do.
        why: String,
    },
    /// Accepted, but the package manager would not run it (its own allow-list).
    NotAllowedByManager {
        /// Which setting stops it.
        why: String,
    },
    /// A dependency bundled inside its parent's tarball: `install` rebuilds with
    /// `--rebuild-bundle=false`, so its scripts never run (npm ci would run them unjudged).
    Bundled,
    /// Accepted, but a `node_modules/.bin` entry its scripts would find first on `PATH` is
    /// named like the interpreter or shell they run (`node`, `sh`, ...), from another package:
    /// that package's code would run in their place.
    Shadowed {
        /// The `.bin` entry, relative to the project.
        entry: String,
    },
}

impl std::fmt::Display for Withheld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Withheld::NotVerified {
                status,
                code: Some(code),
            } => write!(f, "not verified ({status}, {code})"),
            Withheld::NotVerified { status, code: None } => write!(f, "not verified ({status})"),
            Withheld::PolicyFailed { code: Some(code) } => {
                write!(f, "failed by the policy ({code})")
            }
            Withheld::PolicyFailed { code: None } => f.write_str("failed by the policy"),
            Withheld::NotInReport => f.write_str("not in the verification report"),
            Withheld::NotAllowed => f.write_str("not in package.json npm-sigverify.allowScripts"),
            Withheld::Denied => f.write_str("denied by package.json allowScripts"),
            Withheld::NotApproved { why } => f.write_str(why),
            Withheld::NotAllowedByManager { why } => {
                write!(f, "the package manager would not run it: {why}")
            }
            Withheld::Shadowed { entry } => write!(
                f,
                "{entry} would run in place of the command of that name for its scripts (a bin of another package, first on their PATH); remove the package that declares it, or run the scripts yourself"
            ),
            Withheld::Bundled => f.write_str(
                "bundled inside its parent's tarball: bundled dependencies' scripts are never run (review them, then run `npm rebuild` on its folder yourself if it needs them)",
            ),
        }
    }
}

/// The decision for every package with install scripts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScriptPlan {
    /// Verified and allowed: their scripts run.
    pub run: Vec<ScriptPackage>,
    /// Not run, with the reason.
    pub withheld: Vec<(ScriptPackage, Withheld)>,
    /// Why packages with install scripts could not all be listed, when they could not (Yarn
    /// Plug'n'Play keeps packages zipped: no folder to read scripts from, none to run them in).
    pub unlisted: Option<String>,
}

/// Decides, from the installed tree and its verification report, whose scripts may run: the
/// packages the policy accepts that are verified (or whose failure an active exception covers),
/// and that the project's allow-list admits. Whether a package has install scripts comes from
/// its signed tarball (the report), never from the lockfile alone.
pub fn plan_scripts(tree: &Tree, report: &Report, policy: &ScriptPolicy) -> ScriptPlan {
    plan_scripts_with(tree, report, policy, &ProjectApprovals::default())
}

/// [`plan_scripts`] for a project that may gate scripts with approvals (package.json
/// `allowScripts`, `sigverify.approvals.json`): then a verified package also needs an approval
/// of its tarball, or a name in `npm-sigverify.allowScripts`, and no deny.
pub fn plan_scripts_with(
    tree: &Tree,
    report: &Report,
    policy: &ScriptPolicy,
    approvals: &ProjectApprovals,
) -> ScriptPlan {
    let by_location: HashMap<&str, &PackageResult> = report
        .packages
        .iter()
        .map(|p| (p.location.as_str(), p))
        .collect();
    let mut plan = ScriptPlan::default();
    if tree.linker == sigverify_lockfile::Linker::Pnp {
        plan.unlisted = Some(
            "Yarn Plug'n'Play keeps packages zipped in its cache: which have install scripts is not known here, and none of them ran (Yarn's `yarn rebuild <name>` runs them under its own rules)".into(),
        );
    }
    let with_scripts = tree.packages.iter().filter(|p| {
        let signed = by_location
            .get(p.location.as_str())
            .and_then(|r| r.install_scripts.as_ref())
            .is_some_and(|s| !s.is_empty());
        // Absent packages have nothing to run.
        (signed || p.has_install_script) && p.installed != Some(false)
    });
    for package in with_scripts {
        let entry = ScriptPackage {
            name: package.name.clone(),
            version: package.version.clone(),
            location: package.location.clone(),
        };
        let verdict = match by_location.get(package.location.as_str()) {
            // Rebuilt with `--rebuild-bundle=false`: listed, so nobody wonders why it did not run.
            _ if package.source == Source::Bundled => Some(Withheld::Bundled),
            None => Some(Withheld::NotInReport),
            Some(r) => {
                withheld(r, policy, &package.name, approvals).or_else(|| gate(r, policy, approvals))
            }
        };
        match verdict {
            Some(why) => plan.withheld.push((entry, why)),
            None => plan.run.push(entry),
        }
    }
    plan
}

fn withheld(
    r: &PackageResult,
    policy: &ScriptPolicy,
    name: &str,
    approvals: &ProjectApprovals,
) -> Option<Withheld> {
    let decision = r.decision.as_ref();
    let code = || r.code.map(|c| c.as_str().to_string());
    if decision.is_none_or(|d| d.outcome == Outcome::Fail) {
        return Some(Withheld::PolicyFailed { code: code() });
    }
    let excused = decision
        .and_then(|d| d.exception.as_ref())
        .is_some_and(|e| e.applied);
    if r.status != Status::Verified && !excused {
        return Some(Withheld::NotVerified {
            status: r.status.as_str().to_string(),
            code: code(),
        });
    }
    if approvals.configured() {
        // With approvals, only an approval or an explicit name list admits a package.
        return None;
    }
    (!policy.allows(name)).then_some(Withheld::NotAllowed)
}

/// The approvals' verdict on a verified package, when the project gates scripts with them.
fn gate(
    r: &PackageResult,
    policy: &ScriptPolicy,
    approvals: &ProjectApprovals,
) -> Option<Withheld> {
    if !approvals.configured() {
        return None;
    }
    let listed = matches!(policy, ScriptPolicy::Allow(_)) && policy.allows(&r.name);
    match approvals.judge(&r.name, &r.version, r.integrity.as_deref()) {
        Judgement::Denied => Some(Withheld::Denied),
        Judgement::Approved(_) => None,
        Judgement::Unreviewed(_) if listed => None,
        Judgement::Unreviewed(why) => Some(Withheld::NotApproved { why }),
    }
}
