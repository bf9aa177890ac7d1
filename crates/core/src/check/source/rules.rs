//! The rules on the tree as a whole: bundles, links, entries no manifest asks for, and flags
//! that would omit what production code loads.

use std::collections::HashSet;
use std::path::Path;

use sigverify_lockfile::Source;

use super::graph::{bundle_owner, link_target, prod_reachable, Declarer};
use super::spec::local_specs;
use super::{normalize_path, Ctx};
use crate::model::CheckOutcome;
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

    /// Git, tarball and folder entries that no manifest asks for.
    pub(super) fn check_unreached(&mut self) {
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
