//! Looking tarballs up in npm's cacache, in a cache built by hand and in one npm wrote itself.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha1::{Digest, Sha1};
use sigverify_content::{default_npm_cache_from, find_cached_tarball};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

/// gundam-visor@1.0.1 and its registry integrity (corpus MANIFEST.md).
const INTEGRITY: &str = "sha512-jZ15cvZ2UWx1AUqgdOEa5gTZjwtk7Gclph4oOP89qxYhGPpxQz+zHhVQ0wvQ3snQhs4DK5RFe1g5AMUHrPOcQA==";

fn tarball() -> Vec<u8> {
    fs::read(
        common::corpus_dir()
            .join("attestations/slsa-verifier/cli-npm-gha/gundam-visor-cli-v1-tag.tgz"),
    )
    .unwrap()
}

/// Writes `bytes` where cacache keeps content for `algo-b64`, spelled out by hand.
fn put(cache: &Path, algo: &str, b64: &str, bytes: &[u8]) -> PathBuf {
    let hex = hex::encode(STANDARD.decode(b64).unwrap());
    let dir = cache
        .join("_cacache/content-v2")
        .join(algo)
        .join(&hex[..2])
        .join(&hex[2..4]);
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(&hex[4..]);
    fs::write(&path, bytes).unwrap();
    path
}

fn sha1_sri(bytes: &[u8]) -> String {
    format!("sha1-{}", STANDARD.encode(Sha1::digest(bytes)))
}

#[test]
fn finds_a_tarball_in_a_hand_built_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = tarball();
    put(
        tmp.path(),
        "sha512",
        INTEGRITY.strip_prefix("sha512-").unwrap(),
        &bytes,
    );
    assert_eq!(find_cached_tarball(tmp.path(), INTEGRITY), Some(bytes));
}

#[test]
fn missing_or_tampered_content_is_not_returned() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(find_cached_tarball(tmp.path(), INTEGRITY), None);
    let mut bytes = tarball();
    bytes[10] ^= 1;
    put(
        tmp.path(),
        "sha512",
        INTEGRITY.strip_prefix("sha512-").unwrap(),
        &bytes,
    );
    assert_eq!(find_cached_tarball(tmp.path(), INTEGRITY), None);
    assert_eq!(find_cached_tarball(tmp.path(), "not an integrity"), None);
}

#[test]
fn sha1_only_integrity_uses_the_sha1_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = tarball();
    let sri = sha1_sri(&bytes);
    let path = put(
        tmp.path(),
        "sha1",
        sri.strip_prefix("sha1-").unwrap(),
        &bytes,
    );
    assert!(path.to_string_lossy().contains("/content-v2/sha1/"));
    assert_eq!(find_cached_tarball(tmp.path(), &sri), Some(bytes));
}

#[test]
fn multi_hash_integrity_is_checked_with_the_strongest_even_when_found_by_a_weaker_one() {
    let tmp = tempfile::tempdir().unwrap();
    let bytes = tarball();
    let sri = sha1_sri(&bytes);
    put(
        tmp.path(),
        "sha1",
        sri.strip_prefix("sha1-").unwrap(),
        &bytes,
    );
    assert_eq!(
        find_cached_tarball(tmp.path(), &format!("{sri} {INTEGRITY}")),
        Some(bytes.clone())
    );
    // Same sha1 file, but a sha512 the bytes do not have: the strongest check fails.
    let wrong512 = format!("sha512-{}", STANDARD.encode([0u8; 64]));
    assert_eq!(
        find_cached_tarball(tmp.path(), &format!("{sri} {wrong512}")),
        None
    );
}

#[test]
fn finds_a_tarball_that_npm_cache_add_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let tgz = tmp.path().join("gundam-visor-1.0.1.tgz");
    fs::write(&tgz, tarball()).unwrap();
    let cache = tmp.path().join("npm-cache");
    common::npm(tmp.path(), &cache, &["cache", "add", tgz.to_str().unwrap()]);
    assert!(
        cache.join("_cacache/content-v2/sha512").is_dir(),
        "npm wrote no cacache content"
    );
    assert_eq!(find_cached_tarball(&cache, INTEGRITY), Some(tarball()));
}

fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    pairs.iter().map(|(k, v)| (k.into(), v.into())).collect()
}

#[test]
#[cfg(unix)]
fn default_cache_follows_npm_config_rules() {
    let home = [("HOME", "/home/u")];
    assert_eq!(
        default_npm_cache_from(&env(&home)),
        Some("/home/u/.npm".into())
    );
    let set = env(&[("HOME", "/home/u"), ("npm_config_cache", "/var/cache/npm")]);
    assert_eq!(default_npm_cache_from(&set), Some("/var/cache/npm".into()));
    let upper = env(&[("HOME", "/home/u"), ("NPM_CONFIG_CACHE", "~/c")]);
    assert_eq!(default_npm_cache_from(&upper), Some("/home/u/c".into()));
    let empty = env(&[("HOME", "/home/u"), ("npm_config_cache", "")]);
    assert_eq!(default_npm_cache_from(&empty), Some("/home/u/.npm".into()));
    assert_eq!(default_npm_cache_from(&[]), None);
}
