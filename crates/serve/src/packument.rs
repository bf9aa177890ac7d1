//! Packuments from the upstream, judged once and kept for a while: concurrent requests for the
//! same packument wait for one fetch and one verification (single flight); after
//! `packument_max_age` the upstream is asked again with its validators, and a 304 keeps the
//! judgement (decisions are still taken again on every request: they depend on the time).
//!
//! Entries are keyed by the caller's credential when it is forwarded upstream, so a packument
//! fetched with one installer's token is never served to another.

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;
use sha2::{Digest, Sha256};
use sigverify_core::source::evidence::packument_url;
use sigverify_core::source::registry::{Validators, ACCEPT_FULL};
use url::Url;

use crate::memo::Judged;
use crate::state::State;

/// Why a packument cannot be served.
#[derive(Debug)]
pub enum FetchFailure {
    /// The upstream has no such package (404).
    NotFound,
    /// The upstream could not be reached or answered an error (503 to the installer).
    Unavailable(String),
    /// The upstream answered something that is not a packument (503: fail closed).
    Malformed(String),
}

/// The judged packument of `name`: kept, revalidated, or fetched and judged now.
pub async fn judged(
    state: &State,
    name: &str,
    authorization: Option<&str>,
) -> Result<Arc<Judged>, FetchFailure> {
    let registry = state
        .gate
        .registry_for(name)
        .map_err(|e| FetchFailure::Unavailable(e.to_string()))?;
    let url = packument_url(&registry, name);
    // A credential the gate holds itself is the same for everyone; a forwarded one is not.
    let forwarded = match state.gate.config().authorization_for(&url) {
        Some(_) => None,
        None => authorization,
    };
    let key = memo_key(&url, forwarded);
    let slot = state.memo.slot(&key);
    let mut entry = slot.lock().await;
    if let Some(kept) = entry.as_ref() {
        if kept.fetched.elapsed() < state.memo.max_age {
            return Ok(Arc::clone(kept));
        }
    }
    let fresh = refresh(state, &registry, name, &url, forwarded, entry.as_deref()).await?;
    *entry = Some(Arc::clone(&fresh));
    Ok(fresh)
}

fn memo_key(url: &Url, forwarded: Option<&str>) -> String {
    let who = forwarded.map_or_else(String::new, |auth| {
        hex::encode(Sha256::digest(auth.as_bytes()))
    });
    format!("{url} {who}")
}

/// Asks the upstream (conditionally when something is kept) and judges a new document.
async fn refresh(
    state: &State,
    registry: &Url,
    name: &str,
    url: &Url,
    authorization: Option<&str>,
    kept: Option<&Judged>,
) -> Result<Arc<Judged>, FetchFailure> {
    let validators = kept.map(|k| k.validators.clone()).unwrap_or_default();
    let started = Instant::now();
    let client = state.gate.client();
    let response = client
        .open(url, ACCEPT_FULL, authorization, &validators)
        .await
        .map_err(|e| FetchFailure::Unavailable(e.to_string()));
    state.metrics.upstream("packument", started.elapsed());
    let response = response?;
    match response.status().as_u16() {
        304 => match kept {
            Some(k) => return Ok(Arc::new(k.renewed())),
            None => {
                return Err(FetchFailure::Malformed(
                    "304 to an unconditional request".into(),
                ))
            }
        },
        404 => return Err(FetchFailure::NotFound),
        200..=299 => {}
        status => {
            let why = format!("the upstream answered HTTP {status} for {url}");
            return Err(FetchFailure::Unavailable(why));
        }
    }
    let validators = validators_of(response.headers());
    // Within the client's body budget, counted in the bytes read (an upstream's compressed or
    // chunked bodies announce little), held until the document is judged.
    let (bytes, held) = client
        .read_body(url, response)
        .await
        .map_err(|e| FetchFailure::Unavailable(e.to_string()))?;
    let judged = judge(state, registry, name, bytes, validators).await;
    drop(held);
    judged
}

/// Parses the document and judges every version it lists.
async fn judge(
    state: &State,
    registry: &Url,
    name: &str,
    bytes: Vec<u8>,
    validators: Validators,
) -> Result<Arc<Judged>, FetchFailure> {
    let bytes = Arc::new(bytes);
    let parse_from = Arc::clone(&bytes);
    let doc = tokio::task::spawn_blocking(move || serde_json::from_slice::<Value>(&parse_from))
        .await
        .map_err(|e| FetchFailure::Malformed(e.to_string()))?
        .map_err(|e| FetchFailure::Malformed(format!("the upstream packument is not JSON: {e}")))?;
    let versions: Vec<String> = match doc.get("versions") {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    };
    if doc.get("name").and_then(Value::as_str) != Some(name) {
        let why = format!("the upstream packument for {name} names another package");
        return Err(FetchFailure::Malformed(why));
    }
    let permit = state.verifications.acquire().await.expect("never closed");
    let started = Instant::now();
    let results = state.gate.judge(registry, name, bytes, &versions).await;
    state.metrics.verification(started.elapsed());
    drop(permit);
    let results = results
        .into_iter()
        .map(|r| (r.version.clone(), r))
        .collect();
    Ok(Arc::new(Judged {
        registry: registry.clone(),
        doc,
        results,
        validators,
        fetched: Instant::now(),
    }))
}

impl Judged {
    /// The same judgement, fresh again (the upstream answered 304).
    fn renewed(&self) -> Judged {
        Judged {
            registry: self.registry.clone(),
            doc: self.doc.clone(),
            results: self.results.clone(),
            validators: self.validators.clone(),
            fetched: Instant::now(),
        }
    }
}

fn validators_of(headers: &reqwest::header::HeaderMap) -> Validators {
    let header = |name: &str| {
        let value = headers.get(name)?;
        value.to_str().ok().map(str::to_string)
    };
    Validators {
        etag: header("etag"),
        last_modified: header("last-modified"),
        fresh_for: None,
    }
}
