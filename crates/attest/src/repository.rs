//! Canonical form of a source repository, to compare package.json `repository` with the
//! repository a provenance certificate names.
//!
//! Canonical form: `host/path`, lower-case, no scheme, user, port, `.git` suffix, query or
//! fragment, e.g. `github.com/owner/repo`. Decisions:
//! * shorthands follow npm (hosted-git-info): `owner/repo` and `github:owner/repo` are GitHub,
//!   `gitlab:` is gitlab.com, `bitbucket:` is bitbucket.org; `gist:` is not a repository (None);
//! * browse URLs of a monorepo subdirectory (`https://github.com/o/r/tree/main/packages/x`)
//!   name the repository `github.com/o/r`: on github.com and bitbucket.org only the first two
//!   path segments identify a repository; on other hosts (GitLab subgroups, self-hosted) the
//!   path is kept up to GitLab's `/-/` separator. package.json `directory` is ignored for the
//!   same reason: it is a place inside the repository, not another repository;
//! * everything is lower-cased (GitHub, GitLab and Bitbucket resolve paths case-insensitively);
//! * `www.` is dropped from the host.

use serde_json::Value;

/// Normalize a repository given as package.json's `repository` field (a string, or an
/// object `{type, url, directory}`), or a URL from a certificate.
pub fn normalize_repository_value(value: &Value) -> Option<String> {
    match value {
        Value::String(url) => normalize_repository(url),
        Value::Object(obj) => obj
            .get("url")
            .and_then(Value::as_str)
            .and_then(normalize_repository),
        _ => None,
    }
}

/// Normalize a repository URL or npm shorthand to `host/owner/repo` (see the module docs).
/// `None` when it does not name a repository.
pub fn normalize_repository(url: &str) -> Option<String> {
    let url = url.trim();
    let url = url.split(['#', '?']).next()?;
    let (host, path) = split_host_path(url)?;
    let host = host
        .strip_prefix("www.")
        .unwrap_or(host)
        .to_ascii_lowercase();
    let segments = repo_segments(&host, path)?;
    Some(format!("{host}/{}", segments.join("/")).to_ascii_lowercase())
}

/// Split into host and path for every accepted syntax.
fn split_host_path(url: &str) -> Option<(&str, &str)> {
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = scheme.strip_prefix("git+").unwrap_or(scheme);
        if !matches!(scheme, "https" | "http" | "git" | "ssh") {
            return None;
        }
        let (authority, path) = rest.split_once('/')?;
        return Some((strip_user_port(authority), path));
    }
    if let Some((provider, path)) = url.split_once(':') {
        return shorthand_host(provider).map(|host| (host, path));
    }
    // `owner/repo`: npm's GitHub shorthand (exactly two segments, no host).
    let mut parts = url.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(o), Some(r), None) if !o.is_empty() && !r.is_empty() => Some(("github.com", url)),
        _ => None,
    }
}

/// `github:`, `gitlab:`, `bitbucket:` shorthands and scp-like `git@host:path`.
fn shorthand_host(provider: &str) -> Option<&str> {
    match provider {
        "github" => Some("github.com"),
        "gitlab" => Some("gitlab.com"),
        "bitbucket" => Some("bitbucket.org"),
        "gist" => None,
        scp => Some(scp.rsplit_once('@').map_or(scp, |(_, host)| host)).filter(|h| h.contains('.')),
    }
}

fn strip_user_port(authority: &str) -> &str {
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.split_once(':').map_or(host, |(h, _)| h)
}

/// The path segments that identify the repository on `host`.
fn repo_segments<'a>(host: &str, path: &'a str) -> Option<Vec<&'a str>> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if matches!(host, "github.com" | "bitbucket.org") {
        segments.truncate(2);
    } else if let Some(cut) = segments.iter().position(|s| *s == "-") {
        segments.truncate(cut);
    }
    if let Some(last) = segments.last_mut() {
        *last = last.strip_suffix(".git").unwrap_or(last);
    }
    let usable = segments.len() >= 2 && segments.iter().all(|s| !s.is_empty());
    usable.then_some(segments)
}
