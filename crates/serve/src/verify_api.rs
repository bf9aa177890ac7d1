//! `POST /-/sigverify/v1/verify`: a lockfile in the body (any format the CLI reads), query
//! `lockfile=<file name>` (else recognised from its content), `policy=<name>` (one of the
//! `--named-policy` policies; else the gate's), `environment=<name>`, `vsa=true` (a signed
//! VSA beside the report). Answers the report JSON (`verify --json`'s document), or
//! `{report, vsa}`; the report's exit code is also in `x-sigverify-exit-code`.
//!
//! The body may also be a JSON request `{"lockfile": "<text>", "lockfileName": "...",
//! "packageJson": {...}}`: with the project's package.json the lockfile's sources are checked
//! against it (a lockfile alone leaves that check unavailable: `ENOTCHECKED`, exit code 3).

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
    let body = match Limited::new(request.into_body(), state.config.max_body)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => return too_large(state),
    };
    match run(state, &query, &body, &host).await {
        Ok(response) => response,
        Err(e) => answer::error(
            StatusCode::BAD_REQUEST,
            e.code(),
            &state.log.scrub(&e.to_string()),
            &e.remediation(),
        ),
    }
}

fn too_large(state: &State) -> Response<Body> {
    let why = format!(
        "the request body is larger than {} bytes (or broke off)",
        state.config.max_body
    );
    answer::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "EREQUESTLIMIT",
        &why,
        "send the lockfile alone, or raise --max-body",
    )
}

async fn run(
    state: &State,
    query: &HashMap<String, String>,
    body: &[u8],
    host: &str,
) -> Result<Response<Body>, VerifyError> {
    let request = Submitted::of(body);
    let body = request.lockfile.as_slice();
    let name = match query.get("lockfile").or(request.name.as_ref()) {
        Some(name) if LOCKFILES.contains(&name.as_str()) => name.clone(),
        Some(other) => {
            return Err(VerifyError::Usage(format!(
                "lockfile={other}: use one of {}",
                LOCKFILES.join(", ")
            )))
        }
        None => sniff(body).to_string(),
    };
    let policy = policy_path(state, query.get("policy"))?;
    let dir = tempfile::Builder::new()
        .prefix("sigverify-api-")
        .tempdir()
        .map_err(|e| VerifyError::Usage(format!("cannot make a working folder: {e}")))?;
    let lockfile = dir.path().join(&name);
    std::fs::write(&lockfile, body)
        .map_err(|e| VerifyError::Usage(format!("cannot write the lockfile: {e}")))?;
    if let Some(manifest) = &request.package_json {
        std::fs::write(dir.path().join("package.json"), manifest.to_string())
            .map_err(|e| VerifyError::Usage(format!("cannot write package.json: {e}")))?;
    }
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
        true => {
            json!({"report": document, "vsa": sign_vsa(state, &report, &name, body, policy.as_ref())?})
        }
    };
    let mut response = answer::json_value(StatusCode::OK, &value);
    set_header(
        &mut response,
        "x-sigverify-exit-code",
        &report.exit_code.to_string(),
    );
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
        return Err(VerifyError::Usage(
            "vsa=true but the gate has no --vsa-key".into(),
        ));
    };
    let subject = sigverify_vsa::Subject::of(name, body);
    let policy = sigverify_vsa::PolicyRef::of(policy.map(PathBuf::as_path))
        .map_err(|e| VerifyError::Usage(e.to_string()))?;
    sigverify_vsa::write(report, &subject, &policy, key)
        .map_err(|e| VerifyError::Usage(e.to_string()))
}

/// A verification request: the lockfile, and the project's package.json when sent.
struct Submitted {
    lockfile: Vec<u8>,
    name: Option<String>,
    package_json: Option<serde_json::Value>,
}

impl Submitted {
    /// A JSON request object (it has a string `lockfile`), else the body is the lockfile.
    fn of(body: &[u8]) -> Submitted {
        let parsed: Option<serde_json::Value> = match body.trim_ascii_start().first() {
            Some(b'{') => serde_json::from_slice(body).ok(),
            _ => None,
        };
        match parsed.as_ref().and_then(|v| v.get("lockfile")?.as_str()) {
            Some(text) => {
                let doc = parsed.as_ref().expect("parsed");
                Submitted {
                    lockfile: text.as_bytes().to_vec(),
                    name: doc["lockfileName"].as_str().map(str::to_string),
                    package_json: doc.get("packageJson").filter(|p| p.is_object()).cloned(),
                }
            }
            None => Submitted {
                lockfile: body.to_vec(),
                name: None,
                package_json: None,
            },
        }
    }
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
            Err(VerifyError::Usage(format!(
                "policy={name} is not one of this gate's policies ({known:?})"
            )))
        }
    }
}

/// Recognises a lockfile's format from its content.
fn sniff(body: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]);
    let start = head.trim_start();
    if start.starts_with("# yarn lockfile v1")
        || head.contains("\n__metadata:")
        || start.starts_with("__metadata:")
    {
        return "yarn.lock";
    }
    if start.starts_with("lockfileVersion:") || head.contains("\nlockfileVersion:") {
        return "pnpm-lock.yaml";
    }
    if start.starts_with('{')
        && head.contains("\"workspaces\"")
        && !head.contains("\"packages\": {\n    \"\"")
    {
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
            (!k.is_empty()).then(|| {
                (
                    crate::route::decode(k),
                    crate::route::decode(&v.replace('+', " ")),
                )
            })
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
        assert_eq!(
            sniff(b"{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n"),
            "bun.lock"
        );
        assert_eq!(
            sniff(
                b"{\n  \"name\": \"p\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {"
            ),
            "package-lock.json"
        );
        let q = query_of("lockfile=yarn.lock&policy=strict&vsa=true");
        assert_eq!(q["lockfile"], "yarn.lock");
        assert_eq!(q["vsa"], "true");
    }

    #[test]
    fn a_json_request_carries_the_lockfile_and_package_json_a_lockfile_is_itself() {
        let lock = br#"{"name": "p", "lockfileVersion": 3, "packages": {}}"#;
        let plain = Submitted::of(lock);
        assert_eq!(plain.lockfile, lock);
        assert!(plain.name.is_none() && plain.package_json.is_none());
        let body = serde_json::json!({"lockfile": "lockfileVersion: '9.0'\n",
            "lockfileName": "pnpm-lock.yaml", "packageJson": {"name": "p"}});
        let wrapped = Submitted::of(body.to_string().as_bytes());
        assert_eq!(wrapped.lockfile, b"lockfileVersion: '9.0'\n");
        assert_eq!(wrapped.name.as_deref(), Some("pnpm-lock.yaml"));
        assert_eq!(wrapped.package_json.unwrap()["name"], "p");
    }
}
