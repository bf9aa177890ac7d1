//! Listing a package folder on disk: every entry with its kind, symlinks not followed unless
//! asked, the package's own `node_modules/` left out unless asked.

use crate::error::ContentError;
use crate::snapshot::{name_bytes, SnapshotLines, WalkSnapshot};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

/// What sits at a path on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiskKind {
    /// A regular file of this many bytes.
    File(u64),
    /// A folder (listed only so a folder where the tarball has a file is caught).
    Dir,
    /// A symbolic link (not followed, or dangling).
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

/// One entry under the package folder.
#[derive(Debug, Clone)]
pub(crate) struct DiskEntry {
    /// `/`-separated path relative to the package folder.
    pub rel: String,
    /// Full path, for reading.
    pub abs: PathBuf,
    /// Its kind.
    pub kind: DiskKind,
}

/// How to walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WalkOptions {
    pub follow_symlinks: bool,
    pub skip_top_node_modules: bool,
    /// Also take the folder's stat snapshot (as [`crate::folder_snapshot`] does), when the walk
    /// sees what a snapshot covers (links not followed, the top `node_modules` left out).
    pub snapshot: bool,
}

/// What a walk found.
pub(crate) struct Walked {
    /// Everything under the folder (depth-first, unsorted).
    pub entries: Vec<DiskEntry>,
    /// The stat snapshot of the folder at the walk, when asked and possible.
    pub snapshot: Option<WalkSnapshot>,
}

/// Lists everything under `root`.
pub(crate) fn walk(root: &Path, opts: WalkOptions) -> Result<Walked, ContentError> {
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    if opts.follow_symlinks {
        visited.insert(fs::canonicalize(root).map_err(|e| ContentError::io(root, e))?);
    }
    let snapshots = opts.snapshot && !opts.follow_symlinks && opts.skip_top_node_modules;
    let mut lines = snapshots.then(|| SnapshotLines::of_top(root)).transpose()?;
    let mut stack = vec![(root.to_path_buf(), String::new(), Vec::new())];
    while let Some((dir, prefix, raw_prefix)) = stack.pop() {
        for item in fs::read_dir(&dir).map_err(|e| ContentError::io(&dir, e))? {
            let item = item.map_err(|e| ContentError::io(&dir, e))?;
            let file_name = item.file_name();
            let name = file_name.to_string_lossy();
            if prefix.is_empty() && name == "node_modules" && opts.skip_top_node_modules {
                continue;
            }
            let mut raw = Vec::new();
            let kind = match &mut lines {
                Some(lines) => {
                    // One unfollowed stat per entry, relative to the open folder, gives both the
                    // kind and the snapshot line.
                    let meta = item
                        .metadata()
                        .map_err(|e| ContentError::io(&item.path(), e))?;
                    raw.extend_from_slice(&raw_prefix);
                    raw.extend_from_slice(&name_bytes(&file_name));
                    lines.push(&raw, &meta);
                    unfollowed_kind(&meta)
                }
                None => kind_of(&item, opts.follow_symlinks)?,
            };
            let entry = DiskEntry {
                rel: format!("{prefix}{name}"),
                kind,
                abs: item.path(),
            };
            if entry.kind == DiskKind::Dir && first_visit(&mut visited, &entry, opts)? {
                raw.push(b'/');
                stack.push((entry.abs.clone(), format!("{}/", entry.rel), raw));
            }
            out.push(entry);
        }
    }
    Ok(Walked {
        entries: out,
        snapshot: lines.map(SnapshotLines::finish),
    })
}

/// The kind of an entry from its unfollowed metadata.
fn unfollowed_kind(meta: &fs::Metadata) -> DiskKind {
    let ft = meta.file_type();
    if ft.is_symlink() {
        DiskKind::Symlink
    } else if ft.is_dir() {
        DiskKind::Dir
    } else if ft.is_file() {
        DiskKind::File(meta.len())
    } else {
        DiskKind::Other
    }
}

fn kind_of(item: &fs::DirEntry, follow: bool) -> Result<DiskKind, ContentError> {
    let path = item.path();
    let mut ft = item.file_type().map_err(|e| ContentError::io(&path, e))?;
    if ft.is_symlink() {
        // A dangling link stays a link even when following.
        match fs::metadata(&path) {
            Ok(meta) if follow => ft = meta.file_type(),
            _ => return Ok(DiskKind::Symlink),
        }
    }
    if ft.is_dir() {
        return Ok(DiskKind::Dir);
    }
    if !ft.is_file() {
        return Ok(DiskKind::Other);
    }
    let meta = fs::metadata(&path).map_err(|e| ContentError::io(&path, e))?;
    Ok(DiskKind::File(meta.len()))
}

/// When following symlinks, a folder reached twice (a link loop) is walked once.
fn first_visit(
    visited: &mut HashSet<PathBuf>,
    entry: &DiskEntry,
    opts: WalkOptions,
) -> Result<bool, ContentError> {
    if !opts.follow_symlinks {
        return Ok(true);
    }
    let real = fs::canonicalize(&entry.abs).map_err(|e| ContentError::io(&entry.abs, e))?;
    Ok(visited.insert(real))
}
