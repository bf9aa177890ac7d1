//! The judged packuments a replica keeps (bounded, oldest idle entry evicted first); how they
//! are fetched, judged and revalidated is in `packument.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sigverify_core::source::registry::Validators;
use sigverify_core::PackageResult;
use url::Url;

/// A packument as the upstream served it, with every version judged (not yet decided).
pub struct Judged {
    /// The registry it came from.
    pub registry: Url,
    /// The document as served upstream.
    pub doc: Value,
    /// Each version's settled result.
    pub results: HashMap<String, PackageResult>,
    pub(crate) validators: Validators,
    pub(crate) fetched: Instant,
}

pub(crate) type Slot = Arc<tokio::sync::Mutex<Option<Arc<Judged>>>>;

/// The judged packuments of this replica.
pub struct Memo {
    slots: Mutex<HashMap<String, Slot>>,
    max_entries: usize,
    pub(crate) max_age: Duration,
}

impl Memo {
    /// Keeps at most `max_entries` packuments, each for `max_age` before revalidation.
    pub fn new(max_entries: usize, max_age: Duration) -> Memo {
        Memo {
            slots: Mutex::new(HashMap::new()),
            max_entries: max_entries.max(1),
            max_age,
        }
    }

    pub(crate) fn slot(&self, key: &str) -> Slot {
        let mut slots = self.slots.lock().expect("no panics under the lock");
        if !slots.contains_key(key) && slots.len() >= self.max_entries {
            evict_one(&mut slots);
        }
        Arc::clone(slots.entry(key.to_string()).or_default())
    }
}

/// Drops the oldest idle entry (one being filled is left alone).
fn evict_one(slots: &mut HashMap<String, Slot>) {
    let oldest = slots
        .iter()
        .filter_map(|(key, slot)| {
            let entry = slot.try_lock().ok()?;
            Some((key.clone(), entry.as_ref().map(|j| j.fetched)))
        })
        .min_by_key(|(_, fetched)| *fetched)
        .map(|(key, _)| key);
    if let Some(key) = oldest {
        slots.remove(&key);
    }
}
