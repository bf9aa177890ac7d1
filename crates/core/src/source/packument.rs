//! The parts of a packument (registry package document) that verification needs.
//!
//! Registry JSON is parsed into these checked types before any cryptography runs; fields we do
//! not need are skipped by serde without being kept.

use std::collections::{BTreeSet, HashMap};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use sigverify_attest::VersionInfo;

pub use crate::model::Declared;

/// One `dist.signatures` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySignature {
    /// The keyid of the key that made the signature.
    pub keyid: String,
    /// The base64 DER ECDSA signature.
    pub sig: String,
}

/// What one published version carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionFacts {
    /// `dist.integrity`, or the sha1 SRI built from `dist.shasum` for very old versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// `dist.tarball`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tarball: Option<String>,
    /// `dist.signatures`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<RegistrySignature>,
    /// `dist.attestations.url`, when the registry advertises attestations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations_url: Option<String>,
    /// `dist.attestations.provenance.predicateType`, when advertised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance_predicate: Option<String>,
    /// The published package.json `repository` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<serde_json::Value>,
    /// The install-time lifecycle scripts (`preinstall`, `install`, `postinstall`) the published
    /// package.json declares (full packuments only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub install_scripts: Vec<String>,
    /// The dependencies the published package.json declares (the lockfile's claims about them
    /// are never used to judge where a dependency may come from).
    #[serde(default, skip_serializing_if = "Declared::is_empty")]
    pub declared: Declared,
}

/// The facts of a packument restricted to what verification needs (this is also what the
/// evidence cache stores: a few hundred bytes per version instead of the whole packument).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackumentFacts {
    /// The package name the document declares.
    pub name: Option<String>,
    /// Version facts, by exact version.
    pub versions: HashMap<String, VersionFacts>,
    /// Publish times by version (only in full packuments).
    pub published: HashMap<String, DateTime<Utc>>,
    /// How many maintainers the packument lists; `None` without a `maintainers` array (as in
    /// abbreviated packuments).
    #[serde(default)]
    pub maintainers: Option<usize>,
}

impl VersionFacts {
    /// Fills what a result reports of its version (integrity, tarball URL, declared
    /// repository) from these facts: a cached verdict never carries them, so a cache entry
    /// cannot change what later checks compare with.
    pub(crate) fn report_into(&self, result: &mut crate::model::PackageResult) {
        result.integrity = self.integrity.clone();
        if result.resolved.is_none() {
            result.resolved = self.tarball.clone();
        }
        result.repository = self
            .repository
            .as_ref()
            .and_then(sigverify_attest::normalize_repository_value);
        result.declared = Some(std::sync::Arc::new(self.declared.clone()));
    }
}

impl PackumentFacts {
    /// A copy for the cache: every detail of the versions in `keep`, and of the others only what
    /// the release history needs (publish times stay, provenance advertisement stays), so an
    /// entry holds a few versions' signatures instead of hundreds.
    pub fn compacted(&self, keep: &BTreeSet<String>) -> PackumentFacts {
        let versions = self
            .versions
            .iter()
            .map(|(version, v)| {
                let facts = if keep.contains(version) {
                    v.clone()
                } else {
                    VersionFacts {
                        provenance_predicate: v.provenance_predicate.clone(),
                        ..VersionFacts::default()
                    }
                };
                (version.clone(), facts)
            })
            .collect();
        PackumentFacts {
            name: self.name.clone(),
            versions,
            published: self.published.clone(),
            maintainers: self.maintainers,
        }
    }

    /// Every version's publish time and whether it advertised provenance, for downgrade checks.
    pub fn release_history(&self) -> Vec<VersionInfo> {
        self.versions
            .iter()
            .map(|(version, v)| VersionInfo {
                version: version.clone(),
                published: self.published.get(version).copied(),
                has_provenance: v.provenance_predicate.is_some(),
            })
            .collect()
    }
}

/// Why a packument could not be used.
#[derive(Debug, thiserror::Error)]
#[error("malformed packument: {0}")]
pub struct PackumentError(pub String);

#[derive(Deserialize)]
struct WirePackument {
    name: Option<String>,
    #[serde(default)]
    versions: HashMap<String, WireVersion>,
    #[serde(default)]
    time: HashMap<String, serde_json::Value>,
    /// Kept loose: only an array's length is used, anything else means "not listed".
    #[serde(default)]
    maintainers: Option<serde_json::Value>,
}

/// A version document as it appears in `versions[v]` (or served alone at `/<name>/<version>`).
#[derive(Deserialize)]
pub struct WireVersion {
    #[serde(default)]
    dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "peerDependenciesMeta")]
    peer_dependencies_meta: Option<serde_json::Value>,
    #[serde(default, rename = "bundleDependencies")]
    bundle_dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "bundledDependencies")]
    bundled_dependencies: Option<serde_json::Value>,
    #[serde(default)]
    dist: Option<WireDist>,
    #[serde(default)]
    repository: Option<serde_json::Value>,
    /// Kept loose: a malformed `scripts` field must not reject the packument.
    #[serde(default)]
    scripts: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireDist {
    integrity: Option<String>,
    shasum: Option<String>,
    tarball: Option<String>,
    #[serde(default)]
    signatures: Vec<RegistrySignature>,
    attestations: Option<WireAttestations>,
}

#[derive(Deserialize)]
struct WireAttestations {
    url: Option<String>,
    provenance: Option<WireProvenance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProvenance {
    predicate_type: Option<String>,
}

/// Parses a packument (full or abbreviated).
pub fn parse_packument(bytes: &[u8]) -> Result<PackumentFacts, PackumentError> {
    let wire: WirePackument =
        serde_json::from_slice(bytes).map_err(|e| PackumentError(e.to_string()))?;
    let published = wire
        .time
        .iter()
        .filter_map(|(v, t)| Some((v.clone(), parse_time(t.as_str()?)?)))
        .collect();
    let versions = wire
        .versions
        .into_iter()
        .map(|(v, doc)| (v, doc.into_facts()))
        .collect();
    let maintainers = wire
        .maintainers
        .as_ref()
        .and_then(serde_json::Value::as_array)
        .map(Vec::len);
    Ok(PackumentFacts {
        name: wire.name,
        versions,
        published,
        maintainers,
    })
}

/// Parses a single version document (`/<name>/<version>`).
pub fn parse_version_document(bytes: &[u8]) -> Result<VersionFacts, PackumentError> {
    let wire: WireVersion =
        serde_json::from_slice(bytes).map_err(|e| PackumentError(e.to_string()))?;
    Ok(wire.into_facts())
}

impl WireVersion {
    /// The dependency declarations, read like a package.json.
    fn declared(&mut self) -> Declared {
        let mut manifest = serde_json::Map::new();
        let fields = [
            ("dependencies", self.dependencies.take()),
            ("optionalDependencies", self.optional_dependencies.take()),
            ("peerDependencies", self.peer_dependencies.take()),
            ("peerDependenciesMeta", self.peer_dependencies_meta.take()),
            ("bundleDependencies", self.bundle_dependencies.take()),
            ("bundledDependencies", self.bundled_dependencies.take()),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                manifest.insert(key.to_string(), value);
            }
        }
        Declared::from_manifest(&serde_json::Value::Object(manifest))
    }

    fn into_facts(mut self) -> VersionFacts {
        let declared = self.declared();
        let install_scripts = install_scripts(self.scripts.as_ref());
        let Some(dist) = self.dist else {
            return VersionFacts {
                repository: self.repository,
                install_scripts,
                declared,
                ..VersionFacts::default()
            };
        };
        let integrity = dist
            .integrity
            .or_else(|| dist.shasum.as_deref().and_then(sha1_sri));
        let (attestations_url, provenance_predicate) = match dist.attestations {
            Some(a) => (a.url, a.provenance.and_then(|p| p.predicate_type)),
            None => (None, None),
        };
        VersionFacts {
            integrity,
            tarball: dist.tarball,
            signatures: dist.signatures,
            attestations_url,
            provenance_predicate,
            repository: self.repository,
            install_scripts,
            declared,
        }
    }
}

/// The install-time lifecycle scripts a package.json `scripts` object declares.
fn install_scripts(scripts: Option<&serde_json::Value>) -> Vec<String> {
    let Some(scripts) = scripts.and_then(serde_json::Value::as_object) else {
        return Vec::new();
    };
    ["preinstall", "install", "postinstall"]
        .into_iter()
        .filter(|name| scripts.get(*name).is_some_and(|s| !s.is_null()))
        .map(str::to_string)
        .collect()
}

/// `sha1-<base64>` from a hex `shasum`, as ssri does for versions without `integrity`.
fn sha1_sri(shasum: &str) -> Option<String> {
    let bytes = hex::decode(shasum.trim()).ok()?;
    (bytes.len() == 20).then(|| format!("sha1-{}", STANDARD.encode(bytes)))
}

fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shasum_becomes_sha1_sri() {
        let doc = br#"{"name":"a","versions":{"1.0.0":{"dist":{"shasum":"6795e5c564c3bffaae8454cf0b3df370c3d6911c"}}}}"#;
        let facts = parse_packument(doc).unwrap();
        let v = &facts.versions["1.0.0"];
        assert_eq!(
            v.integrity.as_deref(),
            Some("sha1-Z5XlxWTDv/quhFTPCz3zcMPWkRw=")
        );
    }

    #[test]
    fn truncated_json_is_an_error() {
        assert!(parse_packument(br#"{"name":"a","versions":{"#).is_err());
        assert!(parse_packument(br#"{"versions":{"1.0.0":{"dist":{"signatures":"x"}}}}"#).is_err());
    }
}
