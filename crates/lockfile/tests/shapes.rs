//! Source kinds the real fixtures do not have (no route to git hosts here), in the exact
//! shapes each manager writes them: git, remote tarballs, other registries, patches,
//! catalogs, pnpm's env document.

use std::path::Path;

use sigverify_lockfile::{parse_lockfile, Package, Source, Tree};

fn by_name<'t>(tree: &'t Tree, name: &str) -> &'t Package {
    tree.packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

const PNPM: &str = r#"---
lockfileVersion: '9.0'

importers:

  .:
    packageManagerDependencies:
      pnpm:
        specifier: 10.0.0
        version: 10.0.0

packages:

  pnpm@10.0.0:
    resolution: {integrity: sha512-PM==}

snapshots:

  pnpm@10.0.0: {}

---
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

catalogs:
  default:
    react:
      specifier: ^18.2.0
      version: 18.2.0

overrides:
  lodash: 4.17.21

patchedDependencies:
  left-pad@1.3.0:
    hash: 5f3a
    path: patches/left-pad@1.3.0.patch

importers:

  .:
    dependencies:
      gitdep:
        specifier: github:u/gitdep#abc
        version: https://codeload.github.com/u/gitdep/tar.gz/abc
      gitssh:
        specifier: git+ssh://git@example.com/u/gitssh.git
        version: git+ssh://git@example.com/u/gitssh.git#0123456789abcdef0123456789abcdef01234567
      left-pad:
        specifier: 1.3.0
        version: 1.3.0(patch_hash=5f3a)
      private:
        specifier: ^2.0.0
        version: 2.0.0
      '@corp/x':
        specifier: ^1.0.0
        version: 1.0.0

packages:

  '@corp/x@1.0.0':
    resolution: {integrity: sha512-CX==, tarball: https://npm.corp.example/@corp/x/-/x-1.0.0.tgz}

  gitdep@https://codeload.github.com/u/gitdep/tar.gz/abc:
    resolution: {tarball: https://codeload.github.com/u/gitdep/tar.gz/abc}
    version: 1.0.0

  gitssh@git+ssh://git@example.com/u/gitssh.git#0123456789abcdef0123456789abcdef01234567:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, repo: git@example.com:u/gitssh.git, type: git}
    version: 2.0.0

  left-pad@1.3.0:
    resolution: {integrity: sha512-LP==}

  private@2.0.0:
    resolution: {integrity: sha512-PR==, tarball: https://registry.npmjs.org/private/-/private-2.0.0.tgz}

snapshots:

  '@corp/x@1.0.0': {}

  gitdep@https://codeload.github.com/u/gitdep/tar.gz/abc: {}

  gitssh@git+ssh://git@example.com/u/gitssh.git#0123456789abcdef0123456789abcdef01234567: {}

  left-pad@1.3.0(patch_hash=5f3a): {}

  private@2.0.0: {}
"#;

#[test]
fn pnpm_sources() {
    let tree = parse_lockfile(Path::new("/p/pnpm-lock.yaml"), PNPM).unwrap();
    assert!(
        tree.packages.iter().all(|p| p.name != "pnpm"),
        "the env document is not the lockfile"
    );
    let corp = by_name(&tree, "@corp/x");
    assert_eq!(
        corp.resolved_registry.as_deref(),
        Some("https://npm.corp.example/")
    );
    assert_eq!(
        corp.location,
        "node_modules/.pnpm/@corp+x@1.0.0/node_modules/@corp/x"
    );
    let git = by_name(&tree, "gitssh");
    assert_eq!(git.version, "2.0.0");
    assert_eq!(
        git.source,
        Source::Git {
            url: "git@example.com:u/gitssh.git#0123456789abcdef0123456789abcdef01234567".into()
        }
    );
    let hosted = by_name(&tree, "gitdep");
    assert_eq!(
        hosted.source,
        Source::RemoteTarball {
            url: "https://codeload.github.com/u/gitdep/tar.gz/abc".into()
        }
    );
    assert_eq!(
        hosted.location,
        "node_modules/.pnpm/gitdep@https+++codeload.github.com+u+gitdep+tar.gz+abc/node_modules/gitdep"
    );
    let patched = by_name(&tree, "left-pad");
    assert_eq!(patched.patch.as_deref(), Some("patch_hash=5f3a"));
    assert_eq!(
        patched.location,
        "node_modules/.pnpm/left-pad@1.3.0_patch_hash=5f3a/node_modules/left-pad"
    );
    assert_eq!(
        tree.resolve("", "left-pad")
            .map(|i| tree.packages[i].name.as_str()),
        Some("left-pad")
    );
    assert_eq!(
        by_name(&tree, "private").resolved_registry.as_deref(),
        Some("https://registry.npmjs.org/")
    );
}

const YARN: &str = r#"# yarn lockfile v1


"@corp/x@^1.0.0":
  version "1.0.0"
  resolved "https://npm.corp.example/@corp/x/-/x-1.0.0.tgz#0123456789abcdef0123456789abcdef01234567"

"gitdep@github:u/gitdep#abc":
  version "1.0.0"
  resolved "https://codeload.github.com/u/gitdep/tar.gz/abc"

"gitssh@git+ssh://git@example.com/u/gitssh.git":
  version "2.0.0"
  resolved "git+ssh://git@example.com/u/gitssh.git#0123456789abcdef0123456789abcdef01234567"

"tarball@https://files.example/tarball-3.0.0.tgz":
  version "3.0.0"
  resolved "https://files.example/tarball-3.0.0.tgz#89abcdef0123456789abcdef0123456789abcdef"
  integrity sha512-TB==
"#;

#[test]
fn yarn_classic_sources() {
    let tree = parse_lockfile(Path::new("/p/yarn.lock"), YARN).unwrap();
    let corp = by_name(&tree, "@corp/x");
    assert_eq!(
        corp.resolved_registry.as_deref(),
        Some("https://npm.corp.example/")
    );
    assert_eq!(
        corp.integrity.as_deref(),
        Some("sha1-ASNFZ4mrze8BI0VniavN7wEjRWc=")
    );
    assert_eq!(
        corp.resolved.as_deref(),
        Some("https://npm.corp.example/@corp/x/-/x-1.0.0.tgz")
    );
    assert_eq!(
        by_name(&tree, "gitdep").source,
        Source::RemoteTarball {
            url: "https://codeload.github.com/u/gitdep/tar.gz/abc".into()
        }
    );
    assert_eq!(
        by_name(&tree, "gitssh").source,
        Source::Git {
            url: "git+ssh://git@example.com/u/gitssh.git#0123456789abcdef0123456789abcdef01234567"
                .into()
        }
    );
    let tarball = by_name(&tree, "tarball");
    assert_eq!(
        tarball.source,
        Source::RemoteTarball {
            url: "https://files.example/tarball-3.0.0.tgz".into()
        }
    );
    assert_eq!(
        tarball.integrity.as_deref(),
        Some("sha512-TB=="),
        "integrity wins over the fragment"
    );
}

const BERRY: &str = r#"__metadata:
  version: 8
  cacheKey: 10c0

"resolve@npm:^1.22.0":
  version: 1.22.8
  resolution: "resolve@npm:1.22.8"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
  checksum: 10c0/def
  languageName: node
  linkType: hard

"gitdep@https://github.com/u/gitdep.git#commit=abc":
  version: 1.0.0
  resolution: "gitdep@https://github.com/u/gitdep.git#commit=abc"
  languageName: node
  linkType: hard

"gen@exec:./gen.js::locator=app%40workspace%3A.":
  version: 0.0.0
  resolution: "gen@exec:./gen.js#./gen.js::hash=1&locator=app%40workspace%3A."
  languageName: node
  linkType: hard

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    gen: "exec:./gen.js"
    resolve: "patch:resolve@npm%3A^1.22.0#optional!builtin<compat/resolve>"
  languageName: unknown
  linkType: soft
"#;

#[test]
fn berry_sources() {
    let tree = parse_lockfile(Path::new("/p/yarn.lock"), BERRY).unwrap();
    let patched = tree
        .resolve("", "resolve")
        .map(|i| &tree.packages[i])
        .unwrap();
    assert_eq!(patched.source, Source::Registry { alias: None });
    assert!(patched
        .patch
        .as_deref()
        .unwrap()
        .starts_with("patch:resolve@npm%3A1.22.8"));
    assert!(
        patched.integrity.is_none(),
        "Berry checksums are not integrities"
    );
    let plain = tree
        .packages
        .iter()
        .find(|p| p.name == "resolve" && p.patch.is_none())
        .unwrap();
    assert_eq!(plain.location, "yarn.lock:resolve@npm:1.22.8");
    assert_eq!(
        by_name(&tree, "gitdep").source,
        Source::Git {
            url: "https://github.com/u/gitdep.git#commit=abc".into()
        }
    );
    assert_eq!(
        by_name(&tree, "gen").source,
        Source::Directory {
            path: "./gen.js".into()
        }
    );
    assert_eq!(
        tree.resolve("", "gen")
            .map(|i| tree.packages[i].name.as_str()),
        Some("gen")
    );
}

const BUN: &str = r#"{
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": { "gitdep": "github:u/gitdep#abc", "gitssh": "git+ssh://git@example.com/u/gitssh.git", "remote": "https://files.example/remote-3.0.0.tgz", "linked": "link:linked", "@corp/x": "^1.0.0" },
    },
  },
  "packages": {
    "@corp/x": ["@corp/x@1.0.0", "https://npm.corp.example/@corp/x/-/x-1.0.0.tgz", {}, "sha512-CX=="],
    "gitdep": ["gitdep@github:u/gitdep#abc", {}, "u-gitdep-abc"],
    "gitssh": ["gitssh@git+ssh://git@example.com/u/gitssh.git#0123456", { "dependencies": { "@corp/x": "^1.0.0" } }, "0123456"],
    "linked": ["linked@link:linked", {}],
    "remote": ["remote@https://files.example/remote-3.0.0.tgz", {}, "sha512-RM=="],
  }
}"#;

#[test]
fn bun_sources() {
    let tree = parse_lockfile(Path::new("/p/bun.lock"), BUN).unwrap();
    let corp = by_name(&tree, "@corp/x");
    assert_eq!(corp.location, "node_modules/@corp/x");
    assert_eq!(
        corp.resolved_registry.as_deref(),
        Some("https://npm.corp.example/")
    );
    assert_eq!(corp.integrity.as_deref(), Some("sha512-CX=="));
    let gitdep = by_name(&tree, "gitdep");
    assert_eq!(
        gitdep.source,
        Source::Git {
            url: "github:u/gitdep#abc".into()
        }
    );
    assert!(
        gitdep.integrity.is_none(),
        "the bun tag is not an integrity"
    );
    assert!(matches!(
        by_name(&tree, "gitssh").source,
        Source::Git { .. }
    ));
    let remote = by_name(&tree, "remote");
    assert_eq!(
        remote.source,
        Source::RemoteTarball {
            url: "https://files.example/remote-3.0.0.tgz".into()
        }
    );
    assert_eq!(remote.integrity.as_deref(), Some("sha512-RM=="));
    assert_eq!(
        by_name(&tree, "linked").source,
        Source::Directory {
            path: "linked".into()
        }
    );
}
