use super::*;

#[test]
fn names_from_locations() {
    let cases = [
        ("node_modules/a", "a"),
        ("node_modules/@s/b", "@s/b"),
        ("node_modules/a/node_modules/@s/b", "@s/b"),
        ("packages/x/node_modules/y", "y"),
        ("packages/ws-a", "ws-a"),
        ("packages/@corp/ws", "@corp/ws"),
        ("../sibling", "sibling"),
        ("tools", "tools"),
        ("my_node_modules/x", "x"),
    ];
    for (location, name) in cases {
        let in_node_modules =
            location.contains("/node_modules/") || location.starts_with("node_modules/");
        assert_eq!(
            split_location(location),
            (name, in_node_modules),
            "{location}"
        );
    }
    assert_eq!(after_node_modules("my_node_modules/x"), None);
}

#[test]
fn package_names() {
    for ok in ["a", "@s/b", "left-pad", "JSONStream", "a.b"] {
        assert!(valid_name(ok), "{ok}");
    }
    for bad in [
        "", "..", ".bin", "@s", "@/x", "a/b", "@s/b/c", "@s/..", "a\\b", "a\u{0}",
    ] {
        assert!(!valid_name(bad), "{bad:?}");
    }
}

#[test]
fn semver_versions() {
    for ok in [
        "1.2.3",
        "0.0.0",
        "1.0.0-beta.1",
        "1.0.0-rc-1+build.5",
        "10.20.30+a.b",
        "1.2.3-0a.1",
        "1.2.3+001.b-c",
    ] {
        assert!(is_semver(ok), "{ok}");
    }
    for bad in [
        "",
        "1.2",
        "01.2.3",
        "1.2.3-01",
        "1.2.3-",
        "v1.2.3",
        "^1.2.3",
        "1.2.x",
        "1.2.3+",
        "=1.2.3",
        " 1.2.3",
        "1.2.3 ",
        "1.2.3-a..b",
        "1.2.3+a+b",
        "1.2.3-a_b",
        "1.2.3.4",
    ] {
        assert!(!is_semver(bad), "{bad}");
    }
}

#[test]
fn git_specs() {
    for git in [
        "git+ssh://git@github.com/a/b.git#0123abc",
        "git+https://github.com/a/b.git",
        "git://github.com/a/b.git#v1",
        "github:a/b#0123abc",
        "gitlab:a/b",
        "bitbucket:a/b",
        "gist:11081aaa",
        "https://github.com/a/b.git#0123abc",
    ] {
        assert!(is_git(git), "{git}");
    }
    for not_git in [
        "https://registry.npmjs.org/a/-/a-1.0.0.tgz",
        "https://example.com/x-1.0.0.tgz#frag",
        "file:../x",
        "1.0.0",
    ] {
        assert!(!is_git(not_git), "{not_git}");
    }
}

#[test]
fn registry_bases() {
    let cases = [
        (
            "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz",
            "is-number",
            "https://registry.npmjs.org/",
        ),
        (
            "http://127.0.0.1:4873/@corp/util/-/util-1.2.0.tgz",
            "@corp/util",
            "http://127.0.0.1:4873/",
        ),
        (
            "https://r.example/npm/@corp%2futil/-/util-1.2.0.tgz",
            "@corp/util",
            "https://r.example/npm/",
        ),
        (
            "https://a.example/artifactory/api/npm/npm/@corp/util/-/@corp/util-1.2.0.tgz",
            "@corp/util",
            "https://a.example/artifactory/api/npm/npm/",
        ),
        (
            "https://user:secret@r.example/a/-/a-1.2.0.tgz?token=x",
            "a",
            "https://r.example/",
        ),
    ];
    for (url, name, base) in cases {
        let version = if name == "is-number" {
            "7.0.0"
        } else {
            "1.2.0"
        };
        assert_eq!(
            registry_base(url, name, version).as_deref(),
            Some(base),
            "{url}"
        );
    }
}

#[test]
fn not_registry_tarballs() {
    let cases = [
        // Wrong version, wrong name, missing `/-/`, not a URL, fragment, other scheme.
        ("https://registry.npmjs.org/a/-/a-1.0.1.tgz", "a", "1.0.0"),
        ("https://registry.npmjs.org/b/-/b-1.0.0.tgz", "a", "1.0.0"),
        ("https://example.com/downloads/a-1.0.0.tgz", "a", "1.0.0"),
        ("registry.npmjs.org/a/-/a-1.0.0.tgz", "a", "1.0.0"),
        ("https://registry.npmjs.org/a/-/a-1.0.0.tgz#x", "a", "1.0.0"),
        ("ftp://registry.npmjs.org/a/-/a-1.0.0.tgz", "a", "1.0.0"),
        ("https://registry.npmjs.org/xa/-/a-1.0.0.tgz", "a", "1.0.0"),
    ];
    for (url, name, version) in cases {
        assert_eq!(registry_base(url, name, version), None, "{url}");
    }
}

#[test]
fn classify_resolved_kinds() {
    let c = |r: &str| classify_resolved(Some(r), "a", "1.0.0", None).map(|c| c.0);
    assert_eq!(
        c("https://registry.npmjs.org/a/-/a-1.0.0.tgz"),
        Ok(Source::Registry { alias: None })
    );
    assert_eq!(
        c("git+ssh://git@github.com/x/a.git#abc"),
        Ok(git("git+ssh://git@github.com/x/a.git#abc"))
    );
    assert_eq!(
        c("file:vendor/a-1.0.0.tgz"),
        Ok(Source::LocalTarball {
            path: "vendor/a-1.0.0.tgz".into()
        })
    );
    assert_eq!(
        c("file:../a"),
        Ok(Source::Directory {
            path: "../a".into()
        })
    );
    assert_eq!(
        c("https://example.com/a.tgz"),
        Ok(remote("https://example.com/a.tgz"))
    );
    assert!(c("ftp://example.com/a.tgz").is_err());
    let none = classify_resolved(None, "a", "1.0.0", Some("b")).unwrap();
    assert_eq!(
        none,
        (
            Source::Registry {
                alias: Some("b".into())
            },
            None
        )
    );
}

#[test]
fn aliases() {
    assert_eq!(
        split_alias("npm:is-number@6.0.0"),
        Some(("is-number", "6.0.0"))
    );
    assert_eq!(
        split_alias("npm:@s/b@1.0.0-rc.1"),
        Some(("@s/b", "1.0.0-rc.1"))
    );
    assert_eq!(split_alias("npm:@s/b"), None);
    assert_eq!(split_alias("npm:"), None);
    assert_eq!(split_alias("1.0.0"), None);
}

#[test]
fn registry_bases_reject_odd_urls() {
    let cases = [
        "https:///a/-/a-1.0.0.tgz",
        "https://bad host/a/-/a-1.0.0.tgz",
        "https://r.example",
        "https://r.example/a/-/a-1.0.0.tar.gz",
        "https://r.example/a/-/a1.0.0.tgz",
        "https://r.example/-/a-1.0.0.tgz",
        "https://r.example/@s%2fb/-/a-1.0.0.tgz",
    ];
    for url in cases {
        assert_eq!(registry_base(url, "a", "1.0.0"), None, "{url}");
    }
    assert_eq!(
        registry_base("https://r.example/@s%2Fb/-/b-1.0.0.tgz", "@s/b", "1.0.0").as_deref(),
        Some("https://r.example/")
    );
    assert_eq!(
        registry_base("https://r.example/x@s/b/-/b-1.0.0.tgz", "@s/b", "1.0.0"),
        None
    );
}

#[test]
fn folder_locations() {
    for ok in ["packages/a", "../sibling", "../../x/y", "libs/@corp/ws"] {
        assert!(valid_folder(ok), "{ok}");
    }
    for bad in ["", "/etc", "packages//a", "./a", "a/", "C:/x", "a\\b"] {
        assert!(!valid_folder(bad), "{bad:?}");
    }
}
