//! `npm-sigverify cache stats | clear` as the CLI crate will mount it.

#[path = "../../cache/tests/support/mod.rs"]
mod support;

use clap::Parser;
use sigverify_cache::{Cache, Entry, Namespace, CACHE_ENV};
use sigverify_cli::cache_cmd::{execute_cache_command, CacheArgs};
use std::collections::HashMap;
use std::time::Duration;

/// Stand-in for the CLI crate's top level.
#[derive(Parser)]
#[command(name = "npm-sigverify")]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(clap::Subcommand)]
enum Top {
    Cache(CacheArgs),
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// The tests' cache key: entries are authenticated, and no key file is made in the real home.
const TEST_KEY: &str = "0123456789abcdef0123456789abcdef";

fn keyed(mut env: HashMap<String, String>) -> HashMap<String, String> {
    env.insert(sigverify_cache::KEY_ENV.to_string(), TEST_KEY.to_string());
    env
}

async fn run(argv: &[&str], env: &HashMap<String, String>) -> Run {
    let env = &keyed(env.clone());
    let Top::Cache(args) = Cli::try_parse_from(argv).unwrap().command;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = execute_cache_command(&args, env, &mut out, &mut err).await;
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    Run {
        code,
        out: text(out),
        err: text(err),
    }
}

async fn seeded_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let options = sigverify_cache::CacheOptions {
        env: Some(keyed(HashMap::new())),
        ..Default::default()
    };
    let cache = Cache::open_with(Some(dir.path().to_str().unwrap()), &options)
        .await
        .unwrap();
    let hour = Duration::from_secs(3600);
    cache
        .put(
            Namespace::Packument,
            "p",
            &Entry::new(b"packument".to_vec()),
            hour,
        )
        .await
        .unwrap();
    cache
        .put(
            Namespace::Verdict,
            "v",
            &Entry::new(b"verdict".to_vec()),
            hour,
        )
        .await
        .unwrap();
    dir
}

#[tokio::test]
async fn stats_json_then_clear_human() {
    let dir = seeded_dir().await;
    let path = dir.path().to_str().unwrap();
    let env = HashMap::new();
    let stats = run(
        &["npm-sigverify", "cache", "stats", "--json", "--cache", path],
        &env,
    )
    .await;
    assert_eq!(stats.code, 0, "{}", stats.err);
    let json: serde_json::Value = serde_json::from_str(&stats.out).unwrap();
    assert_eq!(
        (json["backend"].as_str(), json["entries"].as_u64()),
        (Some("disk"), Some(2))
    );
    assert_eq!(json["namespaces"][3]["namespace"], "verdict");
    let clear = run(&["npm-sigverify", "cache", "--cache", path, "clear"], &env).await;
    assert_eq!(clear.code, 0);
    assert!(
        clear
            .out
            .starts_with("removed 2 entries from the disk cache"),
        "{}",
        clear.out
    );
    let again = run(&["npm-sigverify", "cache", "stats", "--cache", path], &env).await;
    assert!(
        again.out.contains("total") && again.out.contains("packument"),
        "{}",
        again.out
    );
    assert!(
        again.out.lines().last().unwrap().split_whitespace().nth(1) == Some("0"),
        "{}",
        again.out
    );
}

/// Every key of a JSON value, at any depth.
fn keys_of(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                out.push(key.clone());
                keys_of(inner, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys_of(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_json_key_is_camel_case() {
    let dir = seeded_dir().await;
    let path = dir.path().to_str().unwrap();
    let env = HashMap::new();
    let stats = run(
        &["npm-sigverify", "cache", "stats", "--json", "--cache", path],
        &env,
    )
    .await;
    assert_eq!(stats.code, 0, "{}", stats.err);
    let json: serde_json::Value = serde_json::from_str(&stats.out).unwrap();
    for key in [
        "corruptRemoved",
        "tempFiles",
        "roundTrips",
        "entries",
        "bytes",
    ] {
        assert!(json.get(key).is_some(), "{key} missing: {json}");
    }
    assert!(json["namespaces"][0].get("misses").is_some(), "{json}");
    let clear = run(
        &["npm-sigverify", "cache", "clear", "--json", "--cache", path],
        &env,
    )
    .await;
    let bad = run(
        &[
            "npm-sigverify",
            "cache",
            "stats",
            "--json",
            "--cache",
            "ftp://x",
        ],
        &env,
    )
    .await;
    let mut keys = Vec::new();
    for out in [&stats.out, &clear.out, &bad.out] {
        keys_of(&serde_json::from_str(out).unwrap(), &mut keys);
    }
    let camel = |k: &str| {
        k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && k.chars().all(|c| c.is_ascii_alphanumeric())
    };
    let wrong: Vec<&String> = keys.iter().filter(|k| !camel(k)).collect();
    assert!(wrong.is_empty(), "keys not in camelCase: {wrong:?}");
}

#[tokio::test]
async fn env_var_names_the_cache_when_no_flag_is_given() {
    let dir = seeded_dir().await;
    let env = HashMap::from([(CACHE_ENV.to_string(), dir.path().display().to_string())]);
    let stats = run(&["npm-sigverify", "cache", "stats", "--json"], &env).await;
    let json: serde_json::Value = serde_json::from_str(&stats.out).unwrap();
    assert_eq!(json["entries"], 2);
    assert_eq!(json["location"], dir.path().display().to_string());
}

#[tokio::test]
async fn invalid_spec_exits_2_with_its_code() {
    let bad = run(
        &[
            "npm-sigverify",
            "cache",
            "stats",
            "--json",
            "--cache",
            "ftp://x",
        ],
        &HashMap::new(),
    )
    .await;
    assert_eq!(bad.code, 2);
    let json: serde_json::Value = serde_json::from_str(&bad.out).unwrap();
    assert_eq!(json["error"]["code"], "ECACHESPEC");
    assert!(json["error"]["remediation"]
        .as_str()
        .unwrap()
        .contains("redis://"));
}

#[tokio::test]
async fn unreachable_redis_exits_1_without_leaking_the_password() {
    let url = format!("redis://:topsecret-pw@127.0.0.1:{}/2", support::free_port());
    let human = run(
        &["npm-sigverify", "cache", "clear", "--cache", &url],
        &HashMap::new(),
    )
    .await;
    assert_eq!(human.code, 1);
    assert!(human.err.contains("ECACHEUNAVAILABLE"), "{}", human.err);
    let json = run(
        &["npm-sigverify", "cache", "stats", "--json", "--cache", &url],
        &HashMap::new(),
    )
    .await;
    assert_eq!(json.code, 1);
    for text in [&human.out, &human.err, &json.out] {
        assert!(!text.contains("topsecret"), "{text}");
    }
}

#[tokio::test]
async fn redis_stats_through_the_command() {
    let Some(server) = support::RedisServer::start(&[]) else {
        return;
    };
    let url = server.url("/4");
    let cache = Cache::open(Some(&url)).await.unwrap();
    let hour = Duration::from_secs(3600);
    cache
        .put(Namespace::Keys, "r", &Entry::new(b"keys".to_vec()), hour)
        .await
        .unwrap();
    let stats = run(
        &["npm-sigverify", "cache", "stats", "--json", "--cache", &url],
        &HashMap::new(),
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&stats.out).unwrap();
    assert_eq!(
        (json["backend"].as_str(), json["entries"].as_u64()),
        (Some("redis"), Some(1))
    );
    let clear = run(
        &["npm-sigverify", "cache", "clear", "--cache", &url],
        &HashMap::new(),
    )
    .await;
    assert!(
        clear
            .out
            .starts_with("removed 1 entry from the redis cache"),
        "{}",
        clear.out
    );
}
