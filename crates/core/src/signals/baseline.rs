//! Changes against a baseline: a lockfile (a path), or the lockfile committed at a git ref
//! (`HEAD`, `origin/main`). The report lists added, removed and changed packages; a patch or
//! minor update that declares a runtime dependency (`dependencies`, `optionalDependencies`)
//! whose name the baseline never had gets `ENEWDEPENDENCY`, and a newly added package named one
//! edit away from a well-known one gets `ETYPOSQUAT`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;
use sigverify_lockfile::{parse_lockfile, Input, Tree};
use sigverify_policy::{SignalFinding, SignalKind};

use super::typosquat::lookalike;
use crate::model::{BaselineChange, BaselineSummary, PackageResult, VersionChange};
use crate::source::lines::is_minor_or_patch_update;
use crate::Code;

/// Package names and their versions.
type Versions = BTreeMap<String, BTreeSet<String>>;

/// Lockfiles looked for at a git ref, after the one the tree was read from.
const LOCKFILES: [&str; 5] = [
    "npm-shrinkwrap.json",
    "package-lock.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
];

/// The baseline's packages: `reference` is a lockfile path (relative to the project) or a git
/// ref of the project's repository.
///
/// A path is written as one (`./x`, `../x`, `/x`) or names a lockfile-like file (`.json`,
/// `.yaml`, `.yml`, `.lock`): anything else is a git ref, never a file of the working tree (a
/// pull request adding a file named `HEAD` or `origin/main`, holding its own lockfile, would
/// otherwise be the baseline it is compared with).
pub(super) fn load(reference: &str, tree: &Tree) -> Result<Versions, String> {
    let baseline = match names_file(reference) {
        true => {
            let path = tree.root.join(reference);
            sigverify_lockfile::load_lockfile(&path).map_err(|e| e.to_string())?
        }
        false => from_git(reference, tree)?,
    };
    Ok(versions(&baseline))
}

/// True when `reference` is written as a path, or its last segment has a lockfile's extension.
fn names_file(reference: &str) -> bool {
    let explicit = ["./", "../", "/", ".\\", "..\\"]
        .iter()
        .any(|p| reference.starts_with(p));
    let name = reference.rsplit(['/', '\\']).next().unwrap_or(reference);
    let extension = name.rsplit_once('.').map(|(_, e)| e);
    explicit || matches!(extension, Some("json" | "yaml" | "yml" | "lock"))
}

fn versions(tree: &Tree) -> Versions {
    let mut out = Versions::new();
    for p in &tree.packages {
        out.entry(p.name.clone())
            .or_default()
            .insert(p.version.clone());
    }
    out
}

/// The lockfile committed at `reference`: the tree's own lockfile's path first.
fn from_git(reference: &str, tree: &Tree) -> Result<Tree, String> {
    let own = match tree.input {
        Input::Shrinkwrap | Input::PackageLock => tree
            .input_path
            .strip_prefix(&tree.root)
            .ok()
            .map(Path::to_path_buf),
        _ => None,
    };
    let candidates = own.into_iter().chain(LOCKFILES.iter().map(PathBuf::from));
    let mut last = String::from("no lockfile");
    for rel in candidates {
        let spec = format!("{reference}:./{}", rel.display());
        let out = Command::new("git")
            .args(["show", &spec])
            .current_dir(&tree.root)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            let text = String::from_utf8(out.stdout).map_err(|_| format!("{spec} is not UTF-8"))?;
            return parse_lockfile(&rel, &text).map_err(|e| format!("{spec}: {e}"));
        }
        last = String::from_utf8_lossy(&out.stderr).trim().to_string();
    }
    Err(format!(
        "'{reference}' is not a git ref with a lockfile ({last}); write a lockfile's path as ./{reference} or with its extension"
    ))
}

/// Records each result's change against `baseline`, the summary, and the findings.
pub(super) fn apply(
    results: &mut [PackageResult],
    baseline: &Versions,
    reference: &str,
    tree: &Tree,
    signals: (bool, bool),
) -> BaselineSummary {
    let current = versions(tree);
    let summary = summary(baseline, &current, reference);
    let (new_dependencies, typosquats) = signals;
    for result in results.iter_mut() {
        let change = change_of(result, baseline);
        if result.source == "registry" {
            if new_dependencies && change.state == "changed" {
                result
                    .signals
                    .extend(new_dependency(result, &change, baseline));
            }
            if typosquats && change.state == "added" {
                result.signals.extend(typosquat(result));
            }
        }
        result.baseline = Some(change);
    }
    summary
}

fn summary(baseline: &Versions, current: &Versions, reference: &str) -> BaselineSummary {
    let ids = |name: &str, versions: &BTreeSet<String>| -> Vec<String> {
        versions.iter().map(|v| format!("{name}@{v}")).collect()
    };
    let mut s = BaselineSummary {
        reference: reference.to_string(),
        ..BaselineSummary::default()
    };
    for (name, now) in current {
        match baseline.get(name) {
            None => s.added.extend(ids(name, now)),
            Some(before) if before != now => s.changed.push(VersionChange {
                name: name.clone(),
                from: before.iter().cloned().collect(),
                to: now.iter().cloned().collect(),
            }),
            Some(_) => {}
        }
    }
    for (name, before) in baseline.iter().filter(|(n, _)| !current.contains_key(*n)) {
        s.removed.extend(ids(name, before));
    }
    s
}

fn change_of(result: &PackageResult, baseline: &Versions) -> BaselineChange {
    let state = match baseline.get(&result.name) {
        None => "added",
        Some(versions) if versions.contains(&result.version) => "unchanged",
        Some(_) => "changed",
    };
    let from = match state {
        "changed" => baseline[&result.name].iter().cloned().collect(),
        _ => Vec::new(),
    };
    BaselineChange {
        state: state.to_string(),
        from,
    }
}

/// A patch or minor update whose published manifest declares runtime dependencies the baseline
/// never had.
fn new_dependency(
    result: &PackageResult,
    change: &BaselineChange,
    baseline: &Versions,
) -> Option<SignalFinding> {
    let from = change
        .from
        .iter()
        .filter(|b| is_minor_or_patch_update(b, &result.version))
        .max_by(|a, b| semver(a).cmp(&semver(b)))?;
    let declared = result.declared.as_deref()?;
    let new: Vec<&String> = declared
        .dependencies
        .keys()
        .chain(declared.optional.keys())
        .filter(|name| !baseline.contains_key(*name))
        .collect();
    if new.is_empty() {
        return None;
    }
    let list: Vec<&str> = new.iter().map(|s| s.as_str()).collect();
    let message = format!(
        "{} (updated from {from}) adds the runtime {} {}, which the baseline never had: review {} before accepting the update",
        result.id(),
        if list.len() == 1 { "dependency" } else { "dependencies" },
        list.join(", "),
        if list.len() == 1 { "it" } else { "them" },
    );
    let evidence = json!({ "from": from, "newDependencies": list });
    Some(finding(
        SignalKind::NewDependencies,
        Code::NewDependency,
        message,
        evidence,
    ))
}

fn semver(version: &str) -> Option<node_semver::Version> {
    node_semver::Version::parse(version).ok()
}

fn typosquat(result: &PackageResult) -> Option<SignalFinding> {
    let known = lookalike(&result.name)?;
    let message = format!(
        "{} is new in this tree and its name is one edit away from the well-known {known}: check it is the package you meant",
        result.id()
    );
    let evidence = json!({ "similarTo": known });
    Some(finding(
        SignalKind::Typosquats,
        Code::Typosquat,
        message,
        evidence,
    ))
}

fn finding(
    signal: SignalKind,
    code: Code,
    message: String,
    evidence: serde_json::Value,
) -> SignalFinding {
    SignalFinding {
        signal,
        code,
        message,
        evidence,
    }
}

#[cfg(test)]
mod path_tests {
    use super::names_file;

    /// A file named like a ref (`HEAD`, `origin/main`) is never read as the baseline.
    #[test]
    fn only_a_path_or_a_lockfile_like_name_is_a_file() {
        for path in [
            "package-lock.json",
            "base/yarn.lock",
            "/tmp/x/pnpm-lock.yaml",
            "bun.lock",
            "baseline-lock.json",
            "./HEAD",
        ] {
            assert!(names_file(path), "{path}");
        }
        for reference in ["HEAD", "origin/main", "main~1", "v1.0.0", "refs/heads/main"] {
            assert!(!names_file(reference), "{reference}");
        }
    }
}
