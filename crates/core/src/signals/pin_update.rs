//! `npm-sigverify pin`: records the verified publishing identity of every registry package of a
//! verified tree in the pin file. Existing pins are kept (that is their point); `--update NAME`
//! replaces the pins of the names given with what the tree has now.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::pins::{pinnable, Pin, PinFile};
use crate::error::VerifyError;
use crate::model::{CheckState, Report};
use crate::source::lines::release_line;

/// What `pin` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinUpdate {
    /// `name@line` pins added.
    pub added: Vec<String>,
    /// `name@line` pins replaced (`--update`).
    pub updated: Vec<String>,
    /// Pins already there and kept.
    pub kept: usize,
    /// Packages not pinned, with the reason (a failing signature, invalid attestations).
    pub refused: Vec<(String, String)>,
}

/// Updates the pin file at `path` from `report`; `update` names the packages whose pins are
/// replaced (each must be in the tree).
pub fn update_pins(
    report: &Report,
    path: &Path,
    update: &[String],
) -> Result<PinUpdate, VerifyError> {
    let names: BTreeSet<&str> = report.packages.iter().map(|p| p.name.as_str()).collect();
    if let Some(missing) = update.iter().find(|n| !names.contains(n.as_str())) {
        return Err(VerifyError::Usage(format!(
            "pin --update {missing}: {missing} is not in the tree of {}",
            report.project
        )));
    }
    let mut file = PinFile::read(path)?.unwrap_or(PinFile {
        version: 1,
        ..PinFile::default()
    });
    let before = file.clone();
    let mut outcome = PinUpdate::default();
    let mut packages: Vec<_> = report
        .packages
        .iter()
        .filter(|p| p.source == "registry")
        .collect();
    // The highest version of a line decides its pin when the tree has several.
    packages.sort_by(|a, b| (&a.name, semver(&a.version)).cmp(&(&b.name, semver(&b.version))));
    for p in packages {
        let Some(line) = release_line(&p.version) else {
            continue;
        };
        let identity = match refusal(p).map_or_else(|| pinnable(p), Err) {
            Ok(identity) => identity,
            Err(why) => {
                outcome.refused.push((p.id(), why));
                continue;
            }
        };
        let pin = Pin {
            provenance: identity,
            pinned_from: Some(p.version.clone()),
        };
        let lines = file.packages.entry(p.name.clone()).or_default();
        let replace = update.contains(&p.name) || !lines.contains_key(&line);
        if replace {
            lines.insert(line, pin);
        }
    }
    count(&before, &file, &mut outcome);
    file.write(path)?;
    Ok(outcome)
}

/// Why a package may not be pinned: only verified evidence becomes a pin.
fn refusal(p: &crate::model::PackageResult) -> Option<String> {
    let checks = &p.checks;
    if checks.registry_signature.state.fails() || checks.integrity.state.fails() {
        return Some(format!(
            "it does not verify ({})",
            p.code.map_or("-", |c| c.as_str())
        ));
    }
    (checks.attestations.state == CheckState::Failed).then(|| {
        let code = checks.attestations.code.map_or("-", |c| c.as_str());
        format!("its attestations fail ({code})")
    })
}

fn semver(version: &str) -> Option<node_semver::Version> {
    node_semver::Version::parse(version).ok()
}

/// Counts added, replaced and kept pins.
fn count(before: &PinFile, after: &PinFile, outcome: &mut PinUpdate) {
    for (name, lines) in &after.packages {
        for (line, pin) in lines {
            let id = format!("{name}@{line}");
            match before.packages.get(name).and_then(|l| l.get(line)) {
                None => outcome.added.push(id),
                Some(old) if old.provenance != pin.provenance => outcome.updated.push(id),
                Some(_) => outcome.kept += 1,
            }
        }
    }
}
