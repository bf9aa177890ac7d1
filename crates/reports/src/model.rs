//! Value types of the report and the derived views every renderer shares.

use serde::{Deserialize, Serialize};

use crate::input::{Package, Report};

/// The signature verdict, with npm's four buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check passed with evidence.
    Verified,
    /// A check failed, or evidence could not be obtained.
    Invalid,
    /// The registry signs packages but this one carries no signature.
    Missing,
    /// Not checkable by design.
    Skipped,
}

impl Status {
    /// The status as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
            Status::Skipped => "skipped",
        }
    }
}

/// The policy decision for a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
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

/// Provenance verdict for a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    /// A provenance attestation verified.
    Verified,
    /// No provenance was published.
    Absent,
    /// Provenance was published but did not verify.
    Invalid,
}

/// One check the verifier ran on a package.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Name of the check.
    pub check: String,
    /// Whether it passed.
    pub passed: bool,
    /// Its failure code, if any.
    #[serde(default)]
    pub code: Option<String>,
    /// What it found.
    #[serde(default)]
    pub message: Option<String>,
}

/// Who signed an attestation (from the Fulcio certificate).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signer {
    /// The source repository URI.
    #[serde(default)]
    pub source_repository: Option<String>,
    /// The workflow ref.
    #[serde(default)]
    pub workflow_ref: Option<String>,
    /// The OIDC issuer.
    #[serde(default)]
    pub issuer: Option<String>,
}

/// One attestation of a package.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attestation {
    /// The in-toto predicate type.
    pub predicate_type: String,
    /// Its verdict (free text from the verifier, e.g. `verified`).
    #[serde(default)]
    pub status: Option<String>,
    /// Its failure code, if any.
    #[serde(default)]
    pub code: Option<String>,
    /// Who signed it.
    #[serde(default)]
    pub signer: Option<Signer>,
    /// The transparency log index.
    #[serde(default)]
    pub log_index: Option<u64>,
}

/// The code used when a failing package names none: failing closed still needs a rule id.
pub const UNSPECIFIED_CODE: &str = "EUNSPECIFIED";

impl Package {
    /// The decision: the verifier's when given, else npm's semantics (invalid and missing fail).
    pub fn decision(&self) -> Decision {
        self.decision.unwrap_or(match self.status {
            Status::Invalid | Status::Missing => Decision::Fail,
            Status::Verified | Status::Skipped => Decision::Pass,
        })
    }

    /// The code to report: its own, else the first failed check's, else [`UNSPECIFIED_CODE`].
    pub fn code(&self) -> &str {
        self.code
            .as_deref()
            .or_else(|| {
                let failed = self.checks.iter().find(|c| !c.passed);
                failed.and_then(|c| c.code.as_deref())
            })
            .unwrap_or(UNSPECIFIED_CODE)
    }

    /// `name@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// `name@version (location)`, or `name@version` when there is no location.
    pub fn label(&self) -> String {
        match self.location.is_empty() {
            true => self.id(),
            false => format!("{}@{} ({})", self.name, self.version, self.location),
        }
    }

    /// The explanation: its message, else the failed checks' messages, else the code.
    pub fn explanation(&self) -> String {
        if let Some(m) = &self.message {
            return m.clone();
        }
        let failed: Vec<&str> = (self.checks.iter())
            .filter(|c| !c.passed)
            .filter_map(|c| c.message.as_deref())
            .collect();
        match failed.is_empty() {
            true => format!("{}: {}", self.id(), self.code()),
            false => format!("{}: {}", self.id(), failed.join("; ")),
        }
    }

    /// The remediation, or a generic one that still says what to do.
    pub fn remediation(&self) -> &str {
        self.remediation
            .as_deref()
            .unwrap_or("review this package before installing it")
    }
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

    /// The run's decision: fail if any package fails, else warn if any warns, else pass.
    pub fn decision(&self) -> Decision {
        let decisions = self.packages.iter().map(Package::decision);
        decisions.max_by_key(|d| *d as u8).unwrap_or(Decision::Pass)
    }

    /// Packages that fail or warn, failures first, in report order.
    pub fn findings(&self) -> impl Iterator<Item = &Package> {
        let fails = self
            .packages
            .iter()
            .filter(|p| p.decision() == Decision::Fail);
        let warns = self
            .packages
            .iter()
            .filter(|p| p.decision() == Decision::Warn);
        fails.chain(warns)
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
        let path = self.lockfile_path.as_deref().unwrap_or(&self.input_path);
        let path = path.replace('\\', "/");
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
