//! One `pnpm-lock.yaml` package (a `snapshots` key of lockfile v9, a `packages` key of v6)
//! read into a [`Package`] at the folder pnpm creates for it, plus its dependency references.

use super::path::{dep_path_to_filename, split_name, suffix_start, without_suffix, Flavor};
use crate::error::{key_path, LockfileError};
use crate::flags::EdgeKind;
use crate::model::{Package, Source};
use crate::spec::{file_source, is_semver, registry_base, valid_name};
use crate::syntax::yaml::Node;
use crate::syntax::yaml_check::YamlDoc;

/// A store package: the package and the references its dependencies are written as.
pub(crate) struct StorePackage<'n> {
    pub(crate) package: Package,
    /// `(dependency name, reference as written, kind)`.
    pub(crate) deps: Vec<(&'n str, &'n str, EdgeKind)>,
    /// v6 only: the lockfile's own `dev` / `optional` fields.
    pub(crate) recorded: Option<(Option<bool>, Option<bool>)>,
}

/// Where pnpm puts the store and how it names its folders.
#[derive(Clone, Copy)]
pub(crate) struct Store<'s> {
    pub(crate) dir: &'s str,
    pub(crate) flavor: Flavor,
}

impl Store<'_> {
    /// `node_modules/.pnpm/<folder>/node_modules/<name>`.
    pub(crate) fn location(&self, dep_path: &str, name: &str) -> String {
        let folder = dep_path_to_filename(dep_path, self.flavor);
        format!("{}/{folder}/node_modules/{name}", self.dir)
    }
}

/// Reads one package. `snapshot` holds the dependencies (the same node as `info` in v6).
pub(crate) fn read_entry<'n>(
    doc: YamlDoc<'_>,
    store: Store<'_>,
    dep_path: &'n str,
    info: &'n Node,
    snapshot: &'n Node,
) -> Result<StorePackage<'n>, LockfileError> {
    let path = key_path("packages", without_suffix(dep_path));
    let (name, version) = name_and_version(doc, dep_path, info, &path)?;
    if !valid_name(&name) {
        return Err(doc.error(info, &path, format!("invalid package name {name:?}")));
    }
    let resolution = info
        .get("resolution")
        .ok_or_else(|| doc.error(info, &format!("{path}.resolution"), "missing"))?;
    let (source, integrity, resolved, registry) = classify(
        doc,
        resolution,
        &name,
        &version,
        &format!("{path}.resolution"),
    )?;
    let deps = dependency_refs(doc, info, snapshot, &path)?;
    let recorded = match std::ptr::eq(info, snapshot) {
        true => Some((
            doc.opt_bool(info.get("dev"), &format!("{path}.dev"))?,
            doc.opt_bool(info.get("optional"), &format!("{path}.optional"))?,
        )),
        false => None,
    };
    let has_install_script = doc
        .opt_bool(info.get("requiresBuild"), &format!("{path}.requiresBuild"))?
        .unwrap_or(false);
    let package = Package {
        location: store.location(dep_path, &name),
        name,
        version,
        integrity,
        resolved,
        source,
        resolved_registry: registry,
        dev: false,
        optional: false,
        dev_optional: false,
        peer: false,
        has_install_script,
        patch: patch_of(dep_path),
        bin: None,
        installed: None,
    };
    Ok(StorePackage {
        package,
        deps,
        recorded,
    })
}

/// The name and version of a dependency path; `name`/`version` fields win where the path
/// has none (v6 `file:` keys) or a non-semver version (tarballs, git, folders).
fn name_and_version(
    doc: YamlDoc<'_>,
    dep_path: &str,
    info: &Node,
    path: &str,
) -> Result<(String, String), LockfileError> {
    let id = without_suffix(dep_path);
    let from_path = split_name(id);
    let name = doc.opt_str(info.get("name"), &format!("{path}.name"))?;
    let name = name.or(from_path.map(|(n, _)| n)).ok_or_else(|| {
        doc.error(
            info,
            &format!("{path}.name"),
            "missing (the key names no package)",
        )
    })?;
    let field = doc.opt_str(info.get("version"), &format!("{path}.version"))?;
    let version = match (from_path.map(|(_, v)| v), field) {
        (Some(v), _) if is_semver(v) => v,
        (_, Some(v)) => v,
        _ => "",
    };
    Ok((name.to_string(), version.to_string()))
}

type Classified = (Source, Option<String>, Option<String>, Option<String>);

/// `resolution`: integrity only (the configured registry), a tarball, git or a directory.
fn classify(
    doc: YamlDoc<'_>,
    res: &Node,
    name: &str,
    version: &str,
    path: &str,
) -> Result<Classified, LockfileError> {
    let field = |key: &str| doc.opt_str(res.get(key), &format!("{path}.{key}"));
    let integrity = field("integrity")?.map(str::to_string);
    match field("type")? {
        Some("git") => {
            let repo = doc.str(res, "repo", path)?;
            let commit = doc.str(res, "commit", path)?;
            let url = format!("{repo}#{commit}");
            return Ok((Source::Git { url: url.clone() }, None, Some(url), None));
        }
        Some("directory") => {
            let dir = doc.str(res, "directory", path)?.to_string();
            return Ok((
                Source::Directory { path: dir.clone() },
                None,
                Some(dir),
                None,
            ));
        }
        Some(other) => {
            let msg = format!("unsupported resolution type {other:?}");
            return Err(doc.error(res, &format!("{path}.type"), msg));
        }
        None => {}
    }
    let registry = Source::Registry { alias: None };
    let Some(tarball) = field("tarball")? else {
        if integrity.is_none() {
            return Err(doc.error(res, path, "expected integrity, tarball, git or directory"));
        }
        // The configured registry of the package's scope.
        return Ok((registry, integrity, None, None));
    };
    let resolved = Some(tarball.to_string());
    if let Some(file) = tarball.strip_prefix("file:") {
        return Ok((file_source(file), integrity, resolved, None));
    }
    Ok(match registry_base(tarball, name, version) {
        Some(base) => (registry, integrity, resolved, Some(base)),
        None => (crate::spec::remote(tarball), integrity, resolved, None),
    })
}

/// The dependencies of a snapshot, with peers (named in the package's `peerDependencies`)
/// marked as such.
fn dependency_refs<'n>(
    doc: YamlDoc<'_>,
    info: &'n Node,
    snapshot: &'n Node,
    path: &str,
) -> Result<Vec<(&'n str, &'n str, EdgeKind)>, LockfileError> {
    let peers = doc.str_map(
        info.get("peerDependencies"),
        &format!("{path}.peerDependencies"),
    )?;
    let meta = doc.map(
        info.get("peerDependenciesMeta"),
        &format!("{path}.peerDependenciesMeta"),
    )?;
    let optional_peer = |name: &str| {
        meta.iter()
            .any(|(k, v)| k == name && v.get("optional").and_then(Node::bool) == Some(true))
    };
    let mut out = Vec::new();
    for (section, kind) in [
        ("dependencies", EdgeKind::Prod),
        ("optionalDependencies", EdgeKind::Optional),
    ] {
        for (name, reference) in doc.str_map(snapshot.get(section), &format!("{path}.{section}"))? {
            let kind = match peers.iter().any(|(p, _)| *p == name) {
                true if optional_peer(name) => EdgeKind::PeerOptional,
                true => EdgeKind::Peer,
                false => kind,
            };
            out.push((name, reference, kind));
        }
    }
    Ok(out)
}

/// `patch_hash=…` in a v9 peer suffix (pnpm's `patchedDependencies`).
fn patch_of(dep_path: &str) -> Option<String> {
    let suffix = &dep_path[suffix_start(dep_path)?..];
    let start = suffix.find("(patch_hash=")? + 1;
    let end = suffix[start..].find(')')? + start;
    Some(suffix[start..end].to_string())
}

/// The dependency path a reference points to (pnpm's `refToRelative`), or `None` for `link:`.
pub(crate) fn ref_to_dep_path(reference: &str, name: &str, v6: bool) -> Option<String> {
    if reference.starts_with("link:") {
        return None;
    }
    if v6 {
        if reference.starts_with("file:") || reference.starts_with('/') {
            return Some(reference.to_string());
        }
        let before_peers = reference.split('(').next().unwrap_or(reference);
        return Some(match before_peers.contains('/') {
            true => reference.to_string(),
            false => format!("/{name}@{reference}"),
        });
    }
    if reference.starts_with('@') {
        return Some(reference.to_string());
    }
    let Some(at) = reference.find('@') else {
        return Some(format!("{name}@{reference}"));
    };
    let before = |c: char| reference.find(c).is_none_or(|i| at < i);
    Some(match before(':') && before('(') {
        true => reference.to_string(),
        false => format!("{name}@{reference}"),
    })
}
