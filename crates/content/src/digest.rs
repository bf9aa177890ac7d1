//! File digests: SHA-256 over the exact bytes, computed in bounded chunks.
//!
//! SHA-256 rather than BLAKE3: the `sha2` crate is already shared with the rest of the project
//! (no extra build), it uses the CPU's SHA extensions where present (well above disk speed on
//! this machine, see the `measure` example), and a digest here is only compared with another
//! digest computed by this same crate, never published.

use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Size of the read buffer used when hashing: big enough for few syscalls, small enough that
/// many files hashed in parallel stay cheap in memory.
pub(crate) const CHUNK: usize = 256 * 1024;

thread_local! {
    /// One read buffer per thread, reused for every file: allocating (and zeroing) a fresh
    /// 256 KiB buffer per file cost more than hashing the typical small package file.
    static CHUNK_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with this thread's [`CHUNK`]-sized read buffer.
pub(crate) fn with_chunk_buffer<T>(work: impl FnOnce(&mut [u8]) -> T) -> T {
    CHUNK_BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            if buf.len() < CHUNK {
                buf.resize(CHUNK, 0);
            }
            work(&mut buf[..CHUNK])
        }
        // Re-entered on this thread (not done today): a buffer of its own.
        Err(_) => work(&mut vec![0u8; CHUNK]),
    })
}

/// The SHA-256 digest of a file's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileDigest(pub [u8; 32]);

impl FileDigest {
    /// Digest of an in-memory byte slice.
    pub fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Lower-case hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.to_hex())
    }
}

impl fmt::Display for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.to_hex())
    }
}

/// Streams a reader into SHA-256 with a fixed buffer; returns (bytes read, digest).
pub(crate) fn hash_reader<R: Read>(mut reader: R, buf: &mut [u8]) -> io::Result<(u64, FileDigest)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((total, FileDigest(hasher.finalize().into())))
}

/// Hashes a file on disk without loading it whole; returns (size read, digest).
pub(crate) fn hash_file(path: &Path) -> io::Result<(u64, FileDigest)> {
    let file = File::open(path)?;
    with_chunk_buffer(|buf| hash_reader(file, buf))
}
