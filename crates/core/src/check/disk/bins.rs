//! `node_modules/.bin`: every entry must lead to a bin its package declares. npm, Yarn and Bun
//! make symlinks; pnpm writes shell shims that `exec node "$basedir/<path>"` (see `shim.rs`).
//! The file an entry leads to is the one the kernel opens, following every link on the way.

use std::fs;
use std::path::Path;

use sigverify_lockfile::{Linker, Manager, Tree};

use super::{normalize, read_json, shim, Scan};
use crate::Code;

/// Each `<dir>/.bin` entry must lead to a bin declared by a package the lockfile installs.
pub(super) fn check(scan: &mut Scan<'_>, dir: &str) {
    let bin_dir = format!("{dir}/.bin");
    let entries = scan.list(&bin_dir);
    let tree = scan.tree;
    let project = scan.project.get_or_init(|| shim::Project::new(&tree.root));
    let mut undeclared = Vec::new();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Err(why) = bin_is_declared(tree, project, dir, &name, &entry.path()) {
            undeclared.push((format!("{bin_dir}/{name}"), why));
        }
    }
    // Reported once the borrow of the scan's project ends.
    for (location, why) in undeclared {
        scan.extraneous(&location, Code::BinLink, format!("{location}: {why}"));
    }
}

fn bin_is_declared(
    tree: &Tree,
    project: &shim::Project,
    dir: &str,
    name: &str,
    entry: &Path,
) -> Result<(), String> {
    if cfg!(windows) {
        // npm writes .cmd/.ps1 shims there, not links; they are checked by name only.
        return Ok(());
    }
    let target = bin_target(tree, project, entry, name)?;
    let relative = normalize(&Path::new(dir).join(".bin").join(&target))
        .ok_or_else(|| format!("leads outside the project ({target})"))?;
    followed_as_written(tree, dir, &target, &relative)?;
    let (location, file) = owning_package(tree, &relative)
        .or_else(|| owning_package(tree, &real_location(tree, &relative)?))
        .ok_or_else(|| {
            format!("leads to {relative}, which is not in a package the lockfile installs")
        })?;
    // npm links the bins of the packages installed in `<dir>` only; an isolated store's bins
    // lead into the store, and Yarn and Bun link a workspace's dependencies' bins in its own
    // `.bin` wherever the packages were hoisted to.
    let npm_layout = tree.linker != Linker::Isolated && tree.manager == Manager::Npm;
    if npm_layout && !location.starts_with(&format!("{dir}/")) {
        return Err(format!("leads into {location}, outside {dir}"));
    }
    let package = &tree.packages[tree.index_of(&location).expect("found above")].name;
    let manifest = read_json(&tree.root.join(&location).join("package.json")).unwrap_or_default();
    match declared_bin(&manifest, package, name) {
        Some(declared) if declared == file => Ok(()),
        Some(declared) => Err(format!(
            "leads to {file} but {package} declares bin {name} as {declared}"
        )),
        None if bin_dir_holds(&manifest, name, file.as_str()) => Ok(()),
        None => Err(format!("{package} declares no bin named {name}")),
    }
}

/// The kernel resolves `..` after following links (`.bin/../.x/link/../../alpha/cli.js` may
/// open a file in a folder no check reads), while `relative` drops `..` as text: the file the
/// kernel opens must be the one `relative` names.
fn followed_as_written(tree: &Tree, dir: &str, target: &str, relative: &str) -> Result<(), String> {
    let root = &tree.root;
    let opened = fs::canonicalize(root.join(dir).join(".bin").join(target)).ok();
    if opened == fs::canonicalize(root.join(relative)).ok() {
        return Ok(());
    }
    let shown = match opened
        .as_deref()
        .and_then(|p| p.strip_prefix(fs::canonicalize(root).ok()?).ok())
    {
        Some(inside) => inside.to_string_lossy().into_owned(),
        None => "a file outside the project, or nothing".to_string(),
    };
    Err(format!(
        "names {relative}, but following its links leads to {shown}"
    ))
}

/// Where a `.bin` entry leads, relative to the `.bin` folder: a symlink's target, or the
/// script path of a pnpm shim.
fn bin_target(
    tree: &Tree,
    project: &shim::Project,
    entry: &Path,
    name: &str,
) -> Result<String, String> {
    if let Ok(target) = fs::read_link(entry) {
        return Ok(target.to_string_lossy().into_owned());
    }
    if tree.manager != sigverify_lockfile::Manager::Pnpm {
        return Err("not a link (npm links bins)".into());
    }
    // A shim is a few lines; a FIFO or a link to a device there must not stall the run.
    let script = sigverify_lockfile::read_regular_text(entry, 1 << 20)
        .map_err(|e| format!("unreadable: {e}"))?;
    let bin_dir = entry.parent().unwrap_or(entry);
    shim::target(project, bin_dir, name, &script)
}

/// `path` with every symlink on the way resolved, relative to the project (a pnpm shim goes
/// through `node_modules/<name>`, a link into the store); `None` outside the project.
fn real_location(tree: &Tree, path: &str) -> Option<String> {
    let real = fs::canonicalize(tree.root.join(path)).ok()?;
    let root = fs::canonicalize(&tree.root).ok()?;
    let relative = real.strip_prefix(root).ok()?;
    Some(relative.to_string_lossy().replace('\\', "/"))
}

/// The lockfile package whose folder holds `path` (the longest location that is a prefix of
/// it), and the file inside it. A file under a `node_modules` folder belongs to the package
/// installed there, never to the folder around it: a pnpm workspace's
/// `packages/a/node_modules/alpha` is a link into the store, not part of `packages/a`.
fn owning_package(tree: &Tree, path: &str) -> Option<(String, String)> {
    let mut cut = path.len();
    while let Some(i) = path[..cut].rfind('/') {
        cut = i;
        let (location, file) = (&path[..cut], &path[cut + 1..]);
        if file.starts_with("node_modules/") {
            return None;
        }
        if tree.index_of(location).is_some() {
            return Some((location.to_string(), file.to_string()));
        }
    }
    None
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

/// npm links every file of `directories.bin`, under its own file name, when there is no `bin`.
fn bin_dir_holds(manifest: &serde_json::Value, name: &str, file: &str) -> bool {
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
        .is_some_and(|f| !f.is_empty() && f.rsplit('/').next() == Some(name))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(bin_dir_holds(&m, "run", "bin/run"));
        assert!(bin_dir_holds(&m, "run", "bin/sub/run"));
        assert!(!bin_dir_holds(&m, "node", "bin/run"));
        assert!(!bin_dir_holds(&m, "run", "lib/run"));
    }
}
