//! Which files of a package npm treats as bins (and may rewrite with fix-bin).
//!
//! npm links bins from the package's normalised manifest:
//! - `@npmcli/package-json` (`lib/normalize.js`, step `binDir`): when `bin` is absent and
//!   `directories.bin` is set, every file under that folder (glob `**`, no dot segments)
//!   becomes a bin;
//! - `npm-normalize-package-bin`: a string `bin` is `{ [name]: bin }` (only with a `name`),
//!   an array maps basenames to entries, and each target is cleaned with
//!   `join('/', target.replace(/\\/g, '/')).slice(1)` (so `./x`, `/x` and `../x` are `x`).
//!
//! npm reads `bin` from the registry manifest, which npm publish derived from this same
//! `package.json`; callers that have the lockfile's `bin` can add it through
//! [`CompareOptions::extra_bins`](crate::CompareOptions::extra_bins).

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Bin target paths (relative to the package folder) named by a `package.json`, given the
/// paths of the files the tarball extracts (`directories.bin` expands over them).
pub(crate) fn bin_targets<'p>(
    package_json: &[u8],
    files: impl IntoIterator<Item = &'p str>,
) -> BTreeSet<String> {
    let Ok(Value::Object(pkg)) = serde_json::from_slice::<Value>(package_json) else {
        // npm cannot install a package whose package.json does not parse; no bins means any
        // rewritten bin is reported, which fails closed.
        return BTreeSet::new();
    };
    match pkg.get("bin") {
        Some(bin) if is_truthy(bin) => from_bin_field(bin, &pkg),
        _ => from_bin_dir(&pkg, files),
    }
}

/// Normalises one bin target as `npm-normalize-package-bin` does; `None` when it is empty.
pub fn normalize_bin_target(target: &str) -> Option<String> {
    let cleaned = normalize_rooted(&target.replace('\\', "/"));
    (!cleaned.is_empty()).then_some(cleaned)
}

fn from_bin_field(bin: &Value, pkg: &Map<String, Value>) -> BTreeSet<String> {
    let name = pkg.get("name").and_then(Value::as_str);
    bin_map(bin, name).into_values().collect()
}

/// The commands a manifest's (or a lockfile entry's) `bin` field links, as
/// `npm-normalize-package-bin` makes them: command name -> target file relative to the package
/// folder. A string `bin` is linked under `name` (unscoped); names and targets that normalise
/// to nothing are dropped, as npm drops them. Empty when `bin` is falsy.
pub fn bin_map(bin: &Value, name: Option<&str>) -> BTreeMap<String, String> {
    let pairs: Vec<(&str, &Value)> = match bin {
        Value::String(s) if !s.is_empty() => match name {
            Some(name) if !name.is_empty() => vec![(name, bin)],
            _ => Vec::new(),
        },
        Value::Array(items) => items
            .iter()
            .filter_map(|item| Some((basename(item.as_str()?), item)))
            .collect(),
        Value::Object(map) => map.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        _ => Vec::new(),
    };
    pairs
        .into_iter()
        .filter_map(|(key, target)| {
            // join('/', basename(key.replace(/\\|:/g, '/'))).slice(1)
            let unixified = key.replace(['\\', ':'], "/");
            let command = normalize_rooted(basename(&unixified));
            let target = normalize_bin_target(target.as_str()?)?;
            (!command.is_empty()).then_some((command, target))
        })
        .collect()
}

/// `directories.bin` expansion over the files the tarball puts in that folder.
fn from_bin_dir<'p>(
    pkg: &Map<String, Value>,
    files: impl IntoIterator<Item = &'p str>,
) -> BTreeSet<String> {
    let dir = pkg
        .get("directories")
        .and_then(|d| d.get("bin"))
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty());
    let Some(dir) = dir else {
        return BTreeSet::new();
    };
    // secureAndUnixifyPath: `\` and `:` become `/`, then the path is rooted and normalised.
    let dir = normalize_rooted(&dir.replace(['\\', ':'], "/"));
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    files
        .into_iter()
        .filter_map(|path| path.strip_prefix(&prefix))
        // glob `**` without `dot: true` skips any path with a segment starting with `.`.
        .filter(|rel| !rel.split('/').any(|seg| seg.starts_with('.')))
        .map(|rel| format!("{prefix}{rel}"))
        .collect()
}

/// `path.posix.join('/', p).slice(1)`: `.`/empty segments dropped, `..` cannot leave the root.
fn normalize_rooted(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// JavaScript truthiness, for `if (pkg.bin)`.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bins(json: &str, paths: &[&str]) -> Vec<String> {
        bin_targets(json.as_bytes(), paths.iter().copied())
            .into_iter()
            .collect()
    }

    #[test]
    fn reads_every_bin_form() {
        assert_eq!(bins(r#"{"name":"a","bin":"./cli.js"}"#, &[]), ["cli.js"]);
        assert_eq!(bins(r#"{"bin":"./cli.js"}"#, &[]), Vec::<String>::new());
        assert_eq!(bins(r#"{"bin":["bin/x","./y"]}"#, &[]), ["bin/x", "y"]);
        assert_eq!(
            bins(
                r#"{"bin":{"a":"../../a.js","b":"bin\\b.js","c":3,"":"z"}}"#,
                &[]
            ),
            ["a.js", "bin/b.js"]
        );
    }

    #[test]
    fn bin_maps_name_commands_as_npm_links_them() {
        let map = |json: &str, name: Option<&str>| {
            let bin: Value = serde_json::from_str(json).unwrap();
            bin_map(&bin, name).into_iter().collect::<Vec<_>>()
        };
        let pair = |c: &str, t: &str| (c.to_string(), t.to_string());
        // A string bin is linked under the package's unscoped name.
        assert_eq!(
            map(r#""./cli.js""#, Some("@s/tool")),
            [pair("tool", "cli.js")]
        );
        assert_eq!(map(r#""./cli.js""#, None), []);
        assert_eq!(
            map(r#"["bin/x", "./y"]"#, None),
            [pair("x", "bin/x"), pair("y", "y")]
        );
        // Names are the basename of the key; targets cannot leave the package.
        assert_eq!(
            map(
                r#"{"a/b": "../../b.js", "c:d": "d", "..": "x", "e": 3}"#,
                None
            ),
            [pair("b", "b.js"), pair("d", "d")]
        );
        assert_eq!(map("false", Some("a")), []);
    }

    #[test]
    fn expands_directories_bin_without_dot_files() {
        let paths = ["bin/a", "bin/sub/b", "bin/.hidden", "lib/c"];
        assert_eq!(
            bins(r#"{"directories":{"bin":"./bin"}}"#, &paths),
            ["bin/a", "bin/sub/b"]
        );
        // An explicit `bin` wins over `directories.bin`.
        assert_eq!(
            bins(
                r#"{"bin":{"x":"lib/c"},"directories":{"bin":"bin"}}"#,
                &paths
            ),
            ["lib/c"]
        );
    }
}
