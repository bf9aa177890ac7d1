//! A fleet's Redis: TLS (`rediss://`) with a private CA and an ACL user, against a real
//! `redis-server` started here with TLS on and the default user disabled. Entries written under
//! the fleet's key are authenticated; the password never appears in an error.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sigverify_cache::{Cache, CacheOptions, Entry, Namespace, KEY_ENV};
use support::{free_port, RedisServer};

const KEY: &str = "fleet-secret-0123456789abcdef";

/// A CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .status()
            .expect("openssl on PATH");
        assert!(status.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test fleet CA",
    ]);
    run(&[
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
}

fn options(dir: &Path) -> CacheOptions {
    let env = HashMap::from([
        (KEY_ENV.to_string(), KEY.to_string()),
        (
            "NPM_SIGVERIFY_REDIS_CA_FILE".to_string(),
            dir.join("ca.pem").display().to_string(),
        ),
    ]);
    CacheOptions {
        env: Some(env),
        ..Default::default()
    }
}

#[tokio::test]
async fn tls_with_an_acl_user_stores_authenticated_entries() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let tls_port = free_port().to_string();
    let file = |name: &str| dir.path().join(name).display().to_string();
    let (cert, key, ca) = (file("server.pem"), file("server.key"), file("ca.pem"));
    let Some(server) = RedisServer::start(&[
        "--tls-port",
        &tls_port,
        "--tls-cert-file",
        &cert,
        "--tls-key-file",
        &key,
        "--tls-ca-cert-file",
        &ca,
        "--tls-auth-clients",
        "no",
        "--user",
        "default",
        "off",
        "--user",
        "fleet",
        "on",
        ">s3cret-pass",
        "~npm-sigverify:*",
        "+@all",
    ]) else {
        return;
    };
    let url = format!("rediss://fleet:s3cret-pass@127.0.0.1:{tls_port}/0");
    let cache = Cache::open_with(Some(&url), &options(dir.path()))
        .await
        .expect("TLS + ACL connect");
    assert!(cache.authenticated());
    cache
        .put(
            Namespace::Packument,
            "k",
            &Entry::new(b"facts".to_vec()),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    let got = cache
        .get(Namespace::Packument, "k")
        .await
        .unwrap()
        .expect("stored");
    assert!(got.authenticated && got.body == b"facts");

    // A wrong password is an error that names the server but never the password.
    let wrong = format!("rediss://fleet:wrong-pass@127.0.0.1:{tls_port}/0");
    let err = Cache::open_with(Some(&wrong), &options(dir.path()))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("wrong-pass") && !text.contains("s3cret-pass"),
        "{text}"
    );
    // Without the CA the server's certificate is not trusted.
    let mut no_ca = options(dir.path());
    no_ca
        .env
        .as_mut()
        .unwrap()
        .remove("NPM_SIGVERIFY_REDIS_CA_FILE");
    assert!(Cache::open_with(Some(&url), &no_ca).await.is_err());
    drop(server);
}

#[tokio::test]
async fn a_redis_without_a_key_keeps_evidence_only() {
    let Some(server) = RedisServer::start(&[]) else {
        return;
    };
    let env = HashMap::new();
    let options = CacheOptions {
        env: Some(env),
        ..Default::default()
    };
    let cache = Cache::open_with(Some(&server.url("/0")), &options)
        .await
        .unwrap();
    assert!(
        !cache.authenticated(),
        "no key configured: entries are not authenticated"
    );
    cache
        .put(
            Namespace::Packument,
            "k",
            &Entry::new(b"facts".to_vec()),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
    assert!(
        !cache
            .get(Namespace::Packument, "k")
            .await
            .unwrap()
            .unwrap()
            .authenticated
    );
    // A keyed reader ignores what an unkeyed writer (or a forger) put there.
    let keyed = CacheOptions {
        env: Some(HashMap::from([(KEY_ENV.to_string(), KEY.to_string())])),
        ..Default::default()
    };
    let reader = Cache::open_with(Some(&server.url("/0")), &keyed)
        .await
        .unwrap();
    assert_eq!(reader.get(Namespace::Packument, "k").await.unwrap(), None);
}
