//! Cache statistics: what is stored (from the backend) and how this process
//! used it (hit/miss counters).

use crate::Namespace;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Stored size and this process's use of one namespace (JSON keys in camelCase).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceStats {
    /// Namespace name (`packument`, `attestations`, `keys`, `verdict`).
    pub namespace: String,
    /// Entries stored (including expired ones not yet evicted); a project's pack on disk counts
    /// as the entries it holds when this cache can read it, else as one.
    pub entries: u64,
    /// Bytes stored, headers included.
    pub bytes: u64,
    /// Hits served to this process.
    pub hits: u64,
    /// Misses seen by this process (absent, expired or corrupt).
    pub misses: u64,
}

/// Statistics of a whole cache (JSON keys in camelCase: `corruptRemoved`, `tempFiles`,
/// `roundTrips`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CacheStats {
    /// `disk`, `redis` or `off`.
    pub backend: String,
    /// Folder or redacted URL.
    pub location: String,
    /// One row per namespace, in [`Namespace::ALL`] order.
    pub namespaces: Vec<NamespaceStats>,
    /// Sum of entries over namespaces.
    pub entries: u64,
    /// Sum of bytes over namespaces.
    pub bytes: u64,
    /// Sum of hits over namespaces.
    pub hits: u64,
    /// Sum of misses over namespaces.
    pub misses: u64,
    /// Corrupt or truncated entries this process found and removed.
    pub corrupt_removed: u64,
    /// Leftover temp files of interrupted disk writes (removed by `clear`).
    pub temp_files: u64,
    /// Redis round trips made by this process (0 for other backends).
    pub round_trips: u64,
}

/// What a backend reports about its storage, per namespace.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stored {
    pub entries: u64,
    pub bytes: u64,
}

/// Process-wide counters, shared by all clones of a `Cache`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    hits: [AtomicU64; crate::namespace::COUNT],
    misses: [AtomicU64; crate::namespace::COUNT],
    pub corrupt: AtomicU64,
    pub round_trips: AtomicU64,
}

impl Counters {
    /// Counts one lookup result.
    pub fn record(&self, ns: Namespace, hit: bool) {
        let slot = if hit { &self.hits } else { &self.misses };
        slot[ns.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Hits and misses over every namespace.
    pub fn totals(&self) -> (u64, u64) {
        let sum = |slots: &[AtomicU64; crate::namespace::COUNT]| {
            slots.iter().map(|a| a.load(Ordering::Relaxed)).sum()
        };
        (sum(&self.hits), sum(&self.misses))
    }

    /// Combines stored sizes with the counters into a report.
    pub fn report(
        &self,
        backend: &str,
        location: String,
        stored: [Stored; crate::namespace::COUNT],
        temp: u64,
    ) -> CacheStats {
        let mut stats = CacheStats {
            backend: backend.to_owned(),
            location,
            corrupt_removed: self.corrupt.load(Ordering::Relaxed),
            temp_files: temp,
            round_trips: self.round_trips.load(Ordering::Relaxed),
            ..CacheStats::default()
        };
        for ns in Namespace::ALL {
            let row = NamespaceStats {
                namespace: ns.as_str().to_owned(),
                entries: stored[ns.index()].entries,
                bytes: stored[ns.index()].bytes,
                hits: self.hits[ns.index()].load(Ordering::Relaxed),
                misses: self.misses[ns.index()].load(Ordering::Relaxed),
            };
            stats.entries += row.entries;
            stats.bytes += row.bytes;
            stats.hits += row.hits;
            stats.misses += row.misses;
            stats.namespaces.push(row);
        }
        stats
    }
}
