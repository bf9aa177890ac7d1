//! A 5,000-entry lockfile (the size of a large enterprise tree) parses quickly.

use std::fmt::Write;
use std::path::Path;
use std::time::Instant;

use sigverify_lockfile::parse_lockfile;

const INTEGRITY: &str = "sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==";

/// A v3 lockfile shaped like npm's: half top-level, half nested, every tenth scoped,
/// with the fields npm writes that this crate skips (license, engines, dependencies, bin).
fn big_lockfile(entries: usize) -> String {
    let mut out = String::from(
        r#"{"name":"big","lockfileVersion":3,"requires":true,"packages":{"":{"name":"big"}"#,
    );
    for i in 0..entries {
        let name = if i % 10 == 0 {
            format!("@scope{i}/pkg-{i}")
        } else {
            format!("pkg-{i}")
        };
        let unscoped = name.rsplit('/').next().unwrap();
        let location = match i % 2 {
            0 => format!("node_modules/{name}"),
            _ => format!("node_modules/parent-{}/node_modules/{name}", i / 2),
        };
        write!(
            out,
            r#","{location}":{{"version":"1.{i}.0","resolved":"https://registry.npmjs.org/{name}/-/{unscoped}-1.{i}.0.tgz","integrity":"{INTEGRITY}","dev":{},"license":"MIT","dependencies":{{"a":"^1.0.0","b":"^2.0.0"}},"engines":{{"node":">=18"}},"bin":{{"x":"bin/x.js"}}}}"#,
            i % 3 == 0
        )
        .unwrap();
    }
    out.push_str("}}");
    out
}

#[test]
fn five_thousand_entries_parse_fast() {
    let text = big_lockfile(5000);
    let path = Path::new("/big/package-lock.json");
    let _warm = parse_lockfile(path, &text).unwrap();
    // SCALE_RUNS=200 makes a longer loop for profiling.
    let runs: u32 = std::env::var("SCALE_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let start = Instant::now();
    for _ in 0..runs {
        let tree = parse_lockfile(path, &text).unwrap();
        assert_eq!(tree.packages.len(), 5000);
        assert!(tree.packages.iter().all(|p| p.resolved_registry.is_some()));
    }
    let per_run = start.elapsed() / runs;
    eprintln!(
        "5000 entries ({} KiB): {per_run:?} per parse",
        text.len() / 1024
    );
}
