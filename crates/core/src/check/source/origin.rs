//! Non-registry specs against what the lockfile installs: a declared git repository and
//! commit, tarball URL or local path must be the one the entry comes from, so a lockfile edit
//! cannot swap a declared source for another one (which would then be skipped as "not from a
//! registry").

use sigverify_lockfile::{Package, Source, Tree};

use super::normalize_path;

/// A git source: host, repository path and committish, normalised for comparison.
#[derive(Debug, PartialEq, Eq)]
struct GitSource {
    host: String,
    path: String,
    committish: Option<String>,
}

/// Why the entry is not the declared git repository, tarball URL or local path (`None` when
/// it is, or when the spec is not one of those kinds).
pub(super) fn other_mismatch(spec: &str, package: &Package) -> Option<String> {
    let spec = spec.trim();
    if is_tarball_url(spec) {
        return url_mismatch(spec, package);
    }
    git_source(spec).and_then(|declared| git_mismatch(&declared, package))
}

/// Why a `workspace:` spec's entry is not a workspace of this project (a link to one counts).
pub(super) fn workspace_mismatch(package: &Package, tree: &Tree) -> Option<String> {
    let is_workspace = |p: &Package| matches!(p.source, Source::Workspace { .. });
    let linked = super::graph::link_target(package)
        .and_then(|to| tree.index_of(&to))
        .is_some_and(|i| is_workspace(&tree.packages[i]));
    if is_workspace(package) || linked {
        return None;
    }
    let kind = crate::model::names::source_kind(&package.source);
    Some(format!(
        "the lockfile installs it as a {kind}, not as a workspace of this project"
    ))
}

/// Why a `file:`/`link:`/path spec's entry comes from elsewhere.
pub(super) fn local_mismatch(
    path: &str,
    declaring_folder: &str,
    package: &Package,
) -> Option<String> {
    let declared = normalize_path(&join(declaring_folder, path));
    let installed = match &package.source {
        Source::LocalTarball { path } | Source::Directory { path } | Source::Workspace { path } => {
            normalize_path(path.strip_prefix("file:").unwrap_or(path))
        }
        Source::Registry { .. } | Source::Bundled => return None,
        other => {
            let kind = crate::model::names::source_kind(other);
            return Some(format!(
                "the lockfile installs it as a {kind}, not from {path}"
            ));
        }
    };
    (installed != declared).then(|| format!("the lockfile installs it from {installed}"))
}

fn git_mismatch(declared: &GitSource, package: &Package) -> Option<String> {
    let resolved = match &package.source {
        Source::Git { url } => url,
        Source::Registry { .. } => return None,
        other => {
            let kind = crate::model::names::source_kind(other);
            return Some(format!(
                "the lockfile installs it as a {kind}, not from git"
            ));
        }
    };
    let Some(installed) = git_source(resolved) else {
        return Some("the lockfile's git URL cannot be read".to_string());
    };
    if (installed.host.as_str(), installed.path.as_str())
        != (declared.host.as_str(), declared.path.as_str())
    {
        let shown = crate::model::redact::url(resolved);
        return Some(format!(
            "the lockfile installs it from another repository ({shown})"
        ));
    }
    let pinned = declared.committish.as_deref().filter(|c| is_commit(c));
    match (pinned, installed.committish.as_deref()) {
        (Some(want), Some(got)) if !got.eq_ignore_ascii_case(want) => {
            Some(format!("the lockfile installs commit {got}"))
        }
        _ => None,
    }
}

fn url_mismatch(spec: &str, package: &Package) -> Option<String> {
    let strip = |u: &str| crate::model::redact::url(u).replace("***@", "");
    match &package.source {
        Source::RemoteTarball { url } if strip(url) == strip(spec) => None,
        Source::RemoteTarball { url } => Some(format!(
            "the lockfile fetches it from {}",
            crate::model::redact::url(url)
        )),
        Source::Registry { .. } => None,
        other => {
            let kind = crate::model::names::source_kind(other);
            Some(format!(
                "the lockfile installs it as a {kind}, not from {}",
                crate::model::redact::url(spec)
            ))
        }
    }
}

/// Reads the git forms npm accepts: `github:o/r#c`, `gitlab:`, `bitbucket:`, the bare `o/r#c`
/// shortcut, `git+ssh://`, `git+https://`, `git://`, `ssh://` and scp-like `git@host:o/r`.
fn git_source(spec: &str) -> Option<GitSource> {
    let (body, committish) = match spec.split_once('#') {
        Some((b, c)) => (b, Some(c.trim_start_matches("semver:").to_string())),
        None => (spec, None),
    };
    let (host, path) = hosted(body).or_else(|| url_like(body))?;
    let path = path
        .trim_matches('/')
        .trim_end_matches(".git")
        .to_ascii_lowercase();
    Some(GitSource {
        host: host.to_ascii_lowercase(),
        path,
        committish,
    })
}

fn hosted(body: &str) -> Option<(String, String)> {
    for (prefix, host) in [
        ("github:", "github.com"),
        ("gitlab:", "gitlab.com"),
        ("bitbucket:", "bitbucket.org"),
    ] {
        if let Some(path) = body.strip_prefix(prefix) {
            return Some((host.to_string(), path.to_string()));
        }
    }
    let shortcut = !body.contains(':')
        && body.matches('/').count() == 1
        && !body.starts_with(['.', '/', '@', '~']);
    shortcut.then(|| ("github.com".to_string(), body.to_string()))
}

fn url_like(body: &str) -> Option<(String, String)> {
    let body = body.strip_prefix("git+").unwrap_or(body);
    if let Some((scheme, rest)) = body.split_once("://") {
        if !matches!(scheme, "ssh" | "https" | "http" | "git" | "file") {
            return None;
        }
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let (host, path) = rest.split_once('/')?;
        let host = host.split(':').next()?;
        return Some((host.to_string(), path.to_string()));
    }
    // scp-like: git@github.com:o/r.git
    let (user_host, path) = body.split_once(':')?;
    let host = user_host.rsplit_once('@').map_or(user_host, |(_, h)| h);
    (!host.is_empty() && !path.is_empty()).then(|| (host.to_string(), path.to_string()))
}

/// An http(s) URL npm fetches as a tarball (a git repository over https ends in `.git` or
/// names a commit after `#`).
fn is_tarball_url(spec: &str) -> bool {
    let http = spec.starts_with("https://") || spec.starts_with("http://");
    let path = spec.split(['#', '?']).next().unwrap_or(spec);
    http && !path.ends_with(".git") && !spec.contains('#')
}

fn is_commit(committish: &str) -> bool {
    committish.len() == 40 && committish.bytes().all(|b| b.is_ascii_hexdigit())
}

fn join(folder: &str, path: &str) -> String {
    match folder {
        "" => path.to_string(),
        _ => format!("{folder}/{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_forms_name_the_same_repository() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let a = git_source(&format!("github:Acme/Tool#{sha}")).unwrap();
        for form in [
            format!("acme/tool#{sha}"),
            format!("git+ssh://git@github.com/acme/tool.git#{sha}"),
            format!("git+https://github.com/acme/tool.git#{sha}"),
            format!("git@github.com:acme/tool.git#{sha}"),
        ] {
            assert_eq!(git_source(&form).unwrap(), a, "{form}");
        }
        assert_ne!(git_source("github:evil/tool").unwrap().path, a.path);
        assert!(is_tarball_url("https://cdn.test/x.tgz"));
        assert!(!is_tarball_url("https://github.com/acme/tool.git#abc"));
    }
}
