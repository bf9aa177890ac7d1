//! The `signals` section, and an environment's `signals` (actions only).
//!
//! Each signal is an action (`fail`, `warn`, `off`) or a mapping with `action`, `exclude` (package
//! patterns it never applies to) and its own parameters:
//!
//! ```yaml
//! signals:
//!   releaseAge: { minimum: 2d, action: fail, exclude: ["@acme/*"] }
//!   publisherContinuity: { action: fail, history: 5 }
//!   pins: { action: fail, file: sigverify.pins.json }
//!   newInstallScripts: fail
//!   newDependencies: warn
//!   typosquats: warn
//!   publishBursts: { action: warn, versions: 5, packages: 10, within: 24h }
//!   baseline: HEAD
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{get, join, Ctx};
use crate::error::PolicyError;
use crate::node::{Entry, Node, Value};
use crate::pattern::PackagePattern;
use crate::signals::{parse_duration, Action, SignalKind, SignalSetting, Signals};

/// The keys of `signals`: every signal and the baseline.
fn section_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = SignalKind::ALL.iter().map(|k| k.as_str()).collect();
    keys.push("baseline");
    keys
}

/// The keys a signal's mapping may have.
fn setting_keys(kind: SignalKind) -> &'static [&'static str] {
    match kind {
        SignalKind::ReleaseAge => &["action", "exclude", "minimum"],
        SignalKind::PublisherContinuity => &["action", "exclude", "history"],
        SignalKind::Pins => &["action", "exclude", "file"],
        SignalKind::PublishBursts => &["action", "exclude", "versions", "packages", "within"],
        _ => &["action", "exclude"],
    }
}

/// Converts `signals`.
pub(super) fn signals(cx: &Ctx, node: &Node) -> Result<Signals, PolicyError> {
    let keys = section_keys();
    let entries = cx.map(node, "signals", &keys)?;
    let mut out = Signals::default();
    for e in entries {
        if e.key == "baseline" {
            out.baseline = Some(cx.str(&e.value, "signals.baseline")?.to_string());
            continue;
        }
        let kind = SignalKind::parse(&e.key).expect("the map only admits signal names");
        let path = format!("signals.{}", e.key);
        let setting = setting(cx, &e.value, &path, kind, &mut out)?;
        out.set(kind, setting);
    }
    if out.is_on(SignalKind::ReleaseAge) || !release_age_needs_minimum(entries) {
        return Ok(out);
    }
    let at = get(entries, "releaseAge").expect("checked above");
    Err(cx.err(
        at,
        "signals.releaseAge",
        "releaseAge needs a minimum (e.g. `releaseAge: { minimum: 2d, action: fail }`)",
    ))
}

/// True when `releaseAge` asks for an action but gives no (non-zero) minimum.
fn release_age_needs_minimum(entries: &[Entry]) -> bool {
    let Some(node) = get(entries, "releaseAge") else {
        return false;
    };
    let action = match &node.value {
        Value::Map(map) => get(map, "action").map(action_text),
        _ => Some(action_text(node)),
    };
    let minimum = match &node.value {
        Value::Map(map) => get(map, "minimum").map(action_text),
        _ => None,
    };
    action.is_none_or(|a| a != "off") && minimum.is_none_or(|m| m == "0")
}

fn action_text(node: &Node) -> &str {
    match &node.value {
        Value::Scalar { text, .. } => text,
        _ => "",
    }
}

/// One signal: an action, or a mapping (its action defaults to `fail`).
fn setting(
    cx: &Ctx,
    node: &Node,
    path: &str,
    kind: SignalKind,
    out: &mut Signals,
) -> Result<SignalSetting, PolicyError> {
    if !matches!(node.value, Value::Map(_)) {
        return Ok(SignalSetting {
            action: action(cx, node, path)?,
            exclude: Vec::new(),
        });
    }
    let entries = cx.map(node, path, setting_keys(kind))?;
    let action = match get(entries, "action") {
        Some(n) => action(cx, n, &join(path, "action"))?,
        None => Action::Fail,
    };
    let exclude = match get(entries, "exclude") {
        Some(n) => patterns(cx, n, &join(path, "exclude"))?,
        None => Vec::new(),
    };
    parameters(cx, entries, path, out)?;
    Ok(SignalSetting { action, exclude })
}

/// The parameters a signal's mapping sets on the whole section.
fn parameters(
    cx: &Ctx,
    entries: &[Entry],
    path: &str,
    out: &mut Signals,
) -> Result<(), PolicyError> {
    let duration = |key: &str| -> Result<Option<chrono::TimeDelta>, PolicyError> {
        let Some(n) = get(entries, key) else {
            return Ok(None);
        };
        let p = join(path, key);
        // A bare number reaches the parser, whose message says why it is not a duration.
        let text = match &n.value {
            Value::Scalar { text, .. } => text.as_str(),
            _ => cx.str(n, &p)?,
        };
        parse_duration(text).map(Some).map_err(|m| cx.err(n, &p, m))
    };
    let count = |key: &str| -> Result<Option<usize>, PolicyError> {
        get(entries, key)
            .map(|n| cx.uint(n, &join(path, key)))
            .transpose()
    };
    if let Some(minimum) = duration("minimum")? {
        out.minimum_release_age = minimum;
    }
    if let Some(history) = count("history")? {
        out.history = history;
    }
    if let Some(n) = get(entries, "file") {
        out.pins_file = Some(PathBuf::from(cx.str(n, &join(path, "file"))?));
    }
    if let Some(versions) = count("versions")? {
        out.burst.versions = versions.max(2);
    }
    if let Some(packages) = count("packages")? {
        out.burst.packages = packages.max(2);
    }
    if let Some(within) = duration("within")? {
        out.burst.window = within;
    }
    Ok(())
}

fn action(cx: &Ctx, node: &Node, path: &str) -> Result<Action, PolicyError> {
    let text = cx.str(node, path)?;
    Action::parse(text).ok_or_else(|| {
        let msg = format!("unknown action '{text}' (expected fail, warn or off)");
        cx.err(node, path, msg)
    })
}

fn patterns(cx: &Ctx, node: &Node, path: &str) -> Result<Vec<PackagePattern>, PolicyError> {
    cx.str_list(node, path)?
        .into_iter()
        .enumerate()
        .map(|(i, (s, n))| {
            PackagePattern::parse(s).map_err(|m| cx.err(n, &format!("{path}[{i}]"), m))
        })
        .collect()
}

/// An environment's `signals`: signal name to action.
pub(super) fn environment_actions(
    cx: &Ctx,
    node: &Node,
    path: &str,
) -> Result<BTreeMap<SignalKind, Action>, PolicyError> {
    let names: Vec<&str> = SignalKind::ALL.iter().map(|k| k.as_str()).collect();
    let entries = cx.map(node, path, &names)?;
    entries
        .iter()
        .map(|e| {
            let kind = SignalKind::parse(&e.key).expect("the map only admits signal names");
            Ok((kind, action(cx, &e.value, &join(path, &e.key))?))
        })
        .collect()
}
