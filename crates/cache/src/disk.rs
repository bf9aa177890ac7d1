//! The embedded disk cache: one file per entry, written crash-safely
//! (temp file in the same folder, then rename) and checked on every read.
//!
//! Layout: `<root>/v1/<namespace>/<sha256 hex>`, one flat folder per namespace; temp files
//! start with `.tmp-` and are never read. Flat because a cold run writes over a thousand
//! entries and creating the two levels of hash-prefix folders earlier builds used cost more
//! than the entries themselves (ext4 allocates an inode per folder); the file systems in use
//! index large folders. Entries an earlier build left in prefix folders are never read again;
//! `cache clear` removes them.

use crate::entry::{
    encode_fields, encode_head, header, now_millis, peek_key, Record, Tagger, HEADER_LEN,
};
use crate::key::file_hash;
use crate::pack_layout::{count_entries, PACK_KEY_PREFIX};
use crate::secret::CacheSecret;
use crate::stats::{Counters, Stored};
use crate::{CacheError, Entry, Namespace};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const TEMP_PREFIX: &str = ".tmp-";
/// Batches smaller than this run on the calling thread.
const PARALLEL_MIN: usize = 64;
/// Reader threads for batches: the syscalls are short, a few suffice.
const READ_THREADS: usize = 4;
/// Writer threads for batches: each mostly waits on the file system.
const WRITE_THREADS: usize = 4;
/// The bytes read from the front of a stored file to learn its key (statistics): a pack's key
/// is its scope, two paths at most.
const KEY_PEEK: u64 = 16 * 1024;
/// Makes temp names unique between threads of one process.
static TEMP_SEQ: AtomicU64 = AtomicU64::new(0);

/// A disk cache rooted at one folder. Safe to share between threads and
/// between processes: writers never touch a file another reader can see.
#[derive(Debug)]
pub(crate) struct DiskCache {
    root: PathBuf,
    secret: Option<CacheSecret>,
}

impl DiskCache {
    /// Opens (creating if needed) the cache folder.
    pub fn open(root: PathBuf, secret: Option<CacheSecret>) -> Result<DiskCache, CacheError> {
        let data = root.join("v1");
        fs::create_dir_all(&data).map_err(|e| CacheError::io(&data, e))?;
        Ok(DiskCache { root, secret })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// True when entries carry a tag under the cache's secret.
    pub fn authenticated(&self) -> bool {
        self.secret.is_some()
    }

    fn ns_dir(&self, ns: Namespace) -> PathBuf {
        self.root.join("v1").join(ns.as_str())
    }

    /// The file that holds `key` (public to the crate for tests).
    pub fn path_of(&self, ns: Namespace, key: &str) -> PathBuf {
        self.ns_dir(ns).join(file_hash(ns, key))
    }

    /// Reads one entry; absent, expired, corrupt or foreign files are misses.
    pub fn get(
        &self,
        ns: Namespace,
        key: &str,
        counters: &Counters,
    ) -> Result<Option<Entry>, CacheError> {
        let path = self.path_of(ns, key);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CacheError::io(path, e)),
        };
        match Record::decode_owned(bytes, self.secret.as_ref()) {
            // A different key with the same sha256 cannot happen in
            // practice; if it ever does, answering "miss" is still correct.
            Ok(record) if record.key != key => Ok(None),
            Ok(record) if record.is_expired(now_millis()) => {
                remove_quietly(&path);
                Ok(None)
            }
            Ok(record) => Ok(Some(record.entry)),
            Err(_) => {
                counters.corrupt.fetch_add(1, Ordering::Relaxed);
                remove_quietly(&path);
                Ok(None)
            }
        }
    }

    /// Writes one entry atomically: readers see the old file or the new one.
    pub fn put(
        &self,
        ns: Namespace,
        key: &str,
        entry: &Entry,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let path = self.path_of(ns, key);
        let dir = path.parent().expect("entry paths have a parent");
        let head = encode_head(key, expiry(ttl), entry, self.secret.as_ref());
        let parts = [head.as_slice(), entry.body.as_slice()];
        let mut result = write_atomic(dir, &path, &parts);
        if matches!(&result, Err(e) if e.kind() == ErrorKind::NotFound) {
            // The namespace's first entry, or a concurrent `cache clear` removed the folder.
            fs::create_dir_all(dir).map_err(|e| CacheError::io(dir, e))?;
            result = write_atomic(dir, &path, &parts);
        }
        result.map_err(|e| CacheError::io(&path, e))
    }

    /// Reads many entries, spread over a few threads (file opens dominate).
    pub fn get_many(
        &self,
        ns: Namespace,
        keys: &[String],
        c: &Counters,
    ) -> Result<Vec<Option<Entry>>, CacheError> {
        let parts = par_chunks(keys, READ_THREADS, |chunk| {
            chunk.iter().map(|k| self.get(ns, k, c)).collect()
        });
        flatten(parts)
    }

    /// Writes many entries, spread over writer threads.
    pub fn put_many(
        &self,
        ns: Namespace,
        items: &[(String, Entry)],
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let parts = par_chunks(items, WRITE_THREADS, |chunk| {
            chunk.iter().map(|(k, e)| self.put(ns, k, e, ttl)).collect()
        });
        flatten(parts).map(drop)
    }

    /// Sizes per namespace, plus the number of leftover temp files.
    pub fn stored(&self) -> Result<([Stored; crate::namespace::COUNT], u64), CacheError> {
        let mut stored = [Stored::default(); crate::namespace::COUNT];
        let mut temps = 0;
        for ns in Namespace::ALL {
            let slot = &mut stored[ns.index()];
            walk(&self.ns_dir(ns), &mut |path, len, is_temp| {
                if is_temp {
                    temps += 1;
                } else {
                    slot.entries += self.entries_in(path);
                    slot.bytes += len;
                }
            })?;
        }
        Ok((stored, temps))
    }

    /// Removes every entry and temp file; returns how many entries went (a pack's count).
    pub fn clear(&self) -> Result<u64, CacheError> {
        let mut removed = 0;
        for ns in Namespace::ALL {
            let dir = self.ns_dir(ns);
            walk(&dir, &mut |path, _, is_temp| {
                let entries = if is_temp { 0 } else { self.entries_in(path) };
                // A concurrent run may have removed or replaced it already.
                if fs::remove_file(path).is_ok() {
                    removed += entries;
                }
            })?;
            // Empty folders are left when another run is writing into them.
            let _ = fs::remove_dir_all(&dir);
        }
        Ok(removed)
    }

    /// The entries one stored file holds: a pack's (see [`crate::Pack`]) when the pack reads
    /// as a lookup would read it (its tag checked under this cache's secret), else one: a
    /// single entry, or a file no lookup would use, counted as the file it is.
    fn entries_in(&self, path: &Path) -> u64 {
        self.pack_entries(path).unwrap_or(1)
    }

    fn pack_entries(&self, path: &Path) -> Option<u64> {
        let mut head = Vec::new();
        let file = fs::File::open(path).ok()?;
        file.take(KEY_PEEK).read_to_end(&mut head).ok()?;
        if !peek_key(&head)?.starts_with(PACK_KEY_PREFIX) {
            return None;
        }
        let record = Record::decode_owned(fs::read(path).ok()?, self.secret.as_ref()).ok()?;
        let is_pack = record.key.starts_with(PACK_KEY_PREFIX);
        is_pack.then(|| count_entries(&record.entry.body))?
    }
}

/// An entry written to its temp file piece by piece and sealed at the end: a pack of
/// megabytes is never held in memory. The tag is computed over the bytes as they are handed to
/// the file, never read back from it (the cache folder may be writable by others). Dropped
/// unsealed, its temp file is removed.
pub(crate) struct EntryWriter {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<std::io::BufWriter<fs::File>>,
    tagger: Tagger,
    payload_len: u64,
}

impl std::fmt::Debug for EntryWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntryWriter")
            .field("path", &self.path)
            .finish()
    }
}

impl DiskCache {
    /// Starts the entry of `key` (an empty body so far), kept for `ttl` from now.
    pub fn writer(&self, ns: Namespace, key: &str, ttl: Duration) -> std::io::Result<EntryWriter> {
        let path = self.path_of(ns, key);
        let dir = path.parent().expect("entry paths have a parent");
        fs::create_dir_all(dir)?;
        let tmp = dir.join(temp_name(&path));
        let file = std::io::BufWriter::with_capacity(256 * 1024, fs::File::create_new(&tmp)?);
        // Made before anything is written, so a failed write removes the temp file (Drop).
        let mut writer = EntryWriter {
            file: Some(file),
            tmp,
            path,
            tagger: Tagger::new(self.secret.as_ref()),
            payload_len: 0,
        };
        // Room for the header (tag and length are known when sealed); the fields come first.
        let file = writer.file.as_mut().expect("just made");
        file.write_all(&[0u8; HEADER_LEN])?;
        writer.append(&encode_fields(key, &Entry::new(Vec::new()), expiry(ttl)))?;
        Ok(writer)
    }

    /// Writes the header (the tag of everything appended) and puts the entry in place.
    pub fn seal(&self, mut writer: EntryWriter) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let file = writer.file.take().expect("sealed once");
        let tagger = std::mem::replace(&mut writer.tagger, Tagger::new(None));
        let head = header(tagger.finish(), self.secret.is_some(), writer.payload_len);
        let sealed = file
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|mut file| {
                file.seek(SeekFrom::Start(0))?;
                file.write_all(&head)
            })
            .and_then(|()| fs::rename(&writer.tmp, &writer.path));
        if sealed.is_err() {
            remove_quietly(&writer.tmp);
        }
        sealed
    }
}

impl EntryWriter {
    /// Appends payload bytes.
    pub fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.as_mut().expect("not sealed").write_all(bytes)?;
        self.tagger.update(bytes);
        self.payload_len += bytes.len() as u64;
        Ok(())
    }
}

impl Drop for EntryWriter {
    fn drop(&mut self) {
        if self.file.is_some() {
            self.file = None;
            remove_quietly(&self.tmp);
        }
    }
}

/// Expiry measured from now (not from `stored_at`): a revalidated entry
/// gets a fresh lease even though its body is old.
pub(crate) fn expiry(ttl: Duration) -> chrono::DateTime<chrono::Utc> {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    now_millis()
        .checked_add_signed(ttl)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

/// Runs `work` on up to `threads` slices of `items` in parallel.
fn par_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&[T]) -> Result<Vec<R>, CacheError> + Sync,
) -> Vec<Result<Vec<R>, CacheError>> {
    if items.len() < PARALLEL_MIN {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|chunk| scope.spawn(|| work(chunk)))
            .collect();
        let joined = handles.into_iter().map(|h| h.join());
        joined
            .map(|r| r.unwrap_or_else(|_| Err(CacheError::Task("disk worker panicked".into()))))
            .collect()
    })
}

fn flatten<R>(parts: Vec<Result<Vec<R>, CacheError>>) -> Result<Vec<R>, CacheError> {
    let mut out = Vec::new();
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

fn temp_name(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("entry");
    let seq = TEMP_SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{TEMP_PREFIX}{name}-{}-{seq}", std::process::id())
}

/// Temp file in the entry's folder, renamed over the entry.
fn write_atomic(dir: &Path, path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let tmp = dir.join(temp_name(path));
    let result = write_new(&tmp, parts).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        remove_quietly(&tmp);
    }
    result
}

/// Writes a new temp file. No fsync: a cache entry lost to a power cut is only a miss, and a
/// torn one fails its checksum on read; an fsync per entry made cold runs seconds slower.
fn write_new(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let mut file = fs::File::create_new(path)?;
    parts.iter().try_for_each(|part| file.write_all(part))
}

fn remove_quietly(path: &Path) {
    let _ = fs::remove_file(path);
}

/// Visits every file below `dir` (absent folders are empty).
fn walk(dir: &Path, visit: &mut dyn FnMut(&Path, u64, bool)) -> Result<(), CacheError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(CacheError::io(dir, e)),
    };
    for item in entries {
        let item = item.map_err(|e| CacheError::io(dir, e))?;
        let path = item.path();
        // Vanished between listing and stat: a concurrent clear or rename.
        let Ok(meta) = item.metadata() else { continue };
        if meta.is_dir() {
            walk(&path, visit)?;
        } else {
            let is_temp = item.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
            visit(&path, meta.len(), is_temp);
        }
    }
    Ok(())
}
