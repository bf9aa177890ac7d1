//! Pins, like SSH `known_hosts`: `sigverify.pins.json` records, per package and release line,
//! the verified publishing identity (or "no provenance"); a version published by another
//! identity fails `EPINMISMATCH` until `npm-sigverify pin --update NAME` accepts it.
//!
//! The file is meant to be committed: accepting a new identity is then a reviewable diff.
//! Versions of a line not pinned yet are reported `unpinned` and decided by the other signals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;
use sigverify_policy::{SignalFinding, SignalKind};

use crate::error::VerifyError;
use crate::model::{PackageResult, PublisherIdentity};
use crate::source::lines::release_line;
use crate::Code;

/// The default pin file name, at the project root.
pub const PINS_FILE: &str = "sigverify.pins.json";

/// The pin file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PinFile {
    /// Always 1.
    pub version: u32,
    /// Package name, then release line (`1`, `0.4`), to its pin.
    #[serde(default)]
    pub packages: BTreeMap<String, BTreeMap<String, Pin>>,
}

/// One pinned identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pin {
    /// The verified provenance identity; `null`: the line was pinned without provenance.
    pub provenance: Option<PublisherIdentity>,
    /// The version the pin was taken from (for the reader).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_from: Option<String>,
}

impl PinFile {
    /// Reads a pin file; `None` when there is none.
    pub fn read(path: &Path) -> Result<Option<PinFile>, VerifyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(bad(path, &e.to_string())),
        };
        let file: PinFile = serde_json::from_str(&text).map_err(|e| bad(path, &e.to_string()))?;
        if file.version != 1 {
            return Err(bad(path, &format!("unsupported version {}", file.version)));
        }
        Ok(Some(file))
    }

    /// Writes the file (pretty JSON, atomically).
    pub fn write(&self, path: &Path) -> Result<(), VerifyError> {
        let mut text = serde_json::to_string_pretty(self).expect("pins serialize");
        text.push('\n');
        let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
        let failed = |e: std::io::Error| VerifyError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        std::fs::write(&tmp, text).map_err(failed)?;
        std::fs::rename(&tmp, path).map_err(failed)
    }

    /// The pin of `name` for `version`'s release line.
    pub fn get(&self, name: &str, version: &str) -> Option<&Pin> {
        self.packages.get(name)?.get(&release_line(version)?)
    }
}

fn bad(path: &Path, why: &str) -> VerifyError {
    VerifyError::Usage(format!(
        "pin file {}: {why} (fix it, or write it again with `npm-sigverify pin`)",
        path.display()
    ))
}

/// The pin file of a run: the policy's or flag's, else `sigverify.pins.json` at the root.
pub(crate) fn pins_path(configured: Option<&PathBuf>, root: &Path) -> PathBuf {
    configured.cloned().unwrap_or_else(|| root.join(PINS_FILE))
}

/// The identity a pin compares: `Some` for verified provenance, `None` for none; `Err` when it
/// is not known (attestations invalid or not checked).
pub(crate) fn pinnable(result: &PackageResult) -> Result<Option<PublisherIdentity>, String> {
    let publisher = result.publisher.as_ref().ok_or("no publisher is known")?;
    match publisher.provenance.as_str() {
        "verified" => Ok(publisher.identity.clone()),
        "absent" => Ok(None),
        other => Err(format!("its provenance is {other}")),
    }
}

/// Compares each checked package with its pin, recording `result.pin` and a finding on a
/// mismatch.
pub(super) fn check_all(results: &mut [PackageResult], pins: &PinFile, path: &Path) {
    for result in results.iter_mut().filter(|r| r.publisher.is_some()) {
        let Ok(current) = pinnable(result) else {
            continue;
        };
        let Some(pin) = pins.get(&result.name, &result.version) else {
            result.pin = Some("unpinned".into());
            continue;
        };
        let changes = differences(pin.provenance.as_ref(), current.as_ref());
        if changes.is_empty() {
            result.pin = Some("match".into());
            continue;
        }
        result.pin = Some("mismatch".into());
        result
            .signals
            .push(mismatch(result, pin, current, changes, path));
    }
}

/// What differs between a pinned identity and the current one.
fn differences(pinned: Option<&PublisherIdentity>, now: Option<&PublisherIdentity>) -> Vec<String> {
    match (pinned, now) {
        (Some(p), Some(n)) => n.changes_from(p),
        (Some(_), None) => vec!["provenance lost".into()],
        (None, Some(n)) => vec![format!("provenance appeared: built by {n}")],
        (None, None) => Vec::new(),
    }
}

fn mismatch(
    result: &PackageResult,
    pin: &Pin,
    current: Option<PublisherIdentity>,
    changes: Vec<String>,
    path: &Path,
) -> SignalFinding {
    let show =
        |id: Option<&PublisherIdentity>| id.map_or("no provenance".to_string(), |i| i.to_string());
    let message = format!(
        "{} is published by {}, but {} pins {} for {} ({}): review the change, then accept it with `npm-sigverify pin --update {}`",
        result.id(),
        show(current.as_ref()),
        path.display(),
        show(pin.provenance.as_ref()),
        result.name,
        changes.join("; "),
        result.name
    );
    let evidence = json!({
        "pinned": pin.provenance,
        "pinnedFrom": pin.pinned_from,
        "current": current,
        "changes": changes,
        "file": path.display().to_string(),
    });
    SignalFinding {
        signal: SignalKind::Pins,
        code: Code::PinMismatch,
        message,
        evidence,
    }
}
