//! The source check: the lockfile cannot talk a package out of being checked (lockfile
//! injection). Each entry must be what the manifests that declare it ask for:
//! - a dependency declared with a registry range (or tag, or `npm:` alias) must resolve to a
//!   registry entry of the registry configured for its scope (a `registry.npmjs.org` URL is
//!   accepted where npm would replace its host), of the aliased name, and (outside overrides
//!   and peer edges) of a version in the range; a workspace satisfying the range also does;
//! - `inBundle` only under a parent whose published manifest bundles it (the root project is
//!   never published: `npm ci` fetches what its own `bundleDependencies` name);
//! - a link must be declared (a workspace, or a `file:`/`link:` spec) and stay inside the
//!   project unless the root package.json declares exactly that path;
//! - a git, tarball or folder entry must be asked for by some manifest;
//! - `dev`/`optional`/`peer` flags may not hide an entry that production code loads.
//!
//! The declaring manifests are the root and workspace package.json files, each registry
//! parent's published manifest (from the registry's facts, never the lockfile's copy), and, for
//! other parents, their installed package.json.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;

use node_semver::{Range, Version};
use sigverify_lockfile::{Package, Source, Tree};

use crate::config::npmrc::NpmConfig;
use crate::model::{CheckOutcome, CheckState, PackageResult};
use crate::source::packument::Declared;
use crate::Code;

/// How a dependency is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Prod,
    Optional,
    Peer,
    Dev,
}

/// What a declared spec asks for.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// A registry package: its real name, and the range (`None` for a dist-tag).
    Registry { name: String, range: Option<String> },
    /// A local folder or tarball (`file:` / `link:` / a path), relative to the declaring folder.
    Local(String),
    /// Anything else (git, a tarball URL, a manager-specific protocol): not a registry spec.
    Other,
}

/// One manifest that declares dependencies, and where resolution starts from.
struct Declarer {
    location: String,
    label: String,
    declared: Arc<Declared>,
    /// Root and workspaces: devDependencies are installed too.
    with_dev: bool,
}

/// Sets the source check of every result from the tree and the declaring manifests.
pub(crate) fn check_sources(results: &mut [PackageResult], tree: &Tree, config: &NpmConfig) {
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
        return;
    };
    let index: HashMap<String, usize> = results
        .iter()
        .enumerate()
        .map(|(i, r)| (r.location.clone(), i))
        .collect();
    let declarers = declarers(root, results, tree);
    let overrides = root.get("overrides").is_some_and(|o| !o.is_null());
    let mut ctx = Ctx {
        tree,
        config,
        results,
        index: &index,
        overrides,
        reached: HashSet::new(),
    };
    for declarer in &declarers {
        ctx.check_declarer(declarer);
    }
    ctx.check_bundles();
    ctx.check_links(root);
    ctx.check_unreached();
    ctx.check_flags(&declarers);
    for r in ctx.results.iter_mut() {
        if r.checks.source.state == CheckState::Off {
            r.checks.source = CheckOutcome::passed();
        }
    }
}

struct Ctx<'a> {
    tree: &'a Tree,
    config: &'a NpmConfig,
    results: &'a mut [PackageResult],
    index: &'a HashMap<String, usize>,
    overrides: bool,
    reached: HashSet<usize>,
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
                let Some(target) = self.tree.resolve(&d.location, name) else {
                    continue;
                };
                self.reach(target);
                self.check_edge(d, name, spec, kind, target);
            }
        }
    }

    /// Marks an entry reached, and a link's target with it.
    fn reach(&mut self, target: usize) {
        self.reached.insert(target);
        let package = &self.tree.packages[target];
        if let Some(to) = link_target(package) {
            if let Some(t) = self.tree.index_of(&to) {
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
            Wanted::Local(_) | Wanted::Other => None,
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
        let check_range = kind != Kind::Peer && !self.overrides;
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
        // npm replaces registry.npmjs.org in lockfile URLs by the configured registry
        // (`replace-registry-host`, default `npmjs`).
        let replaced = self.config.get("replace-registry-host") != Some("never");
        let npmjs = url::Url::parse(resolved).ok()?.host_str() == Some("registry.npmjs.org");
        if replaced && npmjs {
            return None;
        }
        Some(format!(
            "the lockfile fetches it from {} while {} is configured for it",
            crate::model::redact::url(resolved),
            crate::model::redact::url(configured.as_str())
        ))
    }

    /// `inBundle` entries must sit under a published parent that bundles them.
    fn check_bundles(&mut self) {
        let mut verdicts = Vec::new();
        for package in &self.tree.packages {
            if package.source != Source::Bundled {
                continue;
            }
            let id = format!("{}@{}", package.name, package.version);
            verdicts.push((
                package.location.clone(),
                self.bundle_verdict(&id, &package.location),
            ));
        }
        for (location, verdict) in verdicts {
            match verdict {
                Some(Ok(why)) => self.fail(&location, why),
                Some(Err(why)) => self.unavailable(&location, why),
                None => {}
            }
        }
    }

    /// `None` when a published parent bundles the entry; `Ok(why)` when none does;
    /// `Err(why)` when the parent's published manifest could not be obtained.
    fn bundle_verdict(&self, id: &str, location: &str) -> Option<Result<String, String>> {
        let Some((owner, top)) = bundle_owner(self.tree, location) else {
            return Some(Ok(format!("{id}: marked inBundle, but no published package encloses it (the root project's bundleDependencies are fetched from the registry by npm ci)")));
        };
        let owner_id = format!("{}@{}", owner.name, owner.version);
        if !matches!(owner.source, Source::Registry { .. }) {
            return Some(Ok(format!(
                "{id}: marked inBundle under {owner_id}, which is not a published registry package"
            )));
        }
        let declared = self
            .index
            .get(&owner.location)
            .and_then(|&i| self.results[i].declared.as_ref());
        match declared.map(|d| d.bundled.contains(&top)) {
            Some(true) => None,
            Some(false) => Some(Ok(format!("{id}: marked inBundle, but {owner_id}'s published manifest does not bundle {top}"))),
            None => Some(Err(format!("{id}: marked inBundle under {owner_id}, whose published manifest could not be obtained"))),
        }
    }

    fn unavailable(&mut self, location: &str, why: String) {
        if let Some(&i) = self.index.get(location) {
            let check = &mut self.results[i].checks.source;
            if !check.state.fails() {
                *check = CheckOutcome::failed(Code::NotChecked, why);
            }
        }
    }

    /// Links: declared (or a workspace), and inside the project unless declared exactly so.
    fn check_links(&mut self, root: &serde_json::Value) {
        let declared_paths: HashSet<String> = local_specs(root);
        let mut failures = Vec::new();
        for package in &self.tree.packages {
            let Some(target) = link_target(package) else {
                continue;
            };
            let inside = !target.split('/').any(|s| s == "..") && !Path::new(&target).is_absolute();
            if !inside && !declared_paths.contains(&normalize(&target)) {
                failures.push((package.location.clone(), format!("{}: a link to {target}, outside the project, that no package.json declares", package.location)));
            }
        }
        for (location, why) in failures {
            self.fail(&location, why);
        }
    }

    /// Git, tarball and folder entries that no manifest asks for.
    fn check_unreached(&mut self) {
        let mut failures = Vec::new();
        for (i, package) in self.tree.packages.iter().enumerate() {
            let checked_kind = matches!(
                package.source,
                Source::Git { .. }
                    | Source::RemoteTarball { .. }
                    | Source::LocalTarball { .. }
                    | Source::Directory { .. }
            );
            let in_node_modules = package.location.contains("node_modules/");
            if checked_kind
                && in_node_modules
                && !self.reached.contains(&i)
                && package.installed != Some(false)
            {
                let kind = crate::model::names::source_kind(&package.source);
                failures.push((
                    package.location.clone(),
                    format!(
                        "{}@{}: a {kind} entry that no package.json asks for",
                        package.name, package.version
                    ),
                ));
            }
        }
        for (location, why) in failures {
            self.fail(&location, why);
        }
    }

    /// Flags that would omit an entry production code loads.
    fn check_flags(&mut self, declarers: &[Declarer]) {
        let prod = prod_reachable(self.tree, declarers);
        let mut failures = Vec::new();
        for i in prod {
            let p = &self.tree.packages[i];
            let flags: Vec<&str> = [
                ("dev", p.dev),
                ("optional", p.optional),
                ("devOptional", p.dev_optional),
                ("peer", p.peer),
            ]
            .into_iter()
            .filter(|(_, set)| *set)
            .map(|(name, _)| name)
            .collect();
            if !flags.is_empty() {
                failures.push((
                    p.location.clone(),
                    format!(
                        "{}@{}: the lockfile marks it {} but production dependencies load it",
                        p.name,
                        p.version,
                        flags.join(", ")
                    ),
                ));
            }
        }
        for (location, why) in failures {
            self.fail(&location, why);
        }
    }
}

/// The manifests that declare dependencies, with where resolution starts from.
fn declarers(root: &serde_json::Value, results: &[PackageResult], tree: &Tree) -> Vec<Declarer> {
    let mut out = vec![Declarer {
        location: String::new(),
        label: "the root package.json".to_string(),
        declared: Arc::new(Declared::from_manifest(root)),
        with_dev: true,
    }];
    let by_location: HashMap<&str, &PackageResult> =
        results.iter().map(|r| (r.location.as_str(), r)).collect();
    for package in &tree.packages {
        if link_target(package).is_some() {
            continue; // its target entry declares
        }
        let workspace = matches!(package.source, Source::Workspace { .. });
        let declared = match (&package.source, by_location.get(package.location.as_str())) {
            (Source::Registry { .. }, Some(r)) => r.declared.clone(),
            (Source::Registry { .. }, None) => None,
            _ => read_manifest(&tree.root.join(&package.location).join("package.json"))
                .map(|m| Arc::new(Declared::from_manifest(&m))),
        };
        let Some(declared) = declared else { continue };
        out.push(Declarer {
            location: package.location.clone(),
            label: format!("{}@{}", package.name, package.version),
            declared,
            with_dev: workspace,
        });
    }
    out
}

/// Entries reached from the root (and workspaces) through `dependencies` edges only.
fn prod_reachable(tree: &Tree, declarers: &[Declarer]) -> HashSet<usize> {
    let by_location: HashMap<&str, &Declarer> =
        declarers.iter().map(|d| (d.location.as_str(), d)).collect();
    let mut seen = HashSet::new();
    let mut queue: VecDeque<&str> = VecDeque::from([""]);
    // Workspaces are part of the project: their dependencies are production dependencies.
    for package in &tree.packages {
        if matches!(package.source, Source::Workspace { .. })
            && !package.location.contains("node_modules/")
        {
            queue.push_back(package.location.as_str());
        }
    }
    while let Some(location) = queue.pop_front() {
        let Some(d) = by_location.get(location) else {
            continue;
        };
        for name in d.declared.dependencies.keys() {
            let Some(target) = tree.resolve(location, name) else {
                continue;
            };
            if seen.insert(target) {
                let package = &tree.packages[target];
                let next = link_target(package).unwrap_or_else(|| package.location.clone());
                if let Some(t) = tree.index_of(&next) {
                    seen.insert(t);
                }
                if let Some(d) = by_location.get_key_value(next.as_str()) {
                    queue.push_back(d.0);
                }
            }
        }
    }
    seen
}

/// The enclosing non-bundled entry of a bundled location, and the name it bundles.
fn bundle_owner<'t>(tree: &'t Tree, location: &str) -> Option<(&'t Package, String)> {
    let mut at = location;
    let mut top = None;
    while let Some(i) = at.rfind("/node_modules/") {
        top = Some(at[i + "/node_modules/".len()..].to_string());
        at = &at[..i];
        let owner = &tree.packages[tree.index_of(at)?];
        if owner.source != Source::Bundled {
            return Some((owner, top?));
        }
    }
    let _ = top;
    None
}

/// A link entry's target location (npm: `link: true` entries keep the target in `resolved`).
fn link_target(package: &Package) -> Option<String> {
    let in_node_modules = package.location.contains("node_modules/");
    match &package.source {
        Source::Workspace { path } | Source::Directory { path } if in_node_modules => {
            Some(normalize(path))
        }
        _ => None,
    }
}

/// The `file:`/`link:` paths the root package.json declares, normalised.
fn local_specs(root: &serde_json::Value) -> HashSet<String> {
    let declared = Declared::from_manifest(root);
    [
        &declared.dependencies,
        &declared.optional,
        &declared.dev,
        &declared.peer,
    ]
    .into_iter()
    .flat_map(|m| m.values())
    .filter_map(|spec| match wanted("", spec) {
        Wanted::Local(path) => Some(normalize(&path)),
        _ => None,
    })
    .collect()
}

fn normalize(path: &str) -> String {
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

/// What a spec asks for, after npm-package-arg's rules.
fn wanted(name: &str, spec: &str) -> Wanted {
    let spec = spec.trim();
    if let Some(rest) = spec.strip_prefix("npm:") {
        let at = rest.get(1..).and_then(|r| r.rfind('@')).map(|i| i + 1);
        return match at {
            Some(i) => registry(&rest[..i], &rest[i + 1..]),
            None => registry(rest, ""),
        };
    }
    for prefix in ["file:", "link:"] {
        if let Some(path) = spec.strip_prefix(prefix) {
            return Wanted::Local(path.to_string());
        }
    }
    let local =
        ["./", "../", "/", "~/"].iter().any(|p| spec.starts_with(p)) || spec == "." || spec == "..";
    if local {
        return Wanted::Local(spec.to_string());
    }
    let other = spec.contains(':') || spec.contains('/') || spec.contains('#');
    if other {
        return Wanted::Other;
    }
    registry(name, spec)
}

fn registry(name: &str, range: &str) -> Wanted {
    let range = match range.trim() {
        "" | "*" | "latest" => Some("*".to_string()),
        r if Range::parse(r).is_ok() => Some(r.to_string()),
        _ => None, // a dist-tag: any version may be what it pointed at
    };
    Wanted::Registry {
        name: name.to_string(),
        range,
    }
}

fn range_allows(range: Option<&str>, version: &str) -> bool {
    let Some(range) = range else { return true };
    if range == "*" {
        return true;
    }
    let (Ok(range), Ok(version)) = (Range::parse(range), Version::parse(version)) else {
        return false;
    };
    range.satisfies(&version)
}

fn read_manifest(path: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    serde_json::from_str(text)
        .ok()
        .filter(serde_json::Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_read_like_npm_package_arg() {
        let reg = |name: &str, range: Option<&str>| Wanted::Registry {
            name: name.into(),
            range: range.map(str::to_string),
        };
        assert_eq!(wanted("a", "^1.2.0"), reg("a", Some("^1.2.0")));
        assert_eq!(
            wanted("a", "1.x || >=2.1.0 <3"),
            reg("a", Some("1.x || >=2.1.0 <3"))
        );
        assert_eq!(wanted("a", ""), reg("a", Some("*")));
        assert_eq!(wanted("a", "next"), reg("a", None));
        assert_eq!(wanted("a", "npm:@s/b@^2"), reg("@s/b", Some("^2")));
        assert_eq!(wanted("a", "npm:b"), reg("b", Some("*")));
        assert_eq!(wanted("a", "file:../x"), Wanted::Local("../x".into()));
        assert_eq!(wanted("a", "github:o/r#abc"), Wanted::Other);
        assert_eq!(wanted("a", "o/r"), Wanted::Other);
        assert_eq!(wanted("a", "https://x.test/a.tgz"), Wanted::Other);
        assert_eq!(wanted("a", "workspace:*"), Wanted::Other);
    }

    #[test]
    fn ranges_follow_node_semver() {
        assert!(range_allows(Some("^1.2.0"), "1.9.0"));
        assert!(!range_allows(Some("^1.2.0"), "2.0.0"));
        assert!(range_allows(Some("*"), "0.0.1-beta.1"));
        assert!(range_allows(None, "9.9.9"));
        assert_eq!(normalize("packages/./a/../b"), "packages/b");
        assert_eq!(normalize("../lib"), "../lib");
    }
}
