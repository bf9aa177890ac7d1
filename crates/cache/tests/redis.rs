//! The Redis backend against a real `redis-server` started per test.

mod support;

use sigverify_cache::{Cache, CacheOptions, Entry, Namespace, RedisTimeouts, KEY_PREFIX};
use std::time::{Duration, Instant};
use support::RedisServer;

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
    let mut entry = Entry::new(body.as_bytes().to_vec());
    entry.etag = Some("\"e1\"".into());
    entry
}

fn raw_get(conn: &mut redis::Connection, key: &str) -> Option<Vec<u8>> {
    redis::cmd("GET").arg(key).query(conn).unwrap()
}

#[tokio::test]
async fn round_trip_and_miss() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    assert_eq!(cache.kind(), "redis");
    assert_eq!(cache.get(Namespace::Packument, KEY).await.unwrap(), None);
    let stored = entry("{\"name\":\"lodash\"}");
    cache
        .put(Namespace::Packument, KEY, &stored, HOUR)
        .await
        .unwrap();
    assert_eq!(
        cache.get(Namespace::Packument, KEY).await.unwrap(),
        Some(stored)
    );
    assert_eq!(cache.get(Namespace::Attestations, KEY).await.unwrap(), None);
    let stats = cache.stats().await.unwrap();
    assert_eq!((stats.entries, stats.hits, stats.misses), (1, 1, 2));
}

#[tokio::test]
async fn five_thousand_keys_cost_a_few_round_trips() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    let keys: Vec<String> = (0..5000)
        .map(|i| format!("https://registry.npmjs.org/pkg-{i}@1.0.0"))
        .collect();
    let body = entry(&"x".repeat(2048));
    let items: Vec<(&str, &Entry)> = keys.iter().map(|k| (k.as_str(), &body)).collect();
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let before = cache.round_trips();
    let start = Instant::now();
    cache
        .put_many(Namespace::Attestations, &items, HOUR)
        .await
        .unwrap();
    let put = start.elapsed();
    let start = Instant::now();
    let got = cache
        .get_many(Namespace::Attestations, &refs)
        .await
        .unwrap();
    let get = start.elapsed();
    let trips = cache.round_trips() - before;
    assert!(got.iter().all(|e| e.as_ref() == Some(&body)));
    // 5 pipelines of 1,000 SET EX + 5 MGET of 1,000 keys.
    assert_eq!(trips, 10);
    println!(
        "redis, 5,000 entries of 2 KiB: put_many {put:?}, get_many {get:?}, {trips} round trips"
    );
}

#[tokio::test]
async fn ttl_is_set_with_set_ex_under_the_key_prefix() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    cache
        .put(
            Namespace::Keys,
            "https://registry.npmjs.org",
            &entry("k"),
            Duration::from_secs(120),
        )
        .await
        .unwrap();
    cache
        .put(
            Namespace::Verdict,
            "v",
            &entry("v"),
            Duration::from_millis(1500),
        )
        .await
        .unwrap();
    let mut raw = server.raw("");
    let ttl: i64 = redis::cmd("TTL")
        .arg("npm-sigverify:v1:keys:https://registry.npmjs.org")
        .query(&mut raw)
        .unwrap();
    assert!((110..=120).contains(&ttl), "ttl {ttl}");
    let ttl: i64 = redis::cmd("TTL")
        .arg("npm-sigverify:v1:verdict:v")
        .query(&mut raw)
        .unwrap();
    assert_eq!(ttl, 2, "sub-second TTLs round up");
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut raw).unwrap();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.starts_with(KEY_PREFIX)), "{keys:?}");
}

#[tokio::test]
async fn clear_and_stats_touch_only_prefixed_keys() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    let mut raw = server.raw("");
    let _: () = redis::cmd("SET")
        .arg("someone-else:key")
        .arg("keep")
        .query(&mut raw)
        .unwrap();
    cache
        .put(Namespace::Packument, "a", &entry("a"), HOUR)
        .await
        .unwrap();
    cache
        .put(Namespace::Verdict, "b", &entry("bb"), HOUR)
        .await
        .unwrap();
    let stats = cache.stats().await.unwrap();
    assert_eq!(stats.entries, 2);
    let verdict = stats
        .namespaces
        .iter()
        .find(|r| r.namespace == "verdict")
        .unwrap();
    let len: u64 = redis::cmd("STRLEN")
        .arg("npm-sigverify:v1:verdict:b")
        .query(&mut raw)
        .unwrap();
    assert_eq!((verdict.entries, verdict.bytes), (1, len));
    assert_eq!(cache.clear().await.unwrap(), 2);
    assert_eq!(
        raw_get(&mut raw, "someone-else:key"),
        Some(b"keep".to_vec())
    );
    assert_eq!(cache.stats().await.unwrap().entries, 0);
}

#[tokio::test]
async fn db_number_comes_from_the_url() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("/5")).await;
    cache
        .put(Namespace::Keys, "r", &entry("k"), HOUR)
        .await
        .unwrap();
    let redis_key = "npm-sigverify:v1:keys:r";
    assert!(raw_get(&mut server.raw("/5"), redis_key).is_some());
    assert!(raw_get(&mut server.raw(""), redis_key).is_none());
    assert_eq!(
        open(&server.url("/0"))
            .await
            .get(Namespace::Keys, "r")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn corrupt_or_foreign_values_are_misses() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let cache = open(&server.url("")).await;
    cache
        .put(Namespace::Packument, "a", &entry("a"), HOUR)
        .await
        .unwrap();
    let mut raw = server.raw("");
    let mut bytes = raw_get(&mut raw, "npm-sigverify:v1:packument:a").unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let _: () = redis::cmd("SET")
        .arg("npm-sigverify:v1:packument:a")
        .arg(&bytes)
        .query(&mut raw)
        .unwrap();
    // A valid value copied under another key is not served for that key.
    cache
        .put(Namespace::Packument, "b", &entry("b"), HOUR)
        .await
        .unwrap();
    let good = raw_get(&mut raw, "npm-sigverify:v1:packument:b").unwrap();
    let _: () = redis::cmd("SET")
        .arg("npm-sigverify:v1:packument:c")
        .arg(good)
        .query(&mut raw)
        .unwrap();
    let got = cache
        .get_many(Namespace::Packument, &["a", "b", "c"])
        .await
        .unwrap();
    assert_eq!(got, vec![None, Some(entry_at(&got[1], "b")), None]);
    assert_eq!(cache.stats().await.unwrap().corrupt_removed, 1);
}

fn entry_at(found: &Option<Entry>, body: &str) -> Entry {
    let found = found.clone().expect("entry present");
    assert_eq!(found.body, body.as_bytes());
    found
}

#[tokio::test]
async fn fleet_runners_share_one_redis() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let (runner_a, runner_b) = (open(&server.url("")).await, open(&server.url("")).await);
    let packument = entry("{\"name\":\"react\"}");
    runner_a
        .put(
            Namespace::Packument,
            "https://registry.npmjs.org/react",
            &packument,
            HOUR,
        )
        .await
        .unwrap();
    let seen = runner_b
        .get(Namespace::Packument, "https://registry.npmjs.org/react")
        .await
        .unwrap();
    assert_eq!(seen, Some(packument));
    let (x, y) = (entry("x"), entry("y"));
    runner_b
        .put_many(Namespace::Verdict, &[("vx", &x), ("vy", &y)], HOUR)
        .await
        .unwrap();
    let got = runner_a
        .get_many(Namespace::Verdict, &["vx", "vy", "vz"])
        .await
        .unwrap();
    assert_eq!(got, vec![Some(x), Some(y), None]);
    // Each runner counts its own hits.
    assert_eq!(runner_a.stats().await.unwrap().hits, 2);
    assert_eq!(runner_b.stats().await.unwrap().hits, 1);
}
