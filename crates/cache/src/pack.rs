//! Packs: the entries of one namespace for one project, kept as one cache value.
//!
//! A run over a project reads and writes an entry per package name (packument facts) and per
//! installed folder (the content index): over a thousand on a 670-package tree. As files of
//! their own they cost more than the work they save: a cold run created ~1,300 files (inode
//! allocation and the folder's lock were ~0.15 s of a 0.75 s run) and a warm run opened as
//! many. A pack holds them all in one value under `pack1:<scope>`, read once at the first
//! lookup and written only when the run added something: to a temp file as entries come
//! (a pack is never held in memory whole), put in place at [`Pack::finish`], which reads the
//! stored pack again to carry its entries over.
//!
//! Trust is unchanged: the pack is one cache [`Record`] whose tag covers every byte of it (an
//! HMAC under the cache's secret), so a flipped, truncated, replaced or foreign pack is a miss
//! as a whole, and the entries read from it are authenticated exactly when the pack was. Each
//! entry inside keeps its own key and expiry, checked on every read, so an old pack copied
//! back serves nothing past its time. Keys the pack does not hold are looked up as single
//! entries (written by the registry gate, `serve`, or an older build), and those found join the
//! pack. An entry's expiry only bounds how long it is kept: how long evidence is believed
//! fresh is decided from its own contents, never from its expiry.
//!
//! Layout of the pack's body: `NSVPACK1`, then per entry `key_len u32 | key | expires_at i64
//! (Unix ms) | record_len u64 | record` (all little-endian), where `record` is the entry's own
//! unkeyed encoding. Its checksum is written but not verified on read: the pack's tag already
//! covers every byte (verifying it again was ~2 ms of a warm run's serial start).
//! When a key appears twice the later entry wins.

use crate::cache::Cache;
use crate::disk::{DiskCache, EntryWriter};
use crate::entry::{encode_record, now_millis, Record};
use crate::pack_layout::{for_each_frame, push_frame, Frame, PACK_KEY_PREFIX, PACK_MAGIC};
use crate::{CacheError, Entry, Namespace};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// The entries of one namespace for one scope, read and written as one cache value (see the
/// module doc). Cheap to clone; clones share the pack.
#[derive(Debug, Clone)]
pub struct Pack {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    cache: Cache,
    disk: Arc<DiskCache>,
    ns: Namespace,
    /// The cache key the pack is stored under.
    key: String,
    state: Mutex<State>,
    /// Held while the stored pack is read: a lookup that comes while [`Pack::prefetch`] reads
    /// waits for that read instead of starting its own.
    loading: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct State {
    /// The stored pack while a lookup or a write needs it (`None` otherwise: each reads it).
    stored: Option<Stored>,
    /// The next pack, written to its temp file as entries are added (never held in memory).
    writer: Option<EntryWriter>,
    added_keys: HashSet<String>,
    /// Set once a lookup has taken the stored pack (a prefetch that comes later reads nothing).
    looked_up: bool,
    /// Set when writing the next pack failed: the run goes on without it.
    failed: bool,
}

/// A pack as read from the cache.
#[derive(Debug, Default)]
struct Stored {
    /// True when the pack's tag was verified under the cache's secret.
    authenticated: bool,
    body: Vec<u8>,
    frames: HashMap<String, Frame>,
}

impl Pack {
    /// The pack of `ns` entries for one `scope` (one project) in `cache`; `None` unless the
    /// cache is on disk (on Redis many projects share single entries).
    pub fn open(cache: &Cache, ns: Namespace, scope: &str) -> Option<Pack> {
        let disk = cache.disk()?;
        Some(Pack::new(cache.clone(), disk, ns, scope))
    }

    fn new(cache: Cache, disk: Arc<DiskCache>, ns: Namespace, scope: &str) -> Pack {
        Pack {
            inner: Arc::new(Inner {
                cache,
                disk,
                ns,
                key: format!("{PACK_KEY_PREFIX}{scope}"),
                state: Mutex::default(),
                loading: tokio::sync::Mutex::new(()),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .expect("no panics while holding the lock")
    }

    /// Looks up many entries, aligned with `keys`: from the pack, else as single entries.
    /// Absent, expired and corrupt entries (and a cache that fails) are `None`.
    pub async fn get_many(&self, keys: &[&str]) -> Vec<Option<Entry>> {
        self.load(false).await;
        let now = now_millis();
        let mut found: Vec<Option<Entry>> = {
            // The answers are copies: the stored pack is let go (a finish reads it again),
            // so a run does not hold every entry twice.
            let mut state = self.state();
            state.looked_up = true;
            let stored = state.stored.take().unwrap_or_default();
            keys.iter().map(|key| stored.entry(key, now)).collect()
        };
        let (ns, cache) = (self.inner.ns, &self.inner.cache);
        let missing: Vec<usize> = (0..keys.len()).filter(|&i| found[i].is_none()).collect();
        for _ in found.iter().flatten() {
            cache.record_lookup(ns, true);
        }
        if missing.is_empty() {
            return found;
        }
        let singles: Vec<&str> = missing.iter().map(|&i| keys[i]).collect();
        if let Ok(entries) = cache.get_many(ns, &singles).await {
            // What is found on its own joins the pack (an upgraded cache, or an entry the
            // registry gate wrote): the next run reads it from the pack.
            let joined: Vec<(&str, &Entry)> = singles
                .iter()
                .zip(&entries)
                .filter_map(|(key, entry)| Some((*key, entry.as_ref()?)))
                .collect();
            self.add(&joined, ns.default_ttl());
            for (i, entry) in missing.into_iter().zip(entries) {
                found[i] = entry;
            }
        }
        found
    }

    /// Adds entries, kept for `ttl`, to the next pack (written out as they come, put in place
    /// by [`Pack::finish`]); a zero `ttl` adds nothing. A later lookup in this process does not
    /// see them. A pack that cannot be written is only a slower next run.
    pub fn add(&self, items: &[(&str, &Entry)], ttl: Duration) {
        if ttl.is_zero() || items.is_empty() {
            return;
        }
        let expires_at = crate::disk::expiry(ttl);
        let mut state = self.state();
        if state.writer.is_none() && !state.failed {
            let (ns, key) = (self.inner.ns, &self.inner.key);
            state.writer = self.inner.disk.writer(ns, key, ttl).ok();
            state.failed = state.writer.is_none();
            if let Some(writer) = state.writer.as_mut() {
                state.failed = writer.append(PACK_MAGIC).is_err();
            }
        }
        for (key, entry) in items {
            let record = encode_record(key, expires_at, entry, None);
            let mut frame = Vec::with_capacity(record.len() + key.len() + 24);
            push_frame(&mut frame, key, expires_at.timestamp_millis(), &record);
            let failed = state.failed;
            let written = match state.writer.as_mut() {
                Some(writer) if !failed => writer.append(&frame).is_ok(),
                _ => false,
            };
            if !written {
                state.failed = true;
                state.writer = None;
                return;
            }
            state.added_keys.insert((*key).to_owned());
        }
    }

    /// Puts the next pack in place when entries were added since the last write: the added
    /// entries, then the stored pack's entries that were not replaced and have not expired.
    pub async fn finish(&self) -> Result<(), CacheError> {
        if self.state().writer.is_none() {
            self.state().failed = false;
            return Ok(());
        }
        self.load(false).await;
        let (writer, stored, added_keys) = {
            let mut state = self.state();
            state.failed = false;
            let writer = state.writer.take();
            let stored = state.stored.take().unwrap_or_default();
            (writer, stored, std::mem::take(&mut state.added_keys))
        };
        let Some(mut writer) = writer else {
            return Ok(());
        };
        let disk = Arc::clone(&self.inner.disk);
        let path = disk.path_of(self.inner.ns, &self.inner.key);
        let seal = move || {
            let now = now_millis().timestamp_millis();
            for (key, frame) in &stored.frames {
                if frame.expires_ms > now && !added_keys.contains(key) {
                    writer.append(&stored.body[frame.whole.clone()])?;
                }
            }
            disk.seal(writer)
        };
        tokio::task::spawn_blocking(seal)
            .await
            .map_err(|e| CacheError::Task(e.to_string()))?
            .map_err(|e| CacheError::io(&path, e))
    }

    /// Starts reading the stored pack in the background (when called inside a Tokio runtime),
    /// so the first lookup finds it read: a run calls this as soon as it knows its project,
    /// and the reading (megabytes, and their tag) overlaps the lockfile's loading.
    pub fn prefetch(&self) {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let pack = self.clone();
            runtime.spawn(async move { pack.load(true).await });
        }
    }

    /// Reads the stored pack once (an absent or unreadable pack is an empty one); a
    /// `prefetch` reads nothing once a lookup has been served.
    async fn load(&self, prefetch: bool) {
        let _one_reader = self.inner.loading.lock().await;
        let nothing_to_read = {
            let state = self.state();
            state.stored.is_some() || (prefetch && state.looked_up)
        };
        if nothing_to_read {
            return;
        }
        let (ns, key) = (self.inner.ns, &self.inner.key);
        let stored = match self.inner.cache.get(ns, key).await {
            Ok(Some(entry)) => Stored::parse(entry).unwrap_or_default(),
            _ => Stored::default(),
        };
        let mut state = self.state();
        if state.stored.is_none() {
            state.stored = Some(stored);
        }
    }
}

impl Stored {
    /// Indexes a pack's frames; `None` when any frame is malformed (the whole pack is a miss).
    fn parse(entry: Entry) -> Option<Stored> {
        let mut frames = HashMap::new();
        for_each_frame(&entry.body, |key, frame| {
            frames.insert(key.to_owned(), frame);
        })?;
        Some(Stored {
            authenticated: entry.authenticated,
            body: entry.body,
            frames,
        })
    }

    /// The entry under `key`, when present, unexpired and intact.
    fn entry(&self, key: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Entry> {
        let frame = self.frames.get(key)?;
        if frame.expires_ms <= now.timestamp_millis() {
            return None;
        }
        // The pack's tag covered these bytes: the record's own checksum is not computed again.
        let record = Record::decode_covered(&self.body[frame.record.clone()]).ok()?;
        let intact = record.key == key
            && record.expires_at.timestamp_millis() == frame.expires_ms
            && !record.is_expired(now);
        let mut entry = intact.then_some(record.entry)?;
        entry.authenticated = self.authenticated;
        Some(entry)
    }
}
