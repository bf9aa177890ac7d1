//! Script approvals tied to bytes, and npm 12's `allowScripts`.
//!
//! * `sigverify.approvals.json` (written by `npm-sigverify approve-scripts NAME`) approves the
//!   install scripts of one package version by its registry-signed integrity: a new tarball (a
//!   new version, or the same version republished through a mirror) is not approved until
//!   someone approves it again.
//! * npm 12's package.json `allowScripts` (`{"esbuild": true, "core-js": false,
//!   "sharp@0.33.4 || 0.33.5": true}`) is read with npm's rules for registry packages: a bare name
//!   (or `name@*`) allows every version, exact versions joined by `||` allow those, `false`
//!   denies and a deny wins; ranges and tags allow nothing (npm ignores them too).
//!
//! When the project has either, install scripts are gated: a package runs its scripts only when
//! one of them (or the `npm-sigverify.allowScripts` name list) admits it and npm's list does not
//! deny it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ManifestError;

/// The approvals file name, at the project root.
pub const APPROVALS_FILE: &str = "sigverify.approvals.json";

/// The approvals file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalFile {
    /// Always 1.
    pub version: u32,
    /// Package name to its approved tarballs.
    #[serde(default)]
    pub approvals: BTreeMap<String, Vec<Approval>>,
}

/// One approved tarball.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The version approved.
    pub version: String,
    /// Its registry-signed integrity: the approval covers these bytes only.
    pub integrity: String,
    /// The install scripts its signed tarball declares, for the reviewer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scripts: Vec<String>,
}

impl ApprovalFile {
    /// Reads the approvals file of a project; `None` when it has none.
    pub fn read(dir: &Path) -> Result<Option<ApprovalFile>, ManifestError> {
        let path = dir.join(APPROVALS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ManifestError::Io {
                    action: "read",
                    path,
                    source,
                })
            }
        };
        let file: ApprovalFile = serde_json::from_str(&text)
            .map_err(|e| ManifestError::Malformed(format!("{}: {e}", path.display())))?;
        if file.version != 1 {
            let why = format!("{}: unsupported version {}", path.display(), file.version);
            return Err(ManifestError::Malformed(why));
        }
        Ok(Some(file))
    }

    /// Writes the approvals file of a project (pretty JSON, atomically).
    pub fn write(&self, dir: &Path) -> Result<PathBuf, ManifestError> {
        let path = dir.join(APPROVALS_FILE);
        let mut text = serde_json::to_string_pretty(self).expect("approvals serialize");
        text.push('\n');
        let tmp = dir.join(format!(".{APPROVALS_FILE}.tmp-{}", std::process::id()));
        let io = |source| ManifestError::Io {
            action: "write",
            path: path.clone(),
            source,
        };
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(path)
    }

    /// The approval of exactly these bytes, if any.
    pub fn find(&self, name: &str, version: &str, integrity: &str) -> Option<&Approval> {
        self.approvals
            .get(name)?
            .iter()
            .find(|a| a.version == version && a.integrity == integrity)
    }
}

/// npm 12's `allowScripts`: spec to allow (`true`) or deny (`false`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NpmAllowScripts(Vec<(String, Option<Vec<String>>, bool)>);

impl NpmAllowScripts {
    /// Reads package.json's `allowScripts`, if present.
    pub fn from_manifest(doc: &Value) -> Result<Option<NpmAllowScripts>, ManifestError> {
        let Some(field) = doc.get("allowScripts") else {
            return Ok(None);
        };
        let bad = || ManifestError::Field {
            field: "allowScripts".into(),
            expected: "an object of package specs to true or false (npm 12)",
        };
        let entries = field.as_object().ok_or_else(bad)?;
        let mut out = Vec::new();
        for (spec, allow) in entries {
            let allow = allow.as_bool().ok_or_else(bad)?;
            if let Some((name, versions)) = parse_spec(spec) {
                out.push((name, versions, allow));
            }
        }
        Ok(Some(NpmAllowScripts(out)))
    }

    /// `Some(true)` allowed, `Some(false)` denied (a deny wins), `None` not listed.
    pub fn verdict(&self, name: &str, version: &str) -> Option<bool> {
        let matching = self.0.iter().filter(|(n, versions, _)| {
            n == name
                && versions
                    .as_ref()
                    .is_none_or(|vs| vs.iter().any(|v| v == version))
        });
        matching.fold(None, |acc, (_, _, allow)| match (acc, allow) {
            (Some(false), _) | (_, false) => Some(false),
            _ => Some(true),
        })
    }
}

/// `name`, `name@*` (every version) or `name@1.2.3 || 1.2.4`; other specs (ranges, tags, git,
/// files) match no registry package, as in npm.
fn parse_spec(spec: &str) -> Option<(String, Option<Vec<String>>)> {
    let at = spec
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '@')
        .map(|(i, _)| i);
    let (name, range) = match at {
        Some(i) => (&spec[..i], spec[i + 1..].trim()),
        None => (spec, ""),
    };
    if name.is_empty() || name.contains(':') {
        return None;
    }
    if range.is_empty() || range == "*" {
        return Some((name.to_string(), None));
    }
    let versions: Vec<String> = range.split("||").map(|v| v.trim().to_string()).collect();
    let exact = versions
        .iter()
        .all(|v| node_semver::Version::parse(v).is_ok_and(|p| p.to_string() == *v));
    exact.then(|| (name.to_string(), Some(versions)))
}

/// Every source of script approval a project has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectApprovals {
    /// package.json `allowScripts` (npm 12).
    pub npm: Option<NpmAllowScripts>,
    /// `sigverify.approvals.json`.
    pub pinned: Option<ApprovalFile>,
}

/// Why a package's scripts are approved or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Approved (by what).
    Approved(&'static str),
    /// Denied by package.json allowScripts.
    Denied,
    /// Not approved (why, and what to do).
    Unreviewed(String),
}

impl ProjectApprovals {
    /// The approvals of the project in `dir`, whose package.json text is `manifest`.
    pub fn read(dir: &Path, manifest: &str) -> Result<ProjectApprovals, ManifestError> {
        let manifest = manifest.strip_prefix('\u{feff}').unwrap_or(manifest);
        let doc: Value =
            serde_json::from_str(manifest).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        Ok(ProjectApprovals {
            npm: NpmAllowScripts::from_manifest(&doc)?,
            pinned: ApprovalFile::read(dir)?,
        })
    }

    /// True when the project gates scripts with approvals at all.
    pub fn configured(&self) -> bool {
        self.npm.is_some() || self.pinned.is_some()
    }

    /// Whether `name@version` with the signed `integrity` may run its scripts.
    pub fn judge(&self, name: &str, version: &str, integrity: Option<&str>) -> Judgement {
        match self.npm.as_ref().and_then(|n| n.verdict(name, version)) {
            Some(false) => return Judgement::Denied,
            Some(true) => return Judgement::Approved("package.json allowScripts"),
            None => {}
        }
        let pinned = self
            .pinned
            .as_ref()
            .and_then(|f| f.find(name, version, integrity?));
        if pinned.is_some() {
            return Judgement::Approved(APPROVALS_FILE);
        }
        let earlier = self
            .pinned
            .as_ref()
            .and_then(|f| f.approvals.get(name))
            .filter(|a| !a.is_empty());
        let why = match earlier {
            Some(list) => format!(
                "approved for {} but not for this tarball ({}): review it, then run `npm-sigverify approve-scripts {name}`",
                list.iter().map(|a| format!("{name}@{}", a.version)).collect::<Vec<_>>().join(", "),
                integrity.unwrap_or("no signed integrity")
            ),
            None => format!("not approved: review its scripts, then run `npm-sigverify approve-scripts {name}`"),
        };
        Judgement::Unreviewed(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_allow_scripts_follows_npms_rules() {
        let doc: Value = serde_json::from_str(
            r#"{"allowScripts": {"esbuild": true, "sharp@0.33.4 || 0.33.5": true, "core-js": false,
                "core-js@3.0.0": true, "left-pad@^1.0.0": true, "@acme/tool@*": true, "latest@latest": true}}"#,
        )
        .unwrap();
        let npm = NpmAllowScripts::from_manifest(&doc).unwrap().unwrap();
        assert_eq!(npm.verdict("esbuild", "0.21.5"), Some(true));
        assert_eq!(npm.verdict("sharp", "0.33.5"), Some(true));
        assert_eq!(npm.verdict("sharp", "0.34.0"), None);
        assert_eq!(npm.verdict("core-js", "3.0.0"), Some(false), "deny wins");
        assert_eq!(
            npm.verdict("left-pad", "1.0.0"),
            None,
            "ranges allow nothing"
        );
        assert_eq!(npm.verdict("@acme/tool", "2.0.0"), Some(true));
        assert_eq!(npm.verdict("latest", "1.0.0"), None, "tags allow nothing");
        let bad: Value = serde_json::from_str(r#"{"allowScripts": ["esbuild"]}"#).unwrap();
        assert!(NpmAllowScripts::from_manifest(&bad).is_err());
    }

    #[test]
    fn an_approval_covers_one_tarball_only() {
        let mut file = ApprovalFile {
            version: 1,
            ..ApprovalFile::default()
        };
        file.approvals.insert(
            "esbuild".into(),
            vec![Approval {
                version: "0.21.5".into(),
                integrity: "sha512-A".into(),
                scripts: vec![],
            }],
        );
        let approvals = ProjectApprovals {
            npm: None,
            pinned: Some(file),
        };
        assert!(approvals.configured());
        assert_eq!(
            approvals.judge("esbuild", "0.21.5", Some("sha512-A")),
            Judgement::Approved(APPROVALS_FILE)
        );
        let Judgement::Unreviewed(why) = approvals.judge("esbuild", "0.21.5", Some("sha512-B"))
        else {
            panic!("another tarball of the same version must not be approved");
        };
        assert!(why.contains("not for this tarball"), "{why}");
        assert!(matches!(
            approvals.judge("esbuild", "0.21.6", Some("sha512-A")),
            Judgement::Unreviewed(_)
        ));
        assert!(matches!(
            approvals.judge("other", "1.0.0", None),
            Judgement::Unreviewed(_)
        ));
    }
}
