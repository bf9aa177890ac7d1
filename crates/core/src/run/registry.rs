//! The registry stage of the pipeline: one packument request per (registry, name), shared by all
//! of its versions in the tree; the registry signature and integrity of each version judged on
//! the CPU pool; then its attestations. Verdicts kept in the (authenticated) cache are reused
//! when everything they depend on is unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use sigverify_cache::Entry;
use tokio::sync::Semaphore;
use url::Url;

use crate::cache::facts::{Facts, FactsSource};
use crate::cache::verdicts::{history_digest, verdict_key, Verdict};
use crate::cache::EvidenceCache;
use crate::check::attestations::attest;
use crate::check::internal::InternalTrust;
use crate::config::ProvenanceOptions;
use crate::model::{CheckOutcome, PackageResult, PackageTiming};
use crate::source::evidence::Evidence;
use crate::source::keyring::{Keyring, RegistryKeys};
use crate::source::keys::KeySet;
use crate::source::packument::PackumentFacts;
use crate::source::tarball::TarballSources;
use crate::work::deadline::{Deadlined, Limits};
use crate::work::progress::PhaseProgress;
use crate::Code;

use super::judge::judge_group;
pub(crate) use super::judge::RegistryCheck;

/// What every group of a run shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub evidence: Evidence,
    pub cache: EvidenceCache,
    pub provenance: Arc<ProvenanceOptions>,
    pub internal: Option<Arc<InternalTrust>>,
    /// True when a signal is on: packuments are then read in full, also from registries
    /// without keys, and handed to the signals with the results.
    pub signals: bool,
    /// How many earlier versions of each checked version's release line the signals need in
    /// full (the rest of a cached packument keeps only its history).
    pub history: usize,
    /// Where a version's signed tarball is read from when its package.json is needed (the
    /// repository a verified provenance must name).
    pub tarballs: TarballSources,
}

/// Checks packages against their registries, one packument request per (registry, name).
pub(crate) async fn run_checks(
    shared: &Shared,
    keyring: &Keyring,
    checks: Vec<RegistryCheck>,
    limits: &Limits,
) -> Vec<PackageResult> {
    let limit = Arc::new(Semaphore::new(limits.concurrency.max(1)));
    let mut progress = PhaseProgress::start(limits.progress.as_ref(), "checks", checks.len());
    let groups = group_checks(checks);
    // Publish times (key expiry, provenance downgrades, signals) are only in full packuments.
    let signals = shared.signals;
    let full = |registry: &Url| match keyring.get(registry) {
        RegistryKeys::Keys { set, .. } => {
            set.has_expiring_key() || shared.provenance.enabled || signals
        }
        _ => shared.provenance.enabled || signals,
    };
    let cache_keys: Vec<String> = groups
        .keys()
        .map(|(r, n)| EvidenceCache::key(r, n, full(r)))
        .collect();
    let mut preloaded = shared.cache.preload(&cache_keys).await;
    let mut results = Vec::new();
    let mut tasks = Deadlined::new(|r, late| r.checks.registry_signature = late);
    for ((registry, name), group) in groups {
        let (keys, trust) = match keyring.get(&registry) {
            RegistryKeys::Keys { set, trust, .. } => (Some(Arc::clone(set)), trust.clone()),
            // A registry without keys may still carry internal signatures in its packuments,
            // and the signals (release age, scripts, publishers) read its packuments too.
            RegistryKeys::None if shared.internal.is_some() || signals => (None, None),
            other => {
                progress.advance(group.len());
                results.extend(group.into_iter().map(|c| judge_without_keys(c, other)));
                continue;
            }
        };
        let full = full(&registry);
        let cached = preloaded.remove(&EvidenceCache::key(&registry, &name, full));
        let work = GroupWork {
            registry,
            name,
            full,
            keys,
            trust,
            shared: shared.clone(),
            limit: Arc::clone(&limit),
        };
        let if_late = group.iter().map(|c| c.result.clone()).collect();
        tasks.spawn(if_late, work.run(group, cached));
    }
    results.extend(tasks.collect(limits, &mut progress).await);
    results
}

fn group_checks(checks: Vec<RegistryCheck>) -> BTreeMap<(Url, String), Vec<RegistryCheck>> {
    let mut groups: BTreeMap<(Url, String), Vec<RegistryCheck>> = BTreeMap::new();
    for check in checks {
        let key = (check.registry.clone(), check.result.name.clone());
        groups.entry(key).or_default().push(check);
    }
    groups
}

/// A registry whose keys could not be obtained fails its packages closed; one that publishes
/// none leaves them skipped, as npm does.
fn judge_without_keys(check: RegistryCheck, keys: &RegistryKeys) -> PackageResult {
    let mut result = check.result;
    let id = result.id();
    result.checks.registry_signature = match keys {
        RegistryKeys::Unavailable(why) => CheckOutcome::failed(
            Code::KeysUnavailable,
            format!("{id}: cannot verify, the registry's signing keys are unavailable: {why}"),
        ),
        _ => CheckOutcome::not_applicable(
            Code::NoRegistryKeys,
            format!(
                "{id}: the registry {} publishes no signing keys",
                check.registry
            ),
        ),
    };
    result
}

/// Everything the checks of one (registry, name) group need.
struct GroupWork {
    registry: Url,
    name: String,
    full: bool,
    /// The registry's keys (`None`: a registry without keys, checked for internal signatures).
    keys: Option<Arc<KeySet>>,
    trust: Option<Arc<sigverify_attest::TrustMaterial>>,
    shared: Shared,
    limit: Arc<Semaphore>,
}

impl GroupWork {
    /// Obtains the packument once, reuses the cached verdicts that still apply, and judges (and
    /// attests) the rest, caching their verdicts.
    async fn run(self, group: Vec<RegistryCheck>, cached: Option<Entry>) -> Vec<PackageResult> {
        let wanted: BTreeSet<String> = group.iter().map(|c| c.result.version.clone()).collect();
        let (group, cached) = match cached {
            Some(entry) => match self.reuse_verdicts(group, &wanted, &entry) {
                Ok(results) => return results,
                Err(group) => (group, self.shared.cache.decode(entry)),
            },
            None => (group, None),
        };
        let source = FactsSource {
            full: self.full,
            history: self.shared.history,
            evidence: &self.shared.evidence,
            cache: &self.shared.cache,
            limit: &self.limit,
        };
        let mut timing = PackageTiming::default();
        // The fetch and the judging are boxed: a task's future is then small until it runs
        // (every group is spawned at once: unboxed, 5,000 waiting tasks held ~44 MB).
        let obtain = source.obtain(&self.registry, &self.name, wanted, cached, &mut timing);
        let (facts, mut draft) = Box::pin(obtain).await;
        // 1. Verdicts kept for exactly this evidence are reused.
        let keys = match &facts {
            Ok(facts) => self.verdict_keys(facts, &group),
            Err(_) => vec![None; group.len()],
        };
        let mut results = Vec::with_capacity(group.len());
        let (mut todo, mut todo_keys) = (Vec::new(), Vec::new());
        for (check, key) in group.into_iter().zip(keys.iter().cloned()) {
            let hit = key
                .as_ref()
                .and_then(|k| draft.as_ref()?.verdicts.get(k).cloned());
            match (hit, &facts) {
                (Some(verdict), Ok(facts)) => results.push(verdict.apply(check.result, facts)),
                _ => {
                    todo.push(check);
                    todo_keys.push(key);
                }
            }
        }
        // 2. The rest are judged, and their verdicts kept when they passed.
        let facts = if todo.is_empty() {
            facts
        } else {
            let (judged, facts) = Box::pin(self.judge_and_attest(facts, todo)).await;
            if let Some(draft) = draft.as_mut() {
                draft.keep_verdicts(&judged, todo_keys);
            }
            results.extend(judged);
            facts
        };
        // 3. The cache entry is written only when it changed.
        let facts = facts.ok().map(Arc::new);
        if let (Some(mut draft), Some(facts)) = (draft, facts.clone()) {
            if draft.dirty {
                // Verdicts under keys this run no longer uses (older evidence) are dropped.
                draft
                    .verdicts
                    .retain(|k, _| keys.contains(&Some(k.clone())));
                let cache = self.shared.cache.clone();
                crate::work::cpu::on_cpu_pool(move || cache.store(&draft, &facts)).await;
            }
        }
        for result in &mut results {
            result.timing.fetch = timing.fetch;
            result.timing.parse = timing.parse;
            // The signals read the other versions of the packument.
            result.packument = facts.clone().filter(|_| self.shared.signals);
        }
        results
    }

    /// The whole group's results from a fresh cache entry whose verdicts hold for exactly this
    /// evidence, reading only the group's versions of the entry (a warm run's common case; the
    /// full path would read the same facts of those versions, find the same verdicts and leave
    /// the entry as it is). Only when nothing else reads the packument: with a signal on, or a
    /// check without a kept verdict, the group is handed back for the full path.
    fn reuse_verdicts(
        &self,
        group: Vec<RegistryCheck>,
        wanted: &BTreeSet<String>,
        entry: &Entry,
    ) -> Result<Vec<PackageResult>, Vec<RegistryCheck>> {
        // Without a verdict salt or the registry's keys no verdict can be keyed: the entry is
        // then read once, whole.
        let keyed = self.shared.cache.verdict_salt().is_some() && self.keys.is_some();
        if !keyed || self.shared.signals || self.shared.history != 0 {
            return Err(group);
        }
        let cached = self.shared.cache.decode_wanted(entry, wanted);
        let Some(cached) = cached.filter(|c| c.fresh && c.covers(wanted)) else {
            return Err(group);
        };
        let keys = self.verdict_keys(&cached.facts, &group);
        let found: Option<Vec<Verdict>> = keys
            .iter()
            .map(|key| cached.verdicts.get(key.as_ref()?).cloned())
            .collect();
        let Some(verdicts) = found else {
            return Err(group);
        };
        let results = group.into_iter().zip(verdicts);
        Ok(results
            .map(|(check, verdict)| verdict.apply(check.result, &cached.facts))
            .collect())
    }

    /// One verdict key per check (all `None` when verdicts are not cached or cannot apply).
    fn verdict_keys(&self, facts: &PackumentFacts, group: &[RegistryCheck]) -> Vec<Option<String>> {
        let (Some(salt), Some(keys)) = (self.shared.cache.verdict_salt(), self.keys.as_deref())
        else {
            return vec![None; group.len()];
        };
        let history = history_digest(facts);
        let keys = keys.digest();
        group
            .iter()
            .map(|check| {
                // Inline attestations are the caller's evidence, not the registry's.
                let inline = check.inline_attestations.is_some() || check.tarball.is_some();
                let key = verdict_key(salt, &self.registry, &check.result, facts, &history, &keys);
                key.filter(|_| !inline)
            })
            .collect()
    }

    /// Judges the checks on the CPU pool, then attests; hands the facts back for the cache.
    async fn judge_and_attest(
        &self,
        facts: Facts,
        group: Vec<RegistryCheck>,
    ) -> (Vec<PackageResult>, Facts) {
        let (keys, internal) = (self.keys.clone(), self.shared.internal.clone());
        let judge = move || {
            let judged = judge_group(&facts, group, keys.as_deref(), internal.as_deref());
            (judged, facts)
        };
        let (judged, facts) = crate::work::cpu::on_cpu_pool(judge).await;
        let mut results = Vec::with_capacity(judged.len());
        for (mut result, job) in judged {
            let provenance = &self.shared.provenance;
            match job {
                Some(job) if provenance.enabled => {
                    let started = Instant::now();
                    let trust = self.trust.clone();
                    let (evidence, tarballs) = (&self.shared.evidence, &self.shared.tarballs);
                    result = attest(result, job, evidence, trust, provenance, tarballs).await;
                    result.timing.attest = started.elapsed();
                }
                Some(_) => {
                    let why = format!(
                        "{}: attestations not checked (--no-attestations)",
                        result.id()
                    );
                    result.checks.attestations = CheckOutcome::off(why);
                }
                None => {}
            }
            results.push(result);
        }
        (results, facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every group's task is spawned at once, so what a waiting task holds is paid per package
    /// name (5,000 on a big tree): the registry work it awaits must be boxed, not inline.
    #[test]
    fn a_waiting_group_task_is_small() {
        fn size_of_future<F: std::future::Future>(_: &F) -> usize {
            std::mem::size_of::<F>()
        }
        let work = GroupWork {
            registry: Url::parse("https://registry.npmjs.org/").unwrap(),
            name: "a".into(),
            full: true,
            keys: None,
            trust: None,
            shared: Shared {
                evidence: Evidence::Offline(crate::source::evidence::Store::open(
                    std::path::Path::new("/nonexistent"),
                )),
                cache: EvidenceCache::off(),
                provenance: Arc::default(),
                internal: None,
                signals: false,
                history: 0,
                tarballs: TarballSources {
                    root: std::path::PathBuf::from("/nonexistent"),
                    npm_cache: None,
                },
            },
            limit: Arc::new(Semaphore::new(1)),
        };
        let size = size_of_future(&work.run(Vec::new(), None));
        // Unboxed it was 8,680 bytes; boxed ~2,000.
        assert!(size < 4096, "a waiting group task holds {size} bytes");
    }
}
