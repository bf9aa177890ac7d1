//! Listing a package folder on disk: every entry with its kind, symlinks not followed unless
//! asked, the package's own `node_modules/` left out unless asked.

use crate::error::ContentError;
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
}

/// Lists everything under `root` (depth-first, unsorted).
pub(crate) fn walk(root: &Path, opts: WalkOptions) -> Result<Vec<DiskEntry>, ContentError> {
    let mut out = Vec::new();
    let mut visited = HashSet::new();
    if opts.follow_symlinks {
        visited.insert(fs::canonicalize(root).map_err(|e| ContentError::io(root, e))?);
    }
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for item in fs::read_dir(&dir).map_err(|e| ContentError::io(&dir, e))? {
            let item = item.map_err(|e| ContentError::io(&dir, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if prefix.is_empty() && name == "node_modules" && opts.skip_top_node_modules {
                continue;
            }
            let entry = DiskEntry {
                rel: format!("{prefix}{name}"),
                kind: kind_of(&item, opts.follow_symlinks)?,
                abs: item.path(),
            };
            if entry.kind == DiskKind::Dir && first_visit(&mut visited, &entry, opts)? {
                stack.push((entry.abs.clone(), format!("{}/", entry.rel)));
            }
            out.push(entry);
        }
    }
    Ok(out)
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
