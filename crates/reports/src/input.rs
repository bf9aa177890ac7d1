//! The report document that `npm-sigverify verify --json` prints, as checked types.
//!
//! The wire shape is read with serde (camelCase, extra fields ignored) and then checked: the
//! packages are gathered from the `invalid`/`missing`/`skipped`/`verified` buckets (or a flat
//! `packages` array), each package's status must agree with its bucket, and the totals must agree
//! with the packages. Renderers only ever see a [`Report`] that passed these checks.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::checks::{check_bucket, check_packages, check_summary};
use crate::model::{Attestation, Check, Decision, Provenance, Status};

/// Why a report document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The JSON does not have the report's shape.
    #[error("report document is malformed: {0}")]
    Shape(#[from] serde_json::Error),
    /// `schemaVersion` is missing or zero.
    #[error("report document has unsupported schemaVersion {0}")]
    SchemaVersion(u64),
    /// A package sits in one bucket but says another status.
    #[error("package {name}@{version} is in the {bucket} list but has status {status}")]
    BucketMismatch {
        /// Package name.
        name: String,
        /// Package version.
        version: String,
        /// The bucket it was listed in.
        bucket: &'static str,
        /// The status it declares.
        status: &'static str,
    },
    /// `summary` disagrees with the packages listed.
    #[error("summary says {field} = {declared} but the document lists {counted}")]
    SummaryMismatch {
        /// Which counter.
        field: &'static str,
        /// The number in `summary`.
        declared: u64,
        /// The number counted from the packages.
        counted: u64,
    },
    /// A known `summary` counter is not a non-negative integer.
    #[error("summary field {field} is not a non-negative integer")]
    SummaryField {
        /// Which counter.
        field: &'static str,
    },
    /// A code is not `E` followed by up to 63 capital letters or digits.
    #[error("package {package} has malformed code {code:?}: expected E followed by A-Z or 0-9")]
    BadCode {
        /// `name@version` of the package.
        package: String,
        /// The offending code.
        code: String,
    },
    /// A package has an empty name or version.
    #[error("package at {location:?} has an empty name or version")]
    EmptyIdentity {
        /// Where it sits in the tree.
        location: String,
    },
}

/// The wire document (private: only [`Report::from_value`] sees it).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireReport {
    schema_version: u64,
    #[serde(default)]
    tool: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    input: String,
    #[serde(default)]
    input_path: String,
    #[serde(default)]
    lockfile_path: Option<String>,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    environment: Option<String>,
    #[serde(default)]
    summary: Option<serde_json::Map<String, Value>>,
    #[serde(default)]
    duration_ms: Option<u64>,
    #[serde(default)]
    timings: BTreeMap<String, f64>,
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default)]
    invalid: Vec<Package>,
    #[serde(default)]
    missing: Vec<Package>,
    #[serde(default)]
    skipped: Vec<Package>,
    #[serde(default)]
    verified: Vec<Package>,
}

/// One package of the report.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// The package name.
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it sits in the tree (`node_modules/a`).
    #[serde(default)]
    pub location: String,
    /// How it was installed (registry, git, workspace, ...).
    #[serde(default)]
    pub source: String,
    /// The verdict of the signature checks.
    pub status: Status,
    /// The policy decision, when the verifier made one.
    #[serde(default)]
    pub decision: Option<Decision>,
    /// The policy rule that decided.
    #[serde(default)]
    pub rule: Option<String>,
    /// Why it is not verified.
    #[serde(default)]
    pub code: Option<String>,
    /// What went wrong, naming the package.
    #[serde(default)]
    pub message: Option<String>,
    /// What to do about it.
    #[serde(default)]
    pub remediation: Option<String>,
    /// The signed integrity.
    #[serde(default)]
    pub integrity: Option<String>,
    /// The tarball URL or source spec.
    #[serde(default)]
    pub resolved: Option<String>,
    /// The keyids involved.
    #[serde(default)]
    pub keyids: Vec<String>,
    /// The individual checks run.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// The attestations found.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// Provenance verdict.
    #[serde(default)]
    pub provenance: Option<Provenance>,
    /// Line of the entry in the lockfile (1-based).
    #[serde(default)]
    pub lockfile_line: Option<u64>,
}

/// A checked report, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Version of the input document.
    pub schema_version: u64,
    /// `npm-sigverify <version>`.
    pub tool: String,
    /// The project folder.
    pub project: String,
    /// What was read (package-lock, shrinkwrap, ...).
    pub input: String,
    /// The file that was read.
    pub input_path: String,
    /// The lockfile, when the verifier names it apart from `input_path`.
    pub lockfile_path: Option<String>,
    /// online or offline.
    pub mode: String,
    /// Where it ran (e.g. `ci`, `dev`).
    pub environment: Option<String>,
    /// Wall time of the run.
    pub duration_ms: Option<u64>,
    /// Phase name to milliseconds.
    pub timings: BTreeMap<String, f64>,
    /// Every package, sorted by name, version, location.
    pub packages: Vec<Package>,
}

impl Report {
    /// Reads and checks a `--json` report document.
    pub fn from_value(value: &Value) -> Result<Report, InputError> {
        let wire = WireReport::deserialize(value)?;
        if wire.schema_version == 0 {
            return Err(InputError::SchemaVersion(0));
        }
        let mut packages = wire.packages;
        for (bucket, list) in [
            (Status::Invalid, wire.invalid),
            (Status::Missing, wire.missing),
            (Status::Skipped, wire.skipped),
            (Status::Verified, wire.verified),
        ] {
            packages.extend(check_bucket(bucket, list)?);
        }
        check_packages(&packages)?;
        if let Some(summary) = &wire.summary {
            check_summary(summary, &packages)?;
        }
        packages.sort_by(|a, b| {
            (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
        });
        Ok(Report {
            schema_version: wire.schema_version,
            tool: wire.tool,
            project: wire.project,
            input: wire.input,
            input_path: wire.input_path,
            lockfile_path: wire.lockfile_path,
            mode: wire.mode,
            environment: wire.environment,
            duration_ms: wire.duration_ms,
            timings: wire.timings,
            packages,
        })
    }
}
