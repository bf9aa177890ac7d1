//! One `packages` entry of `bun.lock`: its install path, its package and its dependency edges.

use serde_json::Value;

use crate::flags::EdgeKind;
use crate::model::{Package, Source};
use crate::spec::{file_source, is_git, is_semver, registry_base, remote, valid_name};

/// Package names along an install path: `a/@s/b/c` -> `[a, @s/b, c]`.
fn names_of(key: &str) -> Option<Vec<String>> {
    let mut names = Vec::new();
    let mut parts = key.split('/');
    while let Some(part) = parts.next() {
        let name = match part.starts_with('@') {
            true => format!("{part}/{}", parts.next()?),
            false => part.to_string(),
        };
        valid_name(&name).then_some(())?;
        names.push(name);
    }
    (!names.is_empty()).then_some(names)
}

/// The hoisted folder of an install path.
pub(super) fn location_of(key: &str, workspaces: &[(String, String)]) -> Option<String> {
    let names = names_of(key)?;
    let ws = workspaces.iter().find(|(name, _)| *name == names[0]);
    let (mut location, rest) = match ws {
        Some((_, folder)) if names.len() > 1 => (folder.clone(), &names[1..]),
        _ => (String::new(), &names[..]),
    };
    for name in rest {
        if !location.is_empty() {
            location.push('/');
        }
        location.push_str("node_modules/");
        location.push_str(name);
    }
    Some(location)
}

/// A package and its dependency edges, or `None` for entries listed elsewhere.
pub(super) type Read = Option<(Package, Vec<(String, EdgeKind)>)>;

/// One `packages` entry; `None` for workspace links and the root (listed from `workspaces`).
pub(super) fn read_package(key: &str, value: &Value, location: String) -> Result<Read, String> {
    let items = value.as_array().ok_or("expected an array")?;
    let id = items
        .first()
        .and_then(Value::as_str)
        .ok_or("expected the package id first")?;
    let at = id
        .get(1..)
        .and_then(|s| s.find('@'))
        .ok_or_else(|| format!("invalid package id {id:?}"))?
        + 1;
    let (name, resolution) = (&id[..at], &id[at + 1..]);
    if !valid_name(name) {
        return Err(format!("invalid package name {name:?}"));
    }
    if resolution.starts_with("workspace:") || resolution.starts_with("root:") {
        return Ok(None);
    }
    let text = |i: usize| items.get(i).and_then(Value::as_str);
    let npm = is_semver(resolution);
    let info = items.get(if npm { 2 } else { 1 }).filter(|v| v.is_object());
    let (source, version, resolved, registry, integrity) = match npm {
        true => {
            let url = text(1).filter(|u| !u.is_empty());
            let base = url.and_then(|u| registry_base(u, name, resolution));
            (
                Source::Registry { alias: None },
                resolution.to_string(),
                url,
                base,
                text(3),
            )
        }
        false => {
            let (source, integrity) = classify(resolution, text(2));
            (source, String::new(), Some(resolution), None, integrity)
        }
    };
    // The folder name differs from the package name for `npm:` aliases.
    let folder = names_of(key)
        .and_then(|n| n.last().cloned())
        .unwrap_or_default();
    let source = match source {
        Source::Registry { .. } if folder != name => Source::Registry {
            alias: Some(folder),
        },
        other => other,
    };
    let package = Package {
        name: name.to_string(),
        version,
        location,
        integrity: integrity.map(str::to_string),
        resolved: resolved.map(str::to_string),
        source,
        resolved_registry: registry,
        dev: false,
        optional: false,
        dev_optional: false,
        peer: false,
        has_install_script: false,
        patch: None,
        bin: info.and_then(|i| i.get("bin")).cloned(),
        installed: None,
    };
    Ok(Some((
        package,
        info.map(|i| manifest_edges(i, false)).unwrap_or_default(),
    )))
}

/// Non-registry resolutions; the third item is an integrity only for tarballs.
fn classify<'v>(resolution: &str, third: Option<&'v str>) -> (Source, Option<&'v str>) {
    let integrity = third.filter(|t| t.starts_with("sha") && t.contains('-'));
    if let Some(p) = resolution.strip_prefix("link:") {
        return (
            Source::Directory {
                path: p.to_string(),
            },
            None,
        );
    }
    if let Some(p) = resolution.strip_prefix("file:") {
        return (file_source(p), integrity);
    }
    if is_git(resolution) {
        return (
            Source::Git {
                url: resolution.to_string(),
            },
            None,
        );
    }
    if resolution.starts_with("http://") || resolution.starts_with("https://") {
        return (remote(resolution), integrity);
    }
    (file_source(resolution), integrity)
}

/// Dependency edges of a package's INFO or a workspace (`top`: devDependencies count).
pub(super) fn manifest_edges(info: &Value, top: bool) -> Vec<(String, EdgeKind)> {
    let optional_peers: Vec<&str> = info
        .get("optionalPeers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut sections = vec![
        ("peerDependencies", EdgeKind::Peer),
        ("dependencies", EdgeKind::Prod),
        ("optionalDependencies", EdgeKind::Optional),
    ];
    if top {
        sections.push(("devDependencies", EdgeKind::Dev));
    }
    let mut out: Vec<(String, EdgeKind)> = Vec::new();
    for (section, kind) in sections {
        let Some(map) = info.get(section).and_then(Value::as_object) else {
            continue;
        };
        for name in map.keys() {
            let kind = match kind == EdgeKind::Peer && optional_peers.contains(&name.as_str()) {
                true => EdgeKind::PeerOptional,
                false => kind,
            };
            out.retain(|(n, _)| n != name);
            out.push((name.clone(), kind));
        }
    }
    out
}
