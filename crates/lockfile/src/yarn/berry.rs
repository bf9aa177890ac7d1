//! Yarn Berry's `yarn.lock` (Yarn 2-4): YAML with `__metadata`, entries keyed by descriptor
//! lists, `resolution` locators and protocols.
//!
//! `checksum` is the checksum of Yarn's own zip archive of the package, not of the npm
//! tarball: it is never put into `integrity` (which stays `None`, so verification takes the
//! integrity from the signed registry metadata).
//!
//! Protocols: `npm:` -> [`Source::Registry`] (the configured registry of the scope);
//! `patch:` -> the source of the patched package with [`Package::patch`] set to the locator
//! (the registry signature covers the original tarball; the installed files differ from it);
//! git URLs -> [`Source::Git`]; other http(s) URLs -> [`Source::RemoteTarball`]; `file:` ->
//! a local tarball or folder; `portal:`, `link:` -> [`Source::Directory`]; `exec:` ->
//! [`Source::Directory`] holding the generator script (no registry signature either way);
//! `workspace:` -> a workspace of the project.

use std::collections::HashMap;
use std::path::Path;

use super::locked::{split_descriptor, Importer, Locked, LockedGraph, Want};
use crate::error::{key_path, LockfileError};
use crate::flags::EdgeKind;
use crate::model::{Manager, Package, Source, Tree};
use crate::paths::join_relative;
use crate::spec::{file_source, is_git, registry_base, valid_name};
use crate::syntax::yaml::{parse_yaml, Node};
use crate::syntax::yaml_check::YamlDoc;

/// Parses Berry's `yarn.lock`. `manifests` (root and workspace package.json files, when
/// read) only add what Berry leaves out: which workspace dependencies are dev-only.
pub(crate) fn parse_berry(
    path: &Path,
    text: &str,
    manifests: &[Importer],
) -> Result<Tree, LockfileError> {
    let doc = YamlDoc { file: path };
    let root = parse_yaml(path, text)?;
    let entries = doc.map(Some(&root), "(root)")?;
    let version = metadata_version(doc, &root)?;
    let mut graph = LockedGraph::default();
    let mut taken = HashMap::new();
    for (key, node) in entries.iter().filter(|(k, _)| k != "__metadata") {
        let at = key_path("", key);
        let resolution = doc.str(node, "resolution", &at)?;
        let (name, reference) = split_descriptor(resolution)
            .ok_or_else(|| doc.error(node, &at, format!("invalid resolution {resolution:?}")))?;
        let deps = wants(doc, node, &at)?;
        if let Some(folder) = reference.strip_prefix("workspace:") {
            let folder = join_relative("", folder);
            let deps = mark_dev(deps, manifests.iter().find(|m| m.folder == folder));
            graph.importers.push(Importer {
                folder,
                name: name.to_string(),
                version: doc
                    .opt_str(node.get("version"), &format!("{at}.version"))?
                    .unwrap_or("")
                    .to_string(),
                deps,
            });
            continue;
        }
        let mut package = read_package(doc, node, &at, name, reference)?;
        package.location =
            LockedGraph::place(crate::model::YARN_PLACEHOLDER, resolution, &mut taken);
        for descriptor in key.split(", ").map(str::trim) {
            graph
                .by_descriptor
                .insert(descriptor.to_string(), graph.entries.len());
            // `file:`, `link:` and `portal:` keys are bound to the workspace that wrote them
            // (`::locator=…`); dependencies name them without the binding.
            if let Some((unbound, _)) = descriptor.split_once("::locator=") {
                graph
                    .by_descriptor
                    .entry(unbound.to_string())
                    .or_insert(graph.entries.len());
            }
        }
        graph.entries.push(Locked { package, deps });
    }
    Ok(graph.into_tree(path, Manager::YarnBerry, Some(version)))
}

fn metadata_version(doc: YamlDoc<'_>, root: &Node) -> Result<u32, LockfileError> {
    let meta = root
        .get("__metadata")
        .ok_or_else(|| doc.error(root, "__metadata", "missing"))?;
    let found = doc.str(meta, "version", "__metadata")?;
    match found.parse::<u32>() {
        Ok(v) if v >= 3 => Ok(v),
        _ => Err(LockfileError::UnsupportedFormat {
            file: doc.file.to_path_buf(),
            found: found.to_string(),
            supported: "Yarn Berry lockfiles version 3 and later (Yarn 2-4)",
        }),
    }
}

/// `dependencies` as descriptors; `dependenciesMeta.<name>.optional` makes one optional.
fn wants(doc: YamlDoc<'_>, node: &Node, at: &str) -> Result<Vec<Want>, LockfileError> {
    let meta = doc.map(
        node.get("dependenciesMeta"),
        &format!("{at}.dependenciesMeta"),
    )?;
    let optional = |name: &str| {
        meta.iter()
            .any(|(k, v)| k == name && v.get("optional").and_then(Node::bool) == Some(true))
    };
    let deps = doc.str_map(node.get("dependencies"), &format!("{at}.dependencies"))?;
    Ok(deps
        .into_iter()
        .map(|(name, range)| Want {
            name: name.to_string(),
            descriptor: format!("{name}@{range}"),
            kind: if optional(name) {
                EdgeKind::Optional
            } else {
                EdgeKind::Prod
            },
        })
        .collect())
}

/// Berry lists a workspace's devDependencies with its dependencies; the manifest tells them
/// apart.
fn mark_dev(mut deps: Vec<Want>, manifest: Option<&Importer>) -> Vec<Want> {
    let Some(m) = manifest else {
        return deps;
    };
    for want in &mut deps {
        let declared = m.deps.iter().filter(|d| d.name == want.name);
        let kinds: Vec<EdgeKind> = declared.map(|d| d.kind).collect();
        if !kinds.is_empty() && kinds.iter().all(|k| *k == EdgeKind::Dev) {
            want.kind = EdgeKind::Dev;
        }
    }
    deps
}

fn read_package(
    doc: YamlDoc<'_>,
    node: &Node,
    at: &str,
    name: &str,
    reference: &str,
) -> Result<Package, LockfileError> {
    if !valid_name(name) {
        return Err(doc.error(node, at, format!("invalid package name {name:?}")));
    }
    let version = doc.str(node, "version", at)?;
    let link_type = doc.opt_str(node.get("linkType"), &format!("{at}.linkType"))?;
    if !matches!(link_type, None | Some("hard") | Some("soft")) {
        let msg = format!("expected hard or soft, found {:?}", link_type.unwrap_or(""));
        return Err(doc.error(node, &format!("{at}.linkType"), msg));
    }
    let (source, resolved, registry, patch) = classify(name, version, reference);
    let mut package = Package::bare(name, version, String::new(), source);
    package.resolved = resolved;
    package.resolved_registry = registry;
    package.patch = patch;
    Ok(package)
}

type Classified = (Source, Option<String>, Option<String>, Option<String>);

/// The source of a locator's reference (the part after `name@`).
fn classify(name: &str, version: &str, reference: &str) -> Classified {
    if let Some(original) = crate::model::patched_locator(reference) {
        // `patch:resolve@npm%3A1.22.8#…`: the patched package's own locator, URL-encoded.
        let (source, resolved, registry, _) = match split_descriptor(&original) {
            Some((_, inner_ref)) => classify(name, version, inner_ref),
            None => (crate::spec::remote(&original), None, None, None),
        };
        return (source, resolved, registry, Some(reference.to_string()));
    }
    let (protocol, rest) = reference.split_once(':').unwrap_or(("", reference));
    let local = rest.split(['#']).next().unwrap_or(rest);
    let local = local.split("::").next().unwrap_or(local).to_string();
    match protocol {
        "npm" if rest.starts_with("http://") || rest.starts_with("https://") => {
            url_source(rest, name, version)
        }
        "npm" => (Source::Registry { alias: None }, None, None, None),
        "file" => (file_source(&local), Some(local), None, None),
        "portal" | "link" | "exec" => (
            Source::Directory {
                path: local.clone(),
            },
            Some(local),
            None,
            None,
        ),
        _ if is_git(reference) || reference.contains("#commit=") => (
            Source::Git {
                url: reference.to_string(),
            },
            Some(reference.to_string()),
            None,
            None,
        ),
        "http" | "https" => url_source(reference, name, version),
        _ => (
            crate::spec::remote(reference),
            Some(reference.to_string()),
            None,
            None,
        ),
    }
}

fn url_source(url: &str, name: &str, version: &str) -> Classified {
    match registry_base(url, name, version) {
        Some(base) => (
            Source::Registry { alias: None },
            Some(url.to_string()),
            Some(base),
            None,
        ),
        None => (crate::spec::remote(url), Some(url.to_string()), None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols() {
        let kind = |r: &str| classify("x", "1.0.0", r);
        assert_eq!(kind("npm:1.0.0").0, Source::Registry { alias: None });
        let patched =
            kind("patch:x@npm%3A1.0.0#optional!builtin<compat/x>::version=1.0.0&hash=c3c19d");
        assert_eq!(patched.0, Source::Registry { alias: None });
        assert!(patched.3.unwrap().starts_with("patch:x@npm%3A1.0.0"));
        assert_eq!(
            kind("https://github.com/u/x.git#commit=abc").0,
            Source::Git {
                url: "https://github.com/u/x.git#commit=abc".into()
            }
        );
        assert_eq!(
            kind("file:vendor/x.tgz#vendor/x.tgz::hash=1").0,
            Source::LocalTarball {
                path: "vendor/x.tgz".into()
            }
        );
        assert_eq!(
            kind("portal:../x::locator=a%40workspace%3A.").0,
            Source::Directory {
                path: "../x".into()
            }
        );
        assert_eq!(
            kind("https://registry.npmjs.org/x/-/x-1.0.0.tgz")
                .2
                .as_deref(),
            Some("https://registry.npmjs.org/")
        );
        assert_eq!(
            kind("https://example.com/x.tgz").0,
            Source::RemoteTarball {
                url: "https://example.com/x.tgz".into()
            }
        );
    }
}
