//! Operations endpoints: liveness, readiness (the upstream answers and the cache answers) and
//! Prometheus metrics.

use std::time::Duration;

use hyper::{Response, StatusCode};
use serde_json::json;
use sigverify_core::source::registry::Validators;

use crate::answer::{self, Body};
use crate::state::State;

/// How long a readiness probe waits for each dependency.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// `/healthz`: the process serves requests.
pub fn health() -> Response<Body> {
    answer::json_value(StatusCode::OK, &json!({"status": "ok"}))
}

/// `/readyz`: 200 when the default upstream answers HTTP (`/-/ping`, any status below 500) and
/// the cache answers a lookup; 503 naming what does not.
pub async fn ready(state: &State) -> Response<Body> {
    let (upstream, cache) = tokio::join!(upstream_ok(state), cache_ok(state));
    let ok = upstream.is_ok() && cache.is_ok();
    let body = json!({
        "status": if ok { "ready" } else { "not ready" },
        "upstream": upstream.err().unwrap_or_else(|| "ok".into()),
        "cache": cache.err().unwrap_or_else(|| format!("ok ({})", state.gate.cache_kind())),
    });
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut response = answer::json_value(status, &body);
    if !ok {
        answer::set_header(
            &mut response,
            "retry-after",
            &answer::RETRY_AFTER_SECS.to_string(),
        );
    }
    response
}

async fn upstream_ok(state: &State) -> Result<(), String> {
    let registry = state.gate.config().registry().map_err(|e| e.to_string())?;
    let url = registry.join("-/ping").map_err(|e| e.to_string())?;
    let validators = Validators::default();
    let probe = state
        .gate
        .client()
        .open(&url, "application/json", None, &validators);
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(state.log.scrub(&e.to_string())),
        Err(_) => Err(format!(
            "no answer from the upstream within {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

async fn cache_ok(state: &State) -> Result<(), String> {
    match tokio::time::timeout(PROBE_TIMEOUT, state.gate.cache_ping()).await {
        Ok(result) => result.map_err(|e| state.log.scrub(&e)),
        Err(_) => Err(format!(
            "no answer from the cache within {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

/// `/metrics`, Prometheus text format.
pub fn metrics(state: &State) -> Response<Body> {
    let text = state.metrics.render(state.gate.cache_lookups());
    answer::bytes(
        StatusCode::OK,
        "text/plain; version=0.0.4; charset=utf-8",
        text.into_bytes(),
    )
}
