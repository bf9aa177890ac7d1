//! What is on disk is what is checked. Every package folder under `node_modules`, at any depth
//! and scoped or not, must be an installed entry of the lockfile (whether or not it holds a
//! package.json); a file that Node would load by a package name (`node_modules/x.js` answers
//! `require('x')` before `node_modules/x/`) must not be there; and every `node_modules/.bin`
//! entry must be a link to a bin its package declares. Each violation becomes a result of its
//! own (`EEXTRANEOUS`, `EBINLINK`), so it is named, decided by the policy and counted.
//!
//! Dot entries other than `.bin` (`.package-lock.json`, tools' `.cache`) are not packages: no
//! package name starts with a dot, so `require` never resolves to them by name.

use std::fs;
use std::path::{Component, Path, PathBuf};

use sigverify_lockfile::Tree;

use crate::model::{CheckOutcome, PackageResult};
use crate::Code;

/// The results for everything under `node_modules` the lockfile does not account for.
pub(crate) fn inventory(tree: &Tree) -> Vec<PackageResult> {
    let mut found = Vec::new();
    let mut folders = vec![String::new()];
    // Workspace folders (and other local folders) have node_modules of their own.
    folders.extend(
        tree.packages
            .iter()
            .filter(|p| !p.location.contains("node_modules/") && !p.location.starts_with(".."))
            .map(|p| p.location.clone()),
    );
    for folder in folders {
        scan(tree, &folder, &mut found);
    }
    found
}

/// Scans `<folder>/node_modules`, recursing into the node_modules of the entries it holds.
fn scan(tree: &Tree, folder: &str, found: &mut Vec<PackageResult>) {
    let dir = join(folder, "node_modules");
    if !folder.is_empty() && is_link(&tree.root.join(&dir)) {
        let why = format!(
            "{dir}: a link where npm makes a folder (what it points to is not what was checked)"
        );
        found.push(extraneous(
            &dir,
            &tree.root.join(&dir),
            Code::Extraneous,
            why,
        ));
        return;
    }
    let Ok(entries) = fs::read_dir(tree.root.join(&dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        match name.as_str() {
            ".bin" if is_link(&entry.path()) => {
                let location = format!("{dir}/.bin");
                let why = format!("{location}: a link where npm makes a folder of command links");
                found.push(extraneous(&location, &entry.path(), Code::BinLink, why));
            }
            ".bin" => check_bins(tree, &dir, found),
            _ if name.starts_with('.') => {}
            _ if name.starts_with('@') && entry.file_type().is_ok_and(|t| t.is_dir()) => {
                scan_scope(tree, &format!("{dir}/{name}"), found)
            }
            _ => candidate(tree, &format!("{dir}/{name}"), found),
        }
    }
}

fn scan_scope(tree: &Tree, scope_dir: &str, found: &mut Vec<PackageResult>) {
    let Ok(entries) = fs::read_dir(tree.root.join(scope_dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        candidate(tree, &format!("{scope_dir}/{name}"), found);
    }
}

/// One name under a `node_modules` folder: an entry of the lockfile, or extraneous.
fn candidate(tree: &Tree, location: &str, found: &mut Vec<PackageResult>) {
    let path = tree.root.join(location);
    let Ok(meta) = fs::symlink_metadata(&path) else {
        return;
    };
    if let Some(i) = tree.index_of(location) {
        if meta.is_dir() && tree.packages[i].installed != Some(false) {
            scan(tree, location, found);
        }
        return;
    }
    let why = if meta.is_file() {
        format!("{location}: a file in node_modules that the lockfile does not install (require would load it by name)")
    } else {
        format!("{location}: a folder in node_modules that the lockfile does not install")
    };
    found.push(extraneous(location, &path, Code::Extraneous, why));
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// A result for something on disk the lockfile does not account for.
fn extraneous(location: &str, path: &Path, code: Code, why: String) -> PackageResult {
    let name = location
        .rsplit_once("node_modules/")
        .map_or(location, |(_, n)| n);
    let version = read_json(&path.join("package.json"))
        .and_then(|m| m["version"].as_str().map(str::to_string))
        .unwrap_or_default();
    let mut result = PackageResult::new(name, &version, location, "extraneous");
    let not_in_lockfile = format!("{location}: not an entry of the lockfile");
    result.checks.registry_signature =
        CheckOutcome::not_applicable(Code::NotRegistry, not_in_lockfile);
    result.checks.source = CheckOutcome::failed(code, why);
    result
}

/// Each `<dir>/.bin` entry must link to a bin declared by a package installed in `<dir>`.
fn check_bins(tree: &Tree, dir: &str, found: &mut Vec<PackageResult>) {
    let bin_dir = format!("{dir}/.bin");
    let Ok(entries) = fs::read_dir(tree.root.join(&bin_dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let location = format!("{bin_dir}/{name}");
        if let Err(why) = bin_is_declared(tree, dir, &name, &entry.path()) {
            let why = format!("{location}: {why}");
            found.push(extraneous(&location, &entry.path(), Code::BinLink, why));
        }
    }
}

fn bin_is_declared(tree: &Tree, dir: &str, name: &str, link: &Path) -> Result<(), String> {
    if cfg!(windows) {
        // npm writes .cmd/.ps1 shims there, not links; they are checked by name only.
        return Ok(());
    }
    let target = fs::read_link(link).map_err(|_| "not a link (npm links bins)".to_string())?;
    let relative = normalize(&Path::new(dir).join(".bin").join(&target))
        .ok_or_else(|| format!("links outside the project ({})", target.display()))?;
    let rest = relative
        .strip_prefix(&format!("{dir}/"))
        .ok_or_else(|| format!("links outside {dir} ({})", target.display()))?;
    let (package, file) =
        split_package(rest).ok_or_else(|| format!("links to {relative}, not into a package"))?;
    let location = format!("{dir}/{package}");
    if tree.index_of(&location).is_none() {
        return Err(format!(
            "links into {location}, which the lockfile does not install"
        ));
    }
    let manifest = read_json(&tree.root.join(&location).join("package.json")).unwrap_or_default();
    match declared_bin(&manifest, package, name) {
        Some(declared) if declared == file => Ok(()),
        Some(declared) => Err(format!(
            "links to {file} but {package} declares bin {name} as {declared}"
        )),
        None if bin_dir_holds(&manifest, file) => Ok(()),
        None => Err(format!("{package} declares no bin named {name}")),
    }
}

/// `<a>/rest` or `@s/<a>/rest` (a path inside a `node_modules` folder) -> (`a` or `@s/a`,
/// `rest`).
fn split_package(rest: &str) -> Option<(&str, &str)> {
    let first = rest.find('/')?;
    let cut = if rest.starts_with('@') {
        first + 1 + rest[first + 1..].find('/')?
    } else {
        first
    };
    Some((&rest[..cut], &rest[cut + 1..]))
}

/// The file a manifest's `bin` names for `name`, normalised as npm does.
fn declared_bin(manifest: &serde_json::Value, package: &str, name: &str) -> Option<String> {
    let target = match &manifest["bin"] {
        serde_json::Value::String(t) => {
            let own = package.rsplit('/').next().unwrap_or(package);
            (own == name).then_some(t.as_str())?
        }
        serde_json::Value::Object(map) => map.get(name)?.as_str()?,
        _ => return None,
    };
    sigverify_content::normalize_bin_target(target)
}

/// npm links every file of `directories.bin` when there is no `bin`.
fn bin_dir_holds(manifest: &serde_json::Value, file: &str) -> bool {
    if !manifest["bin"].is_null() {
        return false;
    }
    let Some(dir) = manifest["directories"]["bin"]
        .as_str()
        .and_then(sigverify_content::normalize_bin_target)
    else {
        return false;
    };
    file.strip_prefix(&format!("{dir}/"))
        .is_some_and(|f| !f.is_empty())
}

/// A relative path with `.` and `..` resolved; `None` when it leaves the root.
fn normalize(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn join(folder: &str, name: &str) -> String {
    match folder {
        "" => name.to_string(),
        _ => format!("{folder}/{name}"),
    }
}

fn read_json(path: &PathBuf) -> Option<serde_json::Value> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_paths_split_into_package_and_file() {
        assert_eq!(split_package("a/bin/x.js"), Some(("a", "bin/x.js")));
        assert_eq!(split_package("@s/a/cli.js"), Some(("@s/a", "cli.js")));
        assert_eq!(split_package("a"), None);
        assert_eq!(
            normalize(Path::new("node_modules/.bin/../a/x")).as_deref(),
            Some("node_modules/a/x")
        );
        assert_eq!(
            normalize(Path::new("node_modules/.bin/../../../etc/x")),
            None
        );
    }

    #[test]
    fn declared_bins_follow_npm() {
        let m = serde_json::json!({ "bin": "./cli.js" });
        assert_eq!(
            declared_bin(&m, "@s/tool", "tool").as_deref(),
            Some("cli.js")
        );
        assert_eq!(declared_bin(&m, "@s/tool", "other"), None);
        let m = serde_json::json!({ "bin": { "x": "bin/x" } });
        assert_eq!(declared_bin(&m, "a", "x").as_deref(), Some("bin/x"));
        let m = serde_json::json!({ "directories": { "bin": "./bin" } });
        assert!(bin_dir_holds(&m, "bin/run"));
        assert!(!bin_dir_holds(&m, "lib/run"));
    }
}
