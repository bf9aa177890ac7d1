//! Reading tarballs into manifests: npm's extraction rules and hostile archives.

mod common;

use common::{gzip, package_tgz, Tgz};
use sigverify_content::{
    read_tarball, read_tarball_with_limits, FileDigest, PathSkip, SkipReason, TarLimits,
};

fn paths(m: &sigverify_content::TarManifest) -> Vec<&str> {
    m.files().keys().map(String::as_str).collect()
}

fn skip_reasons(m: &sigverify_content::TarManifest) -> Vec<(&str, SkipReason)> {
    m.skipped()
        .iter()
        .map(|s| (s.raw_path.as_str(), s.reason))
        .collect()
}

#[test]
fn real_registry_tarball_is_read() {
    let tgz = common::corpus_dir()
        .join("attestations/slsa-verifier/cli-npm-gha/provenance-npm-test-cli-v1-prega.tgz");
    let manifest = read_tarball(&std::fs::read(tgz).unwrap()).unwrap();
    let listed = [
        "LICENSE",
        "README.md",
        "dist/config.d.ts",
        "dist/config.js",
        "dist/index.d.ts",
        "dist/index.js",
        "dist/sigstore.d.ts",
        "dist/sigstore.js",
        "package.json",
    ];
    assert_eq!(paths(&manifest), listed); // as listed by `tar tzf`
    let pkg = manifest
        .get("package.json")
        .expect("package.json at the package root");
    assert_eq!(pkg.size, 1181); // as listed by `tar tzvf`
    assert!(manifest.get("dist/index.js").is_some());
    assert!(manifest.skipped().is_empty(), "{:?}", manifest.skipped());
}

#[test]
fn sizes_and_digests_are_of_the_entry_bytes() {
    let m = read_tarball(&package_tgz(&[("a.txt", b"hello"), ("lib/b.js", b"")])).unwrap();
    assert_eq!(paths(&m), ["a.txt", "lib/b.js"]);
    let a = m.get("a.txt").unwrap();
    let digest = m.digest("a.txt").unwrap();
    assert_eq!((a.size, digest), (5, FileDigest::of(b"hello")));
    assert_eq!(
        m.bytes(a),
        Some(&b"hello"[..]),
        "inflated whole: the bytes are kept"
    );
    // The published BLAKE3 of "hello", to tie FileDigest to the standard function.
    assert_eq!(
        digest.to_hex(),
        "ea8f163db38682925e4491c5e58d4bb3506ef8c14eb78a86e908c5624a67200f"
    );
}

#[test]
fn first_folder_is_stripped_whatever_its_name() {
    let tgz = Tgz::new()
        .file("node/index.js", b"x")
        .file("other/lib/a.js", b"y")
        .gz();
    assert_eq!(
        paths(&read_tarball(&tgz).unwrap()),
        ["index.js", "lib/a.js"]
    );
}

#[test]
fn dot_slash_prefix_is_the_stripped_component() {
    // node-tar strips `.`, so `./package/x` lands in `package/x`, as npm really does.
    let tgz = Tgz::new().file("./package/index.js", b"x").gz();
    assert_eq!(paths(&read_tarball(&tgz).unwrap()), ["package/index.js"]);
}

#[test]
fn parent_dir_paths_are_skipped_not_extracted() {
    let tgz = Tgz::new()
        .file("package/ok.js", b"1")
        .file("package/../evil.js", b"2")
        .file("package/a/../../b.js", b"3")
        .gz();
    let m = read_tarball(&tgz).unwrap();
    assert_eq!(paths(&m), ["ok.js"]);
    assert_eq!(
        skip_reasons(&m),
        [
            ("package/../evil.js", SkipReason::Path(PathSkip::ParentDir)),
            (
                "package/a/../../b.js",
                SkipReason::Path(PathSkip::ParentDir)
            ),
        ]
    );
}

#[test]
fn links_and_special_files_are_skipped() {
    let tgz = Tgz::new()
        .file("package/real.js", b"1")
        .symlink("package/link.js", "real.js")
        .hardlink("package/hard.js", "package/real.js")
        .raw("package/fifo", b'6', b"", "")
        .dir("package/empty/")
        .gz();
    let m = read_tarball(&tgz).unwrap();
    assert_eq!(paths(&m), ["real.js"]);
    assert_eq!(
        skip_reasons(&m),
        [
            ("package/link.js", SkipReason::SymbolicLink),
            ("package/hard.js", SkipReason::HardLink),
            ("package/fifo", SkipReason::NotAFile(b'6')),
        ]
    );
}

#[test]
fn duplicate_entries_last_one_wins() {
    let tgz = Tgz::new()
        .file("package/a.js", b"first")
        .file("package/a.js", b"second")
        .symlink("package/a.js", "x")
        .gz();
    let m = read_tarball(&tgz).unwrap();
    assert_eq!(m.digest("a.js"), Some(FileDigest::of(b"second")));
    assert_eq!(m.len(), 1);
}

#[test]
fn gitignore_becomes_npmignore_unless_one_came_first() {
    let renamed = read_tarball(&Tgz::new().file("package/.gitignore", b"g").gz()).unwrap();
    assert_eq!(paths(&renamed), [".npmignore"]);

    let shadowed = Tgz::new()
        .file("package/.npmignore", b"n")
        .file("package/.gitignore", b"g")
        .gz();
    let m = read_tarball(&shadowed).unwrap();
    assert_eq!(m.digest(".npmignore"), Some(FileDigest::of(b"n")));
    assert_eq!(
        skip_reasons(&m),
        [("package/.gitignore", SkipReason::ShadowedGitignore)]
    );

    // A later .npmignore overwrites the renamed .gitignore (last wins).
    let later = Tgz::new()
        .file("package/.gitignore", b"g")
        .file("package/.npmignore", b"n")
        .gz();
    assert_eq!(
        read_tarball(&later).unwrap().digest(".npmignore"),
        Some(FileDigest::of(b"n"))
    );
}

#[test]
fn files_at_the_root_and_absolute_paths() {
    let tgz = Tgz::new()
        .file("README", b"r")
        .file("package//abs.js", b"a")
        .gz();
    let m = read_tarball(&tgz).unwrap();
    assert_eq!(paths(&m), ["abs.js"]);
    assert_eq!(
        skip_reasons(&m),
        [("README", SkipReason::Path(PathSkip::NoPathAfterStrip))]
    );
}

#[test]
fn plain_uncompressed_tar_is_accepted_like_node_tar() {
    let tar = Tgz::new().file("package/a.js", b"1").tar_bytes();
    assert_eq!(paths(&read_tarball(&tar).unwrap()), ["a.js"]);
}

#[test]
fn corrupt_gzip_is_a_typed_error() {
    let mut tgz = package_tgz(&[("a.js", b"some content that compresses")]);
    let mid = tgz.len() / 2;
    tgz[mid] ^= 0xff;
    tgz[mid + 1] ^= 0xff;
    let err = read_tarball(&tgz).unwrap_err();
    assert_eq!(err.code(), "ETARGZIP", "{err}");
}

#[test]
fn truncated_gzip_is_a_typed_error() {
    let tgz = package_tgz(&[("a.js", &[7u8; 5000])]);
    let err = read_tarball(&tgz[..tgz.len() - 30]).unwrap_err();
    assert_eq!(err.code(), "ETARGZIP", "{err}");
}

#[test]
fn truncated_tar_inside_valid_gzip_is_a_typed_error() {
    let tar = Tgz::new().file("package/a.js", &[7u8; 5000]).tar_bytes();
    // Cut inside the file body: the gzip layer is fine, the tar is short.
    let err = read_tarball(&gzip(&tar[..2048])).unwrap_err();
    assert_eq!(err.code(), "ETARFORMAT", "{err}");
}

#[test]
fn bad_header_checksum_is_a_typed_error() {
    let mut tar = Tgz::new().file("package/a.js", b"1").tar_bytes();
    tar[0] = b'X'; // the name changes, the stored checksum does not
    let err = read_tarball(&gzip(&tar)).unwrap_err();
    assert_eq!(err.code(), "ETARFORMAT", "{err}");
}

#[test]
fn not_a_tarball_at_all_is_a_typed_error() {
    let err = read_tarball(&[0x42u8; 700]).unwrap_err();
    assert_eq!(err.code(), "ETARFORMAT", "{err}");
}

#[test]
fn file_and_folder_at_one_path_is_refused() {
    let tgz = Tgz::new()
        .file("package/a", b"1")
        .file("package/a/b.js", b"2")
        .gz();
    let err = read_tarball(&tgz).unwrap_err();
    assert_eq!(err.code(), "ETARAMBIGUOUS", "{err}");
}

#[test]
fn entries_read_differently_by_npm_are_refused() {
    let with_link = Tgz::new().raw("package/a.js", b'0', b"x", "elsewhere").gz();
    assert_eq!(
        read_tarball(&with_link).unwrap_err().code(),
        "ETARAMBIGUOUS"
    );
    let dir_with_body = Tgz::new().raw("package/d/", b'0', b"body", "").gz();
    assert_eq!(
        read_tarball(&dir_with_body).unwrap_err().code(),
        "ETARAMBIGUOUS"
    );
}

#[test]
fn limits_are_enforced() {
    let tgz = package_tgz(&[("a", b"1234"), ("b", b"5678")]);
    let few = TarLimits {
        max_entries: 1,
        ..TarLimits::default()
    };
    assert_eq!(
        read_tarball_with_limits(&tgz, &few).unwrap_err().code(),
        "ETARLIMIT"
    );
    let small = TarLimits {
        max_unpacked_bytes: 7,
        ..TarLimits::default()
    };
    assert_eq!(
        read_tarball_with_limits(&tgz, &small).unwrap_err().code(),
        "ETARLIMIT"
    );
    let enough = TarLimits {
        max_entries: 2,
        max_unpacked_bytes: 8,
        ..TarLimits::default()
    };
    assert_eq!(read_tarball_with_limits(&tgz, &enough).unwrap().len(), 2);
}

#[test]
fn bins_come_from_the_tarball_package_json() {
    let tgz = package_tgz(&[
        (
            "package.json",
            br#"{"name":"x","bin":{"x":"./bin/x.js","y":"../y.js"}}"#,
        ),
        ("bin/x.js", b"#!/usr/bin/env node\r\n"),
    ]);
    let m = read_tarball(&tgz).unwrap();
    assert_eq!(m.bins().iter().collect::<Vec<_>>(), ["bin/x.js", "y.js"]);
    let fixed = m
        .get("bin/x.js")
        .unwrap()
        .fixed_bin
        .expect("CRLF shebang has a fixed form");
    assert_eq!(fixed, (20, FileDigest::of(b"#!/usr/bin/env node\n")));
}
