//! `bun.lock` (Bun 1.2+, `lockfileVersion` 0-2): JSON with trailing commas.
//!
//! `packages` is keyed by install path (`a`, `a/b` for `b` nested under `a`, `@s/x`; a first
//! segment naming a workspace means that workspace's own `node_modules`), with arrays whose
//! shape depends on the source (Bun's `BunLockFile` type, checked against Bun 1.4.5's output):
//! npm `[id, registry, info, integrity]`, folder/link `[id, info]`, workspace `[id]`, tarball
//! `[id, info, integrity?]`, git/github `[id, info, bun-tag]`, root `[id, {bin}]`.
//!
//! Locations are the hoisted linker's folders computed from the key
//! (`a/b` -> `node_modules/a/node_modules/b`, `ws/x` -> `<ws folder>/node_modules/x`); Bun's
//! isolated linker puts packages elsewhere, which [`crate::installed`] finds on disk.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::check::key_path;
use crate::error::LockfileError;
use crate::flags::{calc_flags_graph, resolve, EdgeKind, Edges};
use crate::jsonc::parse_jsonc;
use crate::locked::bare_package;
use crate::model::{Input, Layout, Linker, Manager, Package, Source, Tree};
use crate::spec::{file_source, is_git, is_semver, registry_base, valid_name};

/// Parses `bun.lock`.
pub(crate) fn parse_bun(path: &Path, text: &str) -> Result<Tree, LockfileError> {
    let root = parse_jsonc(path, text)?;
    let shape = |at: &str, message: String| LockfileError::Shape {
        file: path.to_path_buf(),
        path: at.to_string(),
        message,
    };
    let version = lockfile_version(path, &root)?;
    let workspaces = object(&root, "workspaces").map_err(|m| shape("workspaces", m))?;
    let packages = object(&root, "packages").map_err(|m| shape("packages", m))?;
    let ws_folders: Vec<(String, String)> = workspaces
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (name_of(v).to_string(), k.clone()))
        .collect();
    let (mut out, mut edges) = (Vec::new(), Vec::new());
    for (key, value) in packages {
        let at = key_path("packages", key);
        let location = location_of(key, &ws_folders)
            .ok_or_else(|| shape(&at, format!("invalid install path {key:?}")))?;
        if let Some((pkg, deps)) = read_package(key, value, location).map_err(|m| shape(&at, m))? {
            edges.push(Edges {
                base: pkg.location.clone(),
                edges: deps,
            });
            out.push(pkg);
        }
    }
    let tops = add_workspaces(workspaces, &mut out, &mut edges);
    set_flags(&mut out, &edges, &tops);
    out.sort_by(|a, b| a.location.cmp(&b.location));
    out.dedup_by(|a, b| a.location == b.location);
    Ok(Tree {
        root: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        input: Input::PackageLock,
        manager: Manager::Bun,
        layout: Layout::NodeModules,
        linker: Linker::NodeModules,
        input_path: path.to_path_buf(),
        lockfile_version: Some(version),
        packages: out,
        problems: Vec::new(),
    })
}

fn lockfile_version(path: &Path, root: &Value) -> Result<u32, LockfileError> {
    match root.get("lockfileVersion").and_then(Value::as_u64) {
        Some(v @ 0..=2) => Ok(v as u32),
        Some(v) => Err(LockfileError::UnsupportedFormat {
            file: path.to_path_buf(),
            found: v.to_string(),
            supported: "bun.lock lockfileVersion 0, 1 and 2",
        }),
        None => Err(LockfileError::Shape {
            file: path.to_path_buf(),
            path: "lockfileVersion".into(),
            message: "missing or not an integer".into(),
        }),
    }
}

fn name_of(workspace: &Value) -> &str {
    workspace.get("name").and_then(Value::as_str).unwrap_or("")
}

/// Adds each workspace (at its folder, and linked into the root `node_modules` as Bun and
/// npm do); returns the edges of the root and every workspace, which start the flag walk.
fn add_workspaces(
    workspaces: &serde_json::Map<String, Value>,
    out: &mut Vec<Package>,
    edges: &mut Vec<Edges>,
) -> Vec<Edges> {
    let mut tops = Vec::new();
    for (folder, ws) in workspaces {
        tops.push(Edges {
            base: folder.clone(),
            edges: manifest_edges(ws, true),
        });
        if folder.is_empty() {
            continue;
        }
        let name = name_of(ws);
        out.push(workspace(folder, name, ws));
        edges.push(Edges::default());
        if valid_name(name) {
            let mut link = workspace(folder, name, ws);
            link.location = format!("node_modules/{name}");
            out.push(link);
            edges.push(Edges::default());
        }
    }
    tops
}

/// Flags from Node's lookup over the hoisted locations.
fn set_flags(packages: &mut [Package], edges: &[Edges], tops: &[Edges]) {
    let index: HashMap<&str, usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.location.as_str(), i))
        .collect();
    let resolved = |e: &Edges| -> Vec<(usize, EdgeKind)> {
        e.edges
            .iter()
            .filter_map(|(name, kind)| Some((resolve(&index, &e.base, name)?, *kind)))
            .collect()
    };
    let root: Vec<(usize, EdgeKind)> = tops.iter().flat_map(resolved).collect();
    let out: Vec<Vec<(usize, EdgeKind)>> = edges.iter().map(resolved).collect();
    drop(index);
    calc_flags_graph(&root, &out, packages);
    for p in packages
        .iter_mut()
        .filter(|p| matches!(p.source, Source::Workspace { .. }))
    {
        (p.dev, p.optional, p.dev_optional, p.peer) = (false, false, false, false);
    }
}

fn object<'v>(root: &'v Value, key: &str) -> Result<&'v serde_json::Map<String, Value>, String> {
    match root.get(key) {
        None => Err("missing".into()),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err("expected an object".into()),
    }
}

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
fn location_of(key: &str, workspaces: &[(String, String)]) -> Option<String> {
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

type Read = Option<(Package, Vec<(String, EdgeKind)>)>;

/// One `packages` entry; `None` for workspace links and the root (listed from `workspaces`).
fn read_package(key: &str, value: &Value, location: String) -> Result<Read, String> {
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
        return (crate::spec::remote(resolution), integrity);
    }
    (file_source(resolution), integrity)
}

/// Dependency edges of a package's INFO or a workspace (`top`: devDependencies count).
fn manifest_edges(info: &Value, top: bool) -> Vec<(String, EdgeKind)> {
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

fn workspace(folder: &str, name: &str, ws: &Value) -> Package {
    let version = ws.get("version").and_then(Value::as_str).unwrap_or("");
    let path = folder.to_string();
    let mut pkg = bare_package(
        name,
        version,
        path.clone(),
        Source::Workspace { path: path.clone() },
    );
    pkg.resolved = Some(path);
    pkg
}
