//! `POST /-/sigverify/v1/verify`: a lockfile in the body (any format the CLI reads), query
//! `lockfile=<file name>` (else recognised from its content), `policy=<name>` (one of the
//! `--named-policy` policies; else the gate's), `environment=<name>`, `vsa=true` (a signed
//! VSA beside the report). Answers the report JSON (`verify --json`'s document), or
//! `{report, vsa}`; the report's exit code is also in `x-sigverify-exit-code`.

use std::collections::HashMap;
use std::path::PathBuf;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::json;
use sigverify_core::{verify_tree, VerifyError};

use crate::answer::{self, set_header, Body};
use crate::state::State;

/// Lockfile names the CLI reads.
const LOCKFILES: [&str; 5] = [
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
];

/// Answers one verification request.
pub async fn verify(state: &State, request: Request<Incoming>) -> Response<Body> {
    let query = query_of(request.uri().query().unwrap_or(""));
    let host = state.public_host(request.headers().get("host").and_then(|h| h.to_str().ok()));
    let body = match Limited::new(request.into_body(), state.config.max_body).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return too_large(state),
    };
    match run(state, &query, &body, &host).await {
        Ok(response) => response,
        Err(e) => answer::error(StatusCode::BAD_REQUEST, e.code(), &state.log.scrub(&e.to_string()), &e.remediation()),
    }
}

fn too_large(state: &State) -> Response<Body> {
    let why = format!("the request body is larger than {} bytes (or broke off)", state.config.max_body);
    answer::error(StatusCode::PAYLOAD_TOO_LARGE, "EREQUESTLIMIT", &why, "send the lockfile alone, or raise --max-body")
}

async fn run(
    state: &State,
    query: &HashMap<String, String>,
    body: &[u8],
    host: &str,
) -> Result<Response<Body>, VerifyError> {
    let name = match query.get("lockfile") {
        Some(name) if LOCKFILES.contains(&name.as_str()) => name.clone(),
        Some(other) => return Err(VerifyError::Usage(format!("lockfile={other}: use one of {}", LOCKFILES.join(", ")))),
        None => sniff(body).to_string(),
    };
    let policy = policy_path(state, query.get("policy"))?;
    let dir = tempfile::Builder::new()
        .prefix("sigverify-api-")
        .tempdir()
        .map_err(|e| VerifyError::Usage(format!("cannot make a working folder: {e}")))?;
    let lockfile = dir.path().join(&name);
    std::fs::write(&lockfile, body).map_err(|e| VerifyError::Usage(format!("cannot write the lockfile: {e}")))?;
    let mut options = state.config.verify_options(policy.as_ref())?;
    options.dir = dir.path().to_path_buf();
    options.lockfile = Some(lockfile);
    options.lockfile_only = true;
    options.contents = false;
    // Lockfiles written through the gate resolve to its host: that is the upstream for them.
    options.npm_config = Some(state.config.npm_config_replacing(host)?);
    if let Some(env) = query.get("environment") {
        options.environment = Some(env.clone());
    }
    let permit = state.verifications.acquire().await.expect("never closed");
    let report = verify_tree(&options).await?;
    drop(permit);
    let document = report.to_document();
    let want_vsa = query.get("vsa").is_some_and(|v| v == "true" || v == "1");
    let value = match want_vsa {
        false => document,
        true => json!({"report": document, "vsa": sign_vsa(state, &report, &name, body, policy.as_ref())?}),
    };
    let mut response = answer::json_value(StatusCode::OK, &value);
    set_header(&mut response, "x-sigverify-exit-code", &report.exit_code.to_string());
    state.log.event(
        "info",
        "lockfile verified",
        json!({"lockfile": name, "exitCode": report.exit_code, "summary": report.summary, "environment": report.policy.environment}),
    );
    Ok(response)
}

fn sign_vsa(
    state: &State,
    report: &sigverify_core::Report,
    name: &str,
    body: &[u8],
    policy: Option<&PathBuf>,
) -> Result<serde_json::Value, VerifyError> {
    let Some(key) = &state.vsa_key else {
        return Err(VerifyError::Usage("vsa=true but the gate has no --vsa-key".into()));
    };
    let subject = sigverify_vsa::Subject::of(name, body);
    let policy = sigverify_vsa::PolicyRef::of(policy.map(PathBuf::as_path))
        .map_err(|e| VerifyError::Usage(e.to_string()))?;
    sigverify_vsa::write(report, &subject, &policy, key).map_err(|e| VerifyError::Usage(e.to_string()))
}

/// The policy file of `?policy=NAME` (the gate's own without it).
fn policy_path(state: &State, name: Option<&String>) -> Result<Option<PathBuf>, VerifyError> {
    let Some(name) = name else {
        return Ok(state.config.policy.clone());
    };
    match state.config.named_policies.get(name) {
        Some(path) => Ok(Some(path.clone())),
        None => {
            let known: Vec<&String> = state.config.named_policies.keys().collect();
            Err(VerifyError::Usage(format!("policy={name} is not one of this gate's policies ({known:?})")))
        }
    }
}

/// Recognises a lockfile's format from its content.
fn sniff(body: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let start = head.trim_start();
    if start.starts_with("# yarn lockfile v1") || head.contains("\n__metadata:") || start.starts_with("__metadata:") {
        return "yarn.lock";
    }
    if start.starts_with("lockfileVersion:") || head.contains("\nlockfileVersion:") {
        return "pnpm-lock.yaml";
    }
    if start.starts_with('{') && head.contains("\"workspaces\"") && !head.contains("\"packages\": {\n    \"\"") {
        return "bun.lock";
    }
    "package-lock.json"
}

/// `a=1&b=2`, percent-decoded.
fn query_of(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (!k.is_empty()).then(|| (crate::route::decode(k), crate::route::decode(&v.replace('+', " "))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockfile_formats_are_recognised() {
        assert_eq!(sniff(b"# yarn lockfile v1\n\n"), "yarn.lock");
        assert_eq!(sniff(b"__metadata:\n  version: 8\n"), "yarn.lock");
        assert_eq!(sniff(b"lockfileVersion: '9.0'\n"), "pnpm-lock.yaml");
        assert_eq!(sniff(b"{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n"), "bun.lock");
        assert_eq!(sniff(b"{\n  \"name\": \"p\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {"), "package-lock.json");
        let q = query_of("lockfile=yarn.lock&policy=strict&vsa=true");
        assert_eq!(q["lockfile"], "yarn.lock");
        assert_eq!(q["vsa"], "true");
    }
}
