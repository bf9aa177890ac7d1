use super::*;

const V8: Flavor = Flavor {
    major: 8,
    max_len: 120,
};
const V9: Flavor = Flavor {
    major: 9,
    max_len: 120,
};
const V10: Flavor = Flavor {
    major: 10,
    max_len: 120,
};
const V11: Flavor = Flavor {
    major: 11,
    max_len: 120,
};

#[test]
fn folder_names_of_a_real_install() {
    // Folder names pnpm 8-11 created on this machine (tests/fixtures/pnpm/*.listing.txt).
    let cases = [
        ("@types/ms@0.7.34", "@types+ms@0.7.34"),
        (
            "ajv-keywords@3.5.2(ajv@6.12.6)",
            "ajv-keywords@3.5.2_ajv@6.12.6",
        ),
        ("local-dir@file:local-dir", "local-dir@file+local-dir"),
        (
            "local-tar@file:vendor/local-tar-1.0.0.tgz",
            "local-tar@file+vendor+local-tar-1.0.0.tgz",
        ),
    ];
    for flavor in [V9, V10, V11] {
        for (path, folder) in cases {
            assert_eq!(dep_path_to_filename(path, flavor), folder, "{flavor:?}");
        }
    }
    // Lockfile v6 keys, as pnpm 8 wrote and installed them.
    assert_eq!(
        dep_path_to_filename("/@types/ms@0.7.34", V8),
        "@types+ms@0.7.34"
    );
    assert_eq!(
        dep_path_to_filename("/ajv-keywords@3.5.2(ajv@6.12.6)", V8),
        "ajv-keywords@3.5.2_ajv@6.12.6"
    );
    assert_eq!(dep_path_to_filename("file:local-dir", V8), "file+local-dir");
}

#[test]
fn upper_case_names_are_hashed_per_version() {
    // Real folders for JSONStream@1.3.5 (pnpm 8 and 9: md5/base32; 10 and 11: sha256/hex).
    let md5 = "JSONStream@1.3.5_r3os6ifnv5rfzwtsmjig3b325i";
    let sha = "JSONStream@1.3.5_fb8f73c374dcf7070ffed90b688edabd";
    assert_eq!(dep_path_to_filename("/JSONStream@1.3.5", V8), md5);
    assert_eq!(dep_path_to_filename("JSONStream@1.3.5", V9), md5);
    assert_eq!(dep_path_to_filename("JSONStream@1.3.5", V10), sha);
    assert_eq!(dep_path_to_filename("JSONStream@1.3.5", V11), sha);
}

#[test]
fn long_names_are_cut_and_hashed() {
    // Expected value computed with node's crypto following pnpm 10's depPathToFilename.
    let path = "@babel/plugin-transform-react-jsx@7.25.9(@babel/core@7.26.0)(@types/react@18.3.12)(react-dom@18.3.1(react@18.3.1))(react@18.3.1)";
    assert_eq!(
        dep_path_to_filename(path, V10),
        "@babel+plugin-transform-react-jsx@7.25.9_@babel+core@7.26.0_@types+react@18.3.12_react-_1ec84725b847dbb76d7f0130ba293072"
    );
    let short = Flavor {
        major: 10,
        max_len: 200,
    };
    assert!(!dep_path_to_filename(path, short).contains("1ec847"));
}

#[test]
fn suffixes_and_names() {
    assert_eq!(suffix_start("a@1.0.0(b@2.0.0(c@3.0.0))(d@1.0.0)"), Some(7));
    assert_eq!(suffix_start("a@1.0.0"), None);
    assert_eq!(suffix_start("a@1.0.0)"), None);
    assert_eq!(without_suffix("/a@1.0.0(b@2.0.0)"), "a@1.0.0");
    assert_eq!(split_name("@s/x@1.0.0"), Some(("@s/x", "1.0.0")));
    assert_eq!(split_name("file:local"), None);
    assert_eq!(
        split_name("x@https://e.com/x.tgz"),
        Some(("x", "https://e.com/x.tgz"))
    );
}

#[test]
fn pnpm_11_hashes_ambiguous_escapes_and_trailing_dots() {
    let plus = dep_path_to_filename("x@file:a+b", V11);
    assert!(plus.starts_with("x@file+a+b_"), "{plus}");
    assert_eq!(dep_path_to_filename("x@file:a+b", V10), "x@file+a+b");
    assert!(dep_path_to_filename("x@file:dir.", V11).starts_with("x@file+dir+_"));
    assert_eq!(dep_path_to_filename("x@reg:1.0.0", V11), "x@reg+1.0.0");
}
