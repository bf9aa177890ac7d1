//! Dependency specs read like npm-package-arg: what a declared spec asks for, and whether a
//! version is in its range.

use std::collections::HashSet;

use node_semver::{Range, Version};

use super::normalize_path;
use crate::source::packument::Declared;

/// How a dependency is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Prod,
    Optional,
    Peer,
    Dev,
}

/// What a declared spec asks for.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Wanted {
    /// A registry package: its real name, and the range (`None` for a dist-tag).
    Registry { name: String, range: Option<String> },
    /// A local folder or tarball (`file:` / `link:` / a path), relative to the declaring folder.
    Local(String),
    /// A workspace of this project (`workspace:` of pnpm, Yarn Berry and Bun).
    Workspace,
    /// Anything else (git, a tarball URL, a manager-specific protocol): not a registry spec.
    Other,
}

/// The `file:`/`link:` paths the root package.json declares, normalised.
pub(super) fn local_specs(root: &serde_json::Value) -> HashSet<String> {
    let declared = Declared::from_manifest(root);
    [
        &declared.dependencies,
        &declared.optional,
        &declared.dev,
        &declared.peer,
    ]
    .into_iter()
    .flat_map(|m| m.values())
    .filter_map(|spec| match wanted("", spec) {
        Wanted::Local(path) => Some(normalize_path(&path)),
        _ => None,
    })
    .collect()
}

/// What a spec asks for, after npm-package-arg's rules.
pub(super) fn wanted(name: &str, spec: &str) -> Wanted {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix("npm:") {
        let at = rest.get(1..).and_then(|r| r.rfind('@')).map(|i| i + 1);
        return match at {
            Some(i) => registry(&rest[..i], &rest[i + 1..]),
            None => registry(rest, ""),
        };
    }
    if spec.starts_with("workspace:") {
        return Wanted::Workspace;
    }
    for prefix in ["file:", "link:"] {
        if let Some(path) = spec.strip_prefix(prefix) {
            return Wanted::Local(path.to_string());
        }
    }
    let local =
        ["./", "../", "/", "~/"].iter().any(|p| spec.starts_with(p)) || spec == "." || spec == "..";
    if local {
        return Wanted::Local(spec.to_string());
    }
    let other = spec.contains(':') || spec.contains('/') || spec.contains('#');
    if other {
        return Wanted::Other;
    }
    registry(name, spec)
}

fn registry(name: &str, range: &str) -> Wanted {
    let range = match range.trim() {
        "" | "*" | "latest" => Some("*".to_string()),
        r if Range::parse(r).is_ok() => Some(r.to_string()),
        _ => None, // a dist-tag: any version may be what it pointed at
    };
    Wanted::Registry {
        name: name.to_string(),
        range,
    }
}

pub(super) fn range_allows(range: Option<&str>, version: &str) -> bool {
    let Some(range) = range else { return true };
    if range == "*" {
        return true;
    }
    let (Ok(range), Ok(version)) = (Range::parse(range), Version::parse(version)) else {
        return false;
    };
    range.satisfies(&version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_read_like_npm_package_arg() {
        let reg = |name: &str, range: Option<&str>| Wanted::Registry {
            name: name.into(),
            range: range.map(str::to_string),
        };
        assert_eq!(wanted("a", "^1.2.0"), reg("a", Some("^1.2.0")));
        assert_eq!(
            wanted("a", "1.x || >=2.1.0 <3"),
            reg("a", Some("1.x || >=2.1.0 <3"))
        );
        assert_eq!(wanted("a", ""), reg("a", Some("*")));
        assert_eq!(wanted("a", "next"), reg("a", None));
        assert_eq!(wanted("a", "npm:@s/b@^2"), reg("@s/b", Some("^2")));
        assert_eq!(wanted("a", "npm:b"), reg("b", Some("*")));
        assert_eq!(wanted("a", "file:../x"), Wanted::Local("../x".into()));
        assert_eq!(wanted("a", "github:o/r#abc"), Wanted::Other);
        assert_eq!(wanted("a", "o/r"), Wanted::Other);
        assert_eq!(wanted("a", "https://x.test/a.tgz"), Wanted::Other);
        assert_eq!(wanted("a", "workspace:*"), Wanted::Workspace);
        assert_eq!(wanted("a", "workspace:^1.0.0"), Wanted::Workspace);
    }

    #[test]
    fn ranges_follow_node_semver() {
        assert!(range_allows(Some("^1.2.0"), "1.9.0"));
        assert!(!range_allows(Some("^1.2.0"), "2.0.0"));
        assert!(range_allows(Some("*"), "0.0.1-beta.1"));
        assert!(range_allows(None, "9.9.9"));
        assert_eq!(normalize_path("packages/./a/../b"), "packages/b");
        assert_eq!(normalize_path("../lib"), "../lib");
    }
}
