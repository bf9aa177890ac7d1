//! A folder's stat snapshot, like git's index: for every entry the content check looks at, its
//! path, kind, size, modification and change times, inode, device and mode, hashed into one
//! digest. A later run whose snapshot digest is the same saw the same files in the same places:
//! none was rewritten, replaced, added or removed. The change time (`ctime`) is set by the
//! kernel on every write, rename, chmod or link, and cannot be set from user space, so restoring
//! old modification times does not hide a change; extracting a cached `node_modules` or copying
//! a folder gives new inodes and ctimes (a full comparison then runs).

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::ContentError;

/// The snapshot digest of a package folder (its own `node_modules` left out, links not followed:
/// the content check's view). The folder itself must not be a link.
pub fn folder_snapshot(dir: &Path) -> Result<String, ContentError> {
    let mut lines: Vec<(String, Vec<u8>)> = Vec::new();
    let top = fs::symlink_metadata(dir).map_err(|e| ContentError::io(dir, e))?;
    lines.push((String::new(), stat_line("", &top)));
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = stack.pop() {
        for item in fs::read_dir(&folder).map_err(|e| ContentError::io(&folder, e))? {
            let item = item.map_err(|e| ContentError::io(&folder, e))?;
            let name = item.file_name().to_string_lossy().into_owned();
            if prefix.is_empty() && name == "node_modules" {
                continue;
            }
            // `DirEntry::metadata` does not follow links and stats relative to the open folder
            // (no path walk from the root per file).
            let meta = item
                .metadata()
                .map_err(|e| ContentError::io(&item.path(), e))?;
            let rel = format!("{prefix}{name}");
            if meta.is_dir() {
                stack.push((item.path(), format!("{rel}/")));
            }
            let line = stat_line(&rel, &meta);
            lines.push((rel, line));
        }
    }
    lines.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut hash = Sha256::new();
    for (_, line) in lines {
        hash.update(line);
    }
    Ok(hex::encode(hash.finalize()))
}

/// One entry's line: everything that changes when its bytes or identity do.
#[cfg(unix)]
fn stat_line(rel: &str, meta: &fs::Metadata) -> Vec<u8> {
    use std::os::unix::fs::MetadataExt;
    format!(
        "{rel}\0{}\0{}\0{}.{}\0{}.{}\0{}\0{}\0{}\n",
        kind(meta),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
        meta.ino(),
        meta.dev(),
        meta.mode()
    )
    .into_bytes()
}

/// Without inodes and change times a snapshot would only see what a copy can preserve: every
/// run compares (the line holds a value that changes each time).
#[cfg(not(unix))]
fn stat_line(rel: &str, meta: &fs::Metadata) -> Vec<u8> {
    let now = std::time::SystemTime::now();
    format!("{rel}\0{}\0{}\0{now:?}\n", kind(meta), meta.len()).into_bytes()
}

fn kind(meta: &fs::Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_symlink() {
        "l"
    } else if ft.is_dir() {
        "d"
    } else if ft.is_file() {
        "f"
    } else {
        "o"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn any_change_changes_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(root.join("index.js"), "a").unwrap();
        fs::create_dir(root.join("lib")).unwrap();
        fs::write(root.join("lib/x.js"), "x").unwrap();
        fs::create_dir(root.join("node_modules")).unwrap();
        let first = folder_snapshot(root).unwrap();
        assert_eq!(
            folder_snapshot(root).unwrap(),
            first,
            "stable when nothing changes"
        );
        // Nested node_modules are other packages: not part of this one's snapshot.
        fs::write(root.join("node_modules/other.js"), "o").unwrap();
        assert_eq!(folder_snapshot(root).unwrap(), first);
        let meta = fs::metadata(root.join("lib/x.js")).unwrap();
        fs::write(root.join("lib/x.js"), "y").unwrap();
        // Same size, modification time put back: the change time still moved.
        let mtime = filetime_of(&meta);
        set_mtime(&root.join("lib/x.js"), mtime);
        assert_ne!(folder_snapshot(root).unwrap(), first);
        let second = folder_snapshot(root).unwrap();
        fs::write(root.join("added.js"), "z").unwrap();
        assert_ne!(folder_snapshot(root).unwrap(), second);
    }

    fn filetime_of(meta: &fs::Metadata) -> std::time::SystemTime {
        meta.modified().unwrap()
    }

    fn set_mtime(path: &Path, time: std::time::SystemTime) {
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(time).unwrap();
    }
}
