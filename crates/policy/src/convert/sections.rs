//! The `exceptions` and `environments` sections.

use super::{get, join, Ctx};
use crate::error::PolicyError;
use crate::exception::{parse_expiry, parse_spec, Exception};
use crate::model::{EnvironmentSpec, Mode};
use crate::node::Node;
use sigverify_codes::Code;
use std::collections::BTreeMap;

const EXCEPTION_KEYS: &[&str] = &["package", "reason", "expires", "codes"];
const ENVIRONMENT_KEYS: &[&str] = &["mode", "allowedFailures", "require", "signals"];

/// Converts `exceptions`.
pub(super) fn exceptions(cx: &Ctx, node: &Node) -> Result<Vec<Exception>, PolicyError> {
    let items = cx.seq(node, "exceptions")?;
    items
        .iter()
        .enumerate()
        .map(|(i, n)| exception(cx, n, &format!("exceptions[{i}]")))
        .collect()
}

fn exception(cx: &Ctx, node: &Node, path: &str) -> Result<Exception, PolicyError> {
    let entries = cx.map(node, path, EXCEPTION_KEYS)?;
    let field = |key: &str| -> Result<(&str, &Node), PolicyError> {
        let p = join(path, key);
        let n = get(entries, key).ok_or_else(|| cx.err(node, &p, format!("missing '{key}'")))?;
        Ok((cx.str(n, &p)?, n))
    };
    let (spec, spec_node) = field("package")?;
    let (name, range) =
        parse_spec(spec).map_err(|m| cx.err(spec_node, &join(path, "package"), m))?;
    let (reason, reason_node) = field("reason")?;
    if reason.trim().is_empty() {
        return Err(cx.err(
            reason_node,
            &join(path, "reason"),
            "the reason must not be empty",
        ));
    }
    let (expires, expires_node) = field("expires")?;
    let expires_at =
        parse_expiry(expires).map_err(|m| cx.err(expires_node, &join(path, "expires"), m))?;
    let codes = match get(entries, "codes") {
        Some(n) => exception_codes(cx, n, &join(path, "codes"))?,
        None => Vec::new(),
    };
    Ok(Exception {
        spec: spec.to_string(),
        name,
        range,
        reason: reason.to_string(),
        expires_text: expires.to_string(),
        expires_at,
        codes,
    })
}

/// `codes: [EPROVENANCEREQUIRED, ...]`: stable codes of the catalog, at least one.
fn exception_codes(cx: &Ctx, node: &Node, path: &str) -> Result<Vec<Code>, PolicyError> {
    let mut codes = Vec::new();
    for (text, n) in cx.str_list(node, path)? {
        let code = Code::parse(text)
            .ok_or_else(|| cx.err(n, path, format!("'{text}' is not a code of the catalog")))?;
        codes.push(code);
    }
    if codes.is_empty() {
        return Err(cx.err(
            node,
            path,
            "an empty list would excuse nothing; leave 'codes' out to excuse every failure",
        ));
    }
    Ok(codes)
}

/// Converts `environments`: named specs plus the optional `default: <name>`.
pub(super) fn environments(
    cx: &Ctx,
    node: &Node,
) -> Result<(BTreeMap<String, EnvironmentSpec>, Option<String>), PolicyError> {
    let mut specs = BTreeMap::new();
    let mut default = None;
    for e in cx.any_map(node, "environments")? {
        let path = format!("environments.{}", e.key);
        if e.key == "default" {
            default = Some((cx.str(&e.value, &path)?.to_string(), &e.value));
        } else {
            specs.insert(e.key.clone(), environment(cx, &e.value, &path)?);
        }
    }
    if let Some((name, n)) = &default {
        if !specs.contains_key(name) {
            return Err(cx.err(
                n,
                "environments.default",
                format!("environment '{name}' is not defined"),
            ));
        }
    }
    Ok((specs, default.map(|(name, _)| name)))
}

fn environment(cx: &Ctx, node: &Node, path: &str) -> Result<EnvironmentSpec, PolicyError> {
    let entries = cx.map(node, path, ENVIRONMENT_KEYS)?;
    let mode = match get(entries, "mode") {
        Some(n) => match cx.str(n, &join(path, "mode"))? {
            "warn" => Mode::Warn,
            "enforce" => Mode::Enforce,
            other => {
                return Err(cx.err(
                    n,
                    &join(path, "mode"),
                    format!("unknown mode '{other}' (expected warn or enforce)"),
                ))
            }
        },
        None => Mode::Enforce,
    };
    let allowed_failures = match get(entries, "allowedFailures") {
        Some(n) => cx.uint(n, &join(path, "allowedFailures"))?,
        None => 0,
    };
    let require = match get(entries, "require") {
        Some(n) => cx.evidence_list(n, &join(path, "require"))?,
        None => Vec::new(),
    };
    let signals = match get(entries, "signals") {
        Some(n) => super::signals::environment_actions(cx, n, &join(path, "signals"))?,
        None => Default::default(),
    };
    Ok(EnvironmentSpec {
        mode,
        allowed_failures,
        require,
        signals,
    })
}
