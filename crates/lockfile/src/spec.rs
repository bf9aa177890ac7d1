//! Classification of `resolved` URLs and version specs into a [`Source`].

use crate::model::Source;

/// A source plus the registry base URL when the source is a registry tarball.
pub(crate) type Classified = (Source, Option<String>);

/// What follows the last `node_modules/` segment of a location, if any.
pub(crate) fn after_node_modules(location: &str) -> Option<&str> {
    if let Some(i) = location.rfind("/node_modules/") {
        return Some(&location[i + "/node_modules/".len()..]);
    }
    location.strip_prefix("node_modules/")
}

/// The package name encoded in an npm location, and whether the location is inside a
/// `node_modules` folder. The name is what follows the last `node_modules/` (keeping
/// `@scope/name`), or else the last folder (with its scope): `packages/@corp/ws` -> `@corp/ws`.
pub(crate) fn split_location(location: &str) -> (&str, bool) {
    match after_node_modules(location) {
        Some(name) => (name, true),
        None => (folder_name(location), false),
    }
}

fn folder_name(location: &str) -> &str {
    let mut cut = location.rfind('/').map_or(0, |i| i + 1);
    // A scoped folder `@s/x` keeps its scope.
    if cut > 0 {
        let parent_start = location[..cut - 1].rfind('/').map_or(0, |i| i + 1);
        if location[parent_start..].starts_with('@') {
            cut = parent_start;
        }
    }
    &location[cut..]
}

/// A name that can be a folder under `node_modules`: `name` or `@scope/name`, no empty,
/// dot-led or traversal segments, no backslashes or control characters. This keeps a hostile
/// lockfile from naming paths outside the tree.
pub(crate) fn valid_name(name: &str) -> bool {
    let segments: Vec<&str> = name.split('/').collect();
    let shape_ok = match segments.as_slice() {
        [name] => !name.starts_with('@'),
        [scope, _] => scope.starts_with('@') && scope.len() > 1,
        _ => false,
    };
    let segment_ok = |s: &&str| {
        !s.is_empty() && !s.starts_with('.') && !s.chars().any(|c| c == '\\' || c.is_control())
    };
    shape_ok && segments.iter().all(segment_ok)
}

/// A folder location outside `node_modules` as npm writes it: relative, `/`-separated,
/// no empty or `.` segments (`..` is allowed: a `file:` link may point beside the project).
pub(crate) fn valid_folder(location: &str) -> bool {
    !location.is_empty()
        && location.split('/').all(|s| {
            !s.is_empty()
                && s != "."
                && !s.contains(['\\', ':'])
                && !s.chars().any(char::is_control)
        })
}

/// Strict SemVer 2.0 (what npm writes in lockfiles): `MAJOR.MINOR.PATCH[-pre][+build]`, no
/// leading `v` or `=`, no leading zeros in numbers.
pub(crate) fn is_semver(v: &str) -> bool {
    semver::Version::parse(v).is_ok()
}

/// Git specs as npm writes them: `git+ssh://…`, `git://…`, hosted shortcuts, or an
/// http(s) URL pinned to a commit with `#…` that is not a tarball.
pub(crate) fn is_git(spec: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "git+",
        "git://",
        "ssh://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    if PREFIXES.iter().any(|p| spec.starts_with(p)) {
        return true;
    }
    let http = spec.starts_with("https://") || spec.starts_with("http://");
    match spec.split_once('#') {
        Some((url, _)) if http => !is_tarball_path(url),
        _ => false,
    }
}

fn is_tarball_path(path: &str) -> bool {
    path.ends_with(".tgz") || path.ends_with(".tar.gz") || path.ends_with(".tar")
}

/// A `file:` spec: a tarball or a folder.
pub(crate) fn file_source(path: &str) -> Source {
    let path = path.to_string();
    if is_tarball_path(&path) {
        Source::LocalTarball { path }
    } else {
        Source::Directory { path }
    }
}

/// Classifies the `resolved` field of a package named `name` at `version`.
/// `alias` is the folder name when it differs from `name`. Returns `Err` with a message
/// when `resolved` is of no kind npm writes.
pub(crate) fn classify_resolved(
    resolved: Option<&str>,
    name: &str,
    version: &str,
    alias: Option<&str>,
) -> Result<Classified, String> {
    let registry = || Source::Registry {
        alias: alias.map(str::to_string),
    };
    let Some(resolved) = resolved else {
        // npm omits `resolved` for registry packages with `omit-lockfile-registry-resolved`.
        return Ok((registry(), None));
    };
    if is_git(resolved) {
        return Ok((git(resolved), None));
    }
    if let Some(path) = resolved.strip_prefix("file:") {
        return Ok((file_source(path), None));
    }
    if resolved.starts_with("https://") || resolved.starts_with("http://") {
        return Ok(match registry_base(resolved, name, version) {
            Some(base) => (registry(), Some(base)),
            None => (remote(resolved), None),
        });
    }
    Err(format!(
        "unsupported resolved {resolved:?}: expected a registry tarball URL, git URL, file: path or tarball URL"
    ))
}

pub(crate) fn git(url: &str) -> Source {
    Source::Git {
        url: url.to_string(),
    }
}

pub(crate) fn remote(url: &str) -> Source {
    Source::RemoteTarball {
        url: url.to_string(),
    }
}

/// The registry base URL when `resolved` is `<base><name>/-/<unscoped>-<version>.tgz`
/// (also accepting `@scope%2fname` and Artifactory's `<name>/-/@scope/name-<version>.tgz`).
/// Credentials and query strings are dropped from the base. Parsed by hand, without
/// allocating, because it runs for every package of the tree.
pub(crate) fn registry_base(resolved: &str, name: &str, version: &str) -> Option<String> {
    let (scheme, rest) = resolved.split_once("://")?;
    if !matches!(scheme, "http" | "https") || resolved.contains('#') {
        return None;
    }
    let rest = rest.split('?').next()?;
    let (authority, path) = rest.split_at(rest.find('/')?);
    let host = authority.rsplit('@').next()?;
    let host_ok = |b: u8| b.is_ascii_alphanumeric() || b".-_:[]".contains(&b);
    if host.is_empty() || !host.bytes().all(host_ok) {
        return None;
    }
    let prefix = registry_prefix(path, name, version)?;
    Some(format!("{scheme}://{host}{prefix}"))
}

/// The `<prefix>/` of a registry tarball path, if `path` is one for `name@version`.
fn registry_prefix<'p>(path: &'p str, name: &str, version: &str) -> Option<&'p str> {
    let stem = path
        .strip_suffix(".tgz")?
        .strip_suffix(version)?
        .strip_suffix('-')?;
    let unscoped = name.rsplit('/').next()?;
    let dir = [unscoped, name]
        .iter()
        .find_map(|file| stem.strip_suffix(file)?.strip_suffix("/-/"))?;
    let prefix = dir.strip_suffix(name).or_else(|| {
        let (scope, base) = name.split_once('/')?;
        let encoded = dir.strip_suffix(base)?;
        let encoded = encoded
            .strip_suffix("%2f")
            .or_else(|| encoded.strip_suffix("%2F"))?;
        encoded.strip_suffix(scope)
    })?;
    prefix.ends_with('/').then_some(prefix)
}

/// Splits `npm:real-name@1.2.3` (the v1 form of an alias) into name and version.
pub(crate) fn split_alias(spec: &str) -> Option<(&str, &str)> {
    let rest = spec.strip_prefix("npm:")?;
    // Skip the first character: a scoped name starts with '@'.
    let at = rest.get(1..)?.rfind('@')? + 1;
    Some((&rest[..at], &rest[at + 1..]))
}

#[cfg(test)]
#[path = "spec_tests.rs"]
mod tests;
