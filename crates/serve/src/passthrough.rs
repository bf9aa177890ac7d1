//! Upstream endpoints passed through as they are: the registry's keys (`/-/npm/v1/keys`),
//! attestations (to the upstream of the package's scope), ping, search and whoami.
//! The installer's credential is forwarded only where the gate holds none; nothing is logged
//! but the path and the status.

use std::time::Instant;

use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::json;
use sigverify_codes::Code;
use sigverify_core::source::registry::Validators;
use tokio::sync::mpsc;
use url::Url;

use crate::answer::{self, Body};
use crate::state::State;

/// The largest document passed through (keys, attestations, search answers are small).
const MAX_PASSED: usize = 64 << 20;

/// GETs `path_and_query` from the upstream of `name` (the default upstream for `None`).
pub async fn pass(
    state: &State,
    name: Option<&str>,
    path_and_query: &str,
    accept: &str,
    authorization: Option<&str>,
) -> Response<Body> {
    let registry = match name {
        Some(name) => state.gate.registry_for(name),
        None => state.gate.config().registry().map_err(Into::into),
    };
    let Ok(registry) = registry else {
        return answer::error(
            StatusCode::BAD_REQUEST,
            "EUSAGE",
            "no upstream for this package",
            "check the package name",
        );
    };
    let Some(url) = upstream_url(&registry, path_and_query) else {
        return answer::error(
            StatusCode::BAD_REQUEST,
            "EUSAGE",
            "not a registry path",
            "check the URL",
        );
    };
    let started = Instant::now();
    let kind = if path_and_query.starts_with("/-/npm/v1/keys") {
        "keys"
    } else {
        "other"
    };
    let opened = state
        .gate
        .client()
        .open(&url, accept, authorization, &Validators::default())
        .await;
    state.metrics.upstream(kind, started.elapsed());
    match opened {
        Ok(response) => relay(response).await,
        Err(e) => {
            let why = state.log.scrub(&e.to_string());
            state.log.event(
                "error",
                "upstream unavailable",
                json!({"path": path_and_query, "reason": why}),
            );
            answer::unavailable(Code::RegistryUnreachable.as_str(), &why)
        }
    }
}

/// The upstream URL of a path under the registry (which may itself have a path).
fn upstream_url(registry: &Url, path_and_query: &str) -> Option<Url> {
    let relative = path_and_query.trim_start_matches('/');
    let path = relative.split('?').next().unwrap_or_default();
    // `%2e%2e` is `..` to the URL parser too.
    let dots = |s: &str| matches!(crate::route::decode(s).as_str(), "." | "..");
    if path.split('/').any(dots) {
        return None;
    }
    registry.join(relative).ok()
}

/// The upstream's status, content type and body, streamed.
async fn relay(mut response: reqwest::Response) -> Response<Body> {
    let status =
        StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        let mut sent = 0usize;
        loop {
            let chunk: Result<Option<Bytes>, _> = response.chunk().await;
            let item = match chunk {
                Ok(Some(bytes)) if sent + bytes.len() <= MAX_PASSED => {
                    sent += bytes.len();
                    Ok(bytes)
                }
                Ok(Some(_)) => Err(std::io::Error::other("upstream answer too large")),
                Ok(None) => return,
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            let stop = item.is_err();
            if tx.send(item).await.is_err() || stop {
                return;
            }
        }
    });
    let mut out = Response::new(Body::Channel(rx));
    *out.status_mut() = status;
    answer::set_header(&mut out, "content-type", &content_type);
    out
}
