//! Lockfile v2/v3: the `packages` map keyed by location.

use std::collections::{HashMap, HashSet};

use super::check::{flag, opt_str, Doc, FieldError, Flags};
use super::raw::{Entries, Globs, Loose, Shaped};
use super::schema::RawEntry;
use crate::error::{key_path, LockfileError};
use crate::model::{Package, Source};
use crate::project::workspace::Workspaces;
use crate::spec::{
    classify_resolved, is_semver, split_location, valid_folder, valid_name, Classified,
};

/// One `packages` entry after type checks.
struct Entry<'v> {
    name: Option<&'v str>,
    version: Option<&'v str>,
    resolved: Option<&'v str>,
    integrity: Option<&'v str>,
    link: bool,
    in_bundle: bool,
    flags: Flags,
    bin: Option<&'v serde_json::Value>,
}

type RawPackages<'a> = Entries<'a, Shaped<RawEntry<'a>>>;

/// Reads the `packages` map into packages (the root entry `""` is skipped). The root entry's
/// `workspaces` win; `project` (from package.json) stands in when there is no root entry.
pub(crate) fn read_packages(
    doc: Doc<'_>,
    raw: &RawPackages<'_>,
    project: Option<&Workspaces>,
) -> Result<Vec<Package>, LockfileError> {
    let mut entries = Vec::with_capacity(raw.0.len());
    let mut workspaces = project.cloned().unwrap_or_default();
    for (location, value) in &raw.0 {
        let path = || key_path("packages", location);
        let entry = doc.object(value, path)?;
        if location.is_empty() {
            workspaces = root_workspaces(doc, entry)?;
        }
        let checked = check_entry(entry).map_err(|e| e.at(doc, &path()))?;
        entries.push((location.as_ref(), checked));
    }
    let versions = link_target_versions(&entries);
    let mut packages = Vec::with_capacity(entries.len());
    for (loc, e) in entries.iter().filter(|(loc, _)| !loc.is_empty()) {
        let pkg = to_package(loc, e, &workspaces, &versions)
            .map_err(|(loc, e)| e.at(doc, &key_path("packages", loc)))?;
        packages.push(pkg);
    }
    Ok(packages)
}

/// Versions of the folders that links point to (links have no version of their own).
fn link_target_versions<'e>(entries: &[(&'e str, Entry<'e>)]) -> HashMap<&'e str, &'e str> {
    let targets: HashSet<&str> = entries
        .iter()
        .filter(|(_, e)| e.link)
        .filter_map(|(_, e)| e.resolved)
        .collect();
    if targets.is_empty() {
        return HashMap::new();
    }
    entries
        .iter()
        .filter(|(loc, _)| targets.contains(loc))
        .filter_map(|(loc, e)| Some((*loc, e.version?)))
        .collect()
}

fn check_entry<'v>(raw: &'v RawEntry<'_>) -> Result<Entry<'v>, FieldError> {
    Ok(Entry {
        name: opt_str(&raw.name, "name")?,
        version: opt_str(&raw.version, "version")?,
        resolved: opt_str(&raw.resolved, "resolved")?,
        integrity: opt_str(&raw.integrity, "integrity")?,
        link: flag(&raw.link, "link")?,
        in_bundle: flag(&raw.in_bundle, "inBundle")?,
        flags: Flags {
            dev: flag(&raw.dev, "dev")?,
            optional: flag(&raw.optional, "optional")?,
            dev_optional: flag(&raw.dev_optional, "devOptional")?,
            peer: flag(&raw.peer, "peer")?,
            has_install_script: flag(&raw.has_install_script, "hasInstallScript")?,
        },
        bin: raw.bin.as_ref(),
    })
}

/// The root project's `workspaces` globs.
fn root_workspaces(doc: Doc<'_>, root: &RawEntry<'_>) -> Result<Workspaces, LockfileError> {
    let base = key_path("packages", "");
    let items = match &root.workspaces {
        None => return Ok(Workspaces::default()),
        Some(Globs::List(items)) => items,
        Some(Globs::Wrong(found)) => {
            return Err(doc.wrong(format!("{base}.workspaces"), "an array", found))
        }
    };
    let mut globs = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Loose::Str(s) => globs.push(s.as_ref()),
            other => {
                let path = format!("{base}.workspaces[{i}]");
                return Err(doc.wrong(path, "a string", other.kind()));
            }
        }
    }
    Ok(Workspaces::new(globs))
}

type Located<'l> = (&'l str, FieldError);

fn to_package<'l>(
    location: &'l str,
    e: &Entry<'_>,
    workspaces: &Workspaces,
    versions: &HashMap<&str, &str>,
) -> Result<Package, Located<'l>> {
    let (folder, in_node_modules) = split_location(location);
    let name = e.name.unwrap_or(folder);
    if in_node_modules && !(valid_name(folder) && valid_name(name)) {
        let msg = format!("invalid package name {name:?} at location {location:?}");
        return Err((location, FieldError::new("name", msg)));
    }
    if !in_node_modules && !valid_folder(location) {
        let msg = format!("invalid folder location {location:?}");
        return Err((location, FieldError::new("name", msg)));
    }
    let (source, resolved_registry) =
        classify(location, in_node_modules, (folder, name), e, workspaces)
            .map_err(|err| (location, err))?;
    // A link has no version of its own: it is its target's.
    let link_version = || e.resolved.and_then(|target| versions.get(target).copied());
    let version = e.version.or_else(|| e.link.then(link_version).flatten());
    Ok(Package {
        name: name.to_string(),
        version: version.unwrap_or_default().to_string(),
        location: location.to_string(),
        integrity: e.integrity.map(str::to_string),
        resolved: e.resolved.map(str::to_string),
        source,
        resolved_registry,
        dev: e.flags.dev,
        optional: e.flags.optional,
        dev_optional: e.flags.dev_optional,
        peer: e.flags.peer,
        has_install_script: e.flags.has_install_script,
        patch: None,
        bin: e.bin.cloned(),
        installed: None,
    })
}

/// Decides the source of one entry, in npm's order: bundled, link, folder, then `resolved`.
fn classify(
    location: &str,
    in_node_modules: bool,
    (folder, name): (&str, &str),
    e: &Entry<'_>,
    workspaces: &Workspaces,
) -> Result<Classified, FieldError> {
    if e.in_bundle {
        return Ok((Source::Bundled, None));
    }
    if e.link {
        let target = e
            .resolved
            .ok_or_else(|| FieldError::new("resolved", "missing: a link must name its target"))?;
        return Ok((local_folder(target, workspaces), None));
    }
    if !in_node_modules {
        return Ok((local_folder(location, workspaces), None));
    }
    let version = e
        .version
        .ok_or_else(|| FieldError::new("version", "missing"))?;
    let alias = (name != folder).then_some(folder);
    let classified = classify_resolved(e.resolved, name, version, alias)
        .map_err(|msg| FieldError::new("resolved", msg))?;
    if classified.0.is_registry() && !is_semver(version) {
        let msg = format!("expected a semver version for a registry package, found {version:?}");
        return Err(FieldError::new("version", msg));
    }
    Ok(classified)
}

/// A folder of the project: a workspace when the root's globs say so, else a plain directory.
fn local_folder(path: &str, workspaces: &Workspaces) -> Source {
    let path = path.to_string();
    if workspaces.matches(&path) {
        Source::Workspace { path }
    } else {
        Source::Directory { path }
    }
}
