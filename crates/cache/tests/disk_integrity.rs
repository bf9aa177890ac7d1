//! Disk cache integrity: damaged, misplaced and half-written files are
//! misses, never served.

use sha2::{Digest, Sha256};
use sigverify_cache::{Cache, Entry, Namespace};
use std::path::{Path, PathBuf};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const KEY: &str = "https://registry.npmjs.org/lodash";

async fn open(dir: &Path) -> Cache {
    Cache::open(Some(dir.to_str().unwrap())).await.unwrap()
}

/// The documented layout: `v1/<ns>/<sha256(ns \0 key)>`.
fn file_of(dir: &Path, ns: Namespace, key: &str) -> PathBuf {
    let hash = hex::encode(Sha256::digest(format!("{}\0{key}", ns.as_str())));
    dir.join("v1").join(ns.as_str()).join(hash)
}

fn entry(body: &str) -> Entry {
    Entry::new(body.as_bytes().to_vec())
}

async fn assert_damage_is_a_miss(damage: impl Fn(&mut Vec<u8>)) {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    cache
        .put(Namespace::Attestations, KEY, &entry("attest"), HOUR)
        .await
        .unwrap();
    let file = file_of(dir.path(), Namespace::Attestations, KEY);
    let mut bytes = std::fs::read(&file).unwrap();
    damage(&mut bytes);
    std::fs::write(&file, &bytes).unwrap();
    assert_eq!(cache.get(Namespace::Attestations, KEY).await.unwrap(), None);
    assert!(!file.exists(), "damaged file was not removed");
    assert_eq!(cache.stats().await.unwrap().corrupt_removed, 1);
}

#[tokio::test]
async fn flipped_body_byte_is_a_miss_and_removed() {
    assert_damage_is_a_miss(|b| {
        let last = b.len() - 1;
        b[last] ^= 0x20;
    })
    .await;
}

#[tokio::test]
async fn flipped_header_byte_is_a_miss_and_removed() {
    assert_damage_is_a_miss(|b| b[12] ^= 0x01).await;
}

#[tokio::test]
async fn truncated_file_is_a_miss_and_removed() {
    assert_damage_is_a_miss(|b| b.truncate(b.len() - 3)).await;
}

#[tokio::test]
async fn empty_file_is_a_miss_and_removed() {
    assert_damage_is_a_miss(|b| b.clear()).await;
}

#[tokio::test]
async fn file_moved_under_another_key_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    cache
        .put(Namespace::Verdict, "a", &entry("verdict of a"), HOUR)
        .await
        .unwrap();
    let target = file_of(dir.path(), Namespace::Verdict, "b");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(file_of(dir.path(), Namespace::Verdict, "a"), &target).unwrap();
    assert_eq!(cache.get(Namespace::Verdict, "b").await.unwrap(), None);
}

#[tokio::test]
async fn killed_writer_temp_file_is_invisible_and_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let cache = open(dir.path()).await;
    let file = file_of(dir.path(), Namespace::Packument, KEY);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    // What a writer killed before its rename leaves behind: a partial temp file.
    let temp = file.parent().unwrap().join(format!(
        ".tmp-{}-999-0",
        file.file_name().unwrap().to_str().unwrap()
    ));
    std::fs::write(&temp, b"NSVCACH1 partial").unwrap();
    assert_eq!(cache.get(Namespace::Packument, KEY).await.unwrap(), None);
    let stats = cache.stats().await.unwrap();
    assert_eq!((stats.entries, stats.temp_files), (0, 1));
    cache
        .put(Namespace::Packument, KEY, &entry("real"), HOUR)
        .await
        .unwrap();
    assert_eq!(
        cache.get(Namespace::Packument, KEY).await.unwrap(),
        Some(entry_body("real", &cache).await)
    );
    assert_eq!(cache.clear().await.unwrap(), 1);
    assert!(!temp.exists());
}

async fn entry_body(body: &str, cache: &Cache) -> Entry {
    let got = cache.get(Namespace::Packument, KEY).await.unwrap().unwrap();
    assert_eq!(got.body, body.as_bytes());
    got
}
