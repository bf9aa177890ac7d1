//! Verifying one `name@version`, optionally with a lockfile integrity and a local tarball.

use std::path::PathBuf;

use crate::check::integrity::sha512_sri;
use crate::config::npmrc::NpmConfig;
use crate::error::VerifyError;
use crate::model::{PackageResult, Status};
use crate::run::deadline::Limits;
use crate::source::keyring::Keyring;
use std::sync::Arc;

use crate::cache::EvidenceCache;
use crate::run::registry::{run_checks, Check};
use crate::run::tree::{load_internal_trust, load_trusted_root, make_evidence, VerifyOptions};

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

/// Verifies one package version against its registry (or the offline store).
pub async fn verify_package(
    spec: &PackageSpec,
    options: &VerifyOptions,
) -> Result<PackageResult, VerifyError> {
    let config = NpmConfig::load(&options.dir, &options.overrides)?;
    let evidence = make_evidence(options, &config)?;
    let registry = config.registry_for(&spec.name)?;
    let tarball_integrity = match &spec.tarball {
        Some(path) => Some(tarball_sri(path)?),
        None => None,
    };
    let check = Check {
        result: blank_result(spec, registry.as_str()),
        registry: registry.clone(),
        lock_integrity: spec.integrity.clone(),
        tarball_integrity,
        inline_attestations: spec.attestations.clone().map(Arc::new),
    };
    let trusted_root = load_trusted_root(&options.provenance)?;
    let internal = load_internal_trust(options, trusted_root.as_deref())?;
    let keyring = Keyring::load(&evidence, std::iter::once(&registry), trusted_root).await;
    let provenance = Arc::new(options.provenance.clone());
    let cache = EvidenceCache::off();
    let mut results = run_checks(
        &evidence,
        &keyring,
        vec![check],
        &Limits::new(1, options.deadline),
        &provenance,
        &cache,
        internal.as_ref(),
    )
    .await;
    let result = results.pop().expect("one check gives one result");
    Ok(crate::check::internal::settle(result))
}

fn tarball_sri(path: &std::path::Path) -> Result<String, VerifyError> {
    let bytes = std::fs::read(path)
        .map_err(|e| VerifyError::Usage(format!("cannot read tarball {}: {e}", path.display())))?;
    Ok(sha512_sri(&bytes))
}

pub(crate) fn blank_result(spec: &PackageSpec, registry: &str) -> PackageResult {
    PackageResult {
        name: spec.name.clone(),
        version: spec.version.clone(),
        location: format!("node_modules/{}", spec.name),
        alias: None,
        registry: Some(registry.to_string()),
        source: "registry".into(),
        status: Status::Verified,
        code: None,
        message: None,
        remediation: None,
        integrity: None,
        lockfile_integrity: spec.integrity.clone(),
        resolved: None,
        keyids: Vec::new(),
        dep_type: "dependencies".into(),
        contents: None,
        provenance: None,
        attestations: Vec::new(),
        internal_signatures: Vec::new(),
        timing: Default::default(),
    }
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
