//! The one async API over all backends.

use crate::disk::DiskCache;
use crate::redis_backend::{RedisCache, RedisTimeouts};
use crate::spec::CacheSpec;
use crate::stats::{CacheStats, Counters, Stored};
use crate::{CacheError, Entry, Namespace};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// How to open a cache besides the spec itself.
#[derive(Debug, Clone, Default)]
pub struct CacheOptions {
    /// Environment used to find the default folder (`None`: the process's).
    pub env: Option<HashMap<String, String>>,
    /// Redis connect and command limits.
    pub redis: RedisTimeouts,
}

#[derive(Debug)]
enum Backend {
    Off,
    Disk(Arc<DiskCache>),
    Redis(Box<RedisCache>),
}

/// A cache of bytes under keys: embedded disk, shared Redis, or off.
///
/// Cheap to clone; clones share the backend and the hit/miss counters.
/// All methods must run inside a tokio runtime. The cache never decides
/// trust: evidence read from it is re-verified by the caller.
#[derive(Debug, Clone)]
pub struct Cache {
    backend: Arc<Backend>,
    counters: Arc<Counters>,
}

impl Cache {
    /// Opens the cache named by `spec` (see [`CacheSpec::parse`]); `None`
    /// is the default disk cache in the user's cache folder.
    pub async fn open(spec: Option<&str>) -> Result<Cache, CacheError> {
        Cache::open_with(spec, &CacheOptions::default()).await
    }

    /// [`Cache::open`] with explicit options.
    pub async fn open_with(
        spec: Option<&str>,
        options: &CacheOptions,
    ) -> Result<Cache, CacheError> {
        let process_env;
        let env = match &options.env {
            Some(env) => env,
            None => {
                process_env = std::env::vars().collect();
                &process_env
            }
        };
        let backend = match CacheSpec::parse(spec, env)? {
            CacheSpec::Off => Backend::Off,
            CacheSpec::Disk(root) => {
                let secret = crate::secret::resolve(env, true)?;
                let disk = tokio::task::spawn_blocking(move || DiskCache::open(root, secret)).await;
                Backend::Disk(Arc::new(disk.map_err(task_error)??))
            }
            CacheSpec::Redis(target) => {
                let secret = crate::secret::resolve(env, false)?;
                let ca = redis_ca(env)?;
                Backend::Redis(Box::new(
                    RedisCache::open(target, options.redis, secret, ca).await?,
                ))
            }
        };
        Ok(Cache::from_backend(backend))
    }

    /// Opens like [`Cache::open_with`], but falls back to no cache and hands
    /// back the error as a warning for the caller to print.
    pub async fn open_or_off(
        spec: Option<&str>,
        options: &CacheOptions,
    ) -> (Cache, Option<CacheError>) {
        match Cache::open_with(spec, options).await {
            Ok(cache) => (cache, None),
            Err(e) => (Cache::off(), Some(e)),
        }
    }

    /// A cache that stores nothing and always misses.
    pub fn off() -> Cache {
        Cache::from_backend(Backend::Off)
    }

    fn from_backend(backend: Backend) -> Cache {
        Cache {
            backend: Arc::new(backend),
            counters: Arc::new(Counters::default()),
        }
    }

    /// `disk`, `redis` or `off`.
    /// True when entries are written and read under a secret ([`crate::CacheSecret`]): only then
    /// may an entry's content be reused as a verdict.
    pub fn authenticated(&self) -> bool {
        match &*self.backend {
            Backend::Off => false,
            Backend::Disk(disk) => disk.authenticated(),
            Backend::Redis(redis) => redis.authenticated(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match &*self.backend {
            Backend::Off => "off",
            Backend::Disk(_) => "disk",
            Backend::Redis(_) => "redis",
        }
    }

    /// Where the data lives: a folder, or the Redis URL with its password redacted.
    pub fn location(&self) -> String {
        match &*self.backend {
            Backend::Off => "-".into(),
            Backend::Disk(disk) => disk.root().display().to_string(),
            Backend::Redis(redis) => redis.target().to_string(),
        }
    }

    /// Redis round trips this cache made so far (0 for other backends).
    pub fn round_trips(&self) -> u64 {
        self.counters
            .round_trips
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// This process's lookups so far: (hits, misses), every namespace together. Cheap (no
    /// backend round trip), for metrics.
    pub fn lookups(&self) -> (u64, u64) {
        self.counters.totals()
    }

    /// One round trip to the backend, not counted as a lookup: `Err` when a Redis does not
    /// answer (a readiness check). Disk and off always answer.
    pub async fn ping(&self) -> Result<(), CacheError> {
        match &*self.backend {
            Backend::Redis(redis) => {
                let probe = ["npm-sigverify:ping"];
                let found = redis.get_many(Namespace::Keys, &probe, &self.counters);
                found.await.map(|_| ())
            }
            Backend::Off | Backend::Disk(_) => Ok(()),
        }
    }

    /// Looks up one entry. Absent, expired and corrupt entries are `None`.
    pub async fn get(&self, ns: Namespace, key: &str) -> Result<Option<Entry>, CacheError> {
        let mut found = self.get_many(ns, &[key]).await?;
        Ok(found.pop().flatten())
    }

    /// Looks up many entries at once; the result is aligned with `keys`.
    pub async fn get_many(
        &self,
        ns: Namespace,
        keys: &[&str],
    ) -> Result<Vec<Option<Entry>>, CacheError> {
        let found = match &*self.backend {
            Backend::Off => vec![None; keys.len()],
            Backend::Redis(redis) => redis.get_many(ns, keys, &self.counters).await?,
            Backend::Disk(disk) => {
                let (disk, counters) = (disk.clone(), self.counters.clone());
                let owned: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
                let read = move || disk.get_many(ns, &owned, &counters);
                tokio::task::spawn_blocking(read)
                    .await
                    .map_err(task_error)??
            }
        };
        for entry in &found {
            self.counters.record(ns, entry.is_some());
        }
        Ok(found)
    }

    /// Stores one entry for `ttl` (a zero `ttl` stores nothing).
    pub async fn put(
        &self,
        ns: Namespace,
        key: &str,
        entry: &Entry,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        self.put_many(ns, &[(key, entry)], ttl).await
    }

    /// Stores many entries, all with the same `ttl`.
    pub async fn put_many(
        &self,
        ns: Namespace,
        items: &[(&str, &Entry)],
        ttl: Duration,
    ) -> Result<(), CacheError> {
        if ttl.is_zero() || items.is_empty() {
            return Ok(());
        }
        match &*self.backend {
            Backend::Off => Ok(()),
            Backend::Redis(redis) => redis.put_many(ns, items, ttl, &self.counters).await,
            Backend::Disk(disk) => {
                let disk = disk.clone();
                let owned: Vec<(String, Entry)> = items
                    .iter()
                    .map(|(k, e)| ((*k).to_owned(), (*e).clone()))
                    .collect();
                let write = move || disk.put_many(ns, &owned, ttl);
                tokio::task::spawn_blocking(write)
                    .await
                    .map_err(task_error)?
            }
        }
    }

    /// The disk backend, when the cache is on disk (for packs).
    pub(crate) fn disk(&self) -> Option<Arc<DiskCache>> {
        match &*self.backend {
            Backend::Disk(disk) => Some(Arc::clone(disk)),
            _ => None,
        }
    }

    /// Counts lookups answered outside [`Cache::get_many`] (from a [`crate::Pack`]).
    pub(crate) fn record_lookup(&self, ns: Namespace, hit: bool) {
        self.counters.record(ns, hit);
    }

    /// Stored entries and bytes per namespace, plus this process's hits and misses.
    pub async fn stats(&self) -> Result<CacheStats, CacheError> {
        let (stored, temps) = match &*self.backend {
            Backend::Off => ([Stored::default(); crate::namespace::COUNT], 0),
            Backend::Redis(redis) => (redis.stored(&self.counters).await?, 0),
            Backend::Disk(disk) => {
                let disk = disk.clone();
                tokio::task::spawn_blocking(move || disk.stored())
                    .await
                    .map_err(task_error)??
            }
        };
        Ok(self
            .counters
            .report(self.kind(), self.location(), stored, temps))
    }

    /// Removes every entry this crate stored; returns how many were removed.
    pub async fn clear(&self) -> Result<u64, CacheError> {
        match &*self.backend {
            Backend::Off => Ok(0),
            Backend::Redis(redis) => redis.clear(&self.counters).await,
            Backend::Disk(disk) => {
                let disk = disk.clone();
                tokio::task::spawn_blocking(move || disk.clear())
                    .await
                    .map_err(task_error)?
            }
        }
    }
}

fn task_error(e: tokio::task::JoinError) -> CacheError {
    CacheError::Task(e.to_string())
}

/// The CA certificate(s) a `rediss://` server's certificate must chain to, when given.
fn redis_ca(env: &HashMap<String, String>) -> Result<Option<Vec<u8>>, CacheError> {
    let Some(path) = env
        .get("NPM_SIGVERIFY_REDIS_CA_FILE")
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    std::fs::read(path)
        .map(Some)
        .map_err(|e| CacheError::io(std::path::Path::new(path), e))
}
