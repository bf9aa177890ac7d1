//! The whole report of a run: the packages, what the registries contributed, the policy that
//! decided, the totals and the exit code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sigverify_policy::Outcome;

use super::result::{PackageResult, Status};
use super::signals::BaselineSummary;
use super::timing::SlowPackage;

/// Version of the report's JSON shape (2: per-check outcomes and a nested `decision`).
pub const SCHEMA_VERSION: u32 = 2;

/// Counts per status and per decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// All packages of the tree.
    pub total: usize,
    /// Verified.
    pub verified: usize,
    /// Invalid.
    pub invalid: usize,
    /// Missing.
    pub missing: usize,
    /// Skipped.
    pub skipped: usize,
    /// Accepted by the policy.
    #[serde(default)]
    pub pass: usize,
    /// Accepted with a finding (an exception applied, an advisory check failed, or the
    /// environment only warns).
    #[serde(default)]
    pub warn: usize,
    /// Rejected by the policy.
    #[serde(default)]
    pub fail: usize,
}

/// What a registry contributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryInfo {
    /// The registry URL (credentials removed).
    pub url: String,
    /// Where its keys came from: embedded, registry, store, none, unavailable.
    pub keys_source: String,
    /// The keyids in use.
    pub keyids: Vec<String>,
    /// Why keys are unavailable, when they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The policy that decided a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicySummary {
    /// The policy file, or `None` for npm's defaults (no policy file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The selected environment.
    pub environment: String,
    /// `enforce` (failures fail the run) or `warn` (they are reported only).
    pub mode: String,
    /// Failures tolerated before the run fails (enforce mode).
    pub allowed_failures: usize,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Version of this JSON shape ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// `npm-sigverify <version>`.
    pub tool: String,
    /// The project folder.
    pub project: String,
    /// What was read: shrinkwrap, package-lock, hidden-lockfile, node-modules, or package.
    pub input: String,
    /// The package manager the input belongs to (npm, pnpm, yarn, yarn-berry, bun).
    pub manager: String,
    /// The file that was read.
    pub input_path: String,
    /// Evidence mode: online or offline.
    pub mode: String,
    /// Registries and their keys.
    pub registries: Vec<RegistryInfo>,
    /// The policy and environment that decided.
    pub policy: PolicySummary,
    /// Totals.
    pub summary: Summary,
    /// Per package, sorted by name, version, location.
    pub packages: Vec<PackageResult>,
    /// The process exit code this run stands for: 0 pass, 1 a failure the policy enforces,
    /// 3 when every enforced failure is operational (evidence that could not be obtained).
    pub exit_code: i32,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// Milliseconds per phase (`load`, `keys`, `checks`, `contents`, `cache`, `decide`),
    /// `total`, and work summed over packages (`sum.fetch`, `sum.parse`, `sum.verify`,
    /// `sum.attest`, `sum.contents`; packages overlap, so sums may exceed the wall time).
    pub timings: BTreeMap<String, u64>,
    /// The slowest packages (at most 20).
    pub slowest: Vec<SlowPackage>,
    /// The evidence cache in use: disk, redis or off.
    pub cache: String,
    /// Things that did not stop the run but deserve attention (e.g. an unavailable cache).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The tree against its baseline lockfile (with `--baseline` or `signals.baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
}

impl Summary {
    /// Counts the statuses and decisions of a result list.
    pub fn of(packages: &[PackageResult]) -> Summary {
        let mut s = Summary {
            total: packages.len(),
            ..Summary::default()
        };
        for p in packages {
            match p.status {
                Status::Verified => s.verified += 1,
                Status::Invalid => s.invalid += 1,
                Status::Missing => s.missing += 1,
                Status::Skipped => s.skipped += 1,
            }
            match p.decision.as_ref().map(|d| d.outcome) {
                Some(Outcome::Pass) => s.pass += 1,
                Some(Outcome::Warn) => s.warn += 1,
                Some(Outcome::Fail) => s.fail += 1,
                None => {}
            }
        }
        s
    }
}

impl Report {
    /// The packages with one status.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &PackageResult> {
        self.packages.iter().filter(move |p| p.status == status)
    }

    /// The packages the policy failed.
    pub fn failures(&self) -> impl Iterator<Item = &PackageResult> {
        self.packages
            .iter()
            .filter(|p| p.decision.as_ref().map(|d| d.outcome) == Some(Outcome::Fail))
    }

    /// The package at `location`, if any.
    pub fn package_at(&self, location: &str) -> Option<&PackageResult> {
        self.packages.iter().find(|p| p.location == location)
    }
}
