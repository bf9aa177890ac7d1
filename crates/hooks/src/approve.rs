//! `npm-sigverify approve-scripts NAME[@VERSION]...`: approves the install scripts of packages of
//! a verified tree, each by its registry-signed integrity, in `sigverify.approvals.json`.
//! Only a package the policy accepts and whose registry signature verified can be approved: an
//! approval is a statement about exactly those bytes.

use std::path::{Path, PathBuf};

use sigverify_core::{PackageResult, Report, Status};
use sigverify_policy::Outcome;

use crate::approvals::{Approval, ApprovalFile};
use crate::error::ManifestError;

/// What `approve-scripts` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Approved {
    /// The file written (when something was approved).
    pub path: Option<PathBuf>,
    /// `name@version (integrity)` approved.
    pub approved: Vec<String>,
    /// `name@version` that could not be approved, and why.
    pub refused: Vec<(String, String)>,
    /// Specs that match no package of the tree.
    pub missing: Vec<String>,
}

/// Approves the packages `specs` (`name` or `name@version`) of `report`, recording them in the
/// approvals file of `dir`.
pub fn approve_scripts(
    report: &Report,
    specs: &[String],
    dir: &Path,
) -> Result<Approved, ManifestError> {
    let mut file = ApprovalFile::read(dir)?.unwrap_or(ApprovalFile {
        version: 1,
        ..ApprovalFile::default()
    });
    let mut out = Approved::default();
    for spec in specs {
        let matched: Vec<&PackageResult> = report
            .packages
            .iter()
            .filter(|p| matches(p, spec))
            .collect();
        if matched.is_empty() {
            out.missing.push(spec.clone());
        }
        for p in matched {
            match approval(p) {
                Ok(approval) => {
                    out.approved
                        .push(format!("{} ({})", p.id(), approval.integrity));
                    add(&mut file, &p.name, approval);
                }
                Err(why) => out.refused.push((p.id(), why)),
            }
        }
    }
    if !out.approved.is_empty() {
        out.path = Some(file.write(dir)?);
    }
    Ok(out)
}

/// `name` matches every version; `name@version` that one (scoped names keep their `@`).
fn matches(p: &PackageResult, spec: &str) -> bool {
    match spec[1.min(spec.len())..].rfind('@') {
        Some(i) => p.name == spec[..i + 1] && p.version == spec[i + 2..],
        None => p.name == spec,
    }
}

/// The approval of a verified package, or why it cannot be approved.
fn approval(p: &PackageResult) -> Result<Approval, String> {
    if p.source != "registry" {
        return Err(format!(
            "it is a {} package: only registry tarballs have a signed integrity to approve",
            p.source
        ));
    }
    let failed = p
        .decision
        .as_ref()
        .is_none_or(|d| d.outcome == Outcome::Fail);
    if failed || p.status != Status::Verified {
        let code = p.code.map_or("a policy check", |c| c.as_str());
        return Err(format!(
            "it does not pass verification ({code}): fix that first"
        ));
    }
    let integrity = p.integrity.clone().ok_or("no signed integrity is known")?;
    let scripts = p.install_scripts.clone().unwrap_or_default();
    if p.install_scripts.as_ref().is_some_and(Vec::is_empty) {
        return Err("its signed tarball declares no install scripts".into());
    }
    Ok(Approval {
        version: p.version.clone(),
        integrity,
        scripts,
    })
}

/// Adds an approval, replacing one for the same version (a republished tarball).
fn add(file: &mut ApprovalFile, name: &str, approval: Approval) {
    let list = file.approvals.entry(name.to_string()).or_default();
    list.retain(|a| a.version != approval.version);
    list.push(approval);
    list.sort_by(|a, b| a.version.cmp(&b.version));
}
