//! The content index: a warm run does not re-read tarballs and re-hash files that have not
//! changed. After a package folder matched its signed tarball, its stat snapshot
//! ([`sigverify_content::folder_snapshot`]: paths, sizes, modification and change times, inodes,
//! modes) is kept in the evidence cache under the project folder, the location and the signed
//! integrity. A later run whose snapshot of that folder is the same takes the earlier result;
//! any difference (a write, a rename, a copy, an extraction from a CI cache: all move ctime or
//! the inode) makes it compare in full. The snapshot kept is the one the comparison's walk took
//! before reading any file, and only when it is settled (every change time older than the walk's
//! start on the clock that stamps them): a write while the files were read, even in the same
//! clock tick as the walk, then shows as a newer change time.
//!
//! Entries are believed only from a cache whose entries are authenticated under a secret kept
//! outside it (whoever can write the cache and the folder could otherwise describe a tampered
//! folder as clean). `--rehash` ignores the index for one run.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cache::EvidenceCache;
use crate::model::{CheckOutcome, ContentsResult, PackageResult};

/// Version of the entries' shape and of what a snapshot covers.
const FORMAT: &str = "cx1";

/// What a clean comparison established, kept with the snapshot it held for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IndexEntry {
    snapshot: String,
    install_scripts: Option<Vec<String>>,
    added: Vec<String>,
    checked_files: usize,
}

/// The index of one run: entries found for its folders, and the ones to write.
#[derive(Debug)]
pub(crate) struct ContentIndex {
    cache: EvidenceCache,
    root: String,
    rehash: bool,
    found: HashMap<String, IndexEntry>,
    recorded: Mutex<Vec<(String, Vec<u8>)>>,
}

impl ContentIndex {
    /// Opens the index for the project at `root` (`None` when the cache cannot be trusted
    /// with it), reading the entries of `wanted` (location, integrity) in one batch.
    pub async fn open(
        cache: &EvidenceCache,
        root: &Path,
        wanted: &[(String, String)],
        rehash: bool,
    ) -> Option<ContentIndex> {
        if !cache.authenticated() {
            return None;
        }
        let root = std::fs::canonicalize(root)
            .ok()?
            .to_string_lossy()
            .into_owned();
        let mut index = ContentIndex {
            cache: cache.clone(),
            root,
            rehash,
            found: HashMap::new(),
            recorded: Mutex::default(),
        };
        if !rehash {
            let keys: Vec<String> = wanted.iter().map(|(l, i)| index.key(l, i)).collect();
            index.found = cache
                .contents_lookup(&keys)
                .await
                .into_iter()
                .filter_map(|(k, body)| Some((k, serde_json::from_slice(&body).ok()?)))
                .collect();
        }
        Some(index)
    }

    fn key(&self, location: &str, integrity: &str) -> String {
        let mut hash = Sha256::new();
        for part in [FORMAT, &self.root, location, integrity] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        hex::encode(hash.finalize())
    }

    /// The folder's current snapshot (`None` when it cannot be taken: compare in full).
    pub fn snapshot(dir: &Path) -> Option<String> {
        let meta = std::fs::symlink_metadata(dir).ok()?;
        if meta.file_type().is_symlink() {
            return None;
        }
        sigverify_content::folder_snapshot(dir).ok()
    }

    /// True when an outcome is kept for `location` holding the tarball of `integrity` (and this
    /// run does not ignore the index).
    pub fn keeps(&self, location: &str, integrity: &str) -> bool {
        !self.rehash && self.found.contains_key(&self.key(location, integrity))
    }

    /// Applies the kept result for `result`'s folder when its snapshot is still `snapshot`;
    /// says whether it did.
    pub fn reuse(&self, result: &mut PackageResult, integrity: &str, snapshot: &str) -> bool {
        let key = self.key(&result.location, integrity);
        let Some(entry) = self.found.get(&key).filter(|e| e.snapshot == snapshot) else {
            return false;
        };
        result.install_scripts = entry.install_scripts.clone();
        result.contents = Some(ContentsResult {
            added: entry.added.clone(),
            checked_files: entry.checked_files,
            ..ContentsResult::default()
        });
        result.checks.contents = CheckOutcome::passed();
        true
    }

    /// Keeps a clean comparison with the settled snapshot its walk took before reading the
    /// files ([`sigverify_content::WalkSnapshot::settled`]).
    pub fn record(&self, result: &PackageResult, integrity: &str, snapshot: &str) {
        let clean = result.checks.contents == CheckOutcome::passed();
        let Some(contents) = result.contents.as_ref().filter(|_| clean) else {
            return;
        };
        let entry = IndexEntry {
            snapshot: snapshot.to_string(),
            install_scripts: result.install_scripts.clone(),
            added: contents.added.clone(),
            checked_files: contents.checked_files,
        };
        if let Ok(body) = serde_json::to_vec(&entry) {
            let key = self.key(&result.location, integrity);
            self.recorded
                .lock()
                .expect("no panics while held")
                .push((key, body));
        }
    }

    /// Writes what this run recorded.
    pub async fn flush(&self) {
        let items = std::mem::take(&mut *self.recorded.lock().expect("no panics while held"));
        if !items.is_empty() {
            self.cache.contents_store(items).await;
        }
    }
}
