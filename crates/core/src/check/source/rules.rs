//! The rules on the tree as a whole: bundles, links, entries no manifest asks for, and flags
//! that would omit what production code loads.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use sigverify_lockfile::{Layout, Package, Source, Tree, YARN_PLACEHOLDER};

use super::graph::{bundle_owner, link_target, prod_reachable, Declarer};
use super::spec::local_specs;
use super::{normalize_path, Ctx};
use crate::model::{CheckOutcome, CheckState};
use crate::Code;

impl Ctx<'_> {
    /// `inBundle` entries must sit under a published parent that bundles them.
    pub(super) fn check_bundles(&mut self) {
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

    /// The commands a lockfile entry's `bin` names: npm links those at install (not the ones
    /// the installed package.json declares), so a pull request can add `"bin": {"node":
    /// "lib/x.js"}` to a signed package's entry and every script's `node` runs that file. Each
    /// command must be one the published manifest links to the same file. (npm's hidden
    /// lockfile and a `node_modules` walk record what is installed; the `.bin` links on disk
    /// are checked against the installed, compared package.json by the disk inventory.)
    pub(super) fn check_bins(&mut self) {
        use sigverify_lockfile::Input;
        if !matches!(self.tree.input, Input::PackageLock | Input::Shrinkwrap) {
            return;
        }
        let verdicts: Vec<_> = self
            .tree
            .packages
            .iter()
            .filter_map(|p| Some((p.location.clone(), self.bin_verdict(p)?)))
            .collect();
        for (location, verdict) in verdicts {
            match verdict {
                Ok(why) => self.fail(&location, why),
                Err(why) => self.unavailable(&location, why),
            }
        }
    }

    /// `None` when the entry links no command its published manifest does not; `Ok(why)` when
    /// it does; `Err(why)` when that manifest could not be obtained.
    fn bin_verdict(&self, package: &Package) -> Option<Result<String, String>> {
        let (Some(bin), Source::Registry { .. }) = (&package.bin, &package.source) else {
            return None;
        };
        let result = &self.results[*self.index.get(&package.location)?];
        let linked = sigverify_content::bin_map(bin, Some(&package.name));
        // Nothing linked, or the package is not checked at all (omitted, not installed, a
        // registry without keys).
        if linked.is_empty() || result.checks.registry_signature.state == CheckState::NotApplicable
        {
            return None;
        }
        let id = format!("{}@{}", package.name, package.version);
        let Some(declared) = result.declared.as_deref() else {
            return Some(Err(format!("{id}: the lockfile links commands for it, but its published manifest could not be obtained to confirm them")));
        };
        let unknown: Vec<String> = linked
            .iter()
            .filter(|(command, target)| !declared.links_bin(command, target))
            .map(|(command, target)| format!("{command} -> {target}"))
            .collect();
        let plural = if unknown.len() == 1 { "" } else { "s" };
        (!unknown.is_empty()).then(|| Ok(format!("{id}: the lockfile links the command{plural} {}, which its published manifest does not declare (npm links the lockfile's bins, not the package's: regenerate this entry with a fresh install)", unknown.join(", "))))
    }

    /// pnpm's and Yarn's lockfiles record each package's own dependency edges, and the manager
    /// links exactly those: an edge a registry package's published manifest does not ask for
    /// (a pull request giving `sneaky` a `beta` it never declared) changes what that package
    /// loads even when the target is rightly in the tree for someone else.
    pub(super) fn check_edges(&mut self, root: &serde_json::Value) {
        let Layout::Explicit { edges } = &self.tree.layout else {
            return;
        };
        if !self.registry_edges_judged(root) {
            return;
        }
        let mut failures = Vec::new();
        for (dependent, name) in edges.keys() {
            let Some(&i) = self.index.get(dependent) else {
                continue;
            };
            let result = &self.results[i];
            let Some(declared) = result.declared.as_deref() else {
                continue;
            };
            let registry = self
                .tree
                .index_of(dependent)
                .is_some_and(|p| matches!(self.tree.packages[p].source, Source::Registry { .. }));
            if registry && !declared.asks_for(name) {
                let why = format!("{}: the lockfile gives it a dependency {name} its published manifest does not declare (the manager links what the lockfile records)", result.id());
                failures.push((dependent.clone(), why));
            }
        }
        for (location, why) in failures {
            self.fail(&location, why);
        }
    }

    /// Links: declared (or a workspace), and inside the project unless declared exactly so.
    pub(super) fn check_links(&mut self, root: &serde_json::Value) {
        let declared_paths: HashSet<String> = local_specs(root);
        let mut failures = Vec::new();
        for package in &self.tree.packages {
            let Some(target) = link_target(package) else {
                continue;
            };
            let inside = !target.split('/').any(|s| s == "..") && !Path::new(&target).is_absolute();
            if !inside && !declared_paths.contains(&normalize_path(&target)) {
                failures.push((package.location.clone(), format!("{}: a link to {target}, outside the project, that no package.json declares", package.location)));
            }
        }
        for (location, why) in failures {
            self.fail(&location, why);
        }
    }

    /// Entries that no manifest asks for: git, tarball and folder entries always, and registry
    /// entries read from a lockfile. A pull request can add an edge to a parent's entry in the
    /// lockfile (`"dependencies": {"evil": "1.0.0"}`) and an entry for a signed package: the
    /// manager installs what the lockfile's edges say, and runs its scripts, though no published
    /// manifest asks for it. (npm's hidden lockfile and a walk of `node_modules` record what is
    /// installed, extraneous packages included: no edge to judge there.)
    pub(super) fn check_unreached(&mut self, declarers: &[Declarer], root: &serde_json::Value) {
        let known: HashSet<&str> = declarers.iter().map(|d| d.location.as_str()).collect();
        // Parents whose manifest is not at hand (a git or tarball dependency not installed yet):
        // what they declare is unknown, so what they could reach is not judged. (A bundled
        // package's own dependencies come bundled with it: it asks nothing of the tree.)
        let unknown: Vec<&str> = self
            .tree
            .packages
            .iter()
            .filter(|p| link_target(p).is_none() && p.installed != Some(false))
            .filter(|p| p.source != Source::Bundled)
            .map(|p| p.location.as_str())
            .filter(|location| !known.contains(location))
            .collect();
        let registry_edges = self.registry_edges_judged(root);
        let patches = patch_partners(self.tree);
        let reached = |i: usize| {
            self.reached.contains(&i)
                || patches
                    .get(&i)
                    .is_some_and(|partners| partners.iter().any(|p| self.reached.contains(p)))
        };
        let mut failures = Vec::new();
        for (i, package) in self.tree.packages.iter().enumerate() {
            // Entries of a dependency tree: installed folders, or Yarn's placeholders (before
            // install, and always under Plug'n'Play); not the root or its workspaces.
            let in_tree =
                package.location.contains("node_modules/") || package.has_placeholder_location();
            if !in_tree || reached(i) || package.installed == Some(false) {
                continue;
            }
            let id = format!("{}@{}", package.name, package.version);
            let why = match &package.source {
                Source::Git { .. }
                | Source::RemoteTarball { .. }
                | Source::LocalTarball { .. }
                | Source::Directory { .. } => {
                    let kind = crate::model::names::source_kind(&package.source);
                    format!("{id}: a {kind} entry that no package.json asks for")
                }
                Source::Registry { .. } if registry_edges && !self.reachable_from(&unknown, i) => {
                    format!("{id}: a registry entry that no package.json asks for: only the lockfile's own dependency edges lead to it (each parent's published manifest is read, not the lockfile's copy)")
                }
                _ => continue,
            };
            failures.push((package.location.clone(), why));
        }
        for (location, why) in failures {
            self.fail(&location, why);
        }
    }

    /// Registry entries are held to the declared edges when the input is a lockfile and the
    /// project adds no dependencies to published manifests itself (pnpm's and Yarn's
    /// `packageExtensions`: those edges are the project's own configuration, not read here).
    fn registry_edges_judged(&self, root: &serde_json::Value) -> bool {
        use sigverify_lockfile::Input;
        if !matches!(self.tree.input, Input::PackageLock | Input::Shrinkwrap) {
            return false;
        }
        !extends_packages(root, &self.tree.root)
    }

    /// Whether a parent whose manifest is unknown could declare entry `i`: the name it is
    /// installed under resolves to it from one of them.
    fn reachable_from(&self, unknown: &[&str], i: usize) -> bool {
        let package = &self.tree.packages[i];
        let name = match package.location.rsplit_once("node_modules/") {
            Some((_, folder)) => folder,
            None => package.name.as_str(),
        };
        unknown
            .iter()
            .any(|parent| self.resolver.resolve(parent, name) == Some(i))
    }

    /// Flags that would omit an entry production code loads.
    pub(super) fn check_flags(&mut self, declarers: &[Declarer]) {
        let prod = prod_reachable(&self.resolver, declarers);
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

/// Yarn Berry locks a patched package twice, the `patch:` entry and the original it patches
/// (its builtin `compat/typescript` patches, `yarn patch`): one descriptor reaches the pair, so
/// each counts as reached when the other is. By entry index, both ways.
fn patch_partners(tree: &Tree) -> HashMap<usize, Vec<usize>> {
    let mut partners: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, package) in tree.packages.iter().enumerate() {
        let Some(original) = package
            .patched_locator()
            .filter(|_| package.has_placeholder_location())
        else {
            continue;
        };
        if let Some(o) = tree.index_of(&format!("{YARN_PLACEHOLDER}{original}")) {
            partners.entry(i).or_default().push(o);
            partners.entry(o).or_default().push(i);
        }
    }
    partners
}

/// Whether the project configures `packageExtensions` (a setting, not a mention: a string in a
/// description must not switch a check off): package.json's `pnpm.packageExtensions`, or a
/// top-level `packageExtensions:` key of `pnpm-workspace.yaml` or `.yarnrc.yml` with entries.
fn extends_packages(manifest: &serde_json::Value, root: &Path) -> bool {
    let in_manifest = manifest["pnpm"]["packageExtensions"]
        .as_object()
        .is_some_and(|extensions| !extensions.is_empty());
    let in_yaml = |file: &str| {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        let mut lines = text.lines();
        lines.any(|line| {
            line.strip_prefix("packageExtensions:")
                .is_some_and(|rest| !matches!(rest.trim(), "" | "{}" | "~" | "null"))
        }) || yaml_block_has_entries(&text)
    };
    in_manifest || in_yaml("pnpm-workspace.yaml") || in_yaml(".yarnrc.yml")
}

/// `packageExtensions:` on a line of its own, followed by an indented entry.
fn yaml_block_has_entries(text: &str) -> bool {
    let mut lines = text
        .lines()
        .skip_while(|l| l.trim_end() != "packageExtensions:");
    lines.next().is_some()
        && lines
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .is_some_and(|l| l.starts_with(' ') || l.starts_with('\t'))
}

#[cfg(test)]
mod tests {
    use super::extends_packages;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    /// As the source check calls it: with the root package.json it already read.
    fn extends(dir: &tempfile::TempDir) -> bool {
        let manifest = std::fs::read(dir.path().join("package.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        extends_packages(&manifest, dir.path())
    }

    #[test]
    fn package_extensions_are_a_setting_not_a_mention() {
        let mention = project(&[(
            "package.json",
            r#"{"description": "packageExtensions", "keywords": ["packageExtensions"]}"#,
        )]);
        assert!(!extends(&mention));
        let commented = project(&[(
            ".yarnrc.yml",
            "# packageExtensions: later\nnodeLinker: node-modules\n",
        )]);
        assert!(!extends(&commented));
        let empty = project(&[(
            "pnpm-workspace.yaml",
            "packages:\n  - a\npackageExtensions: {}\n",
        )]);
        assert!(!extends(&empty));
        let pnpm = project(&[(
            "package.json",
            r#"{"pnpm": {"packageExtensions": {"a@1": {"dependencies": {"b": "1"}}}}}"#,
        )]);
        assert!(extends(&pnpm));
        let yarn = project(&[(
            ".yarnrc.yml",
            "packageExtensions:\n  \"a@*\":\n    dependencies:\n      b: \"1\"\n",
        )]);
        assert!(extends(&yarn));
        let inline = project(&[(
            "pnpm-workspace.yaml",
            "packageExtensions: {a: {dependencies: {b: '1'}}}\n",
        )]);
        assert!(extends(&inline));
    }
}
