//! Reading a stored `--json` document (schema 2) back: core's own reader
//! (`sigverify_core::Report::from_document`), plus the checks that keep a contradictory or
//! tampered file from rendering: each package in the bucket of its status, every code well
//! formed and known, the totals agreeing with the packages, no empty identity.

use serde_json::Value;
use sigverify_codes::Code;
use sigverify_core::model::{Summary, BUCKETS, SCHEMA_VERSION};

use crate::model::Report;

/// Why a report document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The JSON does not have the report's shape.
    #[error("report document is malformed: {0}")]
    Shape(String),
    /// `schemaVersion` is not the one this version reads.
    #[error("report document has unsupported schemaVersion {0} (this version reads schemaVersion {expected}: re-run `npm-sigverify verify --json` to make one)", expected = SCHEMA_VERSION)]
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
    /// A well-formed code the catalog does not have (a report from a newer version?).
    #[error("package {package} has code {code}, which this version of npm-sigverify does not know: render the report with the version that wrote it")]
    UnknownCode {
        /// `name@version` of the package.
        package: String,
        /// The unknown code.
        code: String,
    },
    /// A package has an empty name or version.
    #[error("package at {location:?} has an empty name or version")]
    EmptyIdentity {
        /// Where it sits in the tree.
        location: String,
    },
}

/// The summary counters, as written.
const COUNTERS: [&str; 8] = [
    "total", "verified", "invalid", "missing", "skipped", "pass", "warn", "fail",
];

impl Report {
    /// Reads and checks a stored `--json` report document (what `npm-sigverify verify --json`
    /// prints, `sigverify_core::Report::to_document`), then builds the view from it exactly as
    /// [`Report::from`] does for a report in memory.
    pub fn from_value(value: &Value) -> Result<Report, InputError> {
        check_document(value)?;
        let report = sigverify_core::Report::from_document(value).map_err(InputError::Shape)?;
        check_report(&report)?;
        Ok(Report::from(&report))
    }
}

/// Checks made on the JSON itself, before core reads it, so their errors name what is wrong
/// instead of surfacing as a deserialization message.
fn check_document(value: &Value) -> Result<(), InputError> {
    let object = value
        .as_object()
        .ok_or_else(|| InputError::Shape("the report is not a JSON object".into()))?;
    match object.get("schemaVersion").map(Value::as_u64) {
        Some(Some(v)) if v == u64::from(SCHEMA_VERSION) => {}
        Some(Some(v)) => return Err(InputError::SchemaVersion(v)),
        _ => {
            let why = "schemaVersion is missing or not a non-negative integer";
            return Err(InputError::Shape(why.into()));
        }
    }
    if object.contains_key("packages") {
        // Core's reader would drop a flat list: a rendered report (`--report json=FILE`) or a
        // hand-made file. Say so rather than render an empty report.
        let why = "it has a packages list: expected the `npm-sigverify verify --json` document, whose packages are in the invalid, missing, skipped and verified lists";
        return Err(InputError::Shape(why.into()));
    }
    if let Some(summary) = object.get("summary").and_then(Value::as_object) {
        for field in COUNTERS {
            if summary.get(field).is_some_and(|v| v.as_u64().is_none()) {
                return Err(InputError::SummaryField { field });
            }
        }
    }
    for bucket in BUCKETS {
        let Some(items) = object.get(bucket.as_str()).and_then(Value::as_array) else {
            continue;
        };
        for item in items {
            check_bucket(bucket, item)?;
            check_codes(item)?;
        }
    }
    Ok(())
}

/// A package listed under `bucket` must say that status. Statuses that are not statuses at
/// all are left to core's reader, which rejects them.
fn check_bucket(bucket: sigverify_core::Status, item: &Value) -> Result<(), InputError> {
    let status = BUCKETS
        .into_iter()
        .find(|s| item["status"].as_str() == Some(s.as_str()));
    match status {
        Some(status) if status != bucket => Err(InputError::BucketMismatch {
            name: text(&item["name"]).into(),
            version: text(&item["version"]).into(),
            bucket: bucket.as_str(),
            status: status.as_str(),
        }),
        _ => Ok(()),
    }
}

/// Codes become SARIF rule ids, annotation titles and JUnit types: only well-formed ones pass,
/// and the ones the model types as catalog codes must be in the catalog.
fn check_codes(item: &Value) -> Result<(), InputError> {
    let package = format!("{}@{}", text(&item["name"]), text(&item["version"]));
    let mut catalog: Vec<&Value> = vec![&item["code"]];
    if let Some(checks) = item["checks"].as_object() {
        catalog.extend(checks.values().map(|c| &c["code"]));
    }
    catalog.extend(list(&item["decision"]["checks"]).map(|c| &c["code"]));
    let mut free: Vec<&Value> = Vec::new();
    for a in list(&item["attestations"]) {
        free.extend([&a["code"], &a["detail"]]);
    }
    free.extend(list(&item["internalSignatures"]).map(|s| &s["code"]));
    for (code, in_catalog) in
        (catalog.into_iter().map(|c| (c, true))).chain(free.into_iter().map(|c| (c, false)))
    {
        let Some(code) = code.as_str() else {
            continue;
        };
        if !is_code(code) {
            let (package, code) = (package.clone(), code.to_string());
            return Err(InputError::BadCode { package, code });
        }
        if in_catalog && Code::parse(code).is_none() {
            let (package, code) = (package.clone(), code.to_string());
            return Err(InputError::UnknownCode { package, code });
        }
    }
    Ok(())
}

fn list(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("?")
}

fn is_code(code: &str) -> bool {
    let rest = code.strip_prefix('E').unwrap_or("");
    !rest.is_empty()
        && rest.len() < 64
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Checks made on the typed report: identities, and the totals against the packages (a
/// renderer that trusted `summary` could hide failures).
fn check_report(report: &sigverify_core::Report) -> Result<(), InputError> {
    let empty = (report.packages.iter()).find(|p| p.name.is_empty() || p.version.is_empty());
    if let Some(p) = empty {
        return Err(InputError::EmptyIdentity {
            location: p.location.clone(),
        });
    }
    let counted = Summary::of(&report.packages);
    let declared = &report.summary;
    let pairs = [
        (declared.total, counted.total),
        (declared.verified, counted.verified),
        (declared.invalid, counted.invalid),
        (declared.missing, counted.missing),
        (declared.skipped, counted.skipped),
        (declared.pass, counted.pass),
        (declared.warn, counted.warn),
        (declared.fail, counted.fail),
    ];
    for (field, (declared, counted)) in COUNTERS.into_iter().zip(pairs) {
        if declared != counted {
            return Err(InputError::SummaryMismatch {
                field,
                declared: declared as u64,
                counted: counted as u64,
            });
        }
    }
    Ok(())
}
