//! The renderers' view of a report: the typed core model flattened into what a page, a SARIF
//! log or a job summary shows, plus the derived views they all share (the decision, the
//! finding's code, explanation and fix). Built only from `sigverify_core::Report` (see
//! `convert.rs`); stored `--json` files are read through the same path (`input.rs`).

use std::collections::BTreeMap;

use serde::Serialize;
use sigverify_codes::Code;

pub use sigverify_core::model::CheckState;
pub use sigverify_core::Status;

/// The code reported for a failing package that names none: failing closed still needs a
/// rule id. It is not in the catalog (no package ever carries it).
pub const UNSPECIFIED_CODE: &str = "EUNSPECIFIED";

/// A checked report, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Version of the core report it was built from.
    pub schema_version: u32,
    /// `npm-sigverify <version>`.
    pub tool: String,
    /// The project folder.
    pub project: String,
    /// What was read (package-lock, shrinkwrap, hidden-lockfile, node-modules, package).
    pub input: String,
    /// The package manager the input belongs to (npm, pnpm, yarn, yarn-berry, bun).
    pub manager: String,
    /// The file that was read.
    pub input_path: String,
    /// The lockfile SARIF results and annotations point at (the file that was read).
    pub lockfile_path: String,
    /// Evidence mode: online or offline.
    pub mode: String,
    /// The policy environment that decided (e.g. `ci`, `production`).
    pub environment: Option<String>,
    /// The policy that decided.
    pub policy: PolicyInfo,
    /// The exit code the run stands for (0 pass, 1 enforced failure, 3 operational only).
    pub exit_code: i32,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// Milliseconds per phase, `total`, and the per-package sums (`sum.fetch`, ...).
    pub timings: BTreeMap<String, u64>,
    /// Things that did not stop the run but deserve attention.
    pub warnings: Vec<String>,
    /// Every package, sorted by name, version, location.
    pub packages: Vec<Package>,
}

/// The policy that decided the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyInfo {
    /// The policy file, or `None` for npm's defaults.
    pub source: Option<String>,
    /// `enforce` or `warn`.
    pub mode: String,
    /// Failures tolerated before the run fails (enforce mode).
    pub allowed_failures: usize,
}

/// One package of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// The package name (for `npm:` aliases, the aliased package).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it sits in the tree (`node_modules/a`).
    pub location: String,
    /// The folder name it is installed under when that differs from `name`.
    pub alias: Option<String>,
    /// The registry that serves it.
    pub registry: Option<String>,
    /// How it was installed (registry, git, workspace, ...).
    pub source: String,
    /// npm's dependency type (dependencies, devDependencies, ...).
    pub dep_type: String,
    /// The verifier's verdict.
    pub status: Status,
    /// Why it is not verified: the deciding check's code.
    pub code: Option<Code>,
    /// What went wrong (or why it was skipped), naming the package.
    pub message: Option<String>,
    /// What to do about it.
    pub remediation: Option<String>,
    /// Each verifier check's outcome, in pipeline order.
    pub outcomes: Vec<Outcome>,
    /// The policy's decision, when a policy decided (every core run does).
    pub policy: Option<PolicyDecision>,
    /// The signed integrity.
    pub integrity: Option<String>,
    /// The integrity the lockfile pins.
    pub lockfile_integrity: Option<String>,
    /// The tarball URL or source spec (credentials removed).
    pub resolved: Option<String>,
    /// The keyids whose signatures verified (or the offending keyid).
    pub keyids: Vec<String>,
    /// The repository the published package.json declares (`github.com/o/r`).
    pub repository: Option<String>,
    /// Provenance verdict, once attestations were checked.
    pub provenance: Option<Provenance>,
    /// The attestations found.
    pub attestations: Vec<Attestation>,
    /// The internal (cosign) signatures found.
    pub internal_signatures: Vec<InternalSignature>,
    /// What the comparison of the installed files with the signed tarball found.
    pub contents: Option<Contents>,
    /// Install scripts the signed tarball declares (`None` when no tarball was read).
    pub install_scripts: Option<Vec<String>>,
    /// Line of the entry in the lockfile (1-based).
    pub lockfile_line: Option<u64>,
}

/// The outcome of one verifier check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The check: source, registrySignature, integrity, attestations, internalSignatures,
    /// contents.
    pub check: String,
    /// What happened.
    pub state: CheckState,
    /// Why it did not pass.
    pub code: Option<Code>,
    /// The same in words.
    pub message: Option<String>,
}

/// The policy decision for a package, as an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Accepted.
    Pass,
    /// Accepted, with a finding worth a look.
    Warn,
    /// Rejected.
    Fail,
}

impl Decision {
    /// The decision as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pass => "pass",
            Decision::Warn => "warn",
            Decision::Fail => "fail",
        }
    }
}

/// What the policy decided about a package, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyDecision {
    /// The verdict.
    pub outcome: Decision,
    /// Pattern of the rule that applied, or `default`.
    pub rule: String,
    /// Every policy check run, in order.
    pub checks: Vec<Check>,
    /// The exception that matched, if any.
    pub exception: Option<Exception>,
    /// What to do about failures and warnings (policy hints first where a code has one).
    pub remediation: Vec<String>,
}

/// One check the policy ran on a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Name of the check (`registry-signature`, `provenance.repository`, ...).
    pub check: String,
    /// Whether it passed.
    pub passed: bool,
    /// False for advisory checks (failing them warns).
    pub required: bool,
    /// Its failure code (or an informative pass's code).
    pub code: Option<Code>,
    /// What it found.
    pub message: String,
}

/// A policy exception that matched the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    /// The spec as written (`name@range`).
    pub package: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry as written.
    pub expires: String,
    /// True when it had expired (it then excuses nothing).
    pub expired: bool,
    /// True when it turned a failure into a warning.
    pub applied: bool,
}

/// Provenance verdict for a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// A provenance attestation verified.
    Verified,
    /// No provenance was published.
    Absent,
    /// Provenance was published but did not verify.
    Invalid,
}

impl Provenance {
    /// The verdict written as `s`, if it is one.
    pub fn parse(s: &str) -> Option<Provenance> {
        match s {
            "verified" => Some(Provenance::Verified),
            "absent" => Some(Provenance::Absent),
            "invalid" => Some(Provenance::Invalid),
            _ => None,
        }
    }

    /// The verdict as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Verified => "verified",
            Provenance::Absent => "absent",
            Provenance::Invalid => "invalid",
        }
    }
}

/// Who built a provenance attestation (from its Fulcio certificate).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    /// The source repository URI (`https://github.com/o/r`).
    pub source_repository: Option<String>,
    /// The provider's immutable repository id.
    pub repository_id: Option<String>,
    /// The repository owner's URI.
    pub owner: Option<String>,
    /// The provider's immutable owner id.
    pub owner_id: Option<String>,
    /// The git ref the build ran on.
    pub source_ref: Option<String>,
    /// The commit the build ran on.
    pub commit: Option<String>,
    /// The workflow file inside the repository.
    pub workflow_path: Option<String>,
    /// The ref the workflow file was taken from.
    pub workflow_ref: Option<String>,
    /// The OIDC issuer.
    pub issuer: Option<String>,
}

/// One attestation of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attestation {
    /// The in-toto predicate type.
    pub predicate_type: String,
    /// provenance, publish or other.
    pub kind: String,
    /// verified or invalid.
    pub status: String,
    /// npm's code when invalid.
    pub code: Option<String>,
    /// Finer detail code.
    pub detail: Option<String>,
    /// Why it is invalid.
    pub message: Option<String>,
    /// Who built it (verified provenance).
    pub signer: Option<Signer>,
    /// Registry keyid of a verified publish attestation.
    pub keyid: Option<String>,
    /// The transparency log index.
    pub log_index: Option<u64>,
}

/// One internal (cosign) signature and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InternalSignature {
    /// sidecar, store or registry.
    pub source: String,
    /// The file it was read from, or the keyid of the registry entry.
    pub location: String,
    /// True when a trusted key, valid at the signing time, made it.
    pub valid: bool,
    /// Fingerprint of the key that verified it.
    pub fingerprint: Option<String>,
    /// That key's owner in the trust file.
    pub owner: Option<String>,
    /// The instant the key's validity was checked at (RFC 3339).
    pub checked_at: Option<String>,
    /// True when `checked_at` comes from a verified timestamp.
    pub timestamped: bool,
    /// Why it does not count, as a code.
    pub code: Option<String>,
    /// Why it does not count, in words.
    pub message: Option<String>,
}

/// What the comparison of the installed files with the signed tarball found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contents {
    /// Files whose bytes differ.
    pub modified: Vec<String>,
    /// Files the tarball does not have.
    pub added: Vec<String>,
    /// Added files that change what Node loads.
    pub loadable: Vec<String>,
    /// Tarball files missing on disk.
    pub removed: Vec<String>,
    /// Files compared.
    pub checked_files: usize,
}

/// Counts per status and per decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// All packages.
    pub total: usize,
    /// Status verified.
    pub verified: usize,
    /// Status invalid.
    pub invalid: usize,
    /// Status missing.
    pub missing: usize,
    /// Status skipped.
    pub skipped: usize,
    /// Decision pass.
    pub pass: usize,
    /// Decision warn.
    pub warn: usize,
    /// Decision fail.
    pub fail: usize,
}

impl Report {
    /// Counts the packages.
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            total: self.packages.len(),
            ..Totals::default()
        };
        for p in &self.packages {
            match p.status {
                Status::Verified => t.verified += 1,
                Status::Invalid => t.invalid += 1,
                Status::Missing => t.missing += 1,
                Status::Skipped => t.skipped += 1,
            }
            match p.decision() {
                Decision::Pass => t.pass += 1,
                Decision::Warn => t.warn += 1,
                Decision::Fail => t.fail += 1,
            }
        }
        t
    }

    /// The run's decision: fail if any package fails and the run fails (its exit code), else
    /// warn if any package fails or warns, else pass.
    pub fn decision(&self) -> Decision {
        let decisions = self.packages.iter().map(Package::decision);
        self.enforced(decisions.max().unwrap_or(Decision::Pass))
    }

    /// A decision as this run enforces it: a failure the environment does not enforce (warn
    /// mode, or within `allowedFailures`: the run's exit code is 0) is shown as a warning, so
    /// a SARIF upload, JUnit or a job summary never says "failed" of a run that passed.
    pub fn enforced(&self, decision: Decision) -> Decision {
        match decision {
            Decision::Fail if self.exit_code == 0 => Decision::Warn,
            other => other,
        }
    }

    /// Packages that fail or warn, failures first, in report order.
    pub fn findings(&self) -> impl Iterator<Item = &Package> {
        let with = |d: Decision| self.packages.iter().filter(move |p| p.decision() == d);
        with(Decision::Fail).chain(with(Decision::Warn))
    }

    /// The tool name and version, split from `npm-sigverify 0.1.0`.
    pub fn tool_name_version(&self) -> (&str, &str) {
        match self.tool.split_once(' ') {
            Some((name, version)) => (name, version),
            None if self.tool.is_empty() => ("npm-sigverify", ""),
            None => (self.tool.as_str(), ""),
        }
    }

    /// The lockfile path relative to the project, with `/` separators (for SARIF and
    /// annotations, which resolve it against the repository checkout).
    pub fn lockfile_uri(&self) -> String {
        let path = self.lockfile_path.replace('\\', "/");
        let project = self.project.replace('\\', "/");
        let project = project.trim_end_matches('/');
        let relative = match project.is_empty() || project == "." {
            true => path.as_str(),
            false => path
                .strip_prefix(project)
                .and_then(|rest| rest.strip_prefix('/'))
                .unwrap_or(&path),
        };
        let relative = relative.trim_start_matches("./");
        match relative.is_empty() {
            true => "package-lock.json".to_string(),
            false => relative.to_string(),
        }
    }
}
