//! The per-request timeout bounds what the registry takes (the headers, then the body), not the
//! time a body waits in this process for its share of the memory budget.
//!
//! Three answers on a loopback server: A and C are as large as the whole budget (8 MiB) and each
//! is sent over ~0.9 s, one after the other (C's headers at once, its body after A's); B is
//! small. Asked in the order A, C, B, the budget lets them through in
//! that order, so B waits ~1.8 s before its body is read, longer than the 1.5 s timeout, while
//! each step of each request takes well under it. Every request must succeed.

use std::sync::Arc;
use std::time::Duration;

use sigverify_core::config::HttpOptions;
use sigverify_core::npmrc::NpmConfig;
use sigverify_core::source::registry::{RegistryClient, BODY_BUDGET};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use url::Url;

const WHOLE_BUDGET: usize = BODY_BUDGET as usize * 1024;
const PACED_OVER: Duration = Duration::from_millis(900);
const TIMEOUT: Duration = Duration::from_millis(1500);

/// Answers one request per connection: `/big` with the whole budget's worth of bytes, paced
/// over [`PACED_OVER`] once no other large body is being sent; anything else with a few bytes
/// at once.
async fn serve(listener: TcpListener) {
    let one_big_body = Arc::new(Mutex::new(()));
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(answer(socket, Arc::clone(&one_big_body)));
    }
}

async fn answer(mut socket: TcpStream, one_big_body: Arc<Mutex<()>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let big = request.starts_with(b"GET /big");
    let len = if big { WHOLE_BUDGET } else { 2 };
    let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n");
    if socket.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    if !big {
        let _ = socket.write_all(b"{}").await;
        return;
    }
    let _sending = one_big_body.lock().await;
    const PIECES: usize = 16;
    let piece = vec![b'x'; WHOLE_BUDGET / PIECES];
    for _ in 0..PIECES {
        tokio::time::sleep(PACED_OVER / PIECES as u32).await;
        if socket.write_all(&piece).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_the_body_budget_is_not_charged_to_the_request_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(serve(listener));
    let options = HttpOptions {
        timeout: TIMEOUT,
        retries: 0,
        backoff: Duration::from_millis(10),
    };
    let client = RegistryClient::new(NpmConfig::from_text(""), options).unwrap();
    let get = |path: &str| {
        let (client, url) = (
            client.clone(),
            Url::parse(&format!("{base}{path}")).unwrap(),
        );
        tokio::spawn(async move { client.get(&url, "application/json").await })
    };
    let started = std::time::Instant::now();
    let a = get("big?a");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let c = get("big?c");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let b = get("small");
    let b = b
        .await
        .unwrap()
        .expect("B waited for A and C, then read its body at once");
    let waited = started.elapsed();
    assert_eq!(b.as_deref(), Some(&b"{}"[..]));
    for big in [a, c] {
        let body = big
            .await
            .unwrap()
            .expect("each large body is read within the timeout");
        assert_eq!(body.map(|b| b.len()), Some(WHOLE_BUDGET));
    }
    // The case this test is about: B's request lasted longer than its timeout.
    assert!(
        waited > TIMEOUT,
        "B was answered after {waited:?}: it did not wait for the budget, so this proves nothing"
    );
}
