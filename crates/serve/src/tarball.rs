//! Tarballs: the version is found by its file name in the judged packument, withheld versions
//! are refused, and the upstream bytes are streamed to the installer while they are hashed.
//! The last chunk is held back until the whole body's digest equals the signed integrity: bytes
//! that are not the signed ones are never completed (the response is aborted, so the installer
//! sees a broken transfer, never a finished tarball), and nothing is stored on the way.

use std::time::Instant;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::json;
use sha2::Digest;
use sigverify_codes::Code;
use sigverify_core::source::registry::Validators;
use tokio::sync::mpsc;
use url::Url;

use crate::answer::{self, Body};
use crate::registry::{judged_with_verdicts, not_found, refusal, Ask};
use crate::render::file_of;
use crate::state::State;
use std::sync::Arc;

/// `GET /<name>/-/<file>`.
pub async fn tarball(state: Arc<State>, name: &str, file: &str, ask: &Ask<'_>) -> Response<Body> {
    let (judged, verdicts) = match judged_with_verdicts(&state, name, ask.authorization).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let (version, upstream) = match find_version(&judged.doc, file) {
        Found::One(version, upstream) => (version, upstream),
        Found::None => return not_found(&format!("{name}/-/{file}")),
        Found::Several(versions) => {
            let why = format!(
                "{name}/-/{file}: the upstream gives this tarball file name to several versions ({}), so which version an installer asked for is not known",
                versions.join(", ")
            );
            return answer::error(
                StatusCode::FORBIDDEN,
                Code::BadPackument.as_str(),
                &why,
                Code::BadPackument.remediation(),
            );
        }
    };
    if let Some(refused) = refusal(&state, verdicts.get(&version), "tarball") {
        return refused;
    }
    let integrity = judged
        .results
        .get(&version)
        .and_then(|r| r.integrity.clone());
    let Some(expected) = integrity.as_deref().and_then(Expected::parse) else {
        let why = format!("{name}@{version}: the packument gives no usable dist.integrity");
        return answer::error(
            StatusCode::FORBIDDEN,
            Code::BadPackument.as_str(),
            &why,
            Code::BadPackument.remediation(),
        );
    };
    let Ok(url) = judged.registry.join(&upstream) else {
        return not_found(&format!("{name}@{version}"));
    };
    // The installer's credential is the gate's upstream's: never sent to another host a
    // packument names (npm sends a registry token only to its registry).
    let authorization = ask
        .authorization
        .filter(|_| url.origin() == judged.registry.origin());
    stream(
        state,
        url,
        expected,
        format!("{name}@{version}"),
        authorization,
    )
    .await
}

/// The versions whose upstream tarball has a file name.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    None,
    /// One version, and its upstream URL.
    One(String, String),
    /// Several: the file name does not say which version was asked for.
    Several(Vec<String>),
}

/// The version whose upstream `dist.tarball` ends in `file`, and that URL.
fn find_version(doc: &serde_json::Value, file: &str) -> Found {
    let Some(versions) = doc.get("versions").and_then(|v| v.as_object()) else {
        return Found::None;
    };
    let mut found: Vec<(String, String)> = versions
        .iter()
        .filter_map(|(version, manifest)| {
            let url = manifest.get("dist")?.get("tarball")?.as_str()?;
            (file_of(url)? == file).then(|| (version.clone(), url.to_string()))
        })
        .collect();
    match found.len() {
        0 => Found::None,
        1 => {
            let (version, url) = found.pop().expect("one");
            Found::One(version, url)
        }
        _ => Found::Several(found.into_iter().map(|(v, _)| v).collect()),
    }
}

/// Opens the upstream tarball and streams it through the digest check.
async fn stream(
    state: Arc<State>,
    url: Url,
    expected: Expected,
    id: String,
    authorization: Option<&str>,
) -> Response<Body> {
    let started = Instant::now();
    let client = state.gate.client();
    let opened = client
        .open(
            &url,
            "application/octet-stream",
            authorization,
            &Validators::default(),
        )
        .await;
    state.metrics.upstream("tarball", started.elapsed());
    let response = match opened {
        Ok(r) if r.status().is_success() => r,
        Ok(r) if r.status().as_u16() == 404 => return not_found(&id),
        Ok(r) => return upstream_error(&state, &id, &format!("HTTP {}", r.status().as_u16())),
        Err(e) => return upstream_error(&state, &id, &e.to_string()),
    };
    let length = response.content_length();
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(pump(state, response, expected, id, tx));
    let mut out = Response::new(Body::Channel(rx));
    out.headers_mut().insert(
        "content-type",
        "application/octet-stream".parse().expect("valid"),
    );
    if let Some(length) = length {
        out.headers_mut().insert("content-length", length.into());
    }
    out
}

fn upstream_error(state: &State, id: &str, why: &str) -> Response<Body> {
    let why = state.log.scrub(why);
    state.log.event(
        "error",
        "tarball unavailable",
        json!({"package": id, "reason": why}),
    );
    let code = Code::RegistryUnreachable.as_str();
    answer::unavailable(
        code,
        &format!("{id}: the upstream tarball could not be fetched: {why}"),
    )
}

/// Copies upstream chunks to the installer, holding the last one back until the digest of the
/// whole body is the signed one; otherwise ends the response with an error (abort).
async fn pump(
    state: Arc<State>,
    mut response: reqwest::Response,
    expected: Expected,
    id: String,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let mut hasher = expected.hasher();
    let mut held: Option<Bytes> = None;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                hasher.update(&chunk);
                if let Some(previous) = held.replace(chunk) {
                    if tx.send(Ok(previous)).await.is_err() {
                        return; // the installer went away
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                let why = format!("the upstream tarball stream broke: {e}");
                return abort(&state, &tx, &id, Code::TarballUnavailable, &why).await;
            }
        }
    }
    let actual = hasher.finish();
    if !expected.matches(&actual) {
        let why = format!(
            "the upstream served bytes whose {} is {} instead of the signed integrity",
            expected.algorithm, actual
        );
        return abort(&state, &tx, &id, Code::TarballMismatch, &why).await;
    }
    if let Some(last) = held {
        let _ = tx.send(Ok(last)).await;
    }
}

async fn abort(
    state: &State,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
    id: &str,
    code: Code,
    why: &str,
) {
    state.metrics.abort(code.as_str());
    let why = state.log.scrub(why);
    let failure = json!({"package": id, "code": code.as_str(), "message": why, "remediation": code.remediation()});
    state
        .log
        .event("error", "tarball aborted", json!({"failure": failure}));
    let error = std::io::Error::other(format!("{code}: {id}: {why}"));
    let _ = tx.send(Err(error)).await;
}

/// The signed integrity to hold the bytes to: its strongest algorithm and accepted digests.
struct Expected {
    algorithm: &'static str,
    digests: Vec<String>,
}

impl Expected {
    /// Parses an SRI string (`sha512-... sha1-...`), keeping the strongest algorithm present.
    fn parse(sri: &str) -> Option<Expected> {
        for algorithm in ["sha512", "sha384", "sha256", "sha1"] {
            let digests: Vec<String> = sri
                .split_whitespace()
                .filter_map(|part| part.strip_prefix(algorithm)?.strip_prefix('-'))
                .map(|d| d.split('?').next().unwrap_or(d).to_string())
                .collect();
            if !digests.is_empty() {
                return Some(Expected { algorithm, digests });
            }
        }
        None
    }

    fn hasher(&self) -> Hasher {
        match self.algorithm {
            "sha512" => Hasher::Sha512(sha2::Sha512::new()),
            "sha384" => Hasher::Sha384(sha2::Sha384::new()),
            "sha256" => Hasher::Sha256(sha2::Sha256::new()),
            _ => Hasher::Sha1(sha1::Sha1::new()),
        }
    }

    fn matches(&self, actual: &str) -> bool {
        self.digests.iter().any(|d| d == actual)
    }
}

enum Hasher {
    Sha512(sha2::Sha512),
    Sha384(sha2::Sha384),
    Sha256(sha2::Sha256),
    Sha1(sha1::Sha1),
}

impl Hasher {
    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha512(h) => h.update(bytes),
            Hasher::Sha384(h) => h.update(bytes),
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha1(h) => h.update(bytes),
        }
    }

    /// The base64 digest, as SRI writes it.
    fn finish(self) -> String {
        match self {
            Hasher::Sha512(h) => STANDARD.encode(h.finalize()),
            Hasher::Sha384(h) => STANDARD.encode(h.finalize()),
            Hasher::Sha256(h) => STANDARD.encode(h.finalize()),
            Hasher::Sha1(h) => STANDARD.encode(h.finalize()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_algorithm_of_an_sri_decides() {
        let sri = "sha1-AAAA sha512-Zm9v";
        let e = Expected::parse(sri).unwrap();
        assert_eq!(e.algorithm, "sha512");
        let mut h = e.hasher();
        h.update(b"foo");
        let digest = h.finish();
        assert!(!e.matches(&digest));
        let real = format!("sha512-{digest}");
        assert!(Expected::parse(&real).unwrap().matches(&digest));
        assert!(Expected::parse("md5-xyz").is_none());
    }

    /// A file name two versions claim does not say which one an installer asked for: an
    /// upstream could serve one version's signed bytes for the other.
    #[test]
    fn a_file_name_several_versions_claim_finds_none_of_them() {
        let doc = serde_json::json!({"versions": {
            "1.0.0": {"dist": {"tarball": "https://r/left/-/left-2.0.0.tgz"}},
            "2.0.0": {"dist": {"tarball": "https://r/left/-/left-2.0.0.tgz"}},
            "3.0.0": {"dist": {"tarball": "https://r/left/-/left-3.0.0.tgz"}},
        }});
        assert_eq!(
            find_version(&doc, "left-3.0.0.tgz"),
            Found::One("3.0.0".into(), "https://r/left/-/left-3.0.0.tgz".into())
        );
        assert_eq!(
            find_version(&doc, "left-2.0.0.tgz"),
            Found::Several(vec!["1.0.0".into(), "2.0.0".into()])
        );
        assert_eq!(find_version(&doc, "left-4.0.0.tgz"), Found::None);
    }
}
