//! The evidence cache: packument facts (only what verification needs) per registry and name,
//! and the verdicts judged from them, in the embedded disk cache or a shared Redis.
//!
//! Cached evidence is re-verified whenever no kept verdict matches it ([`crate::cache::verdicts`] says
//! exactly what a verdict's key covers); only the network fetch is saved. How long an entry is used without
//! asking the registry is `max_age` when set (`--cache-max-age`); by default the local cache uses
//! what the registry said (`Cache-Control: max-age`, 300 s on registry.npmjs.org, as npm's own
//! cache does; no header means revalidate every run with ETag / Last-Modified) and Redis one
//! hour (one CI runner's fetch serves the fleet).

/// The longest a registry's `Cache-Control: max-age` keeps an entry fresh: registry.npmjs.org
/// sends 300 s.
const REGISTRY_MAX_AGE_CAP: Duration = Duration::from_secs(300);

mod contents;
pub(crate) mod facts;
pub(crate) mod verdicts;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sigverify_cache::{Cache, CacheOptions, Entry, Namespace, Pack};
use url::Url;

use serde::{Deserialize, Serialize};

use crate::cache::verdicts::Verdict;
use crate::config::CacheSettings;
use crate::model::PackageResult;
use crate::source::packument::PackumentFacts;
use crate::source::registry::Validators;

/// Version of the cached facts' shape (3: dependency declarations added; 4: empty fields left
/// out, which older readers would take as a shape change; 5: `_npmUser` added, which an f4
/// entry would silently lack; 6: the published bins, which an f5 entry would report as none;
/// 7: optional peers, which an f6 entry would report as none). The release-history digest kept since needs no new version: an
/// entry without it has it computed again.
const FACTS_FORMAT: &str = "f7";

/// An opened evidence cache.
#[derive(Debug, Clone)]
pub(crate) struct EvidenceCache {
    cache: Cache,
    /// `None`: the registry's own freshness lifetime, stored with each entry.
    max_age: Option<Duration>,
    /// Why the configured cache is not in use, if it is not.
    pub warning: Option<String>,
    /// Entries to write in batches (one write per entry, spread over the run, cost more than
    /// the fetches they save): every [`WRITE_BATCH`] queued entries go out in the background,
    /// the rest at [`Self::flush`].
    pending: Arc<Mutex<Vec<(String, Entry)>>>,
    /// Batches being written in the background; [`Self::flush`] waits for them.
    writing: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    /// Where background batches run (`None` outside a runtime: everything waits for `flush`).
    runtime: Option<tokio::runtime::Handle>,
    /// What every verdict of this run depends on ([`crate::cache::verdicts::run_salt`]); `None` when
    /// verdicts are not cached.
    verdict_salt: Option<Arc<String>>,
    /// The project's packs, when the run is over one project and the cache is on disk: its
    /// entries are then read and written as one value per namespace ([`sigverify_cache::Pack`]).
    packs: Option<Arc<Packs>>,
}

/// A project's packs: packument facts and content index entries.
#[derive(Debug)]
struct Packs {
    packuments: Pack,
    contents: Pack,
}

/// Queued entries written in the background at a time: a big tree's entries are not all held
/// until the end of the run (5,000 packages queue several MB).
const WRITE_BATCH: usize = 500;

/// A cached packument's facts and validators.
pub(crate) struct CachedFacts {
    pub facts: PackumentFacts,
    pub validators: Validators,
    pub fresh: bool,
    /// The versions whose facts are all there (the others keep only their history).
    pub complete: BTreeSet<String>,
    /// Verdicts kept with the facts, by verdict key ([`crate::cache::verdicts`]).
    pub verdicts: BTreeMap<String, Verdict>,
}

/// What a packument's cache entry will hold, built up during a run and written only when it
/// changed (new facts, a restarted freshness, new verdicts).
pub(crate) struct EntryDraft {
    pub key: String,
    pub validators: Validators,
    pub complete: BTreeSet<String>,
    pub verdicts: BTreeMap<String, Verdict>,
    /// True when the entry must be written.
    pub dirty: bool,
}

impl EntryDraft {
    /// Adds the verdicts worth keeping of freshly judged results (`keys` aligned with them).
    pub fn keep_verdicts(&mut self, judged: &[PackageResult], keys: Vec<Option<String>>) {
        for (result, key) in judged.iter().zip(keys) {
            if let (Some(key), Some(verdict)) = (key, Verdict::of(result)) {
                self.verdicts.insert(key, verdict);
                self.dirty = true;
            }
        }
    }
}

impl CachedFacts {
    /// True when every wanted version has all its facts in the entry.
    pub fn covers(&self, wanted: &BTreeSet<String>) -> bool {
        wanted.is_subset(&self.complete)
    }
}

impl EvidenceCache {
    /// Opens the configured cache; an unusable cache becomes no cache with a warning.
    pub async fn open(settings: &CacheSettings, offline: bool) -> EvidenceCache {
        if offline {
            return EvidenceCache::off();
        }
        let env: HashMap<String, String> = std::env::vars().collect();
        let spec = sigverify_cache::spec_from_env(settings.spec.as_deref(), &env);
        let (cache, error) = Cache::open_or_off(spec.as_deref(), &CacheOptions::default()).await;
        let fleet_default = (cache.kind() == "redis").then_some(Duration::from_secs(3600));
        EvidenceCache {
            max_age: settings.max_age.or(fleet_default),
            warning: error.map(|e| format!("cache unavailable, continuing without it: {e}")),
            cache,
            pending: Arc::default(),
            writing: Arc::default(),
            runtime: tokio::runtime::Handle::try_current().ok(),
            verdict_salt: None,
            packs: None,
        }
    }

    /// A cache that stores nothing.
    pub fn off() -> EvidenceCache {
        EvidenceCache {
            cache: Cache::off(),
            max_age: Some(Duration::ZERO),
            warning: None,
            pending: Arc::default(),
            writing: Arc::default(),
            runtime: None,
            verdict_salt: None,
            packs: None,
        }
    }

    /// Caches verdicts too, under `salt` (see [`crate::cache::verdicts`]), when the cache's
    /// entries are authenticated by a secret (an unkeyed Redis keeps evidence only: whoever can
    /// write it could forge a verdict).
    pub fn with_verdicts(mut self, salt: String) -> EvidenceCache {
        if self.cache.authenticated() {
            self.verdict_salt = Some(Arc::new(salt));
        }
        self
    }

    /// Keeps this run's packument and content index entries in packs for `scope` (one
    /// project), when the cache is on disk, and starts reading them in the background.
    pub fn with_packs(mut self, scope: &str) -> EvidenceCache {
        let packuments = Pack::open(&self.cache, Namespace::Packument, scope);
        let contents = Pack::open(&self.cache, Namespace::Contents, scope);
        if let (Some(packuments), Some(contents)) = (packuments, contents) {
            packuments.prefetch();
            contents.prefetch();
            self.packs = Some(Arc::new(Packs {
                packuments,
                contents,
            }));
        }
        self
    }

    /// The run's verdict salt when verdicts are cached.
    pub fn verdict_salt(&self) -> Option<&str> {
        self.verdict_salt.as_deref().map(String::as_str)
    }

    fn queue(&self, key: &str, entry: Entry) {
        // Unauthenticated packument entries are never read (see `decode`).
        if !self.cache.authenticated() {
            return;
        }
        if let Some(packs) = &self.packs {
            let ttl = Namespace::Packument.default_ttl();
            packs.packuments.add(&[(key, &entry)], ttl);
            return;
        }
        let batch = {
            let mut pending = self
                .pending
                .lock()
                .expect("no panics while holding the lock");
            pending.push((key.to_string(), entry));
            let full = pending.len() >= WRITE_BATCH && self.runtime.is_some();
            full.then(|| std::mem::take(&mut *pending))
        };
        if let (Some(batch), Some(runtime)) = (batch, &self.runtime) {
            let cache = self.cache.clone();
            let write = runtime.spawn(async move { write_packuments(&cache, batch).await });
            let mut writing = self
                .writing
                .lock()
                .expect("no panics while holding the lock");
            writing.push(write);
        }
    }

    /// The underlying cache, for documents kept as they are (attestations of earlier
    /// versions): evidence, verified again on every read.
    pub fn documents(&self) -> &Cache {
        &self.cache
    }

    /// `disk`, `redis` or `off`.
    pub fn kind(&self) -> &'static str {
        self.cache.kind()
    }

    /// The cache key of a packument; full and abbreviated documents are kept apart (only full
    /// ones carry the publish times that key expiry and downgrade checks need).
    /// The format version is part of the key, so entries written by an older build (with fewer
    /// facts) are never read as complete.
    pub fn key(registry: &Url, name: &str, full: bool) -> String {
        let kind = if full { "full" } else { "corgi" };
        let registry = without_credentials(registry);
        format!("{FACTS_FORMAT}:{kind}:{registry}{name}")
    }

    /// Looks up many packuments at once (one batch: a few round trips on Redis). The entries
    /// stay encoded until [`Self::decode`]: each package group decodes its own when it runs, so
    /// a run never holds every packument's facts at once (on the bench tree that was ~25 MB).
    pub async fn preload(&self, keys: &[String]) -> HashMap<String, Entry> {
        if !self.cache.authenticated() {
            return HashMap::new();
        }
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let found = match &self.packs {
            Some(packs) => packs.packuments.get_many(&refs).await,
            None => match self.cache.get_many(Namespace::Packument, &refs).await {
                Ok(found) => found,
                Err(_) => return HashMap::new(),
            },
        };
        keys.iter()
            .zip(found)
            .filter_map(|(key, entry)| Some((key.clone(), entry?)))
            .collect()
    }

    /// A preloaded entry's facts (`None` when it does not decode: a miss). An entry that is not
    /// authenticated under the cache's secret (an unkeyed Redis) is a miss too: a packument's
    /// facts are not all signed (publish times, dependencies, publishers, links to attestations),
    /// and whoever can write the cache could change those.
    pub fn decode(&self, entry: Entry) -> Option<CachedFacts> {
        if !entry.authenticated {
            return None;
        }
        let body: CachedBody = serde_json::from_slice(&entry.body).ok()?;
        Some(self.cached_facts(body, &entry))
    }

    /// The facts of only the `wanted` versions of an authenticated entry with its history
    /// digest, for reusing its verdicts without reading the hundreds of other versions an
    /// entry keeps for their history (most of a warm run's decoding). `None` when the entry is
    /// not authenticated, keeps no digest or does not decode: read it whole then.
    pub fn decode_wanted(&self, entry: &Entry, wanted: &BTreeSet<String>) -> Option<CachedFacts> {
        use serde::de::DeserializeSeed;
        if !entry.authenticated {
            return None;
        }
        let mut de = serde_json::Deserializer::from_slice(&entry.body);
        let body = WantedBody(wanted).deserialize(&mut de).ok()?;
        de.end().ok()?;
        body.history.as_ref()?;
        Some(self.cached_facts(body, entry))
    }

    fn cached_facts(&self, body: CachedBody, entry: &Entry) -> CachedFacts {
        let fresh_for = body.fresh_for_secs.map(Duration::from_secs);
        let lifetime = self.lifetime(fresh_for);
        let age = Utc::now().signed_duration_since(entry.stored_at);
        let fresh = age.to_std().map(|a| a < lifetime).unwrap_or(false);
        let validators = Validators {
            etag: entry.etag.clone(),
            last_modified: entry.last_modified.clone(),
            fresh_for,
        };
        // Verdicts (and the history digest that keys them) are only believed from an entry
        // whose tag was verified under the secret.
        let verdicts = match entry.authenticated {
            true => body.verdicts,
            false => BTreeMap::new(),
        };
        if let (true, Some(history)) = (entry.authenticated, body.history) {
            let _ = body.facts.history_digest.0.set(history);
        }
        CachedFacts {
            facts: body.facts,
            validators,
            fresh,
            complete: body.complete,
            verdicts,
        }
    }

    /// How long an entry is used without asking the registry: `--cache-max-age`, else what the
    /// registry said, at most [`REGISTRY_MAX_AGE_CAP`]. The header is not signed: one answer of a
    /// mirror with `max-age=31536000` must not keep its (unsigned) version list for a year.
    fn lifetime(&self, registry_says: Option<Duration>) -> Duration {
        let capped = registry_says.map(|d| d.min(REGISTRY_MAX_AGE_CAP));
        self.max_age.or(capped).unwrap_or(Duration::ZERO)
    }

    /// After a 304: rewriting the entry (to restart its freshness) is only worth it when it can
    /// be fresh at all; with a zero lifetime every run revalidates anyway.
    pub fn worth_refreshing(&self, validators: &Validators) -> bool {
        self.lifetime(validators.fresh_for) > Duration::ZERO
    }

    /// A draft of a packument's entry (`None` when nothing is cached).
    pub fn draft(
        &self,
        key: String,
        validators: Validators,
        complete: BTreeSet<String>,
        verdicts: BTreeMap<String, Verdict>,
        dirty: bool,
    ) -> Option<EntryDraft> {
        (self.cache.kind() != "off").then_some(EntryDraft {
            key,
            validators,
            complete,
            verdicts,
            dirty,
        })
    }

    /// Queues a packument's entry for [`Self::flush`]: all the facts of the versions in
    /// `draft.complete`, the history of the others, the verdicts, the registry's validators.
    pub fn store(&self, draft: &EntryDraft, facts: &PackumentFacts) {
        if self.cache.kind() == "off" {
            return;
        }
        let validators = &draft.validators;
        let body = CachedBodyRef {
            fresh_for_secs: validators.fresh_for.map(|d| d.as_secs()),
            complete: &draft.complete,
            verdicts: &draft.verdicts,
            facts: &facts.compacted(&draft.complete),
            history: &crate::cache::verdicts::history_digest(facts),
        };
        let Ok(body) = serde_json::to_vec(&body) else {
            return;
        };
        let mut entry = Entry::new(body);
        entry.etag = validators.etag.clone();
        entry.last_modified = validators.last_modified.clone();
        self.queue(&draft.key, entry);
    }

    /// Writes the queued entries in one batch (a few round trips on Redis) and waits for the
    /// batches already going out.
    pub async fn flush(&self) {
        let pending = std::mem::take(
            &mut *self
                .pending
                .lock()
                .expect("no panics while holding the lock"),
        );
        write_packuments(&self.cache, pending).await;
        let writing = std::mem::take(&mut *self.writing.lock().expect("no panics while held"));
        for write in writing {
            // A batch that failed (or panicked) is only a slower next run.
            let _ = write.await;
        }
        if let Some(packs) = &self.packs {
            let _ = packs.packuments.finish().await;
        }
    }

    /// This process's lookups so far: (hits, misses).
    pub fn lookups(&self) -> (u64, u64) {
        self.cache.lookups()
    }

    /// One round trip to the cache: `Err` when the backend does not answer (readiness).
    pub async fn ping(&self) -> Result<(), String> {
        self.cache.ping().await.map_err(|e| e.to_string())
    }
}

/// Writes packument entries; a cache that fails to store is only a slower next run.
async fn write_packuments(cache: &Cache, entries: Vec<(String, Entry)>) {
    let items: Vec<(&str, &Entry)> = entries.iter().map(|(k, e)| (k.as_str(), e)).collect();
    let ttl = Namespace::Packument.default_ttl();
    let _ = cache.put_many(Namespace::Packument, &items, ttl).await;
}

/// A cache entry's body: the facts and the registry's freshness lifetime.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedBody {
    fresh_for_secs: Option<u64>,
    #[serde(default)]
    complete: BTreeSet<String>,
    #[serde(default)]
    verdicts: BTreeMap<String, Verdict>,
    facts: PackumentFacts,
    /// The facts' release-history digest, kept so warm runs do not walk every version again.
    #[serde(default)]
    history: Option<String>,
}

/// Reads a [`CachedBody`] in one pass with only the wanted versions' facts
/// ([`PackumentFacts::wanted_reader`]); its fields as the derived reader takes them (`facts`
/// required, the others may be missing, unknown ones ignored, a field given twice an error).
/// A field added to [`CachedBody`] must be added here too.
struct WantedBody<'w>(&'w BTreeSet<String>);

impl<'de> serde::de::DeserializeSeed<'de> for WantedBody<'_> {
    type Value = CachedBody;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<CachedBody, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for WantedBody<'_> {
    type Value = CachedBody;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a cache entry")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<CachedBody, A::Error> {
        use crate::model::facts::wanted::{once, Key};
        let (mut fresh_for_secs, mut complete, mut verdicts) = (None, None, None);
        let (mut facts, mut history) = (None, None);
        while let Some(Key(field)) = map.next_key::<Key<'de>>()? {
            match field.as_ref() {
                "freshForSecs" => once(&mut fresh_for_secs, "freshForSecs", map.next_value()?)?,
                "complete" => once(&mut complete, "complete", map.next_value()?)?,
                "verdicts" => once(&mut verdicts, "verdicts", map.next_value()?)?,
                "history" => once(&mut history, "history", map.next_value()?)?,
                "facts" => {
                    let value = map.next_value_seed(PackumentFacts::wanted_reader(self.0))?;
                    once(&mut facts, "facts", value)?
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        let missing = || <A::Error as serde::de::Error>::missing_field("facts");
        Ok(CachedBody {
            fresh_for_secs: fresh_for_secs.flatten(),
            complete: complete.unwrap_or_default(),
            verdicts: verdicts.unwrap_or_default(),
            facts: facts.ok_or_else(missing)?,
            history: history.flatten(),
        })
    }
}

/// [`CachedBody`] borrowed, for writing.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CachedBodyRef<'a> {
    fresh_for_secs: Option<u64>,
    complete: &'a BTreeSet<String>,
    verdicts: &'a BTreeMap<String, Verdict>,
    facts: &'a PackumentFacts,
    history: &'a str,
}

/// `registry` with its user information (a password, a token) replaced by a digest of it:
/// cache keys are written into entries and are Redis key names anyone with access can list,
/// and registries reached with different credentials stay apart.
fn without_credentials(registry: &Url) -> std::borrow::Cow<'_, str> {
    if registry.username().is_empty() && registry.password().is_none() {
        return std::borrow::Cow::Borrowed(registry.as_str());
    }
    use sha2::{Digest, Sha256};
    let user_info = format!(
        "{}:{}",
        registry.username(),
        registry.password().unwrap_or("")
    );
    let digest = hex::encode(&Sha256::digest(user_info.as_bytes())[..8]);
    let mut keyed = registry.clone();
    let _ = keyed.set_password(None);
    let _ = keyed.set_username(&format!("u-{digest}"));
    std::borrow::Cow::Owned(keyed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::packument::parse_packument;

    const PACKUMENT: &[u8] = br#"{"name":"a","time":{"1.0.0":"2024-01-01T00:00:00Z","2.0.0":"2024-02-01T00:00:00Z"},
        "versions":{"1.0.0":{"dist":{"integrity":"sha512-one","signatures":[{"keyid":"k","sig":"s1"}],
            "attestations":{"url":"u1","provenance":{"predicateType":"p"}}}},
          "2.0.0":{"dist":{"integrity":"sha512-two","signatures":[{"keyid":"k","sig":"s2"}]}}}}"#;

    /// A disk cache in `dir` whose entries stay fresh for an hour.
    fn hour_long(dir: &tempfile::TempDir) -> CacheSettings {
        CacheSettings {
            spec: Some(dir.path().display().to_string()),
            max_age: Some(Duration::from_secs(3600)),
        }
    }

    #[tokio::test]
    async fn a_registrys_max_age_counts_for_five_minutes_at_most() {
        let dir = tempfile::tempdir().unwrap();
        let settings = CacheSettings {
            spec: Some(dir.path().display().to_string()),
            max_age: None,
        };
        let cache = EvidenceCache::open(&settings, false).await;
        let year = Duration::from_secs(365 * 24 * 3600);
        assert_eq!(cache.lifetime(Some(year)), REGISTRY_MAX_AGE_CAP);
        assert_eq!(
            cache.lifetime(Some(Duration::from_secs(60))),
            Duration::from_secs(60)
        );
        assert_eq!(cache.lifetime(None), Duration::ZERO);
        // --cache-max-age is the user's choice, not the registry's: not capped.
        let chosen = EvidenceCache::open(&hour_long(&dir), false).await;
        assert_eq!(chosen.lifetime(Some(year)), Duration::from_secs(3600));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn entries_queued_past_a_batch_are_all_written_by_flush() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EvidenceCache::open(&hour_long(&dir), false).await;
        // Two full background batches and a remainder that only flush writes.
        let keys: Vec<String> = (0..2 * WRITE_BATCH + 7).map(|i| format!("k{i}")).collect();
        for key in &keys {
            cache.queue(key, Entry::new(key.as_bytes().to_vec()));
        }
        cache.flush().await;
        let found = cache.preload(&keys).await;
        assert_eq!(found.len(), keys.len(), "every queued entry is stored");
        assert_eq!(found["k3"].body, b"k3");
    }

    #[tokio::test]
    async fn entries_keep_the_wanted_versions_whole_and_only_the_history_of_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EvidenceCache::open(&hour_long(&dir), false).await;
        let facts = parse_packument(PACKUMENT).unwrap();
        let keep: BTreeSet<String> = ["1.0.0".to_string()].into();
        let draft = cache
            .draft(
                "k".into(),
                Validators::default(),
                keep.clone(),
                BTreeMap::new(),
                true,
            )
            .unwrap();
        cache.store(&draft, &facts);
        cache.flush().await;
        let entry = cache.preload(&["k".to_string()]).await.remove("k").unwrap();
        let cached = cache.decode(entry).unwrap();
        assert!(cached.fresh);
        assert!(cached.covers(&keep));
        assert!(!cached.covers(&["2.0.0".to_string()].into()));
        assert_eq!(cached.facts.versions["1.0.0"], facts.versions["1.0.0"]);
        let other = &cached.facts.versions["2.0.0"];
        assert!(other.integrity.is_none() && other.signatures.is_empty());
        // The release history is whole: downgrade checks see every version.
        assert_eq!(cached.facts.published, facts.published);
        let mut history = cached.facts.release_history();
        history.sort_by(|a, b| a.version.cmp(&b.version));
        let flags: Vec<bool> = history.iter().map(|h| h.has_provenance).collect();
        assert_eq!(flags, [true, false]);
    }

    #[tokio::test]
    async fn a_project_pack_holds_the_entries_and_their_history_digest_in_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let settings = hour_long(&dir);
        let scope = "tree\0/project\0/project/package-lock.json";
        let cache = EvidenceCache::open(&settings, false)
            .await
            .with_packs(scope);
        let facts = parse_packument(PACKUMENT).unwrap();
        let expected = verdicts::history_digest(&parse_packument(PACKUMENT).unwrap());
        for key in ["k1", "k2"] {
            let keep = ["1.0.0".to_string()].into();
            let draft = cache.draft(
                key.into(),
                Validators::default(),
                keep,
                BTreeMap::new(),
                true,
            );
            cache.store(&draft.unwrap(), &facts);
        }
        cache.flush().await;
        let files = std::fs::read_dir(dir.path().join("v1/packument")).unwrap();
        assert_eq!(files.count(), 1, "both entries are in the project's pack");
        let again = EvidenceCache::open(&settings, false)
            .await
            .with_packs(scope);
        let mut found = again.preload(&["k1".into(), "k2".into()]).await;
        assert_eq!(found.len(), 2);
        let cached = again.decode(found.remove("k2").unwrap()).unwrap();
        assert_eq!(cached.facts.versions["1.0.0"], facts.versions["1.0.0"]);
        assert_eq!(cached.facts.history_digest.0.get(), Some(&expected));
    }

    #[tokio::test]
    async fn an_authenticated_entry_read_for_its_wanted_versions_reads_as_the_whole_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EvidenceCache::open(&hour_long(&dir), false).await;
        let facts = parse_packument(PACKUMENT).unwrap();
        let keep: BTreeSet<String> = ["1.0.0".to_string()].into();
        let verdict: Verdict = serde_json::from_str(
            r#"{"registrySignature":{"state":"passed"},"integrity":{"state":"passed"},
                "attestations":{"state":"off"},"keyids":["k"],"provenance":null,"attestationsFound":[]}"#,
        )
        .unwrap();
        let verdicts = BTreeMap::from([("v".to_string(), verdict)]);
        let validators = Validators {
            etag: Some("\"e\"".into()),
            ..Validators::default()
        };
        let draft = cache.draft("k".into(), validators, keep.clone(), verdicts, true);
        cache.store(&draft.unwrap(), &facts);
        cache.flush().await;
        let mut entry = cache.preload(&["k".to_string()]).await.remove("k").unwrap();
        // Only an authenticated entry is read this way (its verdicts and digest count).
        entry.authenticated = false;
        assert!(cache.decode_wanted(&entry, &keep).is_none());
        // Nor is it read whole: unsigned facts (publish times, dependencies) from an entry
        // anyone who can write the cache could make are never used.
        assert!(cache.decode(entry.clone()).is_none());
        entry.authenticated = true;
        let some = cache.decode_wanted(&entry, &keep).unwrap();
        let whole = cache.decode(entry.clone()).unwrap();
        assert_eq!(some.verdicts, whole.verdicts);
        assert_eq!(some.verdicts.len(), 1);
        assert_eq!((some.fresh, &some.complete), (whole.fresh, &whole.complete));
        assert_eq!(some.validators.etag, whole.validators.etag);
        assert_eq!(some.validators.fresh_for, whole.validators.fresh_for);
        assert_eq!(some.facts.versions["1.0.0"], whole.facts.versions["1.0.0"]);
        assert_eq!(
            some.facts.published["1.0.0"],
            whole.facts.published["1.0.0"]
        );
        assert!(!some.facts.versions.contains_key("2.0.0"));
        let digest = some.facts.history_digest.0.get();
        assert_eq!(digest, whole.facts.history_digest.0.get());
        assert!(digest.is_some());
        // Unknown fields are ignored and a field given twice is refused, as a whole read does.
        let text = String::from_utf8(entry.body.clone()).unwrap();
        for (change, reads) in [
            (r#"{"later":[1,{"x":2}],"#, true),
            (r#"{"history":"x","#, false),
        ] {
            let mut changed = entry.clone();
            changed.body = text.replacen('{', change, 1).into_bytes();
            assert_eq!(cache.decode(changed.clone()).is_some(), reads, "{change}");
            assert_eq!(
                cache.decode_wanted(&changed, &keep).is_some(),
                reads,
                "{change}"
            );
        }
        // Without a kept digest the verdicts could not be keyed from the wanted versions alone.
        let text = String::from_utf8(entry.body.clone()).unwrap();
        let without = text.replace(r#","history":""#, r#","historyGone":""#);
        assert_ne!(without, text);
        entry.body = without.into_bytes();
        assert!(cache.decode_wanted(&entry, &keep).is_none());
    }

    #[test]
    fn an_entry_and_its_history_digest_are_only_taken_when_authenticated() {
        let body = br#"{"freshForSecs":60,"facts":{"name":"a","versions":{},"published":{}},"history":"forged"}"#;
        let mut entry = Entry::new(body.to_vec());
        let cache = EvidenceCache::off();
        // Not authenticated (an unkeyed Redis, or a forger): a miss, digest and facts alike.
        assert!(cache.decode(entry.clone()).is_none());
        entry.authenticated = true;
        let cached = cache.decode(entry).unwrap();
        assert_eq!(cached.facts.history_digest.0.get().unwrap(), "forged");
    }

    #[test]
    fn cache_keys_hold_no_registry_credentials() {
        let plain = Url::parse("https://r.test/").unwrap();
        let with = Url::parse("https://ci-bot:S3cr,etPW@r.test/").unwrap();
        let other = Url::parse("https://ci-bot:another@r.test/").unwrap();
        let key = |u: &Url| EvidenceCache::key(u, "a", true);
        assert_eq!(key(&plain), format!("{FACTS_FORMAT}:full:https://r.test/a"));
        assert!(!key(&with).contains("S3cr"), "{}", key(&with));
        assert_ne!(key(&with), key(&other));
        assert_ne!(key(&with), key(&plain));
    }
}
