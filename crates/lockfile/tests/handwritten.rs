//! Hand-written lockfiles in the exact shapes npm 6, 7 and 9 write, covering every source kind.

mod common;

use common::{at, fixture, fixture_text, locations};
use sigverify_lockfile::{parse_lockfile, Source, Tree};

fn parse(name: &str) -> Tree {
    parse_lockfile(&fixture(name), &fixture_text(name)).expect("fixture parses")
}

fn source(tree: &Tree, location: &str) -> Source {
    at(tree, location).source.clone()
}

#[test]
fn v3_classifies_every_kind() {
    let t = parse("npm9-v3-sources.package-lock.json");
    let git =
        "git+ssh://git@github.com/left-pad/left-pad.git#5baaef9e1c06314274c28daa158347aa9743c097";
    assert_eq!(
        source(&t, "node_modules/left-pad"),
        Source::Git { url: git.into() }
    );
    let tgz = Source::LocalTarball {
        path: "vendor/local-tgz-1.0.0.tgz".into(),
    };
    assert_eq!(source(&t, "node_modules/local-tgz"), tgz);
    let url = "https://example.com/downloads/remote-pkg-1.0.0.tgz";
    assert_eq!(
        source(&t, "node_modules/remote-pkg"),
        Source::RemoteTarball { url: url.into() }
    );
    assert_eq!(
        source(&t, "node_modules/with-bundle/node_modules/inner"),
        Source::Bundled
    );
    let sibling = Source::Directory {
        path: "../sibling".into(),
    };
    assert_eq!(source(&t, "node_modules/sibling"), sibling);
    assert_eq!(source(&t, "../sibling"), sibling);
    let ws = Source::Workspace {
        path: "packages/ws-b".into(),
    };
    assert_eq!(source(&t, "node_modules/@corp/ws-b"), ws);
    assert_eq!(source(&t, "packages/ws-b"), ws);
    assert_eq!(at(&t, "packages/ws-b").name, "@corp/ws-b");
    assert_eq!(at(&t, "node_modules/@corp/ws-b").version, "0.1.0");
}

#[test]
fn v3_registry_bases_scopes_and_aliases() {
    let t = parse("npm9-v3-sources.package-lock.json");
    let base = |loc: &str| at(&t, loc).resolved_registry.clone();
    assert_eq!(
        base("node_modules/@corp/util").as_deref(),
        Some("http://127.0.0.1:4873/")
    );
    assert_eq!(
        base("node_modules/@corp/log").as_deref(),
        Some("https://npm.corp.example/artifactory/api/npm/npm-remote/")
    );
    let alias = at(&t, "node_modules/util-old");
    assert_eq!(
        (alias.name.as_str(), alias.version.as_str()),
        ("@corp/util", "0.9.0")
    );
    assert_eq!(
        alias.source,
        Source::Registry {
            alias: Some("util-old".into())
        }
    );
    assert_eq!(
        alias.resolved_registry.as_deref(),
        Some("http://127.0.0.1:4873/")
    );
    // Nested duplicate of a scoped package under a workspace: a plain registry package.
    let dup = at(&t, "packages/ws-b/node_modules/@corp/util");
    assert_eq!(
        (dup.name.as_str(), dup.version.as_str()),
        ("@corp/util", "0.9.0")
    );
    assert_eq!(dup.source, Source::Registry { alias: None });
    for (loc, url) in [
        ("node_modules/left-pad", None),
        ("node_modules/remote-pkg", None),
    ] {
        assert_eq!(base(loc), url, "{loc}");
    }
}

#[test]
fn v3_flags() {
    let t = parse("npm9-v3-sources.package-lock.json");
    let addon = at(&t, "node_modules/native-addon");
    assert!(addon.dev && addon.has_install_script && !addon.optional);
    let prebuilt = at(&t, "node_modules/prebuilt-bin");
    assert!(prebuilt.dev && prebuilt.optional && !prebuilt.dev_optional);
    let uuid = at(&t, "node_modules/uuid");
    assert!(uuid.dev_optional && uuid.peer && !uuid.dev && !uuid.optional);
    assert!(at(&t, "../sibling/node_modules/tiny-tarball").dev);
}

#[test]
fn skip_reasons_name_the_kind() {
    let t = parse("npm9-v3-sources.package-lock.json");
    let reason = |loc: &str| at(&t, loc).source.skip_reason();
    assert_eq!(reason("node_modules/@corp/util"), None);
    assert_eq!(reason("node_modules/util-old"), None);
    let cases = [
        ("node_modules/left-pad", "git dependency"),
        ("node_modules/local-tgz", "local tarball"),
        ("node_modules/remote-pkg", "remote tarball"),
        ("node_modules/sibling", "local directory"),
        ("node_modules/@corp/ws-b", "workspace"),
        ("node_modules/with-bundle/node_modules/inner", "bundled"),
    ];
    for (loc, start) in cases {
        let why = reason(loc).unwrap_or_else(|| panic!("{loc} has a skip reason"));
        assert!(why.starts_with(start), "{loc}: {why}");
        assert!(why.contains("signature"), "{loc}: {why}");
    }
}

#[test]
fn v1_npm6_locations_and_kinds() {
    let t = parse("npm6-v1-sources.package-lock.json");
    assert_eq!(
        locations(&t),
        [
            "libs/local-lib/node_modules/tiny-tarball",
            "node_modules/@corp/util",
            "node_modules/fsevents",
            "node_modules/fsevents/node_modules/node-pre-gyp",
            "node_modules/fsevents/node_modules/node-pre-gyp/node_modules/nopt",
            "node_modules/left-pad",
            "node_modules/local-lib",
            "node_modules/local-tgz",
            "node_modules/lodash4",
            "node_modules/not-licensed",
            "node_modules/remote-pkg",
            "node_modules/right-pad",
            "node_modules/uuid",
            "node_modules/uuid/node_modules/@corp/util",
        ]
    );
    let gh = "github:left-pad/left-pad#5baaef9e1c06314274c28daa158347aa9743c097";
    assert_eq!(
        source(&t, "node_modules/left-pad"),
        Source::Git { url: gh.into() }
    );
    assert_eq!(
        at(&t, "node_modules/left-pad").resolved.as_deref(),
        Some(gh)
    );
    assert!(matches!(
        source(&t, "node_modules/right-pad"),
        Source::Git { .. }
    ));
    assert_eq!(
        source(&t, "node_modules/local-lib"),
        Source::Directory {
            path: "libs/local-lib".into()
        }
    );
    let tgz = Source::LocalTarball {
        path: "vendor/local-tgz-1.0.0.tgz".into(),
    };
    assert_eq!(source(&t, "node_modules/local-tgz"), tgz);
    let url = "https://example.com/downloads/remote-pkg-1.0.0.tgz";
    assert_eq!(
        source(&t, "node_modules/remote-pkg"),
        Source::RemoteTarball { url: url.into() }
    );
    assert_eq!(
        source(&t, "node_modules/fsevents/node_modules/node-pre-gyp"),
        Source::Bundled
    );
    let nested = "node_modules/fsevents/node_modules/node-pre-gyp/node_modules/nopt";
    assert_eq!(source(&t, nested), Source::Bundled);
    assert!(source(&t, "node_modules/fsevents").is_registry());
}

#[test]
fn v1_alias_scope_and_flags() {
    let t = parse("npm6-v1-sources.package-lock.json");
    let alias = at(&t, "node_modules/lodash4");
    assert_eq!(
        (alias.name.as_str(), alias.version.as_str()),
        ("lodash", "4.17.21")
    );
    assert_eq!(
        alias.source,
        Source::Registry {
            alias: Some("lodash4".into())
        }
    );
    assert_eq!(
        alias.resolved_registry.as_deref(),
        Some("https://registry.npmjs.org/")
    );
    let dup = at(&t, "node_modules/uuid/node_modules/@corp/util");
    assert_eq!(
        (dup.name.as_str(), dup.version.as_str()),
        ("@corp/util", "0.9.0")
    );
    assert!(dup.dev && dup.optional && !dup.dev_optional);
    assert_eq!(
        dup.resolved_registry.as_deref(),
        Some("http://127.0.0.1:4873/")
    );
    assert!(at(&t, "node_modules/not-licensed").dev);
    assert!(at(&t, "node_modules/fsevents").optional);
    assert_eq!(
        at(&t, "node_modules/left-pad").version,
        "",
        "v1 git entries have no semver"
    );
}

#[test]
fn v2_reads_packages_and_ignores_the_legacy_section() {
    let t = parse("npm7-v2-legacy-disagrees.package-lock.json");
    assert_eq!(locations(&t), ["node_modules/tiny-tarball"]);
    assert_eq!(at(&t, "node_modules/tiny-tarball").version, "1.0.0");
}

#[test]
fn serializes_in_camel_case_for_json_reports() {
    let t = parse("npm9-v3-sources.package-lock.json");
    let alias = serde_json::to_value(at(&t, "node_modules/util-old")).unwrap();
    assert_eq!(alias["resolvedRegistry"], "http://127.0.0.1:4873/");
    assert_eq!(
        alias["source"],
        serde_json::json!({"kind": "registry", "alias": "util-old"})
    );
    for key in ["devOptional", "hasInstallScript", "installed", "integrity"] {
        assert!(alias.get(key).is_some(), "{key}");
    }
    let tgz = serde_json::to_value(&at(&t, "node_modules/local-tgz").source).unwrap();
    let expected =
        serde_json::json!({"kind": "localTarball", "path": "vendor/local-tgz-1.0.0.tgz"});
    assert_eq!(tgz, expected);
    let tree = serde_json::to_value(&t).unwrap();
    assert_eq!(
        (tree["input"].as_str(), tree["lockfileVersion"].as_u64()),
        (Some("packageLock"), Some(3))
    );
}
