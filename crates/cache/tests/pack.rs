//! Packs: a project's entries of one namespace as one authenticated value on disk.

use sha2::{Digest, Sha256};
use sigverify_cache::{Cache, CacheOptions, Entry, Namespace, Pack};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const SCOPE: &str = "tree\0/work/project\0/work/project/package-lock.json";
const NS: Namespace = Namespace::Packument;

/// A disk cache under `secret` (no key file in the real home folder).
async fn open(dir: &Path, secret: &str) -> Cache {
    let env = HashMap::from([(sigverify_cache::KEY_ENV.to_string(), secret.to_string())]);
    let options = CacheOptions {
        env: Some(env),
        ..Default::default()
    };
    Cache::open_with(Some(dir.to_str().unwrap()), &options)
        .await
        .unwrap()
}

const SECRET: &str = "0123456789abcdef0123456789abcdef";

/// The test project's pack in `cache`.
fn project_pack(cache: &Cache) -> Pack {
    Pack::open(cache, NS, SCOPE).unwrap()
}

/// The pack's file: the entry of key `pack1:<scope>` in the documented layout.
fn pack_file(dir: &Path) -> PathBuf {
    let key = format!("pack1:{SCOPE}");
    let hash = hex::encode(Sha256::digest(format!("{}\0{key}", NS.as_str())));
    dir.join("v1").join(NS.as_str()).join(hash)
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("v1").join(NS.as_str()))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Writes `keys` (body = the key) into the project's pack in one run.
async fn run_adding(dir: &Path, keys: &[&str], ttl: Duration) {
    let pack = project_pack(&open(dir, SECRET).await);
    let entries: Vec<Entry> = keys.iter().map(|k| Entry::new(k.as_bytes())).collect();
    let items: Vec<(&str, &Entry)> = keys.iter().copied().zip(entries.iter()).collect();
    pack.add(&items, ttl);
    pack.finish().await.unwrap();
}

/// The bodies a new run finds for `keys` (`None` for a miss), and whether each was
/// authenticated.
async fn lookup(dir: &Path, secret: &str, keys: &[&str]) -> Vec<Option<(String, bool)>> {
    let pack = project_pack(&open(dir, secret).await);
    pack.get_many(keys)
        .await
        .into_iter()
        .map(|e| e.map(|e| (String::from_utf8(e.body).unwrap(), e.authenticated)))
        .collect()
}

fn hit(body: &str) -> Option<(String, bool)> {
    Some((body.to_string(), true))
}

#[tokio::test]
async fn a_run_writes_one_file_and_the_next_run_reads_every_entry_authenticated() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..200)
        .map(|i| format!("f5:full:https://r/p{i}"))
        .collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    run_adding(dir.path(), &refs, HOUR).await;
    assert_eq!(files_in(dir.path()), 1, "200 entries, one file");
    let found = lookup(dir.path(), SECRET, &refs).await;
    for (key, found) in refs.iter().zip(found) {
        assert_eq!(found, hit(key));
    }
}

#[tokio::test]
async fn a_later_run_keeps_what_it_did_not_replace_and_replaces_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a", "b"], HOUR).await;
    // The second run reads its entries, then adds a new one and replaces b.
    let cache = open(dir.path(), SECRET).await;
    let pack = project_pack(&cache);
    assert_eq!(pack.get_many(&["a", "b"]).await.len(), 2);
    let (c, b2) = (Entry::new(b"c".to_vec()), Entry::new(b"b2".to_vec()));
    pack.add(&[("c", &c), ("b", &b2)], HOUR);
    pack.finish().await.unwrap();
    let found = lookup(dir.path(), SECRET, &["a", "b", "c"]).await;
    assert_eq!(found, vec![hit("a"), hit("b2"), hit("c")]);
    assert_eq!(files_in(dir.path()), 1);
}

#[tokio::test]
async fn a_run_that_adds_nothing_does_not_rewrite_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a"], HOUR).await;
    let before = std::fs::read(pack_file(dir.path())).unwrap();
    std::fs::write(pack_file(dir.path()), &before).unwrap();
    let modified = std::fs::metadata(pack_file(dir.path())).unwrap().modified();
    let pack = project_pack(&open(dir.path(), SECRET).await);
    assert_eq!(pack.get_many(&["a"]).await.len(), 1);
    pack.finish().await.unwrap();
    let after = std::fs::metadata(pack_file(dir.path())).unwrap().modified();
    assert_eq!(modified.unwrap(), after.unwrap());
}

#[tokio::test]
async fn a_run_that_never_finishes_leaves_the_stored_pack_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a"], HOUR).await;
    {
        let pack = project_pack(&open(dir.path(), SECRET).await);
        pack.add(&[("b", &Entry::new(b"b".to_vec()))], HOUR);
        assert_eq!(
            files_in(dir.path()),
            2,
            "the next pack is written as entries come"
        );
    }
    assert_eq!(
        files_in(dir.path()),
        1,
        "the unfinished pack's temp file is removed"
    );
    let found = lookup(dir.path(), SECRET, &["a", "b"]).await;
    assert_eq!(found, vec![hit("a"), None]);
}

#[tokio::test]
async fn expired_entries_are_misses_and_are_not_carried_over() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["short"], Duration::from_millis(30)).await;
    run_adding(dir.path(), &["long"], HOUR).await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(
        lookup(dir.path(), SECRET, &["short", "long"]).await,
        vec![None, hit("long")]
    );
    run_adding(dir.path(), &["new"], HOUR).await;
    let body = std::fs::read(pack_file(dir.path())).unwrap();
    let holds = |needle: &[u8]| body.windows(needle.len()).any(|w| w == needle);
    assert!(
        !holds(b"short"),
        "an expired entry was carried into the new pack"
    );
    assert!(holds(b"long") && holds(b"new"));
}

/// A change made to the stored pack's bytes.
type Damage = fn(&mut Vec<u8>);

/// Every way of damaging the pack makes all of its entries misses; entries stored on their
/// own are still found.
#[tokio::test]
async fn a_damaged_pack_is_a_miss_as_a_whole() {
    let damages: [(&str, Damage); 4] = [
        ("body byte flipped", |b| {
            let at = b.len() - 3;
            b[at] ^= 1
        }),
        ("tag byte flipped", |b| b[12] ^= 1),
        ("truncated", |b| b.truncate(b.len() - 10)),
        ("truncated to its header", |b| b.truncate(49)),
    ];
    for (what, damage) in damages {
        let dir = tempfile::tempdir().unwrap();
        run_adding(dir.path(), &["a", "b"], HOUR).await;
        let single = Entry::new(b"single".to_vec());
        let cache = open(dir.path(), SECRET).await;
        cache.put(NS, "s", &single, HOUR).await.unwrap();
        let mut bytes = std::fs::read(pack_file(dir.path())).unwrap();
        damage(&mut bytes);
        std::fs::write(pack_file(dir.path()), &bytes).unwrap();
        let found = lookup(dir.path(), SECRET, &["a", "b", "s"]).await;
        assert_eq!(found, vec![None, None, hit("single")], "{what}");
    }
}

#[tokio::test]
async fn entries_found_on_their_own_join_the_pack() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path(), SECRET).await;
    cache
        .put(NS, "s", &Entry::new(b"single".to_vec()), HOUR)
        .await
        .unwrap();
    assert_eq!(
        lookup(dir.path(), SECRET, &["s"]).await,
        vec![hit("single")]
    );
    let pack = project_pack(&cache);
    assert_eq!(pack.get_many(&["s", "absent"]).await.len(), 2);
    pack.finish().await.unwrap();
    std::fs::remove_file(
        dir.path()
            .join("v1")
            .join(NS.as_str())
            .join(single_name("s")),
    )
    .unwrap();
    assert_eq!(
        lookup(dir.path(), SECRET, &["s"]).await,
        vec![hit("single")]
    );
}

fn single_name(key: &str) -> String {
    hex::encode(Sha256::digest(format!("{}\0{key}", NS.as_str())))
}

/// Whoever can write the cache folder may change the next pack's temp file while a run writes
/// it: the tag covers the bytes the run wrote, so the changed pack is a miss, never a forgery.
#[tokio::test]
async fn a_temp_file_changed_while_the_pack_is_written_is_a_miss() {
    use std::io::{Seek, SeekFrom, Write};
    let dir = tempfile::tempdir().unwrap();
    let pack = project_pack(&open(dir.path(), SECRET).await);
    // Past the write buffer, so the start of the pack is on disk before it is sealed.
    let big = Entry::new(vec![b'x'; 600 * 1024]);
    pack.add(&[("a", &Entry::new(b"a".to_vec())), ("big", &big)], HOUR);
    let ns_dir = dir.path().join("v1").join(NS.as_str());
    let temp = std::fs::read_dir(&ns_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(".tmp-")
        })
        .expect("the next pack is being written to a temp file");
    let mut file = std::fs::OpenOptions::new().write(true).open(&temp).unwrap();
    file.seek(SeekFrom::Start(400 * 1024)).unwrap();
    file.write_all(b"yyyy").unwrap();
    drop(file);
    pack.finish().await.unwrap();
    assert_eq!(
        lookup(dir.path(), SECRET, &["a", "big"]).await,
        vec![None, None]
    );
}

#[tokio::test]
async fn a_pack_written_under_another_secret_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a"], HOUR).await;
    let other = "fedcba9876543210fedcba9876543210";
    assert_eq!(lookup(dir.path(), other, &["a"]).await, vec![None]);
}

#[tokio::test]
async fn another_scope_has_its_own_pack() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a"], HOUR).await;
    let cache = open(dir.path(), SECRET).await;
    let other = Pack::open(&cache, NS, "tree\0/elsewhere\0").unwrap();
    assert!(other.get_many(&["a"]).await[0].is_none());
}

#[tokio::test]
async fn only_the_disk_cache_packs() {
    assert!(Pack::open(&Cache::off(), NS, SCOPE).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_during_a_prefetch_finds_the_pack_read_once() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a", "b"], HOUR).await;
    let cache = open(dir.path(), SECRET).await;
    let pack = project_pack(&cache);
    pack.prefetch();
    let found = pack.get_many(&["a", "b", "c"]).await;
    // A prefetch that comes after the lookup reads nothing.
    pack.prefetch();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let bodies: Vec<Option<Vec<u8>>> = found.into_iter().map(|e| Some(e?.body)).collect();
    assert_eq!(bodies, [Some(b"a".to_vec()), Some(b"b".to_vec()), None]);
    // The pack's own read (one hit: a second read would count another), the two entries
    // found in it, and "c" looked up on its own.
    assert_eq!(cache.lookups(), (3, 1));
}

#[tokio::test]
async fn a_prefetched_pack_that_was_tampered_with_is_still_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a"], HOUR).await;
    let path = pack_file(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    // The last byte belongs to the inner record's body: only the pack's tag covers it now.
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let pack = project_pack(&open(dir.path(), SECRET).await);
    pack.prefetch();
    assert!(pack.get_many(&["a"]).await[0].is_none());
}

/// The namespace's stored entries as `cache stats` reports them.
async fn stored_entries(dir: &Path, secret: &str) -> u64 {
    let stats = open(dir, secret).await.stats().await.unwrap();
    let row = stats.namespaces.iter().find(|r| r.namespace == NS.as_str());
    row.unwrap().entries
}

/// `cache stats` and `cache clear` count a pack as the entries it holds (a key written twice
/// once), beside single entries; a pack a lookup would not read counts as the one file it is.
#[tokio::test]
async fn stats_and_clear_count_the_entries_a_pack_holds() {
    let dir = tempfile::tempdir().unwrap();
    run_adding(dir.path(), &["a", "b", "c"], HOUR).await;
    let cache = open(dir.path(), SECRET).await;
    let pack = project_pack(&cache);
    assert_eq!(pack.get_many(&["a"]).await.len(), 1);
    pack.add(&[("a", &Entry::new(b"a2".to_vec()))], HOUR);
    pack.finish().await.unwrap();
    cache
        .put(NS, "s", &Entry::new(b"single".to_vec()), HOUR)
        .await
        .unwrap();
    assert_eq!(files_in(dir.path()), 2, "the pack and the single entry");
    assert_eq!(stored_entries(dir.path(), SECRET).await, 4, "a, b, c and s");
    assert_eq!(
        stored_entries(dir.path(), "fedcba9876543210fedcba9876543210").await,
        2,
        "under another key the pack is one unreadable file"
    );
    let mut bytes = std::fs::read(pack_file(dir.path())).unwrap();
    let at = bytes.len() - 3;
    bytes[at] ^= 1;
    std::fs::write(pack_file(dir.path()), &bytes).unwrap();
    assert_eq!(
        stored_entries(dir.path(), SECRET).await,
        2,
        "a damaged pack"
    );
    bytes[at] ^= 1;
    std::fs::write(pack_file(dir.path()), &bytes).unwrap();
    assert_eq!(open(dir.path(), SECRET).await.clear().await.unwrap(), 4);
    assert_eq!(files_in(dir.path()), 0);
}
