//! Planning a run: which packages need registry evidence, and which are decided without it
//! (omitted, not installed, not from a registry).

use sigverify_lockfile::{is_omitted, Layout, Omit, Package, Tree};

use crate::config::npmrc::NpmConfig;
use crate::error::VerifyError;
use crate::model::names::{source_alias, source_kind};
use crate::model::{CheckOutcome, PackageResult};
use crate::run::registry::RegistryCheck;
use crate::Code;

/// Splits the tree into results decided without registry evidence and registry checks.
pub(crate) fn plan(
    tree: &Tree,
    config: &NpmConfig,
    omit: &Omit,
) -> Result<(Vec<PackageResult>, Vec<RegistryCheck>), VerifyError> {
    let (mut decided, mut checks) = (Vec::new(), Vec::new());
    for package in &tree.packages {
        let mut result = base_result(package);
        if let Some((code, why)) = skip_of(package, omit) {
            result.checks.registry_signature = CheckOutcome::not_applicable(code, why);
            if code == Code::Omitted {
                let why = format!("{}: omitted, not compared", result.id());
                result.checks.contents = CheckOutcome::off(why);
            }
            if let Some(why) = (code == Code::NotInstalled)
                .then(|| shadowed(tree, package))
                .flatten()
            {
                result.checks.contents = CheckOutcome::failed(Code::ContentModified, why);
            }
            decided.push(result);
            continue;
        }
        let registry = config.registry_for(&package.name)?;
        result.registry = Some(registry.to_string());
        checks.push(RegistryCheck {
            result,
            registry,
            tarball: None,
            inline_attestations: None,
        });
    }
    Ok((decided, checks))
}

/// Why a package needs no registry evidence: omitted, not installed, or not from a registry.
fn skip_of(package: &Package, omit: &Omit) -> Option<(Code, String)> {
    let id = format!("{}@{}", package.name, package.version);
    if is_omitted(package, omit) {
        let why = format!("{id} is a {} dependency, omitted", dep_type(package));
        return Some((Code::Omitted, why));
    }
    if package.installed == Some(false) {
        let why = format!("{id} is in the lockfile but not installed");
        return Some((Code::NotInstalled, why));
    }
    let reason = package.source.skip_reason()?;
    Some((Code::NotRegistry, format!("{id}: {reason}")))
}

/// Why a nested package missing from disk changes what Node loads, if it does: its parent is
/// installed and `require` from there now finds another folder of that name further up (a
/// deleted `node_modules/gamma/node_modules/beta` makes gamma load the top-level beta, another
/// version). Optional dependencies may rightly be absent; a missing package nothing else
/// answers for only makes `require` throw.
fn shadowed(tree: &Tree, package: &Package) -> Option<String> {
    if tree.layout != Layout::NodeModules || package.optional || package.dev_optional {
        return None;
    }
    let (parent, name) = package.location.rsplit_once("/node_modules/")?;
    let installed = |location: &str| {
        tree.index_of(location)
            .is_some_and(|i| tree.packages[i].installed == Some(true))
    };
    if !installed(parent) {
        return None;
    }
    let mut folder = parent;
    let found = loop {
        let (up, _) = folder.rsplit_once("/node_modules/").unwrap_or(("", ""));
        let candidate = match up {
            "" => format!("node_modules/{name}"),
            up => format!("{up}/node_modules/{name}"),
        };
        if candidate != package.location && installed(&candidate) {
            break candidate;
        }
        if up.is_empty() {
            return None;
        }
        folder = up;
    };
    let other = &tree.packages[tree.index_of(&found)?];
    Some(format!(
        "{}@{} is missing from {}: `require('{name}')` from {parent} now loads {found} ({}@{}) instead of what the lockfile installs there",
        package.name, package.version, package.location, other.name, other.version
    ))
}

/// npm's dependency type of a package.
fn dep_type(package: &Package) -> &'static str {
    if package.optional || package.dev_optional && !package.dev {
        "optionalDependencies"
    } else if package.peer {
        "peerDependencies"
    } else if package.dev {
        "devDependencies"
    } else {
        "dependencies"
    }
}

/// A result named by the lockfile entry, with no check run yet.
fn base_result(package: &Package) -> PackageResult {
    let source = source_kind(&package.source);
    let mut result = PackageResult::new(&package.name, &package.version, &package.location, source);
    result.alias = source_alias(&package.source).map(str::to_string);
    result.dep_type = dep_type(package).to_string();
    result.lockfile_integrity = package.integrity.clone();
    result.resolved = package.resolved.clone();
    result
}
