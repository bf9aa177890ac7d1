//! Checking registry packages: one packument request per (registry, name), shared by all its
//! versions in the tree; parsing and cryptography on blocking threads; then the attestations of
//! each version whose registry signature holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use crate::run::deadline::{Deadlined, Limits};
use crate::run::progress::PhaseProgress;
use tokio::sync::Semaphore;
use url::Url;

use crate::cache::verdicts::{history_digest, verdict_key, Verdict};
use crate::cache::{CachedFacts, EntryDraft, EvidenceCache};
use crate::check::attestations::{attest, AttestationJob, ProvenanceOptions};
use crate::check::integrity;
use crate::check::internal::InternalTrust;
use crate::check::signature::{
    verify_registry_signatures, RegistrySignature, SignatureVerdict, SignedVersion,
};
use crate::model::{PackageResult, Status};
use crate::run::timing::PackageTiming;
use crate::source::evidence::{Evidence, EvidenceError};
use crate::source::keyring::{Keyring, RegistryKeys};
use crate::source::packument::VersionFacts;
use crate::source::packument::{parse_packument, PackumentFacts};
use crate::source::registry::Conditional;
use crate::Code;
use sigverify_attest::VersionInfo;

/// A registry package to check, with its result pre-filled from the lockfile.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub result: PackageResult,
    pub registry: Url,
    pub lock_integrity: Option<String>,
    /// sha512 SRI of a local tarball to hold against the registry's integrity.
    pub tarball_integrity: Option<String>,
    /// An attestations document given by the caller instead of the registry's.
    pub inline_attestations: Option<Arc<Vec<u8>>>,
}

/// Checks packages against their registries, one packument request per (registry, name).
pub(crate) async fn run_checks(
    evidence: &Evidence,
    keyring: &Keyring,
    checks: Vec<Check>,
    limits: &Limits,
    provenance: &Arc<ProvenanceOptions>,
    cache: &EvidenceCache,
    internal: Option<&Arc<InternalTrust>>,
) -> Vec<PackageResult> {
    let limit = Arc::new(Semaphore::new(limits.concurrency.max(1)));
    let mut tasks = Deadlined::new();
    let mut results = Vec::new();
    let mut progress = PhaseProgress::start(limits.progress.as_ref(), "checks", checks.len());
    let groups = group_checks(checks);
    // Publish times (key expiry, provenance downgrades) are only in full packuments.
    let full = |registry: &Url| match keyring.get(registry) {
        RegistryKeys::Keys { set, .. } => set.has_expiring_key() || provenance.enabled,
        _ => provenance.enabled,
    };
    let keys: Vec<String> = groups
        .keys()
        .map(|(r, n)| EvidenceCache::key(r, n, full(r)))
        .collect();
    let mut preloaded = cache.preload(&keys).await;
    let mut planned = Vec::with_capacity(groups.len());
    for ((registry, name), group) in groups {
        let (keys, trust) = match keyring.get(&registry) {
            RegistryKeys::Keys { set, trust, .. } => (Some(Arc::clone(set)), trust.clone()),
            // A registry without keys may still carry internal signatures in its packuments.
            RegistryKeys::None if internal.is_some() => (None, None),
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
            internal: internal.cloned(),
            evidence: evidence.clone(),
            cache: cache.clone(),
            limit: Arc::clone(&limit),
            provenance: Arc::clone(provenance),
        };
        planned.push((work, group, cached));
    }
    for (work, group, cached) in planned {
        let if_late = group.iter().map(|c| c.result.clone()).collect();
        tasks.spawn(if_late, work.run(group, cached));
    }
    results.extend(tasks.collect(limits, &mut progress).await);
    results
}

/// Everything the checks of one (registry, name) group need.
struct GroupWork {
    registry: Url,
    name: String,
    full: bool,
    /// The registry's keys (`None`: a registry without keys, checked for internal signatures).
    keys: Option<Arc<crate::source::keys::KeySet>>,
    trust: Option<Arc<sigverify_attest::TrustMaterial>>,
    internal: Option<Arc<InternalTrust>>,
    evidence: Evidence,
    cache: EvidenceCache,
    limit: Arc<Semaphore>,
    provenance: Arc<ProvenanceOptions>,
}

impl GroupWork {
    /// Obtains the packument once, reuses the cached verdicts that still apply, and judges (and
    /// attests) the rest, caching their verdicts.
    ///
    /// `prefetched`: the verdicts already looked up (in one batch) for the keys of the cached
    /// facts, when those are fresh.
    async fn run(self, group: Vec<Check>, cached: Option<CachedFacts>) -> Vec<PackageResult> {
        let source = FactsSource {
            full: self.full,
            evidence: &self.evidence,
            cache: &self.cache,
            limit: &self.limit,
        };
        let mut timing = PackageTiming::default();
        let wanted = group.iter().map(|c| c.result.version.clone()).collect();
        let (facts, mut draft) = source
            .obtain(&self.registry, &self.name, wanted, cached, &mut timing)
            .await;
        let keys = match &facts {
            Ok(facts) => self.verdict_keys(facts, &group),
            Err(_) => vec![None; group.len()],
        };
        let known = |key: &Option<String>| {
            let verdicts = &draft.as_ref()?.verdicts;
            verdicts.get(key.as_ref()?).cloned()
        };
        let hits: Vec<Option<Verdict>> = keys.iter().map(known).collect();
        let mut results = Vec::with_capacity(group.len());
        let (mut todo, mut todo_keys) = (Vec::new(), Vec::new());
        for ((check, key), hit) in group.into_iter().zip(keys.iter().cloned()).zip(hits) {
            match hit {
                Some(verdict) => results.push(verdict.apply(check.result)),
                None => {
                    todo.push(check);
                    todo_keys.push(key);
                }
            }
        }
        let facts = if todo.is_empty() {
            facts
        } else {
            let (judged, facts) = self.judge_and_attest(facts, todo).await;
            if let Some(draft) = draft.as_mut() {
                draft.keep_verdicts(&judged, todo_keys);
            }
            results.extend(judged);
            facts
        };
        if let (Some(mut draft), Ok(facts)) = (draft, facts) {
            if draft.dirty {
                // Verdicts under keys this run no longer uses (older evidence) are dropped.
                draft
                    .verdicts
                    .retain(|k, _| keys.contains(&Some(k.clone())));
                let cache = self.cache.clone();
                crate::run::cpu::on_cpu_pool(move || cache.store(&draft, &facts)).await;
            }
        }
        for result in &mut results {
            result.timing.fetch = timing.fetch;
            result.timing.parse = timing.parse;
        }
        results
    }

    /// One verdict key per check (all `None` when verdicts are not cached or cannot apply).
    fn verdict_keys(&self, facts: &PackumentFacts, group: &[Check]) -> Vec<Option<String>> {
        let (Some(salt), Some(keys)) = (self.cache.verdict_salt(), self.keys.as_deref()) else {
            return vec![None; group.len()];
        };
        let history = history_digest(facts);
        let keys = keys.digest();
        group
            .iter()
            .map(|check| verdict_key(salt, check, facts, &history, &keys))
            .collect()
    }

    /// Judges the checks on the CPU pool, then attests; hands the facts back for the cache.
    async fn judge_and_attest(
        &self,
        facts: Facts,
        group: Vec<Check>,
    ) -> (Vec<PackageResult>, Facts) {
        let (keys, internal) = (self.keys.clone(), self.internal.clone());
        let judge = move || {
            let judged = judge_group(&facts, group, keys.as_deref(), internal.as_deref());
            (judged, facts)
        };
        let (judged, facts) = crate::run::cpu::on_cpu_pool(judge).await;
        let mut results = Vec::with_capacity(judged.len());
        for (result, job) in judged {
            results.push(match job.filter(|_| self.provenance.enabled) {
                Some(job) => {
                    let started = Instant::now();
                    let trust = self.trust.clone();
                    let mut result =
                        attest(result, job, &self.evidence, trust, &self.provenance).await;
                    result.timing.attest = started.elapsed();
                    result
                }
                None => result,
            });
        }
        (results, facts)
    }
}

fn group_checks(checks: Vec<Check>) -> BTreeMap<(Url, String), Vec<Check>> {
    let mut groups: BTreeMap<(Url, String), Vec<Check>> = BTreeMap::new();
    for check in checks {
        let key = (check.registry.clone(), check.result.name.clone());
        groups.entry(key).or_default().push(check);
    }
    groups
}

fn judge_without_keys(check: Check, keys: &RegistryKeys) -> PackageResult {
    let id = format!("{}@{}", check.result.name, check.result.version);
    match keys {
        RegistryKeys::Unavailable(why) => check.result.fail(
            Status::Invalid,
            Code::KeysUnavailable,
            format!("{id}: cannot verify, the registry's signing keys are unavailable: {why}"),
        ),
        _ => check.result.fail(
            Status::Skipped,
            Code::NoRegistryKeys,
            format!(
                "{id}: the registry {} publishes no signing keys",
                check.registry
            ),
        ),
    }
}

/// Where packument facts come from: the cache when fresh, else the registry (revalidating a
/// cached copy), parsed off the async workers.
pub(crate) struct FactsSource<'a> {
    /// Full packuments carry publish times (key expiry, downgrades); abbreviated ones do not.
    pub full: bool,
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
        let mut keep = wanted;
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
        let answer = {
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
            answer
        };
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
            Ok(Conditional::Body { bytes, validators }) => {
                if let Some(c) = cached {
                    verdicts = c.verdicts;
                }
                let parse = move || {
                    let started = Instant::now();
                    let facts =
                        parse_packument(&bytes).map_err(|e| (Code::BadPackument, e.to_string()));
                    (facts, started.elapsed())
                };
                let (facts, parse_time) = crate::run::cpu::on_cpu_pool(parse).await;
                timing.parse = parse_time;
                let draft = facts.as_ref().ok().and_then(|facts| {
                    keep.retain(|v| facts.versions.contains_key(v));
                    self.cache.draft(key, validators, keep, verdicts, true)
                });
                (facts, draft)
            }
            Ok(Conditional::NotFound) => {
                let why = "the registry answered 404 for its packument";
                (Err((Code::NoPackument, why.into())), None)
            }
            Err(e) => (Err((evidence_code(&e), e.to_string())), None),
        }
    }
}

fn judge_group(
    facts: &Facts,
    group: Vec<Check>,
    keys: Option<&crate::source::keys::KeySet>,
    internal: Option<&InternalTrust>,
) -> Vec<(PackageResult, Option<AttestationJob>)> {
    // The release history (for downgrade checks) is shared by every version of the group.
    let history = facts
        .as_ref()
        .map(|f| Arc::new(f.release_history()))
        .unwrap_or_default();
    group
        .into_iter()
        .map(|check| match facts {
            Ok(facts) => {
                let started = Instant::now();
                let (mut result, job) = judge_one(facts, check, keys, &history, internal);
                result.timing.verify = started.elapsed();
                (result, job)
            }
            Err((code, why)) => {
                let id = format!("{}@{}", check.result.name, check.result.version);
                let result = check
                    .result
                    .fail(Status::Invalid, *code, format!("{id}: {why}"));
                (result, None)
            }
        })
        .collect()
}

fn evidence_code(e: &EvidenceError) -> Code {
    match e {
        EvidenceError::Fetch(_) => Code::RegistryUnreachable,
        EvidenceError::NotInStore(_) | EvidenceError::Io { .. } => Code::NoEvidence,
    }
}

/// Judges one version: its signatures first (as npm), then the lockfile's and tarball's
/// integrity; returns what the attestation step needs when the signature holds (or is missing).
/// Without registry keys only the internal signatures of the packument are judged.
fn judge_one(
    facts: &PackumentFacts,
    check: Check,
    keys: Option<&crate::source::keys::KeySet>,
    history: &Arc<Vec<VersionInfo>>,
    internal: Option<&InternalTrust>,
) -> (PackageResult, Option<AttestationJob>) {
    let Some(keys) = keys else {
        return (judge_internal_only(facts, check, internal), None);
    };
    let registry = check.registry.clone();
    let inline = check.inline_attestations.clone();
    let result = judge_signatures(facts, check, keys, internal);
    if !matches!(result.status, Status::Verified | Status::Missing) {
        return (result, None);
    }
    let Some(version) = facts.versions.get(&result.version) else {
        return (result, None);
    };
    let job = AttestationJob {
        registry,
        advertised: version.attestations_url.clone(),
        inline,
        integrity: result.integrity.clone().unwrap_or_default(),
        repository: version.repository.clone(),
        history: Arc::clone(history),
    };
    (result, Some(job))
}

/// The packument's entry for the checked version and its signed integrity, or the failure.
fn signed_version(
    facts: &PackumentFacts,
    check: Check,
) -> Result<(PackageResult, &VersionFacts, String), Box<PackageResult>> {
    let id = format!("{}@{}", check.result.name, check.result.version);
    let Some(facts_v) = facts.versions.get(&check.result.version) else {
        let why = format!(
            "{id}: the registry does not list version {}",
            check.result.version
        );
        let failed = check
            .result
            .fail(Status::Invalid, Code::VersionNotFound, why);
        return Err(Box::new(failed));
    };
    let Some(integrity) = facts_v.integrity.clone() else {
        let why = format!("{id}: the registry gives no dist.integrity to verify");
        let failed = check.result.fail(Status::Invalid, Code::BadPackument, why);
        return Err(Box::new(failed));
    };
    let mut result = check.result;
    result.integrity = Some(integrity.clone());
    if result.resolved.is_none() {
        result.resolved = facts_v.tarball.clone();
    }
    Ok((result, facts_v, integrity))
}

/// Splits `dist.signatures` into npm's (judged with registry keys) and the internal keys' (judged
/// with the trust file, over the same `name@version:integrity` message).
fn split_internal(
    result: &mut PackageResult,
    signatures: &[RegistrySignature],
    integrity: &str,
    internal: Option<&InternalTrust>,
) -> Vec<RegistrySignature> {
    let Some(trust) = internal else {
        return signatures.to_vec();
    };
    let message = format!("{}@{}:{integrity}", result.name, result.version);
    let (internal_sigs, registry_sigs): (Vec<_>, Vec<_>) = signatures
        .iter()
        .cloned()
        .partition(|s| trust.key_for_keyid(&s.keyid).is_some());
    for entry in &internal_sigs {
        let verdict = trust.judge_registry_entry(entry, &message);
        result.internal_signatures.push(verdict);
    }
    registry_sigs
}

/// A registry without keys: only internal `dist.signatures` entries and the lockfile's
/// integrity can be checked; the status stays skipped until [`crate::check::internal::settle`].
fn judge_internal_only(
    facts: &PackumentFacts,
    check: Check,
    internal: Option<&InternalTrust>,
) -> PackageResult {
    let (lock, tarball) = (
        check.lock_integrity.clone(),
        check.tarball_integrity.clone(),
    );
    let registry = check.registry.to_string();
    let (mut result, facts_v, integrity) = match signed_version(facts, check) {
        Ok(found) => found,
        Err(failed) => return *failed,
    };
    split_internal(&mut result, &facts_v.signatures, &integrity, internal);
    let id = format!("{}@{}", result.name, result.version);
    let why = format!("{id}: the registry {registry} publishes no signing keys");
    let result = check_integrity(result, &integrity, lock, tarball);
    if result.status == Status::Invalid {
        return result;
    }
    result.fail(Status::Skipped, Code::NoRegistryKeys, why)
}

fn judge_signatures(
    facts: &PackumentFacts,
    check: Check,
    keys: &crate::source::keys::KeySet,
    internal: Option<&InternalTrust>,
) -> PackageResult {
    let (lock, tarball) = (
        check.lock_integrity.clone(),
        check.tarball_integrity.clone(),
    );
    let (mut result, facts_v, integrity) = match signed_version(facts, check) {
        Ok(found) => found,
        Err(failed) => return *failed,
    };
    let (name, version) = (result.name.clone(), result.version.clone());
    let id = format!("{name}@{version}");
    let signatures = split_internal(&mut result, &facts_v.signatures, &integrity, internal);
    let signed = SignedVersion {
        name: &name,
        version: &version,
        integrity: &integrity,
        published: facts.published.get(&version).copied(),
    };
    match verify_registry_signatures(&signed, &signatures, keys) {
        SignatureVerdict::Missing => result.fail(
            Status::Missing,
            Code::MissingSignature,
            format!(
                "{id} has a missing registry signature but the registry is providing signing keys"
            ),
        ),
        SignatureVerdict::Invalid {
            code,
            keyid,
            message,
        } => {
            result.keyids = vec![keyid];
            result.fail(Status::Invalid, code, message)
        }
        SignatureVerdict::Verified { keyids, .. } => {
            result.keyids = keyids;
            check_integrity(result, &integrity, lock, tarball)
        }
    }
}

fn check_integrity(
    result: PackageResult,
    signed: &str,
    lockfile: Option<String>,
    tarball: Option<String>,
) -> PackageResult {
    let id = format!("{}@{}", result.name, result.version);
    if let Some(lock) = lockfile.filter(|l| integrity::conflicts(l, signed)) {
        let why =
            format!("{id}: the lockfile pins integrity {lock} but the registry signed {signed}");
        return result.fail(Status::Invalid, Code::IntegrityMismatch, why);
    }
    if let Some(tarball) = tarball.filter(|t| integrity::conflicts(t, signed)) {
        let why = format!("{id}: the tarball hashes to {tarball} but the registry signed {signed}");
        return result.fail(Status::Invalid, Code::IntegrityMismatch, why);
    }
    result
}
