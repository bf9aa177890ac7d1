//! Which input of a project directory to read.
//!
//! Lockfiles present decide; npm's own precedence among its files is kept (shrinkwrap, then
//! package-lock.json; the hidden lockfile and a bare `node_modules` only when no lockfile
//! exists). When several managers' lockfiles exist, package.json `packageManager` decides,
//! else the installed layout's markers, else the choice is an `EAMBIGUOUSLOCKFILE` error. An
//! npm or Bun lockfile beside the one chosen is an `EAMBIGUOUSLOCKFILE` error too: those
//! managers ignore `packageManager`, so a decoy lockfile could hide the one they install.

use std::path::{Path, PathBuf};

use crate::error::LockfileError;
use crate::format::{format_of, Format};
use crate::model::Manager;
use crate::project::manifest::read_manifest;

/// What to read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Choice {
    /// This lockfile.
    Lockfile(PathBuf),
    /// A walk of `node_modules` (no lockfile at all).
    Walk,
}

/// The lockfiles each manager writes, in its own order of precedence.
const CANDIDATES: [(&str, Manager); 6] = [
    ("npm-shrinkwrap.json", Manager::Npm),
    ("package-lock.json", Manager::Npm),
    ("pnpm-lock.yaml", Manager::Pnpm),
    ("yarn.lock", Manager::Yarn),
    ("bun.lock", Manager::Bun),
    ("bun.lockb", Manager::Bun),
];

/// Markers an install leaves in `node_modules`, and whose they are.
const MARKERS: [(&str, Manager); 6] = [
    ("node_modules/.pnpm", Manager::Pnpm),
    ("node_modules/.modules.yaml", Manager::Pnpm),
    ("node_modules/.yarn-integrity", Manager::Yarn),
    ("node_modules/.yarn-state.yml", Manager::YarnBerry),
    ("node_modules/.bun", Manager::Bun),
    ("node_modules/.package-lock.json", Manager::Npm),
];

/// Picks the input of the project in `dir`.
pub(crate) fn choose(dir: &Path) -> Result<Choice, LockfileError> {
    let found = present(dir);
    let mut managers: Vec<Manager> = Vec::new();
    for (_, m) in &found {
        if !managers.contains(m) {
            managers.push(*m);
        }
    }
    let ambiguous = || LockfileError::AmbiguousLockfiles {
        dir: dir.to_path_buf(),
        found: found.iter().map(|(p, _)| file_name(p)).collect(),
    };
    let pick = match managers.as_slice() {
        [] => return Ok(without_lockfile(dir)),
        [one] => *one,
        many => declared(dir, many)
            .or_else(|| marked(dir, many))
            .ok_or_else(ambiguous)?,
    };
    // npm and Bun install their own lockfile whatever `packageManager` or a layout marker says
    // (pnpm and Yarn refuse to run under another manager's name): another choice beside one of
    // theirs would leave the lockfile `npm ci` installs unread.
    if managers
        .iter()
        .any(|m| *m != pick && ignores_package_manager(*m))
    {
        return Err(ambiguous());
    }
    let path = found.into_iter().find(|(_, m)| *m == pick).map(|(p, _)| p);
    Ok(Choice::Lockfile(
        path.expect("the pick is one of the managers found"),
    ))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The lockfiles present, each with its manager (Yarn classic or Berry by content).
fn present(dir: &Path) -> Vec<(PathBuf, Manager)> {
    let mut out = Vec::new();
    for (name, manager) in CANDIDATES {
        let path = dir.join(name);
        // Anything by that name counts: one that cannot be read is an EIO, not "no lockfile".
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        // Bun reads bun.lock when both exist.
        if name == "bun.lockb" && out.iter().any(|(_, m)| *m == Manager::Bun) {
            continue;
        }
        let manager = match manager {
            Manager::Yarn => yarn_flavor(&path),
            m => m,
        };
        out.push((path, manager));
    }
    out
}

fn yarn_flavor(path: &Path) -> Manager {
    let head = read_head(path);
    match format_of(path, &head) {
        Format::YarnBerry => Manager::YarnBerry,
        _ => Manager::Yarn,
    }
}

fn read_head(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::new();
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(4096).read_to_end(&mut head);
    }
    head
}

fn without_lockfile(dir: &Path) -> Choice {
    let hidden = dir.join("node_modules/.package-lock.json");
    match hidden.is_file() {
        true => Choice::Lockfile(hidden),
        false => Choice::Walk,
    }
}

/// package.json `packageManager` (`pnpm@9.1.0`, `yarn@4.5.0`), if it names one of `found`.
fn declared(dir: &Path, found: &[Manager]) -> Option<Manager> {
    let manifest = read_manifest(&dir.join("package.json")).ok()?;
    let spec = manifest.package_manager?;
    let (name, version) = spec.split_once('@')?;
    let major: u32 = version.split('.').next()?.parse().ok()?;
    let manager = match name {
        "npm" => Manager::Npm,
        "pnpm" => Manager::Pnpm,
        "bun" => Manager::Bun,
        "yarn" if major < 2 => Manager::Yarn,
        "yarn" => Manager::YarnBerry,
        _ => return None,
    };
    // A yarn.lock of either flavor counts for either Yarn.
    found
        .iter()
        .copied()
        .find(|m| *m == manager || (is_yarn(*m) && is_yarn(manager)))
}

/// Managers that install their lockfile even when package.json names another manager.
fn ignores_package_manager(m: Manager) -> bool {
    matches!(m, Manager::Npm | Manager::Bun)
}

fn is_yarn(m: Manager) -> bool {
    matches!(m, Manager::Yarn | Manager::YarnBerry)
}

/// The first install marker in `node_modules` that belongs to one of `found`.
fn marked(dir: &Path, found: &[Manager]) -> Option<Manager> {
    MARKERS
        .iter()
        .filter(|(marker, _)| dir.join(marker).exists())
        .find_map(|(_, m)| {
            found
                .iter()
                .copied()
                .find(|f| f == m || (is_yarn(*f) && is_yarn(*m)))
        })
}
