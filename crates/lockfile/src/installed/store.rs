//! An isolated store on disk: its real package folders and the dependency edges its symlinks
//! make. Bun keeps packages at `node_modules/.bun/<id>/node_modules/<name>`, Yarn Berry's
//! `pnpm` linker at `node_modules/.store/<id>/package` (dependencies beside it in
//! `<id>/node_modules`). Symlinks are read, never followed.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{io_error, LockfileError, WalkProblem};
use crate::model::{Package, Source};
use crate::paths::relative_to;
use crate::project::manifest::read_manifest;
use crate::spec::valid_name;

/// Packages in `node_modules` folders: `(name, path, is a symlink)`, scopes descended.
fn children(dir: &Path) -> Vec<(String, PathBuf, bool)> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if name.starts_with('@') && kind.is_dir() {
            for (inner, path, link) in children(&entry.path()) {
                if !inner.contains('/') {
                    out.push((format!("{name}/{inner}"), path, link));
                }
            }
        } else if !name.starts_with('.') && (kind.is_dir() || kind.is_symlink()) {
            out.push((name, entry.path(), kind.is_symlink()));
        }
    }
    out
}

/// The real package folders of the store `node_modules/<store>`, read from their
/// package.json (source and integrity come from the lockfile when they are matched).
pub(crate) fn store_folders(
    root: &Path,
    store: &str,
) -> Result<(Vec<Package>, Vec<WalkProblem>), LockfileError> {
    let base = root.join("node_modules").join(store);
    let entries = fs::read_dir(&base).map_err(|e| io_error(&base, e))?;
    let (mut packages, mut problems) = (Vec::new(), Vec::new());
    for entry in entries.flatten() {
        let id = entry.file_name().to_string_lossy().into_owned();
        // `<store>/node_modules` only holds symlinks for hoisted lookups.
        if id == "node_modules" || id.starts_with('.') {
            continue;
        }
        let mut found: Vec<(String, String, PathBuf)> =
            children(&entry.path().join("node_modules"))
                .into_iter()
                .filter(|(_, _, link)| !link)
                .map(|(name, path, _)| {
                    (
                        format!("node_modules/{store}/{id}/node_modules/{name}"),
                        name,
                        path,
                    )
                })
                .collect();
        let berry = entry.path().join("package");
        if fs::symlink_metadata(&berry).is_ok_and(|m| m.is_dir()) {
            found.push((
                format!("node_modules/{store}/{id}/package"),
                String::new(),
                berry,
            ));
        }
        for (location, name, path) in found {
            match folder_package(&location, &name, &path) {
                Ok(pkg) => packages.push(pkg),
                Err((code, message)) => problems.push(WalkProblem::new(&location, code, message)),
            }
        }
    }
    Ok((packages, problems))
}

fn folder_package(
    location: &str,
    folder: &str,
    path: &Path,
) -> Result<Package, (&'static str, String)> {
    let manifest_path = path.join("package.json");
    if !manifest_path.exists() {
        return Err((
            "ENOPACKAGEJSON",
            format!("{} not found", manifest_path.display()),
        ));
    }
    let m = read_manifest(&manifest_path).map_err(|e| ("EPACKAGEJSON", e))?;
    let name = m.name.clone().unwrap_or_else(|| folder.to_string());
    if !valid_name(&name) {
        return Err((
            "EPACKAGEJSON",
            format!("invalid name {name:?} in package.json"),
        ));
    }
    let mut pkg = Package::bare(
        &name,
        m.version.as_deref().unwrap_or(""),
        location.to_string(),
        Source::Registry { alias: None },
    );
    pkg.has_install_script = m.has_install_script || path.join("binding.gyp").is_file();
    pkg.installed = Some(true);
    Ok(pkg)
}

/// Edges from symlinks: in the root's and each workspace's `node_modules`, and beside each
/// store package (its dependencies are links in the same `node_modules` folder).
pub(crate) fn link_edges(root: &Path, packages: &[Package]) -> BTreeMap<(String, String), String> {
    let index: HashMap<&str, &Package> =
        packages.iter().map(|p| (p.location.as_str(), p)).collect();
    let mut edges = BTreeMap::new();
    let mut owners: Vec<(String, String)> = vec![(String::new(), "node_modules".into())];
    for p in packages {
        if matches!(p.source, Source::Workspace { .. }) {
            owners.push((p.location.clone(), format!("{}/node_modules", p.location)));
        } else if let Some(dir) = p.location.strip_suffix("/package") {
            owners.push((p.location.clone(), format!("{dir}/node_modules")));
        } else if let Some((dir, _)) = p.location.rsplit_once("/node_modules/") {
            if dir.contains("/.") {
                owners.push((p.location.clone(), format!("{dir}/node_modules")));
            }
        }
    }
    for (from, dir) in owners {
        for (name, path, link) in children(&root.join(&dir)) {
            let target = match link {
                true => match fs::read_link(&path) {
                    Ok(t) => relative_to(root, &path.parent().unwrap_or(root).join(t)),
                    Err(_) => continue,
                },
                false => format!("{dir}/{name}"),
            };
            if target != from && index.contains_key(target.as_str()) {
                edges.insert((from.clone(), name), target);
            }
        }
    }
    edges
}
