//! The verification report: one result per package, and totals.

use serde::{Deserialize, Serialize};

use crate::Code;

/// The outcome for one package, with npm's four buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check passed with evidence.
    Verified,
    /// A check failed, or evidence needed to pass could not be obtained (fail closed).
    Invalid,
    /// The registry publishes keys but this version carries no signature.
    Missing,
    /// Not checkable by design: not from a registry, registry without keys, omitted, not installed.
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

/// The result for one package of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageResult {
    /// The real package name (for `npm:` aliases, the aliased package).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it sits in the tree (`node_modules/a/node_modules/b`).
    pub location: String,
    /// The folder name it is installed under when that differs from `name` (an `npm:` alias).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The registry that serves it (for registry packages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// How it was installed: registry, git, directory, local-tarball, remote-tarball, workspace, bundled.
    pub source: String,
    /// The verdict.
    pub status: Status,
    /// Why it is not verified (`null` when verified).
    pub code: Option<Code>,
    /// What went wrong (or why it was skipped), naming the package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// The integrity the registry signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// The integrity the lockfile pins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockfile_integrity: Option<String>,
    /// The tarball URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// The keyids whose signatures verified (or the offending keyid on failure).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keyids: Vec<String>,
    /// npm's dependency type: dependencies, devDependencies, optionalDependencies, peerDependencies.
    #[serde(rename = "type")]
    pub dep_type: String,
    /// The comparison of the installed files with the signed tarball, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contents: Option<ContentsResult>,
    /// verified, absent or invalid, once attestations were checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// Each attestation bundle's verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<crate::check::attestations::AttestationSummary>,
    /// Each internal (cosign) signature found and its verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub internal_signatures: Vec<crate::check::internal::InternalSignature>,
    /// Where this package's verification time went (reported through [`Report::slowest`]).
    #[serde(skip)]
    pub timing: crate::run::timing::PackageTiming,
}

/// What the comparison of an installed package folder with its signed tarball found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentsResult {
    /// verified (identical), modified (changed/deleted/added files), unchecked (no tarball).
    pub status: String,
    /// Files whose bytes differ from the tarball.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub modified: Vec<String>,
    /// Files on disk that the tarball does not have.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Tarball files missing on disk.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Files compared.
    pub checked_files: usize,
    /// Why the comparison could not run (unchecked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl PackageResult {
    /// Sets status and code with the code's remediation.
    pub fn fail(mut self, status: Status, code: Code, message: String) -> PackageResult {
        self.status = status;
        self.code = Some(code);
        self.message = Some(message);
        self.remediation = Some(code.remediation().to_string());
        self
    }
}

/// Counts per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
}

/// What a registry contributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryInfo {
    /// The registry URL.
    pub url: String,
    /// Where its keys came from: embedded, registry, store, none, unavailable.
    pub keys_source: String,
    /// The keyids in use.
    pub keyids: Vec<String>,
    /// Why keys are unavailable, when they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Version of this JSON shape.
    pub schema_version: u32,
    /// `npm-sigverify <version>`.
    pub tool: String,
    /// The project folder.
    pub project: String,
    /// What was read: shrinkwrap, package-lock, hidden-lockfile, node-modules, or package.
    pub input: String,
    /// The file that was read.
    pub input_path: String,
    /// Evidence mode: online or offline.
    pub mode: String,
    /// Registries and their keys.
    pub registries: Vec<RegistryInfo>,
    /// Totals.
    pub summary: Summary,
    /// Per package, sorted by name, version, location.
    pub packages: Vec<PackageResult>,
    /// Wall time of the run in milliseconds.
    pub duration_ms: u64,
    /// Milliseconds per phase (`load`, `keys`, `checks`, `contents`: internal signatures and
    /// installed files, overlapping `cache`: writing the cache),
    /// `total`, and work summed over packages (`sum.fetch`, `sum.parse`, `sum.verify`,
    /// `sum.attest`, `sum.contents`; packages overlap, so sums may exceed the wall time).
    pub timings: std::collections::BTreeMap<String, u64>,
    /// The slowest packages (at most 20).
    pub slowest: Vec<crate::run::timing::SlowPackage>,
    /// The evidence cache in use: disk, redis or off.
    pub cache: String,
    /// Things that did not stop the run but deserve attention (e.g. an unavailable cache).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Summary {
    /// Counts the statuses of a result list.
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
        }
        s
    }
}

impl Report {
    /// The packages with one status.
    pub fn with_status(&self, status: Status) -> impl Iterator<Item = &PackageResult> {
        self.packages.iter().filter(move |p| p.status == status)
    }

    /// npm's exit semantics: 1 when anything is invalid or missing, else 0.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.summary.invalid + self.summary.missing > 0)
    }
}
