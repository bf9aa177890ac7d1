//! Packument facts for a (registry, name): the cache while fresh, else the registry's answer
//! (revalidating a cached copy), parsed off the async workers.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use tokio::sync::Semaphore;
use url::Url;

use crate::cache::{CachedFacts, EntryDraft, EvidenceCache};
use crate::model::PackageTiming;
use crate::source::evidence::{Evidence, EvidenceError};
use crate::source::lines::earlier_in_line;
use crate::source::packument::{parse_packument_keeping, PackumentFacts};
use crate::source::registry::Conditional;
use crate::Code;

/// Where packument facts come from: the cache when fresh, else the registry (revalidating a
/// cached copy), parsed off the async workers.
pub(crate) struct FactsSource<'a> {
    /// Full packuments carry publish times (key expiry, downgrades); abbreviated ones do not.
    pub full: bool,
    /// How many earlier versions of each wanted version's release line the entry keeps whole
    /// (the signals compare a version with them).
    pub history: usize,
    pub evidence: &'a Evidence,
    pub cache: &'a EvidenceCache,
    pub limit: &'a Semaphore,
}

/// A packument's facts, or why they could not be obtained.
pub(crate) type Facts = Result<PackumentFacts, (Code, String)>;

impl FactsSource<'_> {
    /// The facts of one packument: the cached copy while fresh, else the registry's answer
    /// (revalidating a cached copy), parsed on the CPU pool; with the draft of its cache entry
    /// (to be stored with [`EvidenceCache::store`] once the run's verdicts are added).
    ///
    /// A cached entry that lacks some `wanted` version's facts is a miss (the whole packument is
    /// fetched again); the new entry then keeps the wanted versions and those it already had.
    pub async fn obtain(
        &self,
        registry: &Url,
        name: &str,
        wanted: BTreeSet<String>,
        cached: Option<CachedFacts>,
        timing: &mut PackageTiming,
    ) -> (Facts, Option<EntryDraft>) {
        let key = EvidenceCache::key(registry, name, self.full);
        let mut keep = match &cached {
            // The cached history names the earlier versions the signals need whole.
            Some(c) => with_history(
                c.facts.versions.keys().map(String::as_str).collect(),
                wanted,
                self.history,
            ),
            None => wanted,
        };
        // Verdicts are keyed by the facts they judged: they stay usable when the packument is
        // downloaded again (a changed packument simply gives other keys).
        let mut verdicts = BTreeMap::new();
        let cached = match cached {
            Some(c) if c.covers(&keep) && c.fresh => {
                let draft = self
                    .cache
                    .draft(key, c.validators, c.complete, c.verdicts, false);
                return (Ok(c.facts), draft);
            }
            Some(c) if c.covers(&keep) => Some(c),
            Some(c) => {
                keep.extend(c.complete);
                verdicts = c.verdicts;
                None
            }
            None => None,
        };
        let validators = cached
            .as_ref()
            .map(|c| c.validators.clone())
            .unwrap_or_default();
        // The permit is held until the body is parsed (it is dropped on return): fetched
        // bodies never pile up in memory waiting for the CPU pool (on a fast registry they
        // did, up to every packument of the tree at once).
        let _permit = self
            .limit
            .acquire()
            .await
            .expect("semaphore is never closed");
        let started = Instant::now();
        let answer = self
            .evidence
            .packument_conditional(registry, name, self.full, &validators)
            .await;
        timing.fetch = started.elapsed();
        match answer {
            Ok(Conditional::NotModified) => {
                let Some(c) = cached else {
                    let why = "the registry answered 304 to an unconditional request";
                    return (Err((Code::BadPackument, why.to_string())), None);
                };
                let dirty = self.cache.worth_refreshing(&c.validators);
                let draft = self
                    .cache
                    .draft(key, c.validators, c.complete, c.verdicts, dirty);
                (Ok(c.facts), draft)
            }
            Ok(Conditional::Body {
                bytes,
                validators,
                held,
            }) => {
                if let Some(c) = cached {
                    verdicts = c.verdicts;
                }
                // Only the kept versions (wanted, their history, what the entry had) are read
                // in full: the others get what a cache entry keeps of them, so a cold run sees
                // the same facts a warm one reads back.
                let history = self.history;
                let parse = move || {
                    let started = Instant::now();
                    let parsed = parse_packument_keeping(&bytes, |all| {
                        with_history(all.collect(), keep, history)
                    })
                    .map_err(|e| (Code::BadPackument, e.to_string()));
                    // The body's share of the client's budget goes back with the body.
                    drop((bytes, held));
                    (parsed, started.elapsed())
                };
                let (parsed, parse_time) = crate::work::cpu::on_cpu_pool(parse).await;
                timing.parse = parse_time;
                match parsed {
                    Ok((facts, keep)) => {
                        let draft = self.cache.draft(key, validators, keep, verdicts, true);
                        (Ok(facts), draft)
                    }
                    Err(e) => (Err(e), None),
                }
            }
            Ok(Conditional::NotFound) => {
                let why = "the registry answered 404 for its packument";
                (Err((Code::NoPackument, why.into())), None)
            }
            Err(e) => (Err((evidence_code(&e), e.to_string())), None),
        }
    }
}

/// `wanted` and the at most `history` nearest earlier versions of each one's release line
/// among `all` the packument's versions.
fn with_history(all: Vec<&str>, wanted: BTreeSet<String>, history: usize) -> BTreeSet<String> {
    if history == 0 {
        return wanted;
    }
    let earlier: Vec<String> = wanted
        .iter()
        .flat_map(|v| earlier_in_line(all.iter().copied(), v, history))
        .collect();
    let mut keep = wanted;
    keep.extend(earlier);
    keep
}

/// The code of evidence that could not be obtained.
pub(crate) fn evidence_code(e: &EvidenceError) -> Code {
    match e {
        EvidenceError::Fetch(_) => Code::RegistryUnreachable,
        EvidenceError::NotInStore(_)
        | EvidenceError::OtherHosts { .. }
        | EvidenceError::Io { .. } => Code::NoEvidence,
    }
}
