//! `sigverify-cache`: the caches of npm-sigverify.
//!
//! An embedded disk cache by default, Redis as a shared cache for fleets of
//! CI runners, or none. It stores bytes under keys in four [`Namespace`]s and
//! never decides trust: evidence (packuments, attestations, keys) read back
//! is re-verified by the caller; only verdicts are reused as-is, under a
//! [`verdict_key`] that covers everything the verdict depends on.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sigverify_cache::CacheError> {
//! use sigverify_cache::{Cache, Entry, Namespace};
//! let cache = Cache::open(Some("/tmp/npm-sigverify-cache")).await?;
//! let key = "https://registry.npmjs.org/lodash";
//! cache.put(Namespace::Packument, key, &Entry::new(b"{}".to_vec()), Namespace::Packument.default_ttl()).await?;
//! assert!(cache.get(Namespace::Packument, key).await?.is_some());
//! # Ok(()) }
//! ```

mod cache;
mod disk;
mod entry;
mod error;
mod key;
mod namespace;
mod pack;
mod pack_layout;
mod redis_backend;
mod secret;
mod spec;
mod stats;

pub use cache::{Cache, CacheOptions};
pub use entry::Entry;
pub use error::CacheError;
pub use key::verdict_key;
pub use namespace::{Namespace, EVIDENCE_TTL, KEYS_TTL, VERDICT_TTL};
pub use pack::Pack;
pub use redis_backend::{redis_key, RedisTimeouts, BATCH as REDIS_BATCH, KEY_PREFIX};
pub use secret::{local_key_path, CacheSecret, KEY_ENV, KEY_FILE_ENV};
pub use spec::{
    default_cache_dir, default_dir_for, redact, spec_from_env, CacheSpec, RedisTarget, CACHE_ENV,
};
pub use stats::{CacheStats, NamespaceStats};
