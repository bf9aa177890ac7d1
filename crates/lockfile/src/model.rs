//! The checked, public data model: what a project's dependency tree looks like once read.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use crate::error::WalkProblem;

/// The package manager whose lockfile (and install layout) a tree comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Manager {
    /// npm (`package-lock.json`, `npm-shrinkwrap.json`, the hidden lockfile, a bare
    /// `node_modules`).
    #[default]
    Npm,
    /// pnpm (`pnpm-lock.yaml`).
    Pnpm,
    /// Yarn classic, v1 (`yarn.lock` without `__metadata`).
    Yarn,
    /// Yarn Berry, v2-v4 (`yarn.lock` with `__metadata`).
    YarnBerry,
    /// Bun (`bun.lock`).
    Bun,
}

impl Manager {
    /// The name used in reports: npm, pnpm, yarn, yarn-berry, bun.
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Npm => "npm",
            Manager::Pnpm => "pnpm",
            Manager::Yarn => "yarn",
            Manager::YarnBerry => "yarn-berry",
            Manager::Bun => "bun",
        }
    }
}

/// How a dependency name is found from a package folder at run time, which decides which
/// lockfile entry a dependent actually loads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Layout {
    /// Node's own lookup: `<folder>/node_modules/<name>`, then each parent folder's
    /// `node_modules` up to the root (npm, Bun, Yarn's node-modules linker).
    #[default]
    NodeModules,
    /// Edges the lockfile records explicitly (pnpm's store symlinks, Yarn Plug'n'Play):
    /// `(dependent location, dependency name) -> target location`; the root project is the
    /// empty location `""`.
    Explicit {
        /// The edges.
        edges: std::collections::BTreeMap<(String, String), String>,
    },
}

/// How the package manager laid the packages out on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Linker {
    /// Real folders nested in `node_modules` (npm, Yarn classic, Yarn's `node-modules`
    /// linker, pnpm's `node-linker=hoisted`, Bun's hoisted linker).
    #[default]
    NodeModules,
    /// A store of real folders (`node_modules/.pnpm`, `node_modules/.bun`,
    /// `node_modules/.store`) that packages reach through symlinks (pnpm's default, Bun's
    /// isolated linker, Yarn Berry's `pnpm` linker).
    Isolated,
    /// Yarn Plug'n'Play: no `node_modules`; packages stay zipped in Yarn's cache and are
    /// resolved through `.pnp.cjs`. Their contents on disk cannot be checked here:
    /// [`Package::installed`] is `None` for every package.
    Pnp,
}

/// Where the package list came from, in npm's order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Input {
    /// `npm-shrinkwrap.json` (published lockfile; wins over everything).
    Shrinkwrap,
    /// `package-lock.json`, any other package manager's lockfile (`pnpm-lock.yaml`,
    /// `yarn.lock`, `bun.lock`: [`Tree::manager`] says which), or any file given explicitly
    /// with `--lockfile`.
    PackageLock,
    /// `node_modules/.package-lock.json`, npm's record of what it last installed.
    HiddenLockfile,
    /// No lockfile at all: a walk of the `node_modules` folders.
    NodeModules,
}

/// The flat list of packages of one project, as npm sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tree {
    /// The project directory (locations are relative to it).
    pub root: PathBuf,
    /// Which kind of input was read.
    pub input: Input,
    /// The package manager the input belongs to.
    pub manager: Manager,
    /// How dependencies resolve to folders (see [`Tree::resolve`]).
    pub layout: Layout,
    /// How the packages are (or will be) laid out on disk.
    pub linker: Linker,
    /// The file (lockfile) or folder (`node_modules`) that was read.
    pub input_path: PathBuf,
    /// The lockfile's format version: npm's and Bun's `lockfileVersion`, pnpm's major (6 or 9),
    /// 1 for Yarn classic, Berry's `__metadata.version`; `None` for a `node_modules` walk.
    pub lockfile_version: Option<u32>,
    /// Every package except the root project, sorted by location.
    pub packages: Vec<Package>,
    /// Packages a `node_modules` walk could not read, and (for lockfiles that record no
    /// locations: Yarn, pnpm's hoisted linker, Bun's isolated linker) installed folders that
    /// match no lockfile entry (`ENOTINLOCKFILE`). Each one is reported instead of failing.
    pub problems: Vec<WalkProblem>,
}

/// One installed (or to-be-installed) package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// The real package name (`is-number` for a folder `iso` installed as `npm:is-number@6.0.0`).
    pub name: String,
    /// The version; empty when the input records none (v1 git/file entries, dangling links).
    pub version: String,
    /// npm's location: the path of the folder relative to the root, with `/` separators
    /// (`node_modules/a/node_modules/@s/b`, `packages/x`).
    pub location: String,
    /// The `integrity` SRI string, when recorded.
    pub integrity: Option<String>,
    /// The `resolved` URL or path, when recorded.
    pub resolved: Option<String>,
    /// Where the package comes from, which decides how (or whether) it can be verified.
    pub source: Source,
    /// The registry base URL derived from a registry tarball `resolved`
    /// (`https://registry.npmjs.org/`); `None` when unknown.
    pub resolved_registry: Option<String>,
    /// Only needed by `devDependencies`.
    pub dev: bool,
    /// Only needed by `optionalDependencies`.
    pub optional: bool,
    /// Needed by dev or optional dependencies, but neither by dev only nor by optional only.
    pub dev_optional: bool,
    /// Only needed as a peer dependency.
    pub peer: bool,
    /// The package has install scripts (`preinstall`, `install`, `postinstall`, or a binding.gyp).
    pub has_install_script: bool,
    /// A patch applied on top of the fetched package (Yarn's `patch:` protocol, pnpm's
    /// `patchedDependencies`): the patch locator or file. The source still says where the
    /// original came from (its registry signature covers the unpatched tarball), but the
    /// installed files differ from that tarball.
    pub patch: Option<String>,
    /// The entry's `bin` field as the lockfile records it (npm's and Bun's lockfiles): npm
    /// links these commands at install, not the ones the package's own package.json declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bin: Option<serde_json::Value>,
    /// Whether `<root>/<location>/package.json` exists; `None` when the project has no
    /// `node_modules` folder (lockfile-only verification) or the lockfile was parsed from text.
    pub installed: Option<bool>,
}

/// The prefix of the locations Yarn entries get when there are no installed folders to name
/// them (before install, and under Plug'n'Play): `yarn.lock:<locator>`.
pub const YARN_PLACEHOLDER: &str = "yarn.lock:";

impl Package {
    /// True when the location is a Yarn placeholder (see [`YARN_PLACEHOLDER`]), not a folder.
    pub fn has_placeholder_location(&self) -> bool {
        self.location.starts_with(YARN_PLACEHOLDER)
    }

    /// For a Yarn Berry `patch:` entry, the locator of the entry it patches
    /// (`typescript@npm:5.4.5` for `patch:typescript@npm%3A5.4.5#…`).
    pub fn patched_locator(&self) -> Option<String> {
        patched_locator(self.patch.as_deref()?)
    }

    /// A package with only its identity and source filled in (flags come later).
    pub(crate) fn bare(name: &str, version: &str, location: String, source: Source) -> Package {
        Package {
            name: name.to_string(),
            version: version.to_string(),
            location,
            integrity: None,
            resolved: None,
            source,
            resolved_registry: None,
            dev: false,
            optional: false,
            dev_optional: false,
            peer: false,
            has_install_script: false,
            patch: None,
            bin: None,
            installed: None,
        }
    }
}

/// Where a package comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Source {
    /// From an npm registry: the only kind that carries registry signatures.
    Registry {
        /// The folder name when installed under another name (`npm:` alias).
        alias: Option<String>,
    },
    /// A git dependency.
    Git {
        /// The git URL or hosted shortcut (`github:user/repo#sha`).
        url: String,
    },
    /// A local folder (`file:` directory or a link that is not a workspace).
    Directory {
        /// The folder, relative to the root as npm records it.
        path: String,
    },
    /// A local tarball (`file:x.tgz`).
    LocalTarball {
        /// The tarball path as npm records it.
        path: String,
    },
    /// A tarball downloaded from a URL that is not a registry tarball path.
    RemoteTarball {
        /// The tarball URL.
        url: String,
    },
    /// A workspace folder of the project, or a link to one.
    Workspace {
        /// The workspace folder, relative to the root.
        path: String,
    },
    /// Shipped inside its parent's tarball (`inBundle` / `bundled`).
    Bundled,
}

impl Source {
    /// Why a package of this kind has no registry signature to check; `None` for registry packages.
    pub fn skip_reason(&self) -> Option<String> {
        let reason = match self {
            Source::Registry { .. } => return None,
            Source::Git { url } => format!("git dependency ({url}): no registry signature"),
            Source::Directory { path } => {
                format!("local directory ({path}): no registry signature")
            }
            Source::LocalTarball { path } => {
                format!("local tarball ({path}): no registry signature")
            }
            Source::RemoteTarball { url } => {
                format!("remote tarball ({url}) outside any registry: no registry signature")
            }
            Source::Workspace { path } => {
                format!("workspace ({path}) of this project: no registry signature")
            }
            Source::Bundled => {
                "bundled in its parent's tarball: covered by the parent's signature".to_string()
            }
        };
        Some(reason)
    }

    /// True for packages fetched from a registry.
    pub fn is_registry(&self) -> bool {
        matches!(self, Source::Registry { .. })
    }
}

/// Which dependency types to leave out, like npm's `--omit dev|optional|peer`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Omit {
    /// `--omit dev`.
    pub dev: bool,
    /// `--omit optional`.
    pub optional: bool,
    /// `--omit peer`.
    pub peer: bool,
}

/// Whether npm would leave `pkg` out under `omit` (arborist `Node.shouldOmit`).
///
/// A `devOptional` package is needed by both dev and optional edges, so it goes only when
/// both kinds are omitted. Packages under a folder outside the project (`../x/node_modules/y`,
/// reached through a `file:` link) are never omitted: npm only omits below the root or a workspace.
pub fn is_omitted(pkg: &Package, omit: &Omit) -> bool {
    if pkg.location.starts_with("../") {
        return false;
    }
    (pkg.peer && omit.peer)
        || (pkg.dev && omit.dev)
        || (pkg.optional && omit.optional)
        || (pkg.dev_optional && omit.dev && omit.optional)
}

impl Tree {
    /// The index of the package at `location`, if the tree has one there.
    pub fn index_of(&self, location: &str) -> Option<usize> {
        // Packages are sorted by location (see the loaders), so this is a binary search.
        self.packages
            .binary_search_by(|p| p.location.as_str().cmp(location))
            .ok()
    }

    /// The package a dependency named `name` resolves to from the folder `from` (a package
    /// location, or `""` for the root project), the way the installed tree will load it.
    ///
    /// With [`Layout::NodeModules`] this is Node's lookup: `from/node_modules/name`, then the
    /// `node_modules` of each enclosing folder up to the root (a link resolves from its own
    /// location here: callers pass the target's location for links). With
    /// [`Layout::Explicit`] it is the recorded edge.
    pub fn resolve(&self, from: &str, name: &str) -> Option<usize> {
        let edge = |from: &str, name: &str| match &self.layout {
            Layout::Explicit { edges } => edges
                .get(&(from.to_string(), name.to_string()))
                .map(String::as_str),
            Layout::NodeModules => None,
        };
        resolve_with(&self.layout, from, name, |l| self.index_of(l), edge)
    }

    /// [`Tree::index_of`] and [`Tree::resolve`] for a caller that asks thousands of times.
    pub fn resolver(&self) -> Resolver<'_> {
        let mut locations = HashMap::with_capacity(self.packages.len());
        let mut unique = true;
        for (i, package) in self.packages.iter().enumerate() {
            unique &= locations.insert(package.location.as_str(), i).is_none();
        }
        let mut edges: HashMap<&str, HashMap<&str, &str>> = HashMap::new();
        if let Layout::Explicit { edges: recorded } = &self.layout {
            for ((from, name), target) in recorded {
                let from = edges.entry(from.as_str()).or_default();
                from.insert(name.as_str(), target.as_str());
            }
        }
        Resolver {
            tree: self,
            locations: unique.then_some(locations),
            edges,
        }
    }

    /// The packages npm would install under `omit`.
    pub fn kept<'a>(&'a self, omit: &'a Omit) -> impl Iterator<Item = &'a Package> + 'a {
        self.packages.iter().filter(move |p| !is_omitted(p, omit))
    }
}

/// A tree's lookups by location and by dependency edge, indexed once: each of [`Tree::index_of`]
/// and [`Tree::resolve`] searches the tree's scattered strings (a 5,000-package pnpm tree's
/// source check spent ~2 us per lookup, mostly on cache misses); here each is a hash probe.
/// The answers are the tree's own.
pub struct Resolver<'t> {
    tree: &'t Tree,
    /// Each location's index; `None` when a location repeats (no loader makes such a tree):
    /// the tree's own search then answers, so the answers are always the tree's.
    locations: Option<HashMap<&'t str, usize>>,
    /// The explicit layout's edges: dependent location, then dependency name, to target.
    edges: HashMap<&'t str, HashMap<&'t str, &'t str>>,
}

impl<'t> Resolver<'t> {
    /// The tree this resolves in.
    pub fn tree(&self) -> &'t Tree {
        self.tree
    }

    /// As [`Tree::index_of`].
    pub fn index_of(&self, location: &str) -> Option<usize> {
        match &self.locations {
            Some(locations) => locations.get(location).copied(),
            None => self.tree.index_of(location),
        }
    }

    /// As [`Tree::resolve`].
    pub fn resolve(&self, from: &str, name: &str) -> Option<usize> {
        let edge = |from: &str, name: &str| self.edge(from, name);
        resolve_with(&self.tree.layout, from, name, |l| self.index_of(l), edge)
    }

    /// The target location the explicit layout records for `name` from `from` (none in Node's
    /// layout, which records no edges).
    pub fn edge(&self, from: &str, name: &str) -> Option<&'t str> {
        self.edges.get(from)?.get(name).copied()
    }
}

/// [`Tree::resolve`] given the tree's two lookups: a location's index, and an explicit edge's
/// target.
fn resolve_with<'e>(
    layout: &Layout,
    from: &str,
    name: &str,
    index_of: impl Fn(&str) -> Option<usize>,
    edge: impl Fn(&str, &str) -> Option<&'e str>,
) -> Option<usize> {
    match layout {
        Layout::NodeModules => {
            let mut base = from;
            loop {
                let candidate = match base {
                    "" => format!("node_modules/{name}"),
                    _ => format!("{base}/node_modules/{name}"),
                };
                if let Some(found) = index_of(&candidate) {
                    return Some(found);
                }
                if base.is_empty() {
                    return None;
                }
                base = parent_folder(base);
            }
        }
        Layout::Explicit { .. } => index_of(edge(from, name)?),
    }
}

/// The folder whose `node_modules` is searched next: `a/node_modules/b` -> `a`,
/// `a/node_modules/@s/b` -> `a`, `packages/x` -> `""` (a workspace sits directly under the root
/// in Node's lookup only through the root's own `node_modules`).
fn parent_folder(location: &str) -> &str {
    match location.rfind("/node_modules/") {
        Some(i) => &location[..i],
        None => "",
    }
}

/// The locator a Yarn `patch:` reference patches, URL-decoded.
pub(crate) fn patched_locator(reference: &str) -> Option<String> {
    let inner = reference.strip_prefix("patch:")?;
    let original = inner.split('#').next().unwrap_or(inner);
    let decoded = percent_encoding::percent_decode_str(original).decode_utf8_lossy();
    Some(decoded.into_owned())
}
