//! Added files that change what Node loads.
//!
//! A file that is not in the signed tarball is harmless only while nothing loads it. These
//! added files are loaded instead of, or beside, the signed code, so they fail even in a
//! package whose install scripts may legitimately create files:
//! 1. **native addons** (`*.node`): `require` runs them as machine code;
//! 2. **files that shadow a tarball file** under CommonJS resolution (`LOAD_AS_FILE` tries
//!    `X`, `X.js`, `X.json`, `X.node` in that order, before `LOAD_AS_DIRECTORY`'s `X/index.*`):
//!    an added `lib/a` beside `lib/a.js`, an added `lib/a.js` beside `lib/a.json` or any folder
//!    `lib/a/` (its `index.*` or its `package.json` `main`);
//! 3. **entry points** the signed manifest names (`main`, `bin`, every `exports` target, and the
//!    implicit `index`): an added file that is a resolution candidate of one, ahead of (or
//!    instead of) the tarball's own; and any added file under `directories.bin` when there is no
//!    `bin` (npm links each one as a command);
//! 4. **manifests**: an added `package.json` anywhere (`LOAD_AS_DIRECTORY` reads its `main`
//!    before `index.js`, and `exports` of nested packages), and an added `binding.gyp` at the top
//!    (npm then runs `node-gyp rebuild` as an install script on the next rebuild).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::tarball::TarManifest;

/// The suffixes `LOAD_AS_FILE` tries, in order.
const FILE_SUFFIXES: [&str; 4] = ["", ".js", ".json", ".node"];
/// The index files `LOAD_AS_DIRECTORY` tries, in order.
const INDEX_FILES: [&str; 3] = ["index.js", "index.json", "index.node"];

/// The added files (from a content comparison) that change what Node loads, sorted.
pub fn loadable_additions(added: &[String], manifest: &TarManifest) -> Vec<String> {
    let package_json = manifest.package_json().unwrap_or_default();
    let entries = entry_points(package_json);
    // With `directories.bin` (and no `bin`), npm links every file of that folder as a command:
    // added ones too, at the next install or rebuild.
    let commands = crate::bins::bin_targets(package_json, added.iter().map(String::as_str));
    let mut loadable: BTreeSet<String> = BTreeSet::new();
    for path in added {
        let command = commands.contains(path);
        if command || path.ends_with(".node") || is_manifest(path) || shadows(path, manifest) {
            loadable.insert(path.clone());
        }
    }
    for entry in &entries {
        if let Some(first) = first_added_candidate(entry, added, manifest) {
            loadable.insert(first);
        }
    }
    loadable.into_iter().collect()
}

/// A `package.json` at any depth, or the top-level `binding.gyp`.
fn is_manifest(path: &str) -> bool {
    path == "binding.gyp" || path == "package.json" || path.ends_with("/package.json")
}

/// True when `path` would be loaded instead of a tarball file by `require` of its stem.
fn shadows(path: &str, manifest: &TarManifest) -> bool {
    let position = |p: &str| {
        FILE_SUFFIXES
            .iter()
            .position(|s| p.ends_with(s) && !s.is_empty())
    };
    // The stem `require` would be called with, and where `path` stands in the try order.
    let (stem, rank) = match position(path) {
        Some(i) => (&path[..path.len() - FILE_SUFFIXES[i].len()], i),
        None => (path, 0),
    };
    let later_files = FILE_SUFFIXES[rank + 1..]
        .iter()
        .any(|s| manifest.get(&format!("{stem}{s}")).is_some());
    // `LOAD_AS_FILE` comes before `LOAD_AS_DIRECTORY`: any folder of the tarball is shadowed,
    // whether it resolves through an `index.*` or its own `package.json` `main`.
    let folder = format!("{stem}/");
    let directory = manifest
        .files()
        .range(folder.clone()..)
        .next()
        .is_some_and(|(p, _)| p.starts_with(&folder));
    later_files || directory
}

/// The first resolution candidate of `entry` that is on disk, when that one was added.
fn first_added_candidate(entry: &str, added: &[String], manifest: &TarManifest) -> Option<String> {
    let is_added = |p: &String| added.contains(p);
    for candidate in candidates(entry) {
        if manifest.get(&candidate).is_some() {
            return None;
        }
        if is_added(&candidate) {
            return Some(candidate);
        }
    }
    None
}

/// `entry`, `entry.js`, `entry.json`, `entry.node`, then `entry/index.*`.
fn candidates(entry: &str) -> Vec<String> {
    let files = FILE_SUFFIXES.iter().map(|s| format!("{entry}{s}"));
    let indexes = INDEX_FILES.iter().map(|i| match entry {
        "" => (*i).to_string(),
        _ => format!("{entry}/{i}"),
    });
    files.chain(indexes).filter(|c| !c.is_empty()).collect()
}

/// The entry points a `package.json` names, normalised to paths relative to the package:
/// `main`, the implicit `index` (Node falls back to it when `main` is absent or names no file,
/// which a tarball's `main` may do before an install script builds it), every `bin` target and
/// every `exports` and `imports` target string.
pub fn entry_points(package_json: &[u8]) -> BTreeSet<String> {
    let Ok(Value::Object(pkg)) = serde_json::from_slice::<Value>(package_json) else {
        return BTreeSet::from([String::new()]);
    };
    let mut entries = BTreeSet::from([String::new()]);
    if let Some(main) = pkg.get("main").and_then(Value::as_str) {
        entries.extend(normalise(main));
    }
    match pkg.get("bin") {
        Some(Value::String(bin)) => entries.extend(normalise(bin)),
        Some(Value::Object(bins)) => entries.extend(
            bins.values()
                .filter_map(Value::as_str)
                .filter_map(normalise),
        ),
        _ => {}
    }
    for field in ["exports", "imports"] {
        if let Some(targets) = pkg.get(field) {
            collect_targets(targets, &mut entries, 0);
        }
    }
    entries
}

/// Every string leaf of an `exports` value (conditions, subpaths, arrays); patterns with `*`
/// name no single file and are left out.
fn collect_targets(value: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    match value {
        Value::String(target) if !target.contains('*') => out.extend(normalise(target)),
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_targets(v, out, depth + 1)),
        Value::Object(map) => map
            .values()
            .for_each(|v| collect_targets(v, out, depth + 1)),
        _ => {}
    }
}

/// `./lib/a.js` -> `lib/a.js`; `.` and `./` -> `` (the package folder); paths leaving the
/// package are dropped.
fn normalise(target: &str) -> Option<String> {
    let mut parts = Vec::new();
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tarball::{EntryContent, ManifestEntry};
    use crate::FileDigest;

    fn manifest(files: &[&str], package_json: &str) -> TarManifest {
        let entry = ManifestEntry {
            size: 1,
            content: EntryContent::Digest(FileDigest::of(b"x")),
            fixed_bin: None,
        };
        let mut m = TarManifest::default();
        for f in files {
            m.files.insert((*f).to_string(), entry.clone());
        }
        m.package_json = Some(package_json.as_bytes().to_vec());
        m
    }

    fn loadable(files: &[&str], json: &str, added: &[&str]) -> Vec<String> {
        let added: Vec<String> = added.iter().map(|s| s.to_string()).collect();
        loadable_additions(&added, &manifest(files, json))
    }

    #[test]
    fn shadowing_follows_node_resolution_order() {
        let files = ["package.json", "lib/a.js", "lib/b.json", "lib/c/index.js"];
        assert_eq!(loadable(&files, "{}", &["lib/a"]), ["lib/a"]);
        assert_eq!(loadable(&files, "{}", &["lib/b.js"]), ["lib/b.js"]);
        assert_eq!(loadable(&files, "{}", &["lib/c.js"]), ["lib/c.js"]);
        assert_eq!(loadable(&files, "{}", &["lib/c"]), ["lib/c"]);
        // A folder without index.*, resolved through its own package.json main.
        let files = ["package.json", "lib/d/package.json", "lib/d/main.js"];
        assert_eq!(loadable(&files, "{}", &["lib/d.js"]), ["lib/d.js"]);
        assert!(loadable(&files, "{}", &["lib/de.js", "lib/d.txt"]).is_empty());
        let files = ["package.json", "lib/a.js", "lib/b.json", "lib/c/index.js"];
        // Loaded after the tarball's own file: harmless.
        assert!(loadable(&files, "{}", &["lib/a.json", "lib/a/index.js", "notes.txt"]).is_empty());
    }

    #[test]
    fn addons_and_entry_points_are_loadable() {
        let files = ["package.json", "index.js"];
        assert_eq!(
            loadable(&files, "{}", &["build/Release/x.node"]),
            ["build/Release/x.node"]
        );
        let json = r#"{"main":"./dist/main","bin":{"x":"bin/x.js"},"exports":{".":{"import":"./esm/i.mjs","require":"./dist/main.js"},"./sub":"./sub.js","./*":"./p/*.js"}}"#;
        let added = ["dist/main.js", "bin/x.js", "esm/i.mjs", "sub.js", "p/q.js"];
        assert_eq!(
            loadable(&["package.json"], json, &added),
            ["bin/x.js", "dist/main.js", "esm/i.mjs", "sub.js"]
        );
        // Node falls back to index.* when `main` names no file; `imports` targets load too.
        let json = r##"{"main":"dist/index.js","imports":{"#impl":{"node":"./impl-node.js","default":"./impl.js"}}}"##;
        assert_eq!(
            loadable(
                &["package.json", "impl.js"],
                json,
                &["index.js", "impl-node.js"]
            ),
            ["impl-node.js", "index.js"]
        );
        // A manifest that redirects a folder, and a build file npm would run.
        assert_eq!(
            loadable(
                &files,
                "{}",
                &["lib/b/package.json", "binding.gyp", "docs/binding.gyp"]
            ),
            ["binding.gyp", "lib/b/package.json"]
        );
        // Without `bin`, every file under `directories.bin` is a command npm links.
        let json = r#"{"directories":{"bin":"./bin"}}"#;
        assert_eq!(
            loadable(
                &["package.json", "bin/run"],
                json,
                &["bin/tsc", "lib/x.txt"]
            ),
            ["bin/tsc"]
        );
        // No `main`: Node loads index.js; an added one before a tarball index.json shadows it.
        assert_eq!(
            loadable(&["package.json", "index.json"], "{}", &["index.js"]),
            ["index.js"]
        );
    }
}
