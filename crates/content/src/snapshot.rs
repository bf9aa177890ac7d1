//! A folder's stat snapshot, like git's index: for every entry the content check looks at, its
//! path, kind, size, modification and change times, inode, device and mode, hashed into one
//! digest. A later run whose snapshot digest is the same saw the same files in the same places:
//! none was rewritten, replaced, added or removed. The change time (`ctime`) is set by the
//! kernel on every write, rename, chmod or link, and cannot be set from user space, so restoring
//! old modification times does not hide a change; extracting a cached `node_modules` or copying
//! a folder gives new inodes and ctimes (a full comparison then runs).
//!
//! Change times have the granularity of the clock that stamps them (Linux: its coarse real-time
//! clock, one tick, 1-10 ms), so a write in the same tick as a stat leaves that stat's line
//! unchanged: git's "racy clean" problem. A snapshot a walk takes is therefore [settled] only when
//! every change time it saw is older than the walk's start on that same clock: any later write
//! then stamps a change time the snapshot does not hold. Only a settled snapshot may vouch for
//! what was read after it.
//!
//! [settled]: WalkSnapshot::settled

use std::fs;
use std::path::Path;

use crate::error::ContentError;

/// The snapshot digest of a package folder (its own `node_modules` left out, links not followed:
/// the content check's view). The folder itself must not be a link.
///
/// Each entry is one line, `path NUL kind` then its stat fields as fixed-width binary: no
/// number formatting or string per entry (a warm run snapshots ~15,000 entries). Paths hold no
/// NUL, so sorting the lines sorts them by path.
pub fn folder_snapshot(dir: &Path) -> Result<String, ContentError> {
    let mut lines = SnapshotLines::of_top(dir)?;
    let mut stack = vec![(dir.to_path_buf(), Vec::new())];
    while let Some((folder, prefix)) = stack.pop() {
        for item in fs::read_dir(&folder).map_err(|e| ContentError::io(&folder, e))? {
            let item = item.map_err(|e| ContentError::io(&folder, e))?;
            let name = item.file_name();
            let name = name_bytes(&name);
            if prefix.is_empty() && name.as_ref() == b"node_modules" {
                continue;
            }
            // `DirEntry::metadata` does not follow links and stats relative to the open folder
            // (no path walk from the root per file).
            let meta = item
                .metadata()
                .map_err(|e| ContentError::io(&item.path(), e))?;
            let mut rel = Vec::with_capacity(prefix.len() + name.len() + 1);
            rel.extend_from_slice(&prefix);
            rel.extend_from_slice(&name);
            lines.push(&rel, &meta);
            if meta.is_dir() {
                rel.push(b'/');
                stack.push((item.path(), rel));
            }
        }
    }
    Ok(lines.digest())
}

/// The snapshot a comparison's walk took of a folder, before reading any of its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkSnapshot {
    /// The digest [`folder_snapshot`] gives for the folder as the walk saw it.
    pub digest: String,
    /// Every change time the walk saw is older than its start (on the clock that stamps them):
    /// a write after the walk started shows in any later snapshot, so what was read after the
    /// walk is what this snapshot describes. An unsettled snapshot must not vouch for a
    /// comparison (a write in the walk's clock tick could leave it unchanged).
    pub settled: bool,
}

/// The lines of a snapshot being taken: the folder's own, then one per entry (the content
/// check's walk takes them too, so a comparison needs no second walk).
pub(crate) struct SnapshotLines {
    lines: Vec<Vec<u8>>,
    /// The change-time clock when the snapshot started (before the first stat).
    started: ChangeTime,
    /// The newest change time among the lines.
    newest: ChangeTime,
}

impl SnapshotLines {
    /// Starts with the line of the folder itself (`dir` not followed if a link).
    pub fn of_top(dir: &Path) -> Result<SnapshotLines, ContentError> {
        let started = ChangeTime::now();
        let top = fs::symlink_metadata(dir).map_err(|e| ContentError::io(dir, e))?;
        let mut lines = SnapshotLines {
            lines: Vec::new(),
            started,
            newest: ChangeTime::EARLIEST,
        };
        lines.push(b"", &top);
        Ok(lines)
    }

    /// Adds the entry at `rel` (raw name bytes, `/`-separated) with its unfollowed metadata.
    pub fn push(&mut self, rel: &[u8], meta: &fs::Metadata) {
        self.newest = self.newest.max(ChangeTime::of(meta));
        self.lines.push(stat_line(rel, meta));
    }

    /// The digest of the lines, in path order (the walk's order does not matter).
    pub fn digest(mut self) -> String {
        self.lines.sort_unstable();
        let mut hash = blake3::Hasher::new();
        for line in &self.lines {
            hash.update(line);
        }
        hash.finalize().to_hex().to_string()
    }

    /// The walk's snapshot: the digest, and whether every change time is older than the start.
    pub fn finish(self) -> WalkSnapshot {
        let settled = self.newest < self.started;
        WalkSnapshot {
            digest: self.digest(),
            settled,
        }
    }
}

/// A change time (seconds, nanoseconds since the epoch), as the kernel stamps it on files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ChangeTime(i64, i64);

impl ChangeTime {
    const EARLIEST: ChangeTime = ChangeTime(i64::MIN, 0);

    /// The clock change times are stamped from: on Linux the coarse real-time clock (a write
    /// after this moment gets a change time at or after it); elsewhere the real-time clock one
    /// second back, in case the file system stamps from a coarser one.
    #[cfg(target_os = "linux")]
    fn now() -> ChangeTime {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        ChangeTime(now.tv_sec, now.tv_nsec as i64)
    }

    #[cfg(not(target_os = "linux"))]
    fn now() -> ChangeTime {
        let back = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
        match back.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => ChangeTime(d.as_secs() as i64, i64::from(d.subsec_nanos())),
            // A clock before 1970: nothing is older than it, nothing is settled.
            Err(_) => ChangeTime::EARLIEST,
        }
    }

    #[cfg(unix)]
    fn of(meta: &fs::Metadata) -> ChangeTime {
        use std::os::unix::fs::MetadataExt;
        ChangeTime(meta.ctime(), meta.ctime_nsec())
    }

    /// No change time to read: as new as can be (never settled; the lines change every run
    /// there anyway).
    #[cfg(not(unix))]
    fn of(_meta: &fs::Metadata) -> ChangeTime {
        ChangeTime(i64::MAX, 0)
    }
}

/// A file name's bytes: exact on Unix, lossy elsewhere.
pub(crate) fn name_bytes(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, [u8]> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::borrow::Cow::Borrowed(name.as_bytes())
    }
    #[cfg(not(unix))]
    {
        match name.to_string_lossy() {
            std::borrow::Cow::Borrowed(s) => std::borrow::Cow::Borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => std::borrow::Cow::Owned(s.into_bytes()),
        }
    }
}

/// One entry's line: everything that changes when its bytes or identity do.
#[cfg(unix)]
fn stat_line(rel: &[u8], meta: &fs::Metadata) -> Vec<u8> {
    use std::os::unix::fs::MetadataExt;
    let mut line = Vec::with_capacity(rel.len() + 2 + 8 * 8 + 4);
    line.extend_from_slice(rel);
    line.push(0);
    line.push(kind(meta));
    for field in [meta.len(), meta.ino(), meta.dev()] {
        line.extend_from_slice(&field.to_le_bytes());
    }
    for field in [
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
    ] {
        line.extend_from_slice(&field.to_le_bytes());
    }
    line.extend_from_slice(&meta.mode().to_le_bytes());
    line
}

/// Without inodes and change times a snapshot would only see what a copy can preserve: every
/// run compares (the line holds a value that changes each time).
#[cfg(not(unix))]
fn stat_line(rel: &[u8], meta: &fs::Metadata) -> Vec<u8> {
    let now = std::time::SystemTime::now();
    let mut line = rel.to_vec();
    line.push(0);
    line.push(kind(meta));
    line.extend_from_slice(format!("{}\0{now:?}", meta.len()).as_bytes());
    line
}

fn kind(meta: &fs::Metadata) -> u8 {
    let ft = meta.file_type();
    if ft.is_symlink() {
        b'l'
    } else if ft.is_dir() {
        b'd'
    } else if ft.is_file() {
        b'f'
    } else {
        b'o'
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
        let third = folder_snapshot(root).unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(root.join("added.js"), fs::Permissions::from_mode(0o755)).unwrap();
        assert_ne!(folder_snapshot(root).unwrap(), third, "a mode change");
        let fourth = folder_snapshot(root).unwrap();
        fs::rename(root.join("added.js"), root.join("lib/added.js")).unwrap();
        assert_ne!(
            folder_snapshot(root).unwrap(),
            fourth,
            "a move between folders"
        );
    }

    #[test]
    fn a_snapshot_is_settled_only_when_every_change_time_is_older_than_its_start() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("index.js"), "a").unwrap();
        let meta = fs::metadata(dir.path().join("index.js")).unwrap();
        let changed = ChangeTime::of(&meta);
        let lines_started_at = |started: ChangeTime| {
            let mut lines = SnapshotLines::of_top(dir.path()).unwrap();
            lines.push(b"index.js", &meta);
            lines.started = started;
            lines.finish()
        };
        let after = ChangeTime(changed.0, changed.1 + 1);
        let same_tick = changed;
        let before = ChangeTime(changed.0 - 1, changed.1);
        assert!(lines_started_at(after).settled, "changed before the walk");
        assert!(
            !lines_started_at(same_tick).settled,
            "changed in the walk's tick"
        );
        assert!(
            !lines_started_at(before).settled,
            "changed after the walk started"
        );
        // The folder's own line counts too (an entry added or removed moves its change time).
        let top = fs::symlink_metadata(dir.path()).unwrap();
        let mut lines = SnapshotLines::of_top(dir.path()).unwrap();
        lines.started = ChangeTime::of(&top);
        assert!(!lines.finish().settled);
        // Settled or not, the digest is folder_snapshot's.
        assert_eq!(
            lines_started_at(before).digest,
            folder_snapshot(dir.path()).unwrap()
        );
    }

    #[test]
    fn the_clock_is_not_behind_the_change_times_it_stamps() {
        let dir = tempfile::tempdir().unwrap();
        let started = ChangeTime::now();
        fs::write(dir.path().join("new.js"), "n").unwrap();
        let meta = fs::metadata(dir.path().join("new.js")).unwrap();
        assert!(
            ChangeTime::of(&meta) >= started,
            "a write after now() is not older"
        );
    }

    fn filetime_of(meta: &fs::Metadata) -> std::time::SystemTime {
        meta.modified().unwrap()
    }

    fn set_mtime(path: &Path, time: std::time::SystemTime) {
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(time).unwrap();
    }
}
