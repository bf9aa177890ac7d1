//! File digests: BLAKE3 over the exact bytes, computed in bounded chunks.
//!
//! Files of a tarball that is streamed (large or unusual: see `tarball/inflate.rs`) are kept as
//! digests, and the installed files are hashed to be compared with them; the files of a tarball
//! inflated whole are compared byte for byte instead (`compare.rs`), which is cheaper still.
//! BLAKE3 replaced SHA-256 here (10% of a cold run's CPU then, with the CPU's SHA extensions):
//! a cryptographic hash of the same 256-bit output and 128-bit collision security whose SIMD
//! tree mode hashes large files several times faster. A digest here is only compared with
//! another computed by this same crate, never published.

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

/// The BLAKE3 digest of a file's bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileDigest(pub [u8; 32]);

impl FileDigest {
    /// Digest of an in-memory byte slice.
    pub fn of(bytes: &[u8]) -> Self {
        Self(blake3::hash(bytes).into())
    }

    /// Lower-case hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blake3:{}", self.to_hex())
    }
}

impl fmt::Display for FileDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blake3:{}", self.to_hex())
    }
}

/// A running file digest.
pub(crate) struct FileHasher(blake3::Hasher);

impl FileHasher {
    pub fn new() -> Self {
        Self(blake3::Hasher::new())
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finalize(&self) -> FileDigest {
        FileDigest(self.0.finalize().into())
    }
}

/// Streams a reader into the file digest with a fixed buffer; returns (bytes read, digest).
pub(crate) fn hash_reader<R: Read>(mut reader: R, buf: &mut [u8]) -> io::Result<(u64, FileDigest)> {
    let mut hasher = FileHasher::new();
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
    Ok((total, hasher.finalize()))
}

/// Hashes a file on disk without loading it whole; returns (size read, digest).
pub(crate) fn hash_file(path: &Path) -> io::Result<(u64, FileDigest)> {
    let file = File::open(path)?;
    with_chunk_buffer(|buf| hash_reader(file, buf))
}
