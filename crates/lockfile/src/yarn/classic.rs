//! Yarn classic's `yarn.lock` (v1) into a [`LockedGraph`].
//!
//! Each entry (`"a@^1.0.0", a@^1.1.0:`) has `version`, usually `resolved` (a URL or `file:`
//! path with `#<sha1>`), `integrity` (newer Yarn 1.x) and `dependencies` /
//! `optionalDependencies`. Integrity is `integrity` when present, else the sha1 of the
//! `#<sha1>` fragment as an SRI string. Entries that resolve to the same package (same name,
//! version, resolved and integrity) are one package with several descriptors.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;

use super::locked::{split_descriptor, Importer, Locked, LockedGraph, Want};
use crate::error::{key_path, LockfileError};
use crate::flags::EdgeKind;
use crate::model::{Manager, Package, Source, Tree};
use crate::spec::{file_source, is_git, registry_base, valid_name};
use crate::syntax::yarn::{parse_yarn_syntax, YEntry, YNode};

/// Parses Yarn classic's `yarn.lock`; `importers` (root and workspace manifests) give the
/// edges from the project and the dev/optional flags.
pub(crate) fn parse_yarn(
    path: &Path,
    text: &str,
    importers: &[Importer],
) -> Result<Tree, LockfileError> {
    let root = parse_yarn_syntax(path, text)?;
    let mut graph = LockedGraph {
        importers: importers.to_vec(),
        ..LockedGraph::default()
    };
    let mut seen: HashMap<(String, String, Option<String>, Option<String>), usize> = HashMap::new();
    let mut taken = HashMap::new();
    for entry in root.block().unwrap_or_default() {
        let mut locked = read_entry(path, entry)?;
        let identity = (
            locked.package.name.clone(),
            locked.package.version.clone(),
            locked.package.resolved.clone(),
            locked.package.integrity.clone(),
        );
        let index = match seen.get(&identity) {
            Some(&i) => i,
            None => {
                let id = format!("{}@{}", locked.package.name, locked.package.version);
                locked.package.location =
                    LockedGraph::place(crate::model::YARN_PLACEHOLDER, &id, &mut taken);
                seen.insert(identity, graph.entries.len());
                graph.entries.push(locked);
                graph.entries.len() - 1
            }
        };
        for key in &entry.keys {
            graph.by_descriptor.insert(key.clone(), index);
        }
    }
    Ok(graph.into_tree(path, Manager::Yarn, Some(1)))
}

fn shape(path: &Path, node: &YNode, at: &str, message: impl Into<String>) -> LockfileError {
    LockfileError::ShapeAt {
        file: path.to_path_buf(),
        line: node.line,
        column: node.column,
        path: at.to_string(),
        message: message.into(),
    }
}

fn read_entry(path: &Path, entry: &YEntry) -> Result<Locked, LockfileError> {
    let at = key_path("", &entry.keys.join(", "));
    let node = &entry.value;
    if node.block().is_none() {
        return Err(shape(path, node, &at, "expected an entry block"));
    }
    let first = &entry.keys[0];
    let (name, range) = split_descriptor(first)
        .ok_or_else(|| shape(path, node, &at, format!("invalid descriptor {first:?}")))?;
    // `iso@npm:is-number@6.0.0` installs is-number under the folder name iso.
    let name = range
        .strip_prefix("npm:")
        .and_then(split_descriptor)
        .map_or(name, |(real, _)| real);
    if !valid_name(name) {
        return Err(shape(
            path,
            node,
            &at,
            format!("invalid package name {name:?}"),
        ));
    }
    let field = |key: &str| -> Result<Option<&str>, LockfileError> {
        match node.get(key) {
            None => Ok(None),
            Some(v) => v
                .str()
                .map(Some)
                .ok_or_else(|| shape(path, v, &format!("{at}.{key}"), "expected a string")),
        }
    };
    let version =
        field("version")?.ok_or_else(|| shape(path, node, &format!("{at}.version"), "missing"))?;
    let resolved = field("resolved")?;
    let (source, url, registry, sha1) = classify(resolved, range, name, version);
    let integrity = field("integrity")?.map(str::to_string).or(sha1);
    let mut package = Package::bare(name, version, String::new(), source);
    package.integrity = integrity;
    package.resolved = url;
    package.resolved_registry = registry;
    let mut deps = Vec::new();
    for (section, kind) in [
        ("dependencies", EdgeKind::Prod),
        ("optionalDependencies", EdgeKind::Optional),
    ] {
        deps.extend(wants(
            path,
            node.get(section),
            &format!("{at}.{section}"),
            kind,
        )?);
    }
    Ok(Locked { package, deps })
}

fn wants(
    path: &Path,
    node: Option<&YNode>,
    at: &str,
    kind: EdgeKind,
) -> Result<Vec<Want>, LockfileError> {
    let Some(node) = node else {
        return Ok(Vec::new());
    };
    let entries = node
        .block()
        .ok_or_else(|| shape(path, node, at, "expected a block"))?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let range = e
            .value
            .str()
            .ok_or_else(|| shape(path, &e.value, at, "expected a string"))?;
        for name in &e.keys {
            out.push(Want {
                name: name.clone(),
                descriptor: format!("{name}@{range}"),
                kind,
            });
        }
    }
    Ok(out)
}

type Classified = (Source, Option<String>, Option<String>, Option<String>);

/// Source, resolved URL without its `#` fragment, registry base, and the fragment's sha1 as
/// SRI.
fn classify(resolved: Option<&str>, range: &str, name: &str, version: &str) -> Classified {
    let Some(resolved) = resolved else {
        // No `resolved`: folders (`file:`, `link:`), or a registry package with its URL
        // left out; the range says which.
        let local = range.strip_prefix("file:").or(range.strip_prefix("link:"));
        let source = match local {
            Some(p) if range.starts_with("link:") => Source::Directory {
                path: p.to_string(),
            },
            Some(p) => file_source(p),
            None => Source::Registry { alias: None },
        };
        return (source, None, None, None);
    };
    if is_git(resolved) {
        let url = resolved.to_string();
        return (Source::Git { url: url.clone() }, Some(url), None, None);
    }
    let (url, fragment) = resolved.split_once('#').unwrap_or((resolved, ""));
    let sha1 = sha1_sri(fragment);
    if let Some(file) = url.strip_prefix("file:") {
        return (file_source(file), Some(url.to_string()), None, sha1);
    }
    match registry_base(url, name, version) {
        Some(base) => (
            Source::Registry { alias: None },
            Some(url.to_string()),
            Some(base),
            sha1,
        ),
        None => (crate::spec::remote(url), Some(url.to_string()), None, sha1),
    }
}

/// `sha1-<base64>` from 40 hex digits; `None` for anything else.
pub(crate) fn sha1_sri(hex: &str) -> Option<String> {
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes: Vec<u8> = (0..40)
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .ok()?;
    Some(format!(
        "sha1-{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_fragments_become_sri() {
        // The sha1 of ms-2.1.3.tgz, as npm's packument records it (`dist.shasum`).
        assert_eq!(
            sha1_sri("574c8138ce1d2b5861f0b44579dbadd60c6615b2").as_deref(),
            Some("sha1-V0yBOM4dK1hh8LRFedut1gxmFbI=")
        );
        assert_eq!(sha1_sri("xyz"), None);
    }
}
