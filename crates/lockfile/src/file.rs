//! Reading a project's and its `node_modules`' small files (manifests, shims, lockfiles):
//! regular files only, up to a limit. A restored `node_modules` can hold a FIFO where a
//! `package.json` belongs (reading it blocks forever) or a link to `/dev/zero` (reading it
//! never ends); either must be an error the caller reports, not a hang or an exhausted memory.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// The most a manifest, shim or settings file is read (the largest published package.json
/// files are a few MB).
pub const MANIFEST_LIMIT: u64 = 64 << 20;

/// The most a lockfile is read (a 5,000-package lockfile is ~5 MB).
pub const LOCKFILE_LIMIT: u64 = 1 << 30;

/// The bytes of the regular file at `path` (links followed), when it holds at most `limit`.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_without_waiting(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MiB", limit >> 20),
        )
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file growing while it is read is still bounded.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    match bytes.len() as u64 > limit {
        true => Err(too_large()),
        false => Ok(bytes),
    }
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path, limit: u64) -> io::Result<String> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Opens for reading without waiting: a FIFO with no writer would block the open itself
/// (`O_NONBLOCK` returns at once; it changes nothing for regular files).
#[cfg(unix)]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("package.json");
        std::fs::write(&file, b"{\"name\":\"a\"}").unwrap();
        assert_eq!(read_regular(&file, 1024).unwrap(), b"{\"name\":\"a\"}");
        assert!(read_regular(&file, 4).is_err());
        // A link to an endless device, and a FIFO nobody writes: errors, at once.
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(read_regular(&zero, MANIFEST_LIMIT).is_err());
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        assert!(read_regular(&fifo, MANIFEST_LIMIT).is_err());
        assert!(read_regular(dir.path(), MANIFEST_LIMIT).is_err());
    }
}
