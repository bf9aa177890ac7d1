//! Hostile lockfiles found by fuzzing (`fuzz/`): each must end in a result or a typed error
//! promptly, never in a crash, a hang or unbounded memory.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use sigverify_lockfile::{parse_lockfile, Source, Tree};

/// Parses on another thread and fails (instead of hanging the test run) after `limit`.
fn parse_within(text: String, limit: Duration) -> Tree {
    let (send, recv) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(parse_lockfile(Path::new("/p/package-lock.json"), &text));
    });
    let result = recv
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("parse_lockfile took longer than {limit:?}"));
    result.expect("the lockfile is valid")
}

/// `**/a/**/a/…/**/b` against a folder `a/a/…/a`: matching backtracked over every way to split
/// the path between the `**`s (C(60, 14) tries for a 300-byte lockfile).
#[test]
fn workspace_globs_with_many_double_stars_match_in_polynomial_time() {
    let glob = format!("{}**/b", "**/a/".repeat(14));
    let folder = vec!["a"; 60].join("/");
    let text = format!(
        r#"{{"lockfileVersion":3,"packages":{{"":{{"workspaces":["{glob}"]}},"{folder}":{{"version":"1.0.0"}}}}}}"#
    );
    let tree = parse_within(text, Duration::from_secs(10));
    let expected = Source::Directory {
        path: folder.clone(),
    };
    assert_eq!(tree.packages[0].source, expected);
    // The same glob still matches when the path fits it.
    let matching = format!("{folder}/b");
    let text = format!(
        r#"{{"lockfileVersion":3,"packages":{{"":{{"workspaces":["{glob}"]}},"{matching}":{{"version":"1.0.0"}}}}}}"#
    );
    let tree = parse_within(text, Duration::from_secs(10));
    let expected = Source::Workspace { path: matching };
    assert_eq!(tree.packages[0].source, expected);
}

/// `*aaaa…ab` against a folder `aaaa…a`: the one-star matcher retried the pattern at every
/// offset, O(pattern × name): 95 s for a 150 KB lockfile. No file system has a folder name
/// over 255 bytes, so longer names (and glob segments) now never match.
#[test]
fn long_workspace_glob_segments_do_not_take_quadratic_time() {
    let glob = format!("*{}b", "a".repeat(50_000));
    let folder = "a".repeat(100_000);
    let text = format!(
        r#"{{"lockfileVersion":3,"packages":{{"":{{"workspaces":["{glob}"]}},"{folder}":{{"version":"1.0.0"}}}}}}"#
    );
    let tree = parse_within(text, Duration::from_secs(10));
    assert_eq!(tree.packages[0].source, Source::Directory { path: folder });
}
