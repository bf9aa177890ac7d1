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
//! isolated linker puts packages elsewhere, which [`crate::installed::matching`] finds on disk.

mod package;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{key_path, LockfileError};
use crate::flags::{calc_flags_graph, resolve, EdgeKind, Edges};
use crate::model::{Input, Layout, Linker, Manager, Package, Source, Tree};
use crate::spec::valid_name;
use crate::syntax::jsonc::parse_jsonc;
use package::{location_of, manifest_edges, read_package};

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

fn workspace(folder: &str, name: &str, ws: &Value) -> Package {
    let version = ws.get("version").and_then(Value::as_str).unwrap_or("");
    let path = folder.to_string();
    let mut pkg = Package::bare(
        name,
        version,
        path.clone(),
        Source::Workspace { path: path.clone() },
    );
    pkg.resolved = Some(path);
    pkg
}
