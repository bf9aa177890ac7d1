//! What verification keeps of a packument: each version's signed facts and declarations, and
//! the release history (parsed from registry JSON in `source/packument.rs`; also the shape of
//! the evidence cache's entries).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigverify_attest::VersionInfo;

use crate::model::Declared;

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
    /// `_npmUser.name`: the account the registry says published the version (unsigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npm_user: Option<String>,
    /// `_npmUser.trustedPublisher.id` (`github`, `gitlab`): the registry says a trusted
    /// publisher (OIDC) published it (unsigned metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_publisher: Option<String>,
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
