//! The shared Redis cache: one key per entry under `npm-sigverify:v1:<ns>:`,
//! values in the same checksummed encoding as the disk cache, TTLs via
//! `SET .. EX`, batches via `MGET` and pipelines. Every command is bounded
//! by a timeout; after the first connection failure the cache trips and
//! answers `Unavailable` at once, so a dead Redis costs one timeout per run.

use crate::disk::expiry;
use crate::entry::Record;
use crate::secret::CacheSecret;
use crate::spec::RedisTarget;
use crate::stats::{Counters, Stored};
use crate::{CacheError, Entry, Namespace};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, RedisError, RedisResult};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Prefix of every key this crate writes.
pub const KEY_PREFIX: &str = "npm-sigverify:v1:";
/// Keys per `MGET` / pipeline: 5,000 keys cost 5 round trips.
pub const BATCH: usize = 1000;

/// Connection limits; a dead server must never hang a run.
#[derive(Debug, Clone, Copy)]
pub struct RedisTimeouts {
    /// Limit on establishing the connection (TCP + AUTH + SELECT).
    pub connect: Duration,
    /// Limit on each command or pipeline round trip.
    pub command: Duration,
}

impl Default for RedisTimeouts {
    fn default() -> Self {
        RedisTimeouts {
            connect: Duration::from_secs(2),
            command: Duration::from_secs(5),
        }
    }
}

pub(crate) struct RedisCache {
    target: RedisTarget,
    secret: Option<CacheSecret>,
    conn: ConnectionManager,
    timeouts: RedisTimeouts,
    tripped: AtomicBool,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisCache({})", self.target)
    }
}

/// The Redis key of `key` in `ns`.
pub fn redis_key(ns: Namespace, key: &str) -> String {
    format!("{KEY_PREFIX}{}:{key}", ns.as_str())
}

impl RedisCache {
    /// Connects (bounded by the connect timeout) and checks with `PING`.
    pub async fn open(
        target: RedisTarget,
        timeouts: RedisTimeouts,
        secret: Option<CacheSecret>,
        root_cert: Option<Vec<u8>>,
    ) -> Result<RedisCache, CacheError> {
        let bad = |e: RedisError| CacheError::InvalidSpec {
            spec: target.to_string(),
            reason: target.redact(&e.to_string()),
        };
        // `rediss://`: the server's certificate is checked against the system roots, or against
        // the CA given in NPM_SIGVERIFY_REDIS_CA_FILE (a private CA, as fleets often use).
        // rustls needs one process-wide crypto provider; another part of the process (the
        // registry client) may have installed it already, which is fine.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = match root_cert {
            Some(pem) => {
                let certs = redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(pem),
                };
                redis::Client::build_with_tls(target.secret_url(), certs).map_err(bad)?
            }
            None => redis::Client::open(target.secret_url()).map_err(bad)?,
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeouts.connect))
            .set_response_timeout(Some(timeouts.command))
            .set_number_of_retries(1);
        let connecting = ConnectionManager::new_with_config(client, config);
        let conn = match tokio::time::timeout(timeouts.connect, connecting).await {
            Ok(Ok(conn)) => conn,
            Ok(Err(e)) => return Err(unavailable(&target, &e.to_string())),
            Err(_) => return Err(timed_out(&target, "connect", timeouts.connect)),
        };
        let cache = RedisCache {
            target,
            secret,
            conn,
            timeouts,
            tripped: AtomicBool::new(false),
        };
        let mut conn = cache.conn.clone();
        let ping = async move { redis::cmd("PING").query_async::<String>(&mut conn).await };
        cache.guard("PING", None, ping).await?;
        Ok(cache)
    }

    /// The redacted URL.
    pub fn target(&self) -> &RedisTarget {
        &self.target
    }

    /// True when entries carry a tag under a configured secret.
    pub fn authenticated(&self) -> bool {
        self.secret.is_some()
    }

    /// Runs one round trip under the command timeout, mapping failures.
    async fn guard<T>(
        &self,
        command: &'static str,
        counters: Option<&Counters>,
        fut: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, CacheError> {
        if self.tripped.load(Ordering::Relaxed) {
            return Err(unavailable(
                &self.target,
                "disabled after an earlier failure in this run",
            ));
        }
        if let Some(counters) = counters {
            counters.round_trips.fetch_add(1, Ordering::Relaxed);
        }
        let error = match tokio::time::timeout(self.timeouts.command, fut).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) if !is_unreachable(&e) => return Err(self.rejected(command, &e)),
            Ok(Err(e)) => unavailable(&self.target, &format!("{command}: {e}")),
            Err(_) => timed_out(&self.target, command, self.timeouts.command),
        };
        self.tripped.store(true, Ordering::Relaxed);
        Err(error)
    }

    fn rejected(&self, command: &'static str, e: &RedisError) -> CacheError {
        CacheError::Redis {
            target: self.target.to_string(),
            command,
            reason: self.target.redact(&e.to_string()),
        }
    }

    /// Fetches many keys with one `MGET` per [`BATCH`] keys.
    pub async fn get_many(
        &self,
        ns: Namespace,
        keys: &[&str],
        c: &Counters,
    ) -> Result<Vec<Option<Entry>>, CacheError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH) {
            let names: Vec<String> = chunk.iter().map(|k| redis_key(ns, k)).collect();
            let mut conn = self.conn.clone();
            let mget = async move {
                redis::cmd("MGET")
                    .arg(&names)
                    .query_async::<Vec<Option<Vec<u8>>>>(&mut conn)
                    .await
            };
            let values = self.guard("MGET", Some(c), mget).await?;
            out.extend(
                chunk
                    .iter()
                    .zip(values)
                    .map(|(key, value)| check(key, value, c, self.secret.as_ref())),
            );
        }
        Ok(out)
    }

    /// Stores many entries with one pipeline of `SET .. EX` per [`BATCH`].
    pub async fn put_many(
        &self,
        ns: Namespace,
        items: &[(&str, &Entry)],
        ttl: Duration,
        c: &Counters,
    ) -> Result<(), CacheError> {
        let seconds = ttl.as_millis().div_ceil(1000).max(1) as u64;
        for chunk in items.chunks(BATCH) {
            let mut pipe = redis::pipe();
            for (key, entry) in chunk {
                let record = Record {
                    key: (*key).to_owned(),
                    expires_at: expiry(ttl),
                    entry: (*entry).clone(),
                };
                pipe.cmd("SET")
                    .arg(redis_key(ns, key))
                    .arg(record.encode(self.secret.as_ref()))
                    .arg("EX")
                    .arg(seconds)
                    .ignore();
            }
            let mut conn = self.conn.clone();
            let run = async move { pipe.query_async::<()>(&mut conn).await };
            self.guard("SET", Some(c), run).await?;
        }
        Ok(())
    }

    /// All keys of a namespace, by `SCAN` (never `KEYS`, which blocks the server).
    async fn scan(&self, ns: Namespace, c: &Counters) -> Result<Vec<String>, CacheError> {
        let pattern = format!("{KEY_PREFIX}{}:*", ns.as_str());
        let (mut cursor, mut keys) = (0u64, Vec::new());
        loop {
            let mut conn = self.conn.clone();
            let cmd = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(BATCH)
                .clone();
            let step = async move { cmd.query_async::<(u64, Vec<String>)>(&mut conn).await };
            let (next, found) = self.guard("SCAN", Some(c), step).await?;
            keys.extend(found);
            if next == 0 {
                return Ok(keys);
            }
            cursor = next;
        }
    }

    /// Entries and bytes per namespace (`SCAN` + pipelined `STRLEN`).
    pub async fn stored(
        &self,
        c: &Counters,
    ) -> Result<[Stored; crate::namespace::COUNT], CacheError> {
        let mut stored = [Stored::default(); crate::namespace::COUNT];
        for ns in Namespace::ALL {
            let keys = self.scan(ns, c).await?;
            stored[ns.index()].entries = keys.len() as u64;
            for chunk in keys.chunks(BATCH) {
                let mut pipe = redis::pipe();
                chunk.iter().for_each(|k| {
                    pipe.cmd("STRLEN").arg(k);
                });
                let mut conn = self.conn.clone();
                let run = async move { pipe.query_async::<Vec<u64>>(&mut conn).await };
                stored[ns.index()].bytes += self
                    .guard("STRLEN", Some(c), run)
                    .await?
                    .iter()
                    .sum::<u64>();
            }
        }
        Ok(stored)
    }

    /// Deletes this crate's keys only (never `FLUSHDB`: the db may be shared).
    pub async fn clear(&self, c: &Counters) -> Result<u64, CacheError> {
        let mut removed = 0;
        for ns in Namespace::ALL {
            for chunk in self.scan(ns, c).await?.chunks(BATCH) {
                let mut conn = self.conn.clone();
                let cmd = redis::cmd("UNLINK").arg(chunk).clone();
                let run = async move { cmd.query_async::<u64>(&mut conn).await };
                removed += self.guard("UNLINK", Some(c), run).await?;
            }
        }
        Ok(removed)
    }
}

/// Decodes one stored value; anything wrong is a miss.
fn check(
    key: &str,
    value: Option<Vec<u8>>,
    c: &Counters,
    secret: Option<&CacheSecret>,
) -> Option<Entry> {
    match Record::decode(&value?, secret) {
        // Redis drops a key at the TTL its writer set; the record's own lifetime is held to
        // what this tool gives too (a writer with the key chooses both).
        Ok(record) if record.key == key && !record.is_expired(crate::entry::now_millis()) => {
            Some(record.entry)
        }
        Ok(_) => None,
        Err(_) => {
            c.corrupt.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

/// Errors after which the server should be treated as gone for this run.
fn is_unreachable(e: &RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_refusal()
        || e.is_connection_dropped()
        || e.kind() == ErrorKind::AuthenticationFailed
        || matches!(
            e.code(),
            Some("NOAUTH" | "WRONGPASS" | "LOADING" | "MASTERDOWN")
        )
}

fn unavailable(target: &RedisTarget, reason: &str) -> CacheError {
    CacheError::Unavailable {
        target: target.to_string(),
        reason: target.redact(reason),
    }
}

fn timed_out(target: &RedisTarget, what: &str, limit: Duration) -> CacheError {
    unavailable(
        target,
        &format!("{what} timed out after {} ms", limit.as_millis()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value whose writer (who holds the key) set a lifetime past any this tool gives is a
    /// miss, whatever TTL Redis keeps it for.
    #[test]
    fn a_record_living_longer_than_the_tool_gives_is_a_miss() {
        let secret = CacheSecret::new(&[7; 32]).unwrap();
        let counters = Counters::default();
        let entry = Entry::new(b"{}".to_vec());
        let stored = |days: i64| {
            let record = Record {
                key: "k".into(),
                expires_at: entry.stored_at + chrono::Duration::days(days),
                entry: entry.clone(),
            };
            record.encode(Some(&secret))
        };
        assert!(check("k", Some(stored(1)), &counters, Some(&secret)).is_some());
        assert!(check("k", Some(stored(3650)), &counters, Some(&secret)).is_none());
    }
}
