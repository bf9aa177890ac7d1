//! The registry routes: packuments with withheld versions removed, single versions, and the
//! gate's answer to a withheld version's tarball.

use std::collections::BTreeMap;
use std::sync::Arc;

use hyper::{Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sigverify_codes::Code;
use sigverify_policy::Mode;

use crate::answer::{self, set_header, Body};
use crate::memo::Judged;
use crate::packument::{judged, FetchFailure};
use crate::render::{render, Rendered, TagUnverifiable};
use crate::state::State;
use crate::verdict::{verdict_of, Failure, Verdict};

/// What a registry handler needs from the request.
pub struct Ask<'a> {
    /// The `Authorization` header, forwarded upstream when the gate holds no credential.
    pub authorization: Option<&'a str>,
    /// Where the installer reached the gate (tarball URLs point there).
    pub public: String,
    /// `If-None-Match`.
    pub if_none_match: Option<&'a str>,
}

/// Every version's verdict, decided now (decisions depend on the time: release age).
pub fn verdicts(state: &State, judged: &Judged) -> BTreeMap<String, Verdict> {
    let mut results: Vec<_> = judged.results.values().cloned().collect();
    state.gate.decide(&mut results);
    let enforce = state.gate.policy().environment.mode == Mode::Enforce;
    results
        .iter()
        .map(|r| (r.version.clone(), verdict_of(r, enforce)))
        .collect()
}

/// `GET /<name>`.
pub async fn packument(state: &State, name: &str, ask: &Ask<'_>) -> Response<Body> {
    let judged = match judged(state, name, ask.authorization).await {
        Ok(j) => j,
        Err(e) => return fetch_failure(state, name, e),
    };
    let verdicts = verdicts(state, &judged);
    count_verdicts(state, &verdicts);
    let rendered = match render(&judged.doc, name, &verdicts, &ask.public) {
        Ok(r) => r,
        Err(TagUnverifiable(tag, f)) => return tag_unverifiable(state, name, &tag, &f),
    };
    log_withheld(state, name, &rendered);
    respond(&rendered, ask)
}

fn respond(rendered: &Rendered, ask: &Ask<'_>) -> Response<Body> {
    let body = serde_json::to_vec(&rendered.doc).expect("JSON values render");
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    let mut response = match ask.if_none_match == Some(etag.as_str()) {
        true => {
            let mut r = answer::bytes(StatusCode::NOT_MODIFIED, "application/json", Vec::new());
            *r.body_mut() = Body::Full(None);
            r
        }
        false => answer::bytes(StatusCode::OK, "application/json", body),
    };
    set_header(&mut response, "etag", &etag);
    set_header(&mut response, "cache-control", "no-cache");
    if !rendered.removed.is_empty() {
        let list = header_list(&rendered.removed);
        set_header(&mut response, "x-sigverify-removed", &list);
        // npm prints this header as a notice: an installer that finds no matching version
        // then sees why.
        let notice = format!(
            "npm-sigverify withheld {} versions that fail the policy: {list}",
            rendered.removed.len()
        );
        set_header(&mut response, "npm-notice", &notice);
    }
    if !rendered.warned.is_empty() {
        set_header(
            &mut response,
            "x-sigverify-warned",
            &header_list(&rendered.warned),
        );
    }
    response
}

/// `1.2.3 EINTEGRITYSIGNATURE, 1.2.4 EPROVENANCEDOWNGRADE`, cut to fit a header.
fn header_list(failures: &[Failure]) -> String {
    let mut text = String::new();
    for (i, f) in failures.iter().enumerate() {
        let item = f.short();
        if text.len() + item.len() > 3000 {
            text.push_str(&format!(" (+{} more)", failures.len() - i));
            break;
        }
        if !text.is_empty() {
            text.push_str(", ");
        }
        text.push_str(&item);
    }
    text
}

/// `GET /<name>/<version or tag>`: the version as the rendered packument has it.
pub async fn version(state: &State, name: &str, spec: &str, ask: &Ask<'_>) -> Response<Body> {
    let judged = match judged(state, name, ask.authorization).await {
        Ok(j) => j,
        Err(e) => return fetch_failure(state, name, e),
    };
    let verdicts = verdicts(state, &judged);
    let target = judged.doc["dist-tags"][spec]
        .as_str()
        .unwrap_or(spec)
        .to_string();
    if let Some(refusal) = refusal(state, verdicts.get(&target), "version") {
        return refusal;
    }
    let rendered = match render(&judged.doc, name, &verdicts, &ask.public) {
        Ok(r) => r,
        Err(TagUnverifiable(tag, f)) => return tag_unverifiable(state, name, &tag, &f),
    };
    let version = rendered.doc["dist-tags"][spec]
        .as_str()
        .unwrap_or(spec)
        .to_string();
    match rendered.doc["versions"].get(&version) {
        Some(doc) => answer::json_value(StatusCode::OK, doc),
        None => not_found(&format!("{name}@{spec}")),
    }
}

/// The answer for a withheld version (403 or 503 naming package, check, code and remediation),
/// or `None` when it is served.
pub fn refusal(state: &State, verdict: Option<&Verdict>, kind: &str) -> Option<Response<Body>> {
    let (status, failure) = match verdict? {
        Verdict::Block(f) => (StatusCode::FORBIDDEN, f),
        Verdict::Unverifiable(f) => (StatusCode::SERVICE_UNAVAILABLE, f),
        Verdict::Serve | Verdict::Warn(_) => return None,
    };
    state.metrics.refusal(kind, failure.code.as_str());
    let message = format!(
        "{} is withheld by the registry gate: {}",
        failure.package, failure.message
    );
    state.log.event(
        "warn",
        "version withheld",
        json!({"route": kind, "status": status.as_u16(), "failure": failure.to_json()}),
    );
    let mut response = answer::error_with(
        status,
        failure.code.as_str(),
        &state.log.scrub(&message),
        failure.code.remediation(),
        json!({"package": failure.package, "version": failure.version, "check": failure.check}),
    );
    let reason = format!(
        "{} {} withheld by npm-sigverify ({})",
        failure.code, failure.package, failure.check
    );
    answer::reason_phrase(&mut response, &reason);
    Some(response)
}

/// 404 / 503 for a packument that could not be obtained.
pub fn fetch_failure(state: &State, name: &str, failure: FetchFailure) -> Response<Body> {
    match failure {
        FetchFailure::NotFound => not_found(name),
        FetchFailure::Unavailable(why) | FetchFailure::Malformed(why) => {
            let why = state.log.scrub(&why);
            state.log.event(
                "error",
                "upstream unavailable",
                json!({"package": name, "reason": why}),
            );
            let code = Code::RegistryUnreachable.as_str();
            answer::unavailable(code, &format!("{name}: {why}"))
        }
    }
}

/// npm's own 404 body, which installers know.
pub fn not_found(what: &str) -> Response<Body> {
    let body = json!({"error": "Not found", "code": "ENOTFOUND", "message": format!("{what} is not in the upstream registry")});
    answer::json_value(StatusCode::NOT_FOUND, &body)
}

fn tag_unverifiable(state: &State, name: &str, tag: &str, f: &Failure) -> Response<Body> {
    state.metrics.refusal("packument", f.code.as_str());
    let message = format!(
        "{name}: dist-tag '{tag}' points at {}, whose evidence could not be obtained now ({}); moving the tag would silently downgrade installers",
        f.package, f.message
    );
    let message = state.log.scrub(&message);
    state.log.event(
        "error",
        "packument withheld",
        json!({"package": name, "tag": tag, "failure": f.to_json()}),
    );
    answer::unavailable(f.code.as_str(), &message)
}

fn count_verdicts(state: &State, verdicts: &BTreeMap<String, Verdict>) {
    for verdict in verdicts.values() {
        let (outcome, code) = match verdict {
            Verdict::Serve => ("pass", "none".to_string()),
            Verdict::Warn(f) => ("warn", f.code.to_string()),
            Verdict::Block(f) | Verdict::Unverifiable(f) => ("fail", f.code.to_string()),
        };
        state.metrics.verdict(outcome, &code);
    }
}

fn log_withheld(state: &State, name: &str, rendered: &Rendered) {
    for f in &rendered.removed {
        state.metrics.refusal("packument", f.code.as_str());
    }
    if rendered.removed.is_empty() && rendered.warned.is_empty() {
        return;
    }
    let list = |fs: &[Failure]| fs.iter().map(Failure::to_json).collect::<Vec<Value>>();
    let moved: Vec<Value> = rendered
        .moved
        .iter()
        .map(|(tag, from, to)| json!({"tag": tag, "from": from, "to": to}))
        .collect();
    state.log.event(
        "warn",
        "versions withheld",
        json!({"package": name, "removed": list(&rendered.removed), "warned": list(&rendered.warned), "distTagsMoved": moved}),
    );
}

/// The judged packument and its verdicts (for the tarball route).
pub async fn judged_with_verdicts(
    state: &State,
    name: &str,
    authorization: Option<&str>,
) -> Result<(Arc<Judged>, BTreeMap<String, Verdict>), Response<Body>> {
    let judged = judged(state, name, authorization)
        .await
        .map_err(|e| fetch_failure(state, name, e))?;
    let verdicts = verdicts(state, &judged);
    Ok((judged, verdicts))
}
