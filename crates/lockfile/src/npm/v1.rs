//! Lockfile v1 (npm 5 and 6): the nested `dependencies` tree.

use super::check::{flag, opt_str, Doc, FieldError, Flags};
use super::raw::{Entries, Shaped};
use super::schema::RawDep;
use crate::error::{key_path, LockfileError};
use crate::model::{Package, Source};
use crate::project::workspace::Workspaces;
use crate::spec::{
    classify_resolved, file_source, git, is_git, is_semver, remote, split_alias, valid_folder,
    valid_name, Classified,
};

type RawDeps<'a> = Entries<'a, Shaped<RawDep<'a>>>;

/// Where a `dependencies` object sits: the folder whose `node_modules` it describes,
/// its JSON path, and whether it is inside a bundled package.
struct Parent<'p> {
    workspaces: &'p Workspaces,
    folder: &'p str,
    json_path: &'p str,
    bundled: bool,
}

/// What a v1 entry resolves to once its `version` spec is understood.
struct Resolution {
    name: String,
    version: String,
    resolved: Option<String>,
    classified: Classified,
    /// Where the entry's own `dependencies` live: its location, or a `file:` link's target.
    folder: String,
}

/// Reads the top-level `dependencies` tree into packages.
/// v1 records no workspaces: `workspaces` (from package.json) tells them from `file:` folders.
pub(crate) fn read_dependencies(
    doc: Doc<'_>,
    deps: &RawDeps<'_>,
    workspaces: &Workspaces,
) -> Result<Vec<Package>, LockfileError> {
    let mut out = Vec::new();
    let root = Parent {
        workspaces,
        folder: "",
        json_path: "dependencies",
        bundled: false,
    };
    walk(doc, deps, &root, &mut out)?;
    Ok(out)
}

fn walk(
    doc: Doc<'_>,
    deps: &RawDeps<'_>,
    parent: &Parent<'_>,
    out: &mut Vec<Package>,
) -> Result<(), LockfileError> {
    doc.unique_keys(deps, |k| key_path(parent.json_path, k))?;
    for (key, value) in &deps.0 {
        let path = key_path(parent.json_path, key);
        let dep = doc.object(value, || path.clone())?;
        let (package, folder, bundled) =
            read_one(key, dep, parent).map_err(|e| e.at(doc, &path))?;
        out.push(package);
        let Some(children) = &dep.dependencies else {
            continue;
        };
        let child_path = format!("{path}.dependencies");
        let children = doc.object(children, || child_path.clone())?;
        let child_parent = Parent {
            workspaces: parent.workspaces,
            folder: &folder,
            json_path: &child_path,
            bundled,
        };
        walk(doc, children, &child_parent, out)?;
    }
    Ok(())
}

/// One entry: its package, the folder of its children, and whether it is bundled.
fn read_one(
    key: &str,
    dep: &RawDep<'_>,
    parent: &Parent<'_>,
) -> Result<(Package, String, bool), FieldError> {
    if !valid_name(key) {
        return Err(FieldError::new(
            "name",
            format!("invalid package name {key:?}"),
        ));
    }
    let location = match parent.folder {
        "" => format!("node_modules/{key}"),
        folder => format!("{folder}/node_modules/{key}"),
    };
    let spec =
        opt_str(&dep.version, "version")?.ok_or_else(|| FieldError::new("version", "missing"))?;
    let resolved = opt_str(&dep.resolved, "resolved")?;
    let bundled = parent.bundled || flag(&dep.bundled, "bundled")?;
    let r = resolve(&Spec {
        key,
        version: spec,
        resolved,
        location: &location,
    })?;
    let (source, resolved_registry) = match (bundled, r.classified) {
        (true, _) => (Source::Bundled, None),
        (false, (Source::Directory { path }, _)) if parent.workspaces.matches(&r.folder) => {
            (Source::Workspace { path }, None)
        }
        (false, classified) => classified,
    };
    let flags = read_flags(dep)?;
    let package = Package {
        name: r.name,
        version: r.version,
        location,
        integrity: opt_str(&dep.integrity, "integrity")?.map(str::to_string),
        resolved: r.resolved,
        source,
        resolved_registry,
        dev: flags.dev,
        optional: flags.optional,
        dev_optional: flags.dev_optional,
        peer: flags.peer,
        has_install_script: false,
        patch: None,
        bin: None,
        installed: None,
    };
    Ok((package, r.folder, bundled))
}

/// npm 5/6 write `dev` and `optional`; npm 7+ writing v1 also writes `devOptional` and `peer`.
fn read_flags(dep: &RawDep<'_>) -> Result<Flags, FieldError> {
    Ok(Flags {
        dev: flag(&dep.dev, "dev")?,
        optional: flag(&dep.optional, "optional")?,
        dev_optional: flag(&dep.dev_optional, "devOptional")?,
        peer: flag(&dep.peer, "peer")?,
        has_install_script: false,
    })
}

/// The v1 fields one entry is resolved from.
struct Spec<'s> {
    key: &'s str,
    version: &'s str,
    resolved: Option<&'s str>,
    location: &'s str,
}

impl Spec<'_> {
    /// A resolution that keeps its children under its own location.
    fn own(&self, classified: Classified, name: &str, version: &str) -> Resolution {
        let resolved = match classified.0 {
            // Git and tarball specs are their own origin when `resolved` is absent.
            Source::Git { .. } | Source::RemoteTarball { .. } => {
                self.resolved.or(Some(self.version))
            }
            _ => self.resolved,
        };
        Resolution {
            name: name.to_string(),
            version: version.to_string(),
            resolved: resolved.map(str::to_string),
            classified,
            folder: self.location.to_string(),
        }
    }

    fn by_resolved(&self, name: &str, version: &str) -> Result<Resolution, FieldError> {
        let alias = (name != self.key).then_some(self.key);
        let classified = classify_resolved(self.resolved, name, version, alias)
            .map_err(|msg| FieldError::new("resolved", msg))?;
        Ok(self.own(classified, name, version))
    }
}

/// Interprets a v1 `version`: a semver version, `npm:name@version`, a git URL,
/// a `file:` path or a tarball URL.
fn resolve(s: &Spec<'_>) -> Result<Resolution, FieldError> {
    let spec = s.version;
    if spec.starts_with("npm:") {
        let (name, version) = split_alias(spec)
            .filter(|(n, v)| valid_name(n) && is_semver(v))
            .ok_or_else(|| FieldError::new("version", format!("invalid npm: alias {spec:?}")))?;
        return s.by_resolved(name, version);
    }
    if is_git(spec) {
        return Ok(s.own((git(spec), None), s.key, ""));
    }
    if let Some(path) = spec.strip_prefix("file:") {
        let resolution = file_resolution(s.key, spec, path, s.location);
        // Children of a linked folder get locations inside it: it must be a sane path.
        if !valid_folder(&resolution.folder) {
            let msg = format!("unsupported file: path {spec:?}");
            return Err(FieldError::new("version", msg));
        }
        return Ok(resolution);
    }
    if spec.starts_with("https://") || spec.starts_with("http://") {
        return Ok(s.own((remote(spec), None), s.key, ""));
    }
    if is_semver(spec) {
        return s.by_resolved(s.key, spec);
    }
    let msg = format!(
        "expected a semver version, npm: alias, git URL, file: path or tarball URL, found {spec:?}"
    );
    Err(FieldError::new("version", msg))
}

/// `file:` entries: a linked folder's children live in the target folder, not under the link.
fn file_resolution(key: &str, spec: &str, path: &str, location: &str) -> Resolution {
    let source = file_source(path);
    let folder = match &source {
        Source::Directory { path } => normalize_folder(path),
        _ => location.to_string(),
    };
    Resolution {
        name: key.to_string(),
        version: String::new(),
        resolved: Some(spec.to_string()),
        classified: (source, None),
        folder,
    }
}

/// `./packages/a/` -> `packages/a`, the way npm writes locations.
fn normalize_folder(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    trimmed.strip_prefix("./").unwrap_or(trimmed).to_string()
}
