//! `npm-sigverify serve`: a verification gate in front of npm registries.
//!
//! Installers (npm, pnpm, Yarn, Bun) use the gate as their registry. Every version of a
//! packument is verified (registry signature, integrity, attestations) and decided by the
//! policy; versions the policy fails are removed (dist-tags repaired) and their tarballs are
//! refused with 403, naming package, check, code and remediation. Tarballs are streamed and
//! hashed on the way: bytes that are not the signed ones are never completed. Evidence that
//! cannot be obtained is never taken for a pass: such versions are withheld (503 where asked
//! for). The verification API (`POST /-/sigverify/v1/verify`) verifies a lockfile under a
//! named policy and can sign a VSA. Replicas are stateless and share verdicts through the
//! authenticated cache (Redis).

mod answer;
pub mod config;
mod log;
mod memo;
mod metrics;
mod ops;
mod packument;
mod passthrough;
mod registry;
mod render;
mod route;
mod server;
mod state;
mod tarball;
mod verdict;
mod verify_api;

use std::future::Future;

pub use config::ServeConfig;
use serde_json::json;
use tokio::net::TcpListener;

/// Why the gate could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration, policy, trust material, cache or VSA key is unusable.
    #[error(transparent)]
    Config(#[from] sigverify_core::VerifyError),
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
}

/// Starts the gate and serves until `shutdown` resolves, then drains requests in flight.
pub async fn run(
    config: ServeConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), ServeError> {
    let state = state::State::open(config.clone()).await?;
    let main = bind(config.listen).await?;
    let ops = match config.ops_listen {
        Some(addr) => Some(bind(addr).await?),
        None => None,
    };
    let address = |l: &TcpListener| l.local_addr().map(|a| a.to_string()).unwrap_or_default();
    state.log.event(
        "info",
        "listening",
        json!({
            "listen": address(&main),
            "ops": ops.as_ref().map(address),
            "upstream": config.upstream.as_str(),
            "scopes": config.scopes.iter().map(|(s, u)| (s.clone(), u.to_string())).collect::<std::collections::BTreeMap<_, _>>(),
            "policy": state.gate.policy().summary(),
            "cache": state.gate.cache_kind(),
            "verdictsShared": state.gate.caches_verdicts(),
            "verificationConcurrency": config.verification_concurrency,
        }),
    );
    server::serve(state, main, ops, shutdown).await;
    Ok(())
}

async fn bind(addr: std::net::SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Listen {
            addr: addr.to_string(),
            reason: e.to_string(),
        })
}

/// The stop request of an embedding process (see [`request_stop`]).
fn stop_notice() -> &'static tokio::sync::Notify {
    static STOP: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    STOP.get_or_init(tokio::sync::Notify::new)
}

/// Asks a gate started with [`stop_requested`] as its shutdown to drain and stop. For hosts
/// that own the process's signals (Node.js: a Rust signal handler there re-raises the signal
/// into Node's own handler forever), which catch SIGTERM themselves and call this.
pub fn request_stop() {
    stop_notice().notify_one();
}

/// Resolves once [`request_stop`] was called (before or after this was awaited).
pub async fn stop_requested() {
    stop_notice().notified().await;
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT): what Kubernetes and a terminal send.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
