//! The Redis backend when things go wrong: dead, frozen or unreachable
//! servers and passwords. A cache failure must be quick and typed.

mod support;

use sigverify_cache::{Cache, CacheOptions, Entry, Namespace, RedisTimeouts};
use std::time::{Duration, Instant};
use support::{free_port, RedisServer};

const HOUR: Duration = Duration::from_secs(3600);
const KEY: &str = "https://registry.npmjs.org/lodash";
const TIMEOUTS: RedisTimeouts = RedisTimeouts {
    connect: Duration::from_secs(1),
    command: Duration::from_secs(2),
};

fn options() -> CacheOptions {
    CacheOptions {
        env: None,
        redis: TIMEOUTS,
    }
}

async fn open(url: &str) -> Cache {
    Cache::open_with(Some(url), &options()).await.unwrap()
}

fn entry(body: &str) -> Entry {
    Entry::new(body.as_bytes().to_vec())
}

#[tokio::test]
async fn password_works_and_is_never_shown() {
    let Some(server) = RedisServer::start(&["--requirepass", "hunter2-secret"]) else {
        return;
    };
    let good = format!("redis://:hunter2-secret@127.0.0.1:{}/1", server.port);
    let cache = open(&good).await;
    cache
        .put(Namespace::Verdict, "v", &entry("ok"), HOUR)
        .await
        .unwrap();
    assert!(cache.get(Namespace::Verdict, "v").await.unwrap().is_some());
    let shown = format!(
        "{} {cache:?} {:?}",
        cache.location(),
        cache.stats().await.unwrap()
    );
    assert!(!shown.contains("hunter2"), "{shown}");
    for bad in [
        format!("redis://:wrong-hunter2@127.0.0.1:{}", server.port),
        format!("redis://127.0.0.1:{}", server.port),
    ] {
        let err = Cache::open_with(Some(&bad), &options()).await.unwrap_err();
        assert_eq!(err.code(), "ECACHEUNAVAILABLE", "{err}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains("hunter2"), "{text}");
    }
}

#[tokio::test]
async fn redis_killed_mid_run_is_unavailable_quickly_then_tripped() {
    let Some(mut server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    cache
        .put(Namespace::Packument, KEY, &entry("p"), HOUR)
        .await
        .unwrap();
    server.kill();
    let start = Instant::now();
    let err = cache.get(Namespace::Packument, KEY).await.unwrap_err();
    let first = start.elapsed();
    assert_eq!(err.code(), "ECACHEUNAVAILABLE", "{err}");
    assert!(
        first <= TIMEOUTS.command + Duration::from_secs(5),
        "took {first:?}"
    );
    let start = Instant::now();
    let err = cache
        .put(Namespace::Packument, KEY, &entry("p"), HOUR)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ECACHEUNAVAILABLE");
    assert!(
        err.to_string()
            .contains("disabled after an earlier failure"),
        "{err}"
    );
    println!(
        "redis killed: first failure after {first:?}, later calls fail in {:?}",
        start.elapsed()
    );
    assert!(err.is_fallback());
}

#[tokio::test]
async fn frozen_redis_mid_run_times_out_instead_of_hanging() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    cache
        .put(Namespace::Keys, "r", &entry("k"), HOUR)
        .await
        .unwrap();
    server.signal("STOP");
    let start = Instant::now();
    let result = cache.get(Namespace::Keys, "r").await;
    let waited = start.elapsed();
    server.signal("CONT");
    assert_eq!(result.unwrap_err().code(), "ECACHEUNAVAILABLE");
    assert!(
        waited <= TIMEOUTS.command + Duration::from_secs(5),
        "took {waited:?}"
    );
    println!(
        "frozen redis: get gave up after {waited:?} (command timeout {:?})",
        TIMEOUTS.command
    );
}

#[tokio::test]
async fn unresponsive_redis_times_out_instead_of_hanging() {
    // A listener that accepts but never answers: the worst case for a client.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "redis://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    let start = Instant::now();
    let (cache, warning) = Cache::open_or_off(Some(&url), &options()).await;
    let waited = start.elapsed();
    assert_eq!(
        (cache.kind(), warning.map(|w| w.code())),
        ("off", Some("ECACHEUNAVAILABLE"))
    );
    assert!(
        waited <= TIMEOUTS.connect + TIMEOUTS.command + Duration::from_secs(5),
        "took {waited:?}"
    );
    drop(listener);
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    let url = format!("redis://127.0.0.1:{}", free_port());
    let err = Cache::open_with(Some(&url), &options()).await.unwrap_err();
    assert_eq!(err.code(), "ECACHEUNAVAILABLE", "{err}");
}
