//! The `trust` section: registries, internal keys, named keys and identities.

use super::{get, join, Ctx};
use crate::error::PolicyError;
use crate::model::{Identity, RegistryKeys, SubjectMatch, Trust};
use crate::node::Node;
use crate::pattern::Glob;
use regex::Regex;
use std::path::PathBuf;

const TRUST_KEYS: &[&str] = &[
    "registries",
    "internalKeys",
    "keys",
    "identities",
    "certificateAuthorities",
    "sigstoreRoot",
];

/// Converts `trust`.
pub(super) fn trust(cx: &Ctx, node: &Node) -> Result<Trust, PolicyError> {
    let entries = cx.map(node, "trust", TRUST_KEYS)?;
    let mut trust = Trust::default();
    if let Some(n) = get(entries, "registries") {
        for e in cx.any_map(n, "trust.registries")? {
            let path = format!("trust.registries[{}]", e.key);
            let url = registry_url(&e.key).map_err(|m| cx.err_at(e.key_pos, &path, m))?;
            trust
                .registries
                .insert(url, registry_keys(cx, &e.value, &path)?);
        }
    }
    if let Some(n) = get(entries, "internalKeys") {
        trust.internal_keys = Some(PathBuf::from(cx.str(n, "trust.internalKeys")?));
    }
    if let Some(n) = get(entries, "sigstoreRoot") {
        trust.sigstore_root = Some(PathBuf::from(cx.str(n, "trust.sigstoreRoot")?));
    }
    if let Some(n) = get(entries, "keys") {
        for e in cx.any_map(n, "trust.keys")? {
            let path = format!("trust.keys.{}", e.key);
            trust
                .keys
                .insert(e.key.clone(), fingerprint(cx, &e.value, &path)?);
        }
    }
    if let Some(n) = get(entries, "certificateAuthorities") {
        super::authorities::authorities(cx, n, &mut trust)?;
    }
    if let Some(n) = get(entries, "identities") {
        for e in cx.any_map(n, "trust.identities")? {
            let path = format!("trust.identities.{}", e.key);
            let fields = cx.map(&e.value, &path, super::authorities::IDENTITY_KEYS)?;
            if get(fields, "ca").is_some() {
                let subject = subject_match(cx, fields, &path)?;
                let id = super::authorities::ca_identity(cx, &e.value, &path, subject, &trust)?;
                trust.ca_identities.insert(e.key.clone(), id);
            } else {
                let id = identity(cx, &e.value, &path)?;
                trust.identities.insert(e.key.clone(), id);
            }
        }
    }
    Ok(trust)
}

/// Checks a registry URL and drops a trailing slash so lookups compare equal.
fn registry_url(url: &str) -> Result<String, String> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(char::is_whitespace);
    if !ok {
        return Err(format!("registry '{url}' is not an http(s) URL"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// `{ keys: auto }` or `{ keys: ["SHA256:..."] }`.
fn registry_keys(cx: &Ctx, node: &Node, path: &str) -> Result<RegistryKeys, PolicyError> {
    let entries = cx.map(node, path, &["keys"])?;
    let path = join(path, "keys");
    let Some(keys) = get(entries, "keys") else {
        return Err(cx.err(node, &path, "missing 'keys' (auto or a list of keyids)"));
    };
    if let Ok(s) = cx.str(keys, &path) {
        return match s {
            "auto" => Ok(RegistryKeys::Auto),
            _ => Err(cx.err(
                keys,
                &path,
                format!("expected 'auto' or a list of keyids, found '{s}'"),
            )),
        };
    }
    let mut ids = Vec::new();
    for (s, n) in cx.str_list(keys, &path)? {
        let b64 = s.strip_prefix("SHA256:").unwrap_or("");
        let valid = !b64.is_empty()
            && b64
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c));
        if !valid {
            return Err(cx.err(
                n,
                &path,
                format!("keyid '{s}' is not 'SHA256:' followed by base64"),
            ));
        }
        ids.push(s.to_string());
    }
    if ids.is_empty() {
        return Err(cx.err(
            keys,
            &path,
            "an empty key list would reject every signature; use 'auto' or list keyids",
        ));
    }
    Ok(RegistryKeys::Pinned(ids))
}

/// A key fingerprint: 64 hex digits (SHA-256 of the SPKI DER), stored lower-case.
pub(super) fn fingerprint(cx: &Ctx, node: &Node, path: &str) -> Result<String, PolicyError> {
    let s = cx.str(node, path)?;
    if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(s.to_ascii_lowercase());
    }
    Err(cx.err(
        node,
        path,
        format!("'{s}' is not a key fingerprint (64 hex digits)"),
    ))
}

/// A named identity.
fn identity(cx: &Ctx, node: &Node, path: &str) -> Result<Identity, PolicyError> {
    let entries = cx.map(node, path, super::authorities::IDENTITY_KEYS)?;
    let issuer_path = join(path, "issuer");
    let issuer = match get(entries, "issuer") {
        Some(n) => cx.str(n, &issuer_path)?.to_string(),
        None => return Err(cx.err(node, &issuer_path, "missing 'issuer'")),
    };
    let subject = subject_match(cx, entries, path)?;
    let repository = get(entries, "repository")
        .map(|n| glob(cx, n, &join(path, "repository")))
        .transpose()?;
    let workflow = get(entries, "workflow")
        .map(|n| glob(cx, n, &join(path, "workflow")))
        .transpose()?;
    if matches!(subject, SubjectMatch::Any) && repository.is_none() && workflow.is_none() {
        // An issuer alone would trust every GitHub Actions workflow in the world.
        return Err(cx.err(
            node,
            path,
            "an identity needs 'subject', 'subjectRegex', 'repository' or 'workflow'",
        ));
    }
    Ok(Identity {
        issuer,
        subject,
        repository,
        workflow,
    })
}

/// `subject` (exact) or `subjectRegex` (anchored), or neither.
fn subject_match(
    cx: &Ctx,
    entries: &[crate::node::Entry],
    path: &str,
) -> Result<SubjectMatch, PolicyError> {
    Ok(
        match (get(entries, "subject"), get(entries, "subjectRegex")) {
            (Some(_), Some(r)) => {
                return Err(cx.err(
                    r,
                    &join(path, "subjectRegex"),
                    "use either 'subject' or 'subjectRegex', not both",
                ))
            }
            (Some(n), None) => SubjectMatch::Exact(cx.str(n, &join(path, "subject"))?.to_string()),
            (None, Some(n)) => {
                SubjectMatch::Regex(anchored_regex(cx, n, &join(path, "subjectRegex"))?)
            }
            (None, None) => SubjectMatch::Any,
        },
    )
}

/// A regex that must match the whole subject.
fn anchored_regex(cx: &Ctx, node: &Node, path: &str) -> Result<Regex, PolicyError> {
    let s = cx.str(node, path)?;
    Regex::new(&format!("^(?:{s})$"))
        .map_err(|e| cx.err(node, path, format!("bad regex '{s}': {e}")))
}

/// A value glob.
pub(super) fn glob(cx: &Ctx, node: &Node, path: &str) -> Result<Glob, PolicyError> {
    let s = cx.str(node, path)?;
    Glob::parse(s).map_err(|m| cx.err(node, path, m))
}
