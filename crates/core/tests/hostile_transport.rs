//! A registry (or whatever sits in front of it) that answers in ways no honest one does:
//! a body larger than it announced, "not modified" to a request that named no version, and a
//! redirect chain that leaves the registry's host and then moves within the other one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sigverify_core::config::HttpOptions;
use sigverify_core::npmrc::NpmConfig;
use sigverify_core::source::registry::{RegistryClient, BODY_BUDGET};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

const SIX_MIB: usize = 6 << 20;

/// What one server was asked: each request's path and its Authorization header.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback server answering `route(path)` (status line and headers, body), recording what
/// it was asked.
async fn server(route: fn(&str, &str) -> (String, Vec<u8>)) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let (log, origin) = (Arc::clone(&seen), base.clone());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (log, origin) = (Arc::clone(&log), origin.clone());
            tokio::spawn(answer(socket, route, log, origin));
        }
    });
    (base, seen)
}

async fn answer(
    mut socket: TcpStream,
    route: fn(&str, &str) -> (String, Vec<u8>),
    seen: Seen,
    origin: String,
) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request).to_string();
    let path = text.split(' ').nth(1).unwrap_or("/").to_string();
    let authorization = text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("authorization")
            .then(|| value.trim().to_string())
    });
    seen.lock().unwrap().push((path.clone(), authorization));
    let (head, body) = route(&path, &origin);
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&body).await;
}

/// A 6 MiB body sent in chunks, announcing no length.
fn chunked(_: &str, _: &str) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    let piece = vec![b' '; 64 << 10];
    for _ in 0..SIX_MIB / piece.len() {
        body.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        body.extend_from_slice(&piece);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
    (head.to_string(), body)
}

fn not_modified(_: &str, _: &str) -> (String, Vec<u8>) {
    let head = "HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\nconnection: close\r\n\r\n";
    (head.to_string(), Vec::new())
}

/// The other host: `/hop1` sends the client on to `/hop2` on the same host.
fn other_host(path: &str, _: &str) -> (String, Vec<u8>) {
    let head = match path {
        "/hop1" => "HTTP/1.1 302 Found\r\nlocation: /hop2\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        _ => "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n",
    };
    (head.to_string(), b"{}".to_vec())
}

fn client(npmrc: &str) -> RegistryClient {
    let options = HttpOptions {
        timeout: Duration::from_secs(10),
        retries: 0,
        backoff: Duration::from_millis(10),
    };
    RegistryClient::new(NpmConfig::from_text(npmrc), options).unwrap()
}

/// A body is charged to the budget for the bytes read, not the (absent) length it announced:
/// held, it leaves the rest of the budget to the other bodies, and one that outgrows what is
/// free waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_announcing_no_length_holds_its_size_of_the_budget() {
    let (base, _) = server(chunked).await;
    let client = client("");
    let url = Url::parse(&format!("{base}/a")).unwrap();
    let unconditional = Default::default();
    let first = client.get_conditional(&url, "application/json", &unconditional);
    let first = first.await.unwrap();
    let held = (BODY_BUDGET as usize) - client.budget_free_kib();
    assert!(
        held * 1024 >= SIX_MIB,
        "a 6 MiB body read holds {held} KiB of the budget"
    );
    // A second one cannot have its 6 MiB while the first is held, and can once it is dropped.
    let (second_client, second_url) = (client.clone(), url.clone());
    let second = tokio::spawn(async move {
        second_client
            .get_conditional(&second_url, "application/json", &Default::default())
            .await
            .map(|_| ())
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!second.is_finished(), "both bodies were held at once");
    drop(first);
    second.await.unwrap().unwrap();
}

/// "Not modified" answers a conditional request only: to any other it is no document.
#[tokio::test]
async fn not_modified_to_a_request_that_named_no_version_is_an_error() {
    let (base, _) = server(not_modified).await;
    let url = Url::parse(&format!("{base}/-/npm/v1/keys")).unwrap();
    let answer = client("").get(&url, "application/json").await;
    assert!(answer.is_err(), "{answer:?}");
}

/// The registry's token never reaches another host, however many hops the redirect takes
/// there (reqwest restores the headers on each hop and drops credentials only on a hop that
/// changes host from the one before).
#[tokio::test]
async fn a_redirect_never_takes_the_token_to_another_host() {
    let (other, seen_there) = server(other_host).await;
    // The registry sends every request to the other host's /hop1.
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let registry = format!("http://{}", listener.local_addr().unwrap());
    let location = format!("{other}/hop1");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let location = location.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = format!("HTTP/1.1 302 Found\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = socket.write_all(head.as_bytes()).await;
            });
        }
    });
    let host = registry.trim_start_matches("http:");
    let client = client(&format!("{host}/:_authToken=SECRET-TOKEN\n"));
    let url = Url::parse(&format!("{registry}/beta")).unwrap();
    let answer = client.get(&url, "application/json").await;
    let seen = seen_there.lock().unwrap().clone();
    assert!(
        seen.iter().all(|(_, auth)| auth.is_none()),
        "the other host was sent a credential: {seen:?}"
    );
    // The second hop inside the other host is not followed at all.
    assert!(answer.is_err(), "{answer:?}");
    assert_eq!(seen.len(), 1, "{seen:?}");
}
