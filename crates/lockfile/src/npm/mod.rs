//! npm's lockfiles (`package-lock.json`, `npm-shrinkwrap.json`, the hidden lockfile): JSON read
//! by serde into wire types ([`raw`], [`schema`]), then checked ([`check`]) into packages, from
//! the v2/v3 `packages` map ([`packages`]) or the v1 `dependencies` tree ([`v1`]).

mod check;
mod packages;
mod raw;
mod schema;
mod v1;

use std::path::{Path, PathBuf};

use crate::error::{json_syntax_error, key_path, LockfileError};
use crate::model::{Input, Layout, Linker, Manager, Package, Tree};
use crate::project::workspace::Workspaces;
use check::Doc;
use raw::{Loose, Shaped};
use schema::RawLockfile;

/// Parses an npm lockfile, with the project's `package.json` workspaces for lockfiles that do
/// not record them (the hidden lockfile has no root entry; v1 has no workspaces at all).
pub(crate) fn parse_npm(
    path: &Path,
    text: &str,
    project: Option<&Workspaces>,
) -> Result<Tree, LockfileError> {
    let doc = Doc { file: path };
    let raw = parse_json(path, text)?;
    let raw = doc.object(&raw, || "(root)".to_string())?;
    let version = lockfile_version(doc, raw)?;
    let mut packages = match (version, &raw.packages) {
        (1, _) => read_v1(doc, raw, project)?,
        (_, Some(p)) => {
            let p = doc.object(p, || "packages".to_string())?;
            packages::read_packages(doc, p, project)?
        }
        // Like npm, a v2/v3 lockfile without `packages` is read from its `dependencies`.
        (_, None) if raw.dependencies.is_some() => read_v1(doc, raw, project)?,
        (_, None) => return Err(doc.shape("packages".to_string(), "missing")),
    };
    sort_unique(doc, &mut packages, version)?;
    let input = input_kind(path);
    Ok(Tree {
        root: root_of(path, input),
        input,
        manager: Manager::Npm,
        layout: Layout::NodeModules,
        linker: Linker::NodeModules,
        input_path: path.to_path_buf(),
        lockfile_version: Some(version),
        packages,
        problems: Vec::new(),
    })
}

/// Sorts by location and rejects two different packages at one location (a `packages` key
/// written twice, which JSON.parse would silently collapse, or v1 entries relocated into
/// the same linked folder). Sorting first makes this a linear scan instead of a hash set.
fn sort_unique(
    doc: Doc<'_>,
    packages: &mut Vec<Package>,
    version: u32,
) -> Result<(), LockfileError> {
    sort_by_location(packages);
    // v1 links sharing one target list the target's dependencies once per link.
    packages.dedup();
    let Some(pair) = packages.windows(2).find(|w| w[0].location == w[1].location) else {
        return Ok(());
    };
    let location = &pair[0].location;
    Err(match version {
        1 => doc.shape(
            "dependencies".to_string(),
            format!("two different entries install to {location:?}"),
        ),
        _ => doc.shape(key_path("packages", location), "duplicate key"),
    })
}

/// Sorts through a permutation of indices: a `Package` is a few hundred bytes, and moving
/// indices instead of packages makes sorting a large tree several times cheaper.
fn sort_by_location(packages: &mut Vec<Package>) {
    if packages.is_sorted_by(|a, b| a.location <= b.location) {
        return;
    }
    let mut order: Vec<usize> = (0..packages.len()).collect();
    order.sort_by(|&a, &b| packages[a].location.cmp(&packages[b].location));
    let mut slots: Vec<Option<Package>> = packages.drain(..).map(Some).collect();
    packages.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

fn parse_json<'t>(path: &Path, text: &'t str) -> Result<Shaped<RawLockfile<'t>>, LockfileError> {
    // npm tolerates (and some editors write) a UTF-8 byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| json_syntax_error(path, &e))
}

fn lockfile_version(doc: Doc<'_>, raw: &RawLockfile<'_>) -> Result<u32, LockfileError> {
    let path = || "lockfileVersion".to_string();
    match &raw.lockfile_version {
        None => Err(doc.shape(path(), "missing")),
        Some(Loose::UInt(v @ 1..=3)) => Ok(*v as u32),
        Some(Loose::UInt(found)) => Err(LockfileError::UnsupportedVersion {
            file: doc.file.to_path_buf(),
            found: *found,
        }),
        Some(other) => Err(doc.wrong(path(), "a positive integer", other.kind())),
    }
}

fn read_v1(
    doc: Doc<'_>,
    raw: &RawLockfile<'_>,
    project: Option<&Workspaces>,
) -> Result<Vec<Package>, LockfileError> {
    let Some(deps) = &raw.dependencies else {
        // A project without dependencies has no `dependencies` key at all.
        return Ok(Vec::new());
    };
    let deps = doc.object(deps, || "dependencies".into())?;
    v1::read_dependencies(doc, deps, project.unwrap_or(&Workspaces::default()))
}

pub(crate) fn input_kind(path: &Path) -> Input {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let parent = path.parent().and_then(Path::file_name);
    match name {
        "npm-shrinkwrap.json" => Input::Shrinkwrap,
        ".package-lock.json" if parent.is_some_and(|p| p == "node_modules") => {
            Input::HiddenLockfile
        }
        _ => Input::PackageLock,
    }
}

pub(crate) fn root_of(path: &Path, input: Input) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new(""));
    match input {
        Input::HiddenLockfile => parent.parent().unwrap_or(Path::new("")).to_path_buf(),
        _ => parent.to_path_buf(),
    }
}
