//! Planning a run: which packages need registry evidence, and which are decided without it
//! (omitted, not installed, not from a registry).

use sigverify_lockfile::{is_omitted, Omit, Package, Tree};

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
