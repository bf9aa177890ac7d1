//! Disk cache behaviour through the public API, on temp folders.

use sha2::{Digest, Sha256};
use sigverify_cache::{Cache, CacheOptions, Entry, Namespace};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const KEY: &str = "https://registry.npmjs.org/lodash";

/// A disk cache keyed by a test key (so no key file is made in the real home folder).
async fn open(dir: &Path) -> Cache {
    let env = std::collections::HashMap::from([(
        sigverify_cache::KEY_ENV.to_string(),
        "0123456789abcdef0123456789abcdef".to_string(),
    )]);
    let options = sigverify_cache::CacheOptions {
        env: Some(env),
        ..Default::default()
    };
    Cache::open_with(Some(dir.to_str().unwrap()), &options)
        .await
        .unwrap()
}

/// The documented layout: `v1/<ns>/<sha256(ns \0 key)>`.
fn file_of(dir: &Path, ns: Namespace, key: &str) -> PathBuf {
    let hash = hex::encode(Sha256::digest(format!("{}\0{key}", ns.as_str())));
    dir.join("v1").join(ns.as_str()).join(hash)
}

/// An entry as a keyed cache gives it back (authenticated).
fn entry(body: &str) -> Entry {
    let mut entry = Entry::new(body.as_bytes().to_vec());
    entry.etag = Some("W/\"1a2b\"".into());
    entry.last_modified = Some("Tue, 24 Nov 2026 10:00:00 GMT".into());
    entry.authenticated = true;
    entry
}

#[tokio::test]
async fn round_trip_keeps_body_and_validators() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    assert_eq!(cache.get(Namespace::Packument, KEY).await.unwrap(), None);
    let stored = entry("{\"name\":\"lodash\"}");
    cache
        .put(Namespace::Packument, KEY, &stored, HOUR)
        .await
        .unwrap();
    assert_eq!(
        cache.get(Namespace::Packument, KEY).await.unwrap(),
        Some(stored.clone())
    );
    // Same key, other namespace: separate entry.
    assert_eq!(cache.get(Namespace::Keys, KEY).await.unwrap(), None);
    // A second instance (another run) sees it too.
    let again = open(dir.path()).await;
    assert_eq!(
        again.get(Namespace::Packument, KEY).await.unwrap(),
        Some(stored)
    );
}

#[tokio::test]
async fn expired_entries_are_misses_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    cache
        .put(Namespace::Keys, KEY, &entry("k"), Duration::from_millis(40))
        .await
        .unwrap();
    cache
        .put(Namespace::Verdict, KEY, &entry("v"), HOUR)
        .await
        .unwrap();
    assert!(cache.get(Namespace::Keys, KEY).await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(cache.get(Namespace::Keys, KEY).await.unwrap(), None);
    assert!(!file_of(dir.path(), Namespace::Keys, KEY).exists());
    assert!(cache.get(Namespace::Verdict, KEY).await.unwrap().is_some());
    // A zero TTL stores nothing.
    cache
        .put(Namespace::Keys, "zero", &entry("z"), Duration::ZERO)
        .await
        .unwrap();
    assert!(!file_of(dir.path(), Namespace::Keys, "zero").exists());
}

#[tokio::test]
async fn stats_count_per_namespace_and_clear_empties() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    for i in 0..3 {
        cache
            .put(Namespace::Packument, &format!("p{i}"), &entry("pp"), HOUR)
            .await
            .unwrap();
    }
    cache
        .put(Namespace::Keys, "r", &entry("kk"), HOUR)
        .await
        .unwrap();
    cache.get(Namespace::Packument, "p0").await.unwrap();
    cache.get(Namespace::Packument, "missing").await.unwrap();
    let stats = cache.stats().await.unwrap();
    assert_eq!((stats.backend.as_str(), stats.entries), ("disk", 4));
    let row = |name: &str| {
        stats
            .namespaces
            .iter()
            .find(|r| r.namespace == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            row("packument").entries,
            row("keys").entries,
            row("verdict").entries
        ),
        (3, 1, 0)
    );
    let file_len = std::fs::metadata(file_of(dir.path(), Namespace::Keys, "r"))
        .unwrap()
        .len();
    assert_eq!(row("keys").bytes, file_len);
    assert_eq!((row("packument").hits, row("packument").misses), (1, 1));
    assert_eq!(cache.clear().await.unwrap(), 4);
    assert_eq!(cache.stats().await.unwrap().entries, 0);
    assert_eq!(cache.get(Namespace::Packument, "p1").await.unwrap(), None);
}

#[tokio::test]
async fn hostile_keys_stay_inside_the_cache_folder() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(&dir.path().join("c")).await;
    let long = "x".repeat(10_000);
    let keys = [
        "../../escape",
        "/etc/passwd",
        "a\0b",
        "C:\\x",
        long.as_str(),
        "",
        "@scope/näme",
    ];
    for key in keys {
        cache
            .put(Namespace::Packument, key, &entry(key), HOUR)
            .await
            .unwrap();
    }
    for key in keys {
        let got = cache.get(Namespace::Packument, key).await.unwrap().unwrap();
        assert_eq!(got.body, key.as_bytes());
        assert!(file_of(&dir.path().join("c"), Namespace::Packument, key).exists());
    }
    let outside: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(outside.len(), 1, "only the cache folder exists");
}

#[tokio::test]
async fn get_many_is_aligned_with_keys() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    let (a, c) = (entry("a"), entry("c"));
    cache
        .put_many(Namespace::Attestations, &[("a", &a), ("c", &c)], HOUR)
        .await
        .unwrap();
    let got = cache
        .get_many(Namespace::Attestations, &["a", "b", "c"])
        .await
        .unwrap();
    assert_eq!(got, vec![Some(a), None, Some(c)]);
}

#[tokio::test]
async fn off_backend_stores_nothing() {
    let cache = Cache::open(Some("off")).await.unwrap();
    cache
        .put(Namespace::Verdict, "k", &entry("v"), HOUR)
        .await
        .unwrap();
    assert_eq!(cache.get(Namespace::Verdict, "k").await.unwrap(), None);
    assert_eq!(
        (cache.kind(), cache.stats().await.unwrap().misses),
        ("off", 1)
    );
}

#[tokio::test]
async fn default_spec_uses_the_user_cache_folder() {
    let home = tempfile::tempdir().unwrap();
    let env = HashMap::from([("HOME".to_string(), home.path().display().to_string())]);
    let options = CacheOptions {
        env: Some(env),
        ..CacheOptions::default()
    };
    let cache = Cache::open_with(None, &options).await.unwrap();
    cache
        .put(Namespace::Keys, "r", &entry("k"), HOUR)
        .await
        .unwrap();
    let expected = home.path().join(".cache/npm-sigverify");
    assert_eq!(cache.location(), expected.display().to_string());
    assert!(file_of(&expected, Namespace::Keys, "r").exists());
}

#[tokio::test]
async fn unusable_folder_is_a_typed_error_and_open_or_off_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let spec = blocker.join("cache").display().to_string();
    let err = Cache::open(Some(&spec)).await.unwrap_err();
    assert_eq!(err.code(), "ECACHEIO");
    let (cache, warning) = Cache::open_or_off(Some(&spec), &CacheOptions::default()).await;
    assert_eq!(
        (cache.kind(), warning.map(|w| w.code())),
        ("off", Some("ECACHEIO"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_entries_round_trip_in_batches_and_alone() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    let keys: Vec<String> = (0..5000)
        .map(|i| format!("https://registry.npmjs.org/pkg-{i}@1.0.{i}"))
        .collect();
    let body = entry(&"x".repeat(2048));
    let items: Vec<(&str, &Entry)> = keys.iter().map(|k| (k.as_str(), &body)).collect();
    cache
        .put_many(Namespace::Packument, &items, HOUR)
        .await
        .unwrap();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let got = cache.get_many(Namespace::Packument, &refs).await.unwrap();
    assert_eq!(got.len(), 5000);
    assert!(got.iter().all(|e| e.as_ref() == Some(&body)));
    for key in &refs[..100] {
        let one = cache.get(Namespace::Packument, key).await.unwrap();
        assert_eq!(one.as_ref(), Some(&body));
    }
}
