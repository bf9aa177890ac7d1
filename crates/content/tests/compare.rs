//! Comparing folders that a real `npm install ./pkg.tgz` produced with their tarball.

mod common;

use common::{npm_install, package_tgz, Installed};
use sigverify_content::{compare_package_dir, read_tarball, CompareOptions, ContentDiff};
use std::fs;

const PKG_JSON: &[u8] = br#"{"name":"demo-pkg","version":"1.0.0","bin":{"demo":"bin/cli.js"}}"#;
const CRLF_BIN: &[u8] = b"#!/usr/bin/env node\r\nconsole.log('hi')\r\n";

fn install_demo() -> Installed {
    npm_install(
        "demo-pkg",
        package_tgz(&[
            ("package.json", PKG_JSON),
            ("index.js", b"module.exports = 1\n"),
            ("lib/util.js", b"exports.x = 2\n"),
            ("bin/cli.js", CRLF_BIN),
            ("tools/crlf.js", CRLF_BIN), // same bytes, but not a bin
        ]),
    )
}

fn diff(installed: &Installed) -> ContentDiff {
    diff_with(installed, &CompareOptions::default())
}

fn diff_with(installed: &Installed, opts: &CompareOptions) -> ContentDiff {
    let manifest = read_tarball(&installed.tgz).unwrap();
    compare_package_dir(&installed.pkg_dir, &manifest, opts).unwrap()
}

#[test]
fn identical_tree_has_no_diff() {
    let installed = install_demo();
    let d = diff(&installed);
    assert!(d.is_clean(), "{d:?}");
    assert_eq!(d.checked_files, 5);
    assert_eq!(d.code(), None);
}

#[test]
fn npm_fixed_crlf_shebang_of_a_bin_is_not_reported() {
    let installed = install_demo();
    // The test is only meaningful if npm really rewrote the bin: check it did.
    let on_disk = fs::read(installed.path("bin/cli.js")).unwrap();
    assert_eq!(on_disk, b"#!/usr/bin/env node\nconsole.log('hi')\r\n");
    assert_eq!(fs::read(installed.path("tools/crlf.js")).unwrap(), CRLF_BIN);
    assert!(diff(&installed).is_clean());
}

#[test]
fn bin_with_the_tarball_bytes_is_accepted_too() {
    // `--no-bin-links` installs leave bins untouched; simulate by restoring the tarball bytes.
    let installed = install_demo();
    fs::write(installed.path("bin/cli.js"), CRLF_BIN).unwrap();
    assert!(diff(&installed).is_clean());
}

#[test]
fn bin_edited_otherwise_is_modified() {
    let installed = install_demo();
    fs::write(
        installed.path("bin/cli.js"),
        b"#!/usr/bin/env node\nconsole.log('pwned')\r\n",
    )
    .unwrap();
    let d = diff(&installed);
    assert_eq!(d.modified, ["bin/cli.js"]);
    assert_eq!(d.code(), Some("ECONTENTMODIFIED"));
}

#[test]
fn shebang_fix_on_a_file_that_is_not_a_bin_is_modified() {
    let installed = install_demo();
    fs::write(
        installed.path("tools/crlf.js"),
        b"#!/usr/bin/env node\nconsole.log('hi')\r\n",
    )
    .unwrap();
    assert_eq!(diff(&installed).modified, ["tools/crlf.js"]);
}

#[test]
fn extra_bins_from_the_lockfile_are_honoured() {
    let installed = install_demo();
    fs::write(
        installed.path("tools/crlf.js"),
        b"#!/usr/bin/env node\nconsole.log('hi')\r\n",
    )
    .unwrap();
    let opts = CompareOptions {
        extra_bins: vec!["./tools/crlf.js".into()],
        ..Default::default()
    };
    assert!(diff_with(&installed, &opts).is_clean());
}

#[test]
fn edited_file_is_modified_with_its_name() {
    let installed = install_demo();
    let path = installed.path("lib/util.js");
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(b"require('child_process').exec('curl evil')\n");
    fs::write(&path, bytes).unwrap();
    let d = diff(&installed);
    assert_eq!(
        (d.modified.as_slice(), d.added.len(), d.removed.len()),
        (&["lib/util.js".to_owned()][..], 0, 0)
    );
}

#[test]
fn same_size_edit_is_caught_by_the_digest() {
    let installed = install_demo();
    fs::write(installed.path("index.js"), b"module.exports = 2\n").unwrap();
    assert_eq!(diff(&installed).modified, ["index.js"]);
}

#[test]
fn added_file_is_added() {
    let installed = install_demo();
    fs::write(installed.path("lib/backdoor.js"), b"evil").unwrap();
    let d = diff(&installed);
    assert_eq!(d.added, ["lib/backdoor.js"]);
    assert!(d.modified.is_empty() && d.removed.is_empty());
    assert_eq!(d.code(), Some("ECONTENTADDED"));
}

#[test]
fn deleted_file_is_removed() {
    let installed = install_demo();
    fs::remove_file(installed.path("lib/util.js")).unwrap();
    let d = diff(&installed);
    assert_eq!(d.removed, ["lib/util.js"]);
    assert!(d.modified.is_empty() && d.added.is_empty());
}

#[test]
fn nested_node_modules_is_ignored_but_deeper_ones_are_not() {
    let installed = install_demo();
    let nested = installed.path("node_modules/dep");
    fs::create_dir_all(&nested).unwrap();
    fs::write(nested.join("index.js"), b"other package").unwrap();
    assert!(diff(&installed).is_clean());
    // Unless asked otherwise.
    let strict = CompareOptions {
        ignore_nested_node_modules: false,
        ..Default::default()
    };
    assert_eq!(
        diff_with(&installed, &strict).added,
        ["node_modules/dep/index.js"]
    );
    // A node_modules folder below the package root is package content.
    fs::create_dir_all(installed.path("lib/node_modules")).unwrap();
    fs::write(installed.path("lib/node_modules/x.js"), b"x").unwrap();
    assert_eq!(diff(&installed).added, ["lib/node_modules/x.js"]);
}

#[test]
#[cfg(unix)]
fn modes_are_not_compared() {
    use std::os::unix::fs::PermissionsExt;
    let installed = install_demo();
    fs::set_permissions(
        installed.path("index.js"),
        fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    assert!(diff(&installed).is_clean());
}

#[test]
#[cfg(unix)]
fn symlinks_are_reported_not_followed() {
    let installed = install_demo();
    let target = installed.tmp.path().join("elsewhere.js");
    fs::write(&target, b"module.exports = 1\n").unwrap(); // same bytes as index.js
    fs::remove_file(installed.path("index.js")).unwrap();
    std::os::unix::fs::symlink(&target, installed.path("index.js")).unwrap();
    std::os::unix::fs::symlink(&target, installed.path("extra.js")).unwrap();
    let d = diff(&installed);
    assert_eq!(
        (d.modified.as_slice(), d.added.as_slice()),
        (&["index.js".to_owned()][..], &["extra.js".to_owned()][..])
    );
    // Following them, the link to identical bytes passes and the extra file is still added.
    let follow = CompareOptions {
        follow_symlinks: true,
        ..Default::default()
    };
    let d = diff_with(&installed, &follow);
    assert_eq!(
        (d.modified.len(), d.added.as_slice()),
        (0, &["extra.js".to_owned()][..])
    );
}

#[test]
fn folder_where_the_tarball_has_a_file_is_modified() {
    let installed = install_demo();
    fs::remove_file(installed.path("index.js")).unwrap();
    fs::create_dir(installed.path("index.js")).unwrap();
    assert_eq!(diff(&installed).modified, ["index.js"]);
}

#[test]
fn install_script_output_is_reported_as_added() {
    let pkg = br#"{"name":"gyp-like","version":"1.0.0","scripts":{"install":"node -e \"require('fs').mkdirSync('build/Release',{recursive:true});require('fs').writeFileSync('build/Release/addon.node','bin')\""}}"#;
    let installed = npm_install("gyp-like", package_tgz(&[("package.json", pkg)]));
    let d = diff(&installed);
    assert_eq!(d.added, ["build/Release/addon.node"], "{d:?}");
    assert!(d.modified.is_empty() && d.removed.is_empty());
}

#[test]
fn missing_package_folder_is_a_typed_error() {
    let manifest = read_tarball(&package_tgz(&[("a.js", b"1")])).unwrap();
    let err = compare_package_dir(
        "/nonexistent/pkg".as_ref(),
        &manifest,
        &CompareOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ECONTENTNOTDIR");
}

#[test]
#[cfg(unix)]
fn the_walk_takes_the_same_snapshot_as_folder_snapshot() {
    let installed = install_demo();
    let with_snapshot = CompareOptions {
        snapshot: true,
        ..Default::default()
    };
    // A link, a nested folder, the package's own node_modules (left out of both), an edit.
    std::os::unix::fs::symlink("index.js", installed.path("link.js")).unwrap();
    fs::create_dir_all(installed.path("node_modules/dep")).unwrap();
    fs::write(installed.path("node_modules/dep/x.js"), b"x").unwrap();
    fs::write(installed.path("lib/util.js"), b"exports.x = 3\n").unwrap();
    let d = diff_with(&installed, &with_snapshot);
    let expected = sigverify_content::folder_snapshot(&installed.pkg_dir).unwrap();
    assert_eq!(
        d.snapshot.as_ref().map(|s| s.digest.as_str()),
        Some(expected.as_str())
    );
    let plain = diff(&installed);
    assert_eq!(plain.snapshot, None, "not asked");
    assert_eq!(
        ContentDiff {
            snapshot: None,
            ..d
        },
        plain,
        "the same comparison"
    );
    // Following links, the walk does not see what a snapshot covers.
    let follow = CompareOptions {
        follow_symlinks: true,
        snapshot: true,
        ..Default::default()
    };
    assert_eq!(diff_with(&installed, &follow).snapshot, None);
}

#[test]
#[cfg(unix)]
fn a_walk_snapshot_is_settled_once_the_folder_changed_before_the_walk_started() {
    let installed = install_demo();
    let with_snapshot = CompareOptions {
        snapshot: true,
        ..Default::default()
    };
    fs::write(installed.path("lib/util.js"), b"exports.x = 3\n").unwrap();
    // Change times are stamped from a clock that moves in ticks of at most 10 ms: after a
    // pause, the last write is older than any walk that starts.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let d = diff_with(&installed, &with_snapshot);
    let snapshot = d.snapshot.expect("asked for");
    assert!(snapshot.settled, "every change time is older than the walk");
    assert_eq!(
        snapshot.digest,
        sigverify_content::folder_snapshot(&installed.pkg_dir).unwrap()
    );
}

/// The tarball's bytes unpacked (a plain tar, which the reader streams and hashes).
fn plain_tar(tgz: &[u8]) -> Vec<u8> {
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(tgz), &mut tar).unwrap();
    tar
}

#[test]
fn a_tarball_kept_whole_and_a_streamed_one_compare_the_same() {
    use sigverify_content::EntryContent;
    let installed = install_demo();
    let whole = read_tarball(&installed.tgz).unwrap();
    let streamed = read_tarball(&plain_tar(&installed.tgz)).unwrap();
    // Each takes its own way: bytes kept, or digests of the bytes.
    let kinds = |m: &sigverify_content::TarManifest| {
        m.files()
            .values()
            .map(|e| matches!(e.content, EntryContent::At(_)))
            .collect::<Vec<_>>()
    };
    assert!(kinds(&whole).iter().all(|&at| at));
    assert!(kinds(&streamed).iter().all(|&at| !at));
    for path in whole.files().keys() {
        assert_eq!(whole.digest(path), streamed.digest(path), "{path}");
    }
    let both = |why: &str| {
        let opts = CompareOptions::default();
        let a = compare_package_dir(&installed.pkg_dir, &whole, &opts).unwrap();
        let b = compare_package_dir(&installed.pkg_dir, &streamed, &opts).unwrap();
        assert_eq!(a, b, "{why}");
        a
    };
    assert!(both("installed by npm").is_clean());
    // One change at a time; each is found both ways.
    let edits: &[(&str, &[u8])] = &[
        ("lib/util.js", b"exports.x = 3\n"),     // same size, one byte
        ("index.js", b"module.exports = 1\n\n"), // one byte longer
        ("index.js", b"module.exports = 1"),     // one byte shorter
        ("bin/cli.js", CRLF_BIN),                // the bin's tarball form: accepted
        ("bin/cli.js", b"#!/usr/bin/env node\nconsole.log('ho')\r\n"),
        (
            "tools/crlf.js",
            b"#!/usr/bin/env node\nconsole.log('hi')\r\n",
        ),
    ];
    for (path, bytes) in edits {
        let original = fs::read(installed.path(path)).unwrap();
        fs::write(installed.path(path), bytes).unwrap();
        let d = both(path);
        let accepted = *path == "bin/cli.js" && *bytes == CRLF_BIN;
        assert_eq!(d.modified.is_empty(), accepted, "{path}: {d:?}");
        fs::write(installed.path(path), original).unwrap();
    }
    assert!(both("put back").is_clean());
}
