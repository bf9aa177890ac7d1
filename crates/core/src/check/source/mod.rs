//! The source check: the lockfile cannot talk a package out of being checked (lockfile
//! injection). Each entry must be what the manifests that declare it ask for:
//! - a dependency declared with a registry range (or tag, or `npm:` alias) must resolve to a
//!   registry entry of the registry configured for its scope (a `registry.npmjs.org` URL is
//!   accepted where npm would replace its host), of the aliased name, and (outside the names
//!   the root's `overrides` set and peer edges) of a version in the range; a workspace
//!   satisfying the range also does;
//! - a dependency declared from git, a tarball URL or a local path must come from that
//!   repository (and that commit, when pinned), URL or path;
//! - `inBundle` only under a parent whose published manifest bundles it (the root project is
//!   never published: `npm ci` fetches what its own `bundleDependencies` name);
//! - a link must be declared (a workspace, or a `file:`/`link:` spec) and stay inside the
//!   project unless the root package.json declares exactly that path;
//! - a git, tarball or folder entry must be asked for by some manifest;
//! - `dev`/`optional`/`peer` flags may not hide an entry that production code loads;
//! - the commands an entry's lockfile `bin` links must be the published manifest's.
//!
//! The declaring manifests are the root and workspace package.json files, each registry
//! parent's published manifest (from the registry's facts, never the lockfile's copy), and, for
//! other parents, their installed package.json.

mod graph;
mod origin;
mod rules;
mod spec;

use std::collections::{BTreeMap, HashMap, HashSet};

use sigverify_lockfile::{Package, Resolver, Source, Tree};

use crate::config::npmrc::NpmConfig;
use crate::model::{CheckOutcome, CheckState, PackageResult};
use crate::source::packument::Declared;
use crate::Code;
use graph::{declarers, link_target, read_manifest, Declarer};
use spec::{range_allows, wanted, Kind, Wanted};

/// Sets the source check of every result from the tree and the declaring manifests; returns a
/// failing result for each dependency the root or a workspace declares that the lockfile does
/// not lock (an install would resolve it fresh from the registry, unchecked).
pub(crate) fn check_sources(
    results: &mut [PackageResult],
    tree: &Tree,
    config: &NpmConfig,
) -> Vec<PackageResult> {
    let root_manifest = read_manifest(&tree.root.join("package.json"));
    let Some(root) = root_manifest.as_ref() else {
        for r in results.iter_mut() {
            let why = format!(
                "{}: no package.json in {}, so the lockfile's sources cannot be checked against it",
                r.id(),
                tree.root.display()
            );
            r.checks.source = CheckOutcome::failed(Code::NotChecked, why);
        }
        return Vec::new();
    };
    let index: HashMap<String, usize> = results
        .iter()
        .enumerate()
        .map(|(i, r)| (r.location.clone(), i))
        .collect();
    let declarers = declarers(root, results, tree);
    let overridden = overridden_names(root.get("overrides"));
    let mut ctx = Ctx {
        tree,
        resolver: tree.resolver(),
        config,
        results,
        index: &index,
        overridden,
        reached: HashSet::new(),
        unlocked: Vec::new(),
    };
    for declarer in &declarers {
        ctx.check_declarer(declarer);
    }
    ctx.check_bundles();
    ctx.check_bins();
    ctx.check_links(root);
    ctx.check_unreached(&declarers, root);
    ctx.check_edges(root);
    ctx.check_flags(&declarers);
    for r in ctx.results.iter_mut() {
        if r.checks.source.state == CheckState::Off {
            r.checks.source = CheckOutcome::passed();
        }
    }
    ctx.unlocked
}
/// Every package name the `overrides` tree mentions as a key (`"a"`, `"a@^1"`, `"@s/b@2"`,
/// nested `{"parent": {"child": ...}}`); `"."` refers to the parent and names nothing.
fn overridden_names(overrides: Option<&serde_json::Value>) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut stack: Vec<&serde_json::Value> = overrides.into_iter().collect();
    while let Some(serde_json::Value::Object(map)) = stack.pop() {
        for (key, value) in map {
            let name = match key.get(1..).and_then(|k| k.find('@')) {
                Some(at) => &key[..at + 1],
                None => key.as_str(),
            };
            if name != "." {
                names.insert(name.to_string());
            }
            stack.push(value);
        }
    }
    names
}

struct Ctx<'a> {
    tree: &'a Tree,
    /// The tree's lookups, indexed once (every declared dependency is resolved).
    resolver: Resolver<'a>,
    config: &'a NpmConfig,
    results: &'a mut [PackageResult],
    index: &'a HashMap<String, usize>,
    /// Package names the root package.json's `overrides` set versions for: their range is
    /// what the override says, not what the declaring package asks.
    overridden: HashSet<String>,
    reached: HashSet<usize>,
    /// Declared dependencies the lockfile does not lock.
    unlocked: Vec<PackageResult>,
}

impl Ctx<'_> {
    fn fail(&mut self, location: &str, why: String) {
        if let Some(&i) = self.index.get(location) {
            let check = &mut self.results[i].checks.source;
            if !check.state.fails() {
                *check = CheckOutcome::failed(Code::LockfileSource, why);
            }
        }
    }

    /// Each declared dependency against the entry it resolves to.
    fn check_declarer(&mut self, d: &Declarer) {
        let kinds: [(&BTreeMap<String, String>, Kind); 4] = [
            (&d.declared.dependencies, Kind::Prod),
            (&d.declared.optional, Kind::Optional),
            (&d.declared.peer, Kind::Peer),
            (&d.declared.dev, Kind::Dev),
        ];
        for (deps, kind) in kinds {
            if kind == Kind::Dev && !d.with_dev {
                continue;
            }
            for (name, spec) in deps {
                let Some(target) = self.resolver.resolve(&d.location, name) else {
                    self.unlocked(d, name, spec, kind);
                    continue;
                };
                self.reach(target);
                self.check_edge(d, name, spec, kind, target);
            }
        }
        // Yarn and Bun also install what a package bundles from the registry, beside it (its
        // own `node_modules` holds the bundled copy): that folder is asked for by it too.
        let parent = match d.location.rsplit_once("/node_modules/") {
            Some((parent, _)) => parent,
            None => "",
        };
        for name in &d.declared.bundled {
            if let Some(target) = self.resolver.resolve(parent, name) {
                self.reach(target);
            }
        }
    }

    /// A dependency the root or a workspace declares (production or dev; optional and peer
    /// ones may rightly be absent) that no lockfile entry resolves.
    fn unlocked(&mut self, d: &Declarer, name: &str, spec: &str, kind: Kind) {
        // npm's hidden lockfile records what is installed: an install with --omit=dev leaves the
        // dev dependencies out of it, rightly.
        let hidden = self.tree.input == sigverify_lockfile::Input::HiddenLockfile;
        if !d.with_dev || !(kind == Kind::Prod || (kind == Kind::Dev && !hidden)) {
            return;
        }
        let location = match d.location.as_str() {
            "" => format!("node_modules/{name}"),
            folder => format!("{folder}/node_modules/{name}"),
        };
        let mut result = PackageResult::new(name, "", &location, "unlocked");
        let why = format!(
            "{} declares {name}@{spec} but the lockfile has no entry for it: an install would \
             resolve it from the registry unchecked",
            d.label
        );
        result.checks.registry_signature =
            CheckOutcome::not_applicable(Code::NotRegistry, format!("{name}: not locked"));
        result.checks.source = CheckOutcome::failed(Code::LockfileSource, why);
        self.unlocked.push(result);
    }

    /// Marks an entry reached, and a link's target with it.
    fn reach(&mut self, target: usize) {
        self.reached.insert(target);
        let package = &self.tree.packages[target];
        if let Some(to) = link_target(package) {
            if let Some(t) = self.resolver.index_of(&to) {
                self.reached.insert(t);
            }
        }
    }

    fn check_edge(&mut self, d: &Declarer, name: &str, spec: &str, kind: Kind, target: usize) {
        let package = &self.tree.packages[target];
        let (location, id) = (
            package.location.clone(),
            format!("{}@{}", package.name, package.version),
        );
        let declared = format!("{} declares {name}@{spec}", d.label);
        let why = match wanted(name, spec) {
            Wanted::Registry { name: real, range } => {
                self.registry_mismatch(package, &real, range.as_deref(), kind, &d.declared, name)
            }
            Wanted::Local(path) => origin::local_mismatch(&path, &d.location, package),
            Wanted::Workspace => origin::workspace_mismatch(package, self.tree),
            Wanted::Other => origin::other_mismatch(spec, package),
        };
        if let Some(why) = why {
            self.fail(&location, format!("{id}: {declared} but {why}"));
        }
    }

    /// Why a registry-declared dependency's entry is not what the spec asks for.
    fn registry_mismatch(
        &self,
        package: &Package,
        real: &str,
        range: Option<&str>,
        kind: Kind,
        parent: &Declared,
        declared_as: &str,
    ) -> Option<String> {
        match &package.source {
            Source::Registry { .. } => {}
            Source::Workspace { .. } if range_allows(range, &package.version) => return None,
            Source::Bundled if parent.bundled.iter().any(|b| b == declared_as) => return None,
            other => {
                let kind_name = crate::model::names::source_kind(other);
                let from = package
                    .resolved
                    .as_deref()
                    .map(crate::model::redact::url)
                    .unwrap_or_default();
                return Some(format!(
                    "the lockfile installs it as a {kind_name} ({from}), not from the registry"
                ));
            }
        }
        if package.name != real {
            return Some(format!(
                "the lockfile installs the package {}",
                package.name
            ));
        }
        if let Some(why) = self.foreign_registry(package) {
            return Some(why);
        }
        let check_range = kind != Kind::Peer && !self.overridden.contains(&package.name);
        if check_range && !range_allows(range, &package.version) {
            return Some(format!("the lockfile installs version {}", package.version));
        }
        None
    }

    /// A registry entry whose tarball URL names another registry than the one configured.
    fn foreign_registry(&self, package: &Package) -> Option<String> {
        let resolved = package.resolved_registry.as_deref()?;
        let configured = self.config.registry_for(&package.name).ok()?;
        let same = |a: &str, b: &str| {
            a.trim_end_matches('/')
                .eq_ignore_ascii_case(b.trim_end_matches('/'))
        };
        if same(resolved, configured.as_str()) {
            return None;
        }
        // npm replaces a host in lockfile URLs by the configured registry
        // (`replace-registry-host`: `npmjs` by default, `never`, `always`, or a host name).
        let host = url::Url::parse(resolved)
            .ok()?
            .host_str()?
            .to_ascii_lowercase();
        let replaced = match self.config.get("replace-registry-host").unwrap_or("npmjs") {
            "never" => false,
            "always" => true,
            "npmjs" => host == "registry.npmjs.org",
            other => host == other.to_ascii_lowercase(),
        };
        if replaced {
            return None;
        }
        Some(format!(
            "the lockfile fetches it from {} while {} is configured for it",
            crate::model::redact::url(resolved),
            crate::model::redact::url(configured.as_str())
        ))
    }
}

/// A relative path with `.` segments dropped and `..` resolved where it can be.
fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}
