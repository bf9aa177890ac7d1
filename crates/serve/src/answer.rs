//! Responses: the body type every route answers with (whole or streamed), and JSON answers
//! for refusals and errors, each naming a stable code and what to do.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame};
use hyper::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Response, StatusCode};
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// Seconds an installer is told to wait before retrying a 503.
pub const RETRY_AFTER_SECS: u64 = 5;

/// A response body: whole bytes, or chunks from a channel (a tarball being verified). An `Err`
/// chunk aborts the response: hyper closes the connection without completing the body.
pub enum Body {
    /// The whole body (taken on the first poll).
    Full(Option<Bytes>),
    /// Chunks as they are verified.
    Channel(mpsc::Receiver<Result<Bytes, std::io::Error>>),
}

impl HttpBody for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::Channel(rx) => rx.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }
}

/// A response whose body is `bytes` with this content type.
pub fn bytes(status: StatusCode, content_type: &str, bytes: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(Body::Full(Some(Bytes::from(bytes))));
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

/// A JSON response.
pub fn json_value(status: StatusCode, value: &Value) -> Response<Body> {
    let text = serde_json::to_vec_pretty(value).expect("JSON values render");
    bytes(status, "application/json", text)
}

/// An error answer: `{error, code, message, remediation}` plus any `extra` fields (npm prints
/// `error`; the rest is for people and scripts).
pub fn error(status: StatusCode, code: &str, message: &str, remediation: &str) -> Response<Body> {
    error_with(status, code, message, remediation, json!({}))
}

/// [`error`] with more fields (package, version, check).
pub fn error_with(
    status: StatusCode,
    code: &str,
    message: &str,
    remediation: &str,
    extra: Value,
) -> Response<Body> {
    let mut body = json!({
        "error": format!("{code}: {message} (fix: {remediation})"),
        "code": code,
        "message": message,
        "remediation": remediation,
    });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    let mut response = json_value(status, &body);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        let wait = HeaderValue::from_str(&RETRY_AFTER_SECS.to_string()).expect("digits");
        response.headers_mut().insert(RETRY_AFTER, wait);
    }
    response
}

/// 503 with `Retry-After`: the upstream (or the evidence a verdict needs) is unavailable now.
pub fn unavailable(code: &str, message: &str) -> Response<Body> {
    let fix = "the upstream registry or the evidence could not be reached: retry later (Retry-After); nothing unverified is served meanwhile";
    error(StatusCode::SERVICE_UNAVAILABLE, code, message, fix)
}

/// Adds a header when the value is a valid header value (reasons are ASCII-clamped first).
pub fn set_header(response: &mut Response<Body>, name: &'static str, value: &str) {
    let clean: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if let Ok(value) = HeaderValue::from_str(&clean) {
        response.headers_mut().insert(name, value);
    }
}

/// Puts the reason in the status line too (`403 Forbidden EINTEGRITYSIGNATURE a@1.0.0 ...`):
/// installers that print only the status line (Yarn, pnpm, Bun) then name the reason as well.
pub fn reason_phrase(response: &mut Response<Body>, text: &str) {
    let base = response.status().canonical_reason().unwrap_or("Error");
    let clean: String = format!("{base} - {text}")
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .take(400)
        .collect();
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(clean) {
        response.extensions_mut().insert(reason);
    }
}
