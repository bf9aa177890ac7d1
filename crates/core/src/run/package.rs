//! Verifying one `name@version`, optionally with a lockfile integrity and a local tarball.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;

use crate::cache::EvidenceCache;
use crate::check::internal;
use crate::config::VerifyOptions;
use crate::error::VerifyError;
use crate::model::{CheckOutcome, PackageResult, Report, Summary, SCHEMA_VERSION};
use crate::run::load::{project_dir, Loaded};
use crate::run::registry::{run_checks, RegistryCheck, Shared};
use crate::run::signals::{needs, signal_step};
use crate::source::keyring::Keyring;
use crate::source::tarball::TarballSources;
use crate::work::deadline::Limits;

/// One package to verify.
#[derive(Debug, Clone, Default)]
pub struct PackageSpec {
    /// The registry name (`@scope/name` allowed).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// An integrity to hold against the registry's signed one (as a lockfile would pin it).
    pub integrity: Option<String>,
    /// A tarball whose sha512 must equal the registry's signed integrity.
    pub tarball: Option<PathBuf>,
    /// An attestations document (`{attestations:[...]}`) to verify instead of the registry's.
    pub attestations: Option<Vec<u8>>,
}

impl std::fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.name, self.version)
    }
}

impl PackageSpec {
    /// Parses `name@version` (`@scope/name@version` too). The version must be exact.
    pub fn parse(spec: &str) -> Result<PackageSpec, VerifyError> {
        let bad = || VerifyError::Usage(format!("'{spec}' is not name@version"));
        let at = spec[1..].rfind('@').map(|i| i + 1).ok_or_else(bad)?;
        let (name, version) = (&spec[..at], &spec[at + 1..]);
        if name.is_empty() || version.is_empty() {
            return Err(bad());
        }
        Ok(PackageSpec {
            name: name.to_string(),
            version: version.to_string(),
            ..PackageSpec::default()
        })
    }
}

/// Verifies one package version against its registry (or the offline store) and decides it
/// with the policy, as `verify_tree` does for each package of a tree: the report holds that one
/// package.
pub async fn verify_package(
    spec: &PackageSpec,
    options: &VerifyOptions,
) -> Result<Report, VerifyError> {
    let started = std::time::Instant::now();
    // 1. Load the configuration, the policy and the trust material.
    // The project `dir` is in, found as `verify_tree` finds it (a workspace folder's package is
    // judged by the root's policy and `.npmrc`).
    let root = project_dir(&options.dir);
    let manager = sigverify_lockfile::project_manager(&root)?;
    let loaded = Loaded::load(options, &root, manager)?;
    let registry = loaded.config.registry_for(&spec.name)?;
    let tarball = match &spec.tarball {
        Some(path) => Some(Arc::new(read_tarball(path)?)),
        None => None,
    };
    let mut result = PackageResult::new(
        &spec.name,
        &spec.version,
        &format!("node_modules/{}", spec.name),
        "registry",
    );
    result.registry = Some(registry.to_string());
    result.lockfile_integrity = spec.integrity.clone();
    let check = RegistryCheck {
        result,
        registry: registry.clone(),
        tarball,
        inline_attestations: spec.attestations.clone().map(Arc::new),
    };
    // 2. Registry signature, integrity, attestations (no cache: one package is cheap).
    let keyring = Keyring::load(
        &loaded.evidence,
        std::iter::once(&registry),
        loaded.trusted_root.clone(),
    )
    .await;
    let (signals, history) = needs(&loaded.policy.environment.signals);
    let shared = Shared {
        evidence: loaded.evidence.clone(),
        cache: EvidenceCache::off(),
        provenance: Arc::new(options.provenance.clone()),
        internal: loaded.internal.clone(),
        signals,
        history,
        tarballs: TarballSources {
            root: root.clone(),
            npm_cache: crate::check::contents::npm_cache(loaded.config.get("cache")),
        },
    };
    let limits = Limits::new(1, options.deadline);
    let mut result = run_checks(&shared, &keyring, vec![check], &limits)
        .await
        .pop()
        .expect("one check gives one result");
    // 3. Internal signatures, then the signals (a given tarball is the signed one by now).
    if loaded.internal.is_some() {
        internal::settle(&mut result);
    }
    let why = format!("{}: no installed folder to compare", result.id());
    result.checks.contents = CheckOutcome::off(why);
    let tarballs = shared.tarballs.clone();
    let cache = shared.cache.clone();
    let (mut results, signal_run) = signal_step(
        vec![result],
        &loaded,
        &keyring,
        cache,
        tarballs,
        &limits,
        None,
    )
    .await?;
    let mut result = results.pop().expect("one result in, one out");
    // 4. Settle and decide.
    result.settle();
    loaded
        .policy
        .decide_all(std::slice::from_mut(&mut result), Utc::now());
    let packages = vec![result];
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: format!("npm-sigverify {}", env!("CARGO_PKG_VERSION")),
        project: root.display().to_string(),
        input: "package".to_string(),
        manager: manager.as_str().to_string(),
        input_path: spec.to_string(),
        mode: crate::run::tree::mode(options).to_string(),
        registries: keyring.describe(),
        policy: loaded.policy.summary(),
        summary: Summary::of(&packages),
        exit_code: loaded.policy.exit_code_alone(&packages),
        packages,
        duration_ms: started.elapsed().as_millis() as u64,
        timings: Default::default(),
        slowest: Vec::new(),
        cache: "off".to_string(),
        warnings: (loaded.evidence.warning().map(str::to_string).into_iter())
            .chain(signal_run.warnings)
            .collect(),
        baseline: None,
    };
    let redactor = crate::model::redact::Redactor::new(loaded.config.secrets());
    Ok(redactor.value(report))
}

fn read_tarball(path: &std::path::Path) -> Result<Vec<u8>, VerifyError> {
    std::fs::read(path)
        .map_err(|e| VerifyError::Usage(format!("cannot read tarball {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scoped_and_plain_specs() {
        let s = PackageSpec::parse("@acme/x@1.2.3").unwrap();
        assert_eq!((s.name.as_str(), s.version.as_str()), ("@acme/x", "1.2.3"));
        let s = PackageSpec::parse("lodash@4.17.21").unwrap();
        assert_eq!((s.name.as_str(), s.version.as_str()), ("lodash", "4.17.21"));
        assert!(PackageSpec::parse("lodash").is_err());
        assert!(PackageSpec::parse("@acme/x").is_err());
        assert!(PackageSpec::parse("x@").is_err());
    }
}
