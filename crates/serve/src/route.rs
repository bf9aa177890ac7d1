//! What a request asks for, from its method and path: a packument, a tarball, one version, an
//! upstream endpoint passed through, the verification API or an operations endpoint.
//! Installers spell scoped names `@scope%2fname` (npm, Yarn), `@scope%2Fname` or `@scope/name`
//! (pnpm, Bun): all are the same package.

use hyper::Method;

/// A request's meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /<name>`: the packument, failing versions removed.
    Packument(String),
    /// `GET /<name>/-/<file>`: a tarball, streamed and hashed.
    Tarball { name: String, file: String },
    /// `GET /<name>/<version or tag>`: one version's document.
    Version { name: String, spec: String },
    /// `GET /-/npm/v1/attestations/<name>@<version>`: passed through to the package's upstream.
    Attestations { name: String, version: String },
    /// Any other `GET /-/...` (keys, ping, search): passed through to the default upstream.
    Upstream,
    /// `POST /-/sigverify/v1/verify`.
    Verify,
    /// `/healthz`.
    Health,
    /// `/readyz`.
    Ready,
    /// `/metrics`.
    Metrics,
    /// A method the gate does not serve (publishing goes to the registry itself).
    Method,
    /// A path that names no package.
    BadPath,
}

impl Route {
    /// The route's label in metrics and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Route::Packument(_) => "packument",
            Route::Tarball { .. } => "tarball",
            Route::Version { .. } => "version",
            Route::Attestations { .. } => "attestations",
            Route::Upstream => "upstream",
            Route::Verify => "verify",
            Route::Health => "healthz",
            Route::Ready => "readyz",
            Route::Metrics => "metrics",
            Route::Method => "method",
            Route::BadPath => "bad-path",
        }
    }
}

/// The route of a request on the main listener (`ops`: false) or the operations listener.
pub fn route(method: &Method, path: &str, ops: bool) -> Route {
    let ops_path = match ops {
        true => path,
        false => path.strip_prefix("/-").unwrap_or(""),
    };
    match ops_path {
        "/healthz" => return Route::Health,
        "/readyz" => return Route::Ready,
        "/metrics" => return Route::Metrics,
        _ if ops => return Route::BadPath,
        _ => {}
    }
    if path == "/-/sigverify/v1/verify" {
        return match *method {
            Method::POST => Route::Verify,
            _ => Route::Method,
        };
    }
    if *method != Method::GET && *method != Method::HEAD {
        return Route::Method;
    }
    if let Some(spec) = path.strip_prefix("/-/npm/v1/attestations/") {
        return match split_spec(&decode(spec)) {
            Some((name, version)) => Route::Attestations {
                name: name.to_string(),
                version: version.to_string(),
            },
            None => Route::BadPath,
        };
    }
    // Only these registry endpoints pass through, exactly as named: any other `/-/` path would
    // serve whatever the upstream has there (a tarball, a raw packument through an encoded
    // `..`), judged by nothing.
    if PASSED_THROUGH.contains(&path) {
        return Route::Upstream;
    }
    if path.starts_with("/-/") {
        return Route::BadPath;
    }
    package_route(&decode(path))
}

/// The upstream endpoints the gate passes through (GET or HEAD, any query): the registry's
/// keys, ping, search and whoami.
const PASSED_THROUGH: [&str; 4] = ["/-/npm/v1/keys", "/-/ping", "/-/v1/search", "/-/whoami"];

/// The name and version of `name@version`, when both are valid (the name is split at the last
/// `@` after its first character, so scoped names keep their leading `@`).
fn split_spec(spec: &str) -> Option<(&str, &str)> {
    let at = spec[1.min(spec.len())..].rfind('@')? + 1;
    let (name, version) = (&spec[..at], &spec[at + 1..]);
    (valid_name(name) && valid_segment(version)).then_some((name, version))
}

/// `/<name>`, `/<name>/-/<file>` or `/<name>/<spec>` (path already percent-decoded).
fn package_route(path: &str) -> Route {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (name, rest) = match parts.first() {
        Some(scope) if scope.starts_with('@') && parts.len() >= 2 => {
            (format!("{scope}/{}", parts[1]), &parts[2..])
        }
        Some(name) => (name.to_string(), &parts[1..]),
        None => return Route::BadPath,
    };
    if !valid_name(&name) {
        return Route::BadPath;
    }
    match rest {
        [] => Route::Packument(name),
        ["-", file] if valid_segment(file) => Route::Tarball {
            name,
            file: file.to_string(),
        },
        [spec] if valid_segment(spec) => Route::Version {
            name,
            spec: spec.to_string(),
        },
        _ => Route::BadPath,
    }
}

/// npm's name rules that matter here: no empty parts, no dot folders, URL-safe characters.
fn valid_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let scoped = parts.len() == 2 && parts[0].len() > 1 && parts[0].starts_with('@');
    (parts.len() == 1 || scoped)
        && parts
            .iter()
            .all(|p| valid_segment(p.trim_start_matches('@')))
        && name.len() <= 214
}

pub(crate) fn valid_segment(segment: &str) -> bool {
    !segment.is_empty()
        && !segment.starts_with('.')
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~!*'()+@".contains(&b))
}

/// Percent-decodes a path (`%2f` → `/`, `%40` → `@`); invalid escapes stay as written.
pub fn decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Route {
        route(&Method::GET, path, false)
    }

    #[test]
    fn every_installers_spelling_of_a_scoped_name_is_one_package() {
        for path in ["/@acme%2fx", "/@acme%2Fx", "/@acme/x"] {
            assert_eq!(get(path), Route::Packument("@acme/x".into()), "{path}");
        }
        assert_eq!(
            get("/@acme/x/-/x-1.0.0.tgz"),
            Route::Tarball {
                name: "@acme/x".into(),
                file: "x-1.0.0.tgz".into()
            }
        );
        assert_eq!(
            get("/lodash/latest"),
            Route::Version {
                name: "lodash".into(),
                spec: "latest".into()
            }
        );
    }

    #[test]
    fn operations_endpoints_never_shadow_packages() {
        assert_eq!(get("/metrics"), Route::Packument("metrics".into()));
        assert_eq!(get("/-/metrics"), Route::Metrics);
        assert_eq!(route(&Method::GET, "/metrics", true), Route::Metrics);
        assert_eq!(route(&Method::GET, "/lodash", true), Route::BadPath);
    }

    #[test]
    fn hostile_paths_name_no_package() {
        for path in [
            "/", "/..", "/a/../b", "/%2e%2e", "/@/x", "/a/b/c/d", "/a b", "/.x",
        ] {
            assert_eq!(get(path), Route::BadPath, "{path}");
        }
        assert_eq!(route(&Method::PUT, "/x", false), Route::Method);
        assert_eq!(
            route(&Method::GET, "/-/sigverify/v1/verify", false),
            Route::Method
        );
        assert_eq!(
            route(&Method::POST, "/-/sigverify/v1/verify", false),
            Route::Verify
        );
        assert_eq!(get("/-/npm/v1/keys"), Route::Upstream);
        assert_eq!(get("/-/v1/search"), Route::Upstream);
        // Nothing else under /-/ reaches the upstream: an encoded `..` would serve its raw
        // packuments and withheld tarballs, another path whatever it holds there.
        for path in [
            "/-/%2e%2e/left",
            "/-/%2e%2e/left/-/left-1.1.0.tgz%20",
            "/-/.%2e/left",
            "/-/v1/payload",
            "/-/npm/v1/keys/../../left",
            "/-/package/left/dist-tags",
        ] {
            assert_eq!(get(path), Route::BadPath, "{path}");
        }
        for spec in [
            "%2e%2e/%2e%2e/left/-/left-1.1.0.tgz",
            "left",
            "@acme%2fx@",
            "a/b/c@1",
        ] {
            let path = format!("/-/npm/v1/attestations/{spec}");
            assert_eq!(get(&path), Route::BadPath, "{path}");
        }
        // A tarball is never passed through unchecked, however it is spelled.
        for path in ["/-/evil.tgz", "/-/x/evil.tgz", "/-/evil%2etgz"] {
            assert_eq!(get(path), Route::BadPath, "{path}");
        }
        assert_eq!(
            get("/-/npm/v1/attestations/@acme%2fx@1.0.0"),
            Route::Attestations {
                name: "@acme/x".into(),
                version: "1.0.0".into()
            }
        );
        assert_eq!(decode("%zz%2"), "%zz%2");
    }
}
