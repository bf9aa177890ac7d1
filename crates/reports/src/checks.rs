//! Consistency checks on a report document, run before anything renders it.

use serde_json::Value;

use crate::input::{InputError, Package};
use crate::model::Status;

/// Every package listed under `bucket` must say that status.
pub(crate) fn check_bucket(bucket: Status, list: Vec<Package>) -> Result<Vec<Package>, InputError> {
    match list.iter().find(|p| p.status != bucket) {
        Some(p) => Err(InputError::BucketMismatch {
            name: p.name.clone(),
            version: p.version.clone(),
            bucket: bucket.as_str(),
            status: p.status.as_str(),
        }),
        None => Ok(list),
    }
}

/// A package without a name or version cannot be reported on.
pub(crate) fn check_packages(packages: &[Package]) -> Result<(), InputError> {
    match packages
        .iter()
        .find(|p| p.name.is_empty() || p.version.is_empty())
    {
        Some(p) => Err(InputError::EmptyIdentity {
            location: p.location.clone(),
        }),
        None => packages.iter().try_for_each(check_codes),
    }
}

/// Codes become SARIF rule ids, annotation titles and JUnit types: only well-formed ones pass.
fn check_codes(p: &Package) -> Result<(), InputError> {
    let codes = (p.code.iter())
        .chain(p.checks.iter().filter_map(|c| c.code.as_ref()))
        .chain(p.attestations.iter().filter_map(|a| a.code.as_ref()));
    for code in codes {
        if !is_code(code) {
            return Err(InputError::BadCode {
                package: p.id(),
                code: code.clone(),
            });
        }
    }
    Ok(())
}

fn is_code(code: &str) -> bool {
    let rest = code.strip_prefix('E').unwrap_or("");
    !rest.is_empty()
        && rest.len() < 64
        && rest
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The declared totals must match the listed packages: a report that contradicts itself is
/// not rendered (a renderer that silently trusted `summary` could hide failures).
pub(crate) fn check_summary(
    summary: &serde_json::Map<String, Value>,
    packages: &[Package],
) -> Result<(), InputError> {
    let count = |s: Status| packages.iter().filter(|p| p.status == s).count() as u64;
    let counted = [
        ("total", packages.len() as u64),
        ("verified", count(Status::Verified)),
        ("invalid", count(Status::Invalid)),
        ("missing", count(Status::Missing)),
        ("skipped", count(Status::Skipped)),
    ];
    for (field, counted) in counted {
        // Counters the lead may add later are ignored; the five known ones must be counts.
        if let Some(declared) = summary.get(field) {
            let declared = declared
                .as_u64()
                .ok_or(InputError::SummaryField { field })?;
            if declared != counted {
                return Err(InputError::SummaryMismatch {
                    field,
                    declared,
                    counted,
                });
            }
        }
    }
    Ok(())
}
