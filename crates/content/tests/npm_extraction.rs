//! The manifest must describe exactly what a real `npm install` writes, including for
//! tarballs built to confuse extractors; and real published tarballs must compare clean.

mod common;

use common::{npm_install, Tgz};
use sigverify_content::{compare_package_dir, read_tarball, CompareOptions, SkipReason};
use std::fs;

/// A bin with a CRLF shebang line and invalid UTF-8 later on: npm's fix-bin rewrites both.
const TOOL: &[u8] = b"#!/bin/sh\r\necho \xff\xfe caf\xc3\r\n";

fn odd_tarball() -> Vec<u8> {
    Tgz::new()
        .file(
            "package/package.json",
            br#"{"name":"odd-pkg","version":"1.0.0","directories":{"bin":"./bin"}}"#,
        )
        .file("package/index.js", b"module.exports = 1\n")
        .file("package/../escape.js", b"outside")
        .symlink("package/link.js", "index.js")
        .hardlink("package/hard.js", "package/index.js")
        .file("./package/dotted.js", b"dotted")
        .file("other/lib/a.js", b"other top folder")
        .file("package/dup.js", b"first")
        .file("package/dup.js", b"second")
        .file("package/.gitignore", b"node_modules\n")
        .file("README", b"at the root")
        .file("package//abs.js", b"absolute")
        .file("package/bin/tool", TOOL)
        .file("package/bin/.hidden", b"#!/bin/sh\r\n")
        .gz()
}

#[test]
fn manifest_equals_what_npm_extracts_from_an_odd_tarball() {
    let installed = npm_install("odd-pkg", odd_tarball());
    let manifest = read_tarball(&installed.tgz).unwrap();
    let files: Vec<&str> = manifest.files().keys().map(String::as_str).collect();
    let expected = [
        ".npmignore",
        "abs.js",
        "bin/.hidden",
        "bin/tool",
        "dup.js",
        "index.js",
        "lib/a.js",
        "package.json",
        "package/dotted.js",
    ];
    assert_eq!(files, expected);
    let d = compare_package_dir(&installed.pkg_dir, &manifest, &CompareOptions::default()).unwrap();
    assert!(d.is_clean(), "{d:?}");
    assert_eq!(d.checked_files, expected.len());

    // What makes this test able to fail: npm really did these things.
    let modules = installed.pkg_dir.parent().unwrap();
    assert!(!modules.join("escape.js").exists() && !installed.path("link.js").exists());
    assert_eq!(fs::read(installed.path("dup.js")).unwrap(), b"second");
    let tool = fs::read(installed.path("bin/tool")).unwrap();
    assert_eq!(
        tool,
        "#!/bin/sh\necho \u{fffd}\u{fffd} caf\u{fffd}\r\n".as_bytes()
    );
    assert_eq!(
        fs::read(installed.path("bin/.hidden")).unwrap(),
        b"#!/bin/sh\r\n"
    );
    let reasons: Vec<SkipReason> = manifest.skipped().iter().map(|s| s.reason).collect();
    assert!(reasons.contains(&SkipReason::SymbolicLink) && reasons.contains(&SkipReason::HardLink));
}

#[test]
fn real_published_tarballs_install_and_compare_clean() {
    let dir = common::corpus_dir().join("attestations/slsa-verifier/cli-npm-gha");
    for (file, name) in [
        ("gundam-visor-cli-v1-tag.tgz", "gundam-visor"),
        (
            "supreme-googles-cli-v02-tag.tgz",
            "@trishankatdatadog/supreme-goggles",
        ),
    ] {
        let installed = npm_install(name, fs::read(dir.join(file)).unwrap());
        let manifest = read_tarball(&installed.tgz).unwrap();
        let d =
            compare_package_dir(&installed.pkg_dir, &manifest, &CompareOptions::default()).unwrap();
        assert!(d.is_clean(), "{file}: {d:?}");
        assert_eq!(d.checked_files, manifest.len());
        // One appended line anywhere is found (what `npm audit signatures` misses).
        let index = installed.path("index.js");
        let mut bytes = fs::read(&index).unwrap();
        bytes.extend_from_slice(b"\n// injected\n");
        fs::write(&index, bytes).unwrap();
        let d =
            compare_package_dir(&installed.pkg_dir, &manifest, &CompareOptions::default()).unwrap();
        assert_eq!(d.modified, ["index.js"], "{file}");
    }
}
