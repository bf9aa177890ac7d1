//! The listeners: accept connections, answer each request within the time limit, log and
//! count it, and on shutdown stop accepting and let requests in flight finish (up to the grace
//! period).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;

use crate::answer::{self, Body};
use crate::ops;
use crate::passthrough::pass;
use crate::registry::{self, Ask};
use crate::route::{route, Route};
use crate::state::State;
use crate::tarball::tarball;
use crate::verify_api;

/// Serves until `shutdown` resolves, then drains. Returns when every connection is closed or
/// the grace period is over.
pub async fn serve(
    state: Arc<State>,
    main: TcpListener,
    ops_listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            conn = main.accept() => conn.map(|c| (c, false)),
            conn = accept_opt(&ops_listener) => conn.map(|c| (c, true)),
            _ = &mut shutdown => break,
        };
        let Ok(((stream, peer), ops)) = accepted else {
            continue;
        };
        let state = Arc::clone(&state);
        let service = service_fn(move |request| handle(Arc::clone(&state), request, ops, peer));
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = watched.await;
        });
    }
    state.log.event(
        "info",
        "shutting down: draining requests in flight",
        json!({}),
    );
    let grace = state.config.shutdown_grace;
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        state.log.event(
            "warn",
            "grace period over: closing the remaining connections",
            json!({}),
        );
    }
}

async fn accept_opt(
    listener: &Option<TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(l) => l.accept().await,
        None => std::future::pending().await,
    }
}

/// One request: route, answer within the time limit, count and log.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    ops: bool,
    peer: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let _in_flight = state.metrics.start();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let route = route(&method, &path, ops);
    let answer = tokio::time::timeout(
        state.config.request_timeout,
        dispatch(&state, &route, request),
    )
    .await;
    let response = answer.unwrap_or_else(|_| {
        let why = format!(
            "no answer within {} s",
            state.config.request_timeout.as_secs()
        );
        answer::error(
            StatusCode::SERVICE_UNAVAILABLE,
            "EREQUESTLIMIT",
            &why,
            "retry later; a large packument is verified once and then kept",
        )
    });
    let status = response.status().as_u16();
    state.metrics.request(route.label(), status);
    if !matches!(route, Route::Health | Route::Ready | Route::Metrics) {
        let took = started.elapsed().as_millis() as u64;
        let fields = json!({"method": method.as_str(), "path": path, "route": route.label(), "status": status, "durationMs": took, "peer": peer.ip().to_string()});
        state.log.event("info", "request", fields);
    }
    Ok(response)
}

async fn dispatch(state: &Arc<State>, route: &Route, request: Request<Incoming>) -> Response<Body> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let (authorization, host, etag) = (
        header("authorization"),
        header("host"),
        header("if-none-match"),
    );
    let ask = Ask {
        authorization: authorization.as_deref(),
        public: state.public_base(host.as_deref()),
        if_none_match: etag.as_deref(),
    };
    match route {
        Route::Packument(name) => registry::packument(state, name, &ask).await,
        Route::Version { name, spec } => registry::version(state, name, spec, &ask).await,
        Route::Tarball { name, file } => tarball(Arc::clone(state), name, file, &ask).await,
        Route::Attestations { name, version } => {
            // Asked for by the name and version the route checked, not by the path as the client
            // spelled it.
            let path = format!(
                "/-/npm/v1/attestations/{}@{version}",
                name.replace('/', "%2f")
            );
            pass(state, Some(name), &path, "application/json", ask.authorization).await
        }
        Route::Upstream => {
            let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
            let accept = header("accept").unwrap_or_else(|| "application/json".into());
            pass(state, None, path, &accept, ask.authorization).await
        }
        Route::Verify => verify_api::verify(state, request).await,
        Route::Health => ops::health(),
        Route::Ready => ops::ready(state).await,
        Route::Metrics => ops::metrics(state),
        Route::Method => answer::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "EMETHOD",
            &format!("{} is not served by the registry gate", request.method()),
            "the gate serves installs (GET) and POST /-/sigverify/v1/verify; publish to the upstream registry directly",
        ),
        Route::BadPath => answer::error(
            StatusCode::NOT_FOUND,
            "ENOTFOUND",
            &format!("{} names no package", request.uri().path()),
            "check the registry URL and the package name",
        ),
    }
}
