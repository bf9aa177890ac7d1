//! What the incident signals report of a package (publish time, publishing identity, pin,
//! change against the baseline) and of the run (the baseline diff).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigverify_attest::ProvenanceFacts;

/// When a version was published, and how that is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishTime {
    /// The time its age is counted from: the later of the authenticated time and the
    /// registry's (a later registry time can only make it younger).
    pub at: DateTime<Utc>,
    /// True when `at` is backed by a verified attestation's log (or RFC 3161) time; false when
    /// only the registry's unsigned `time` says so.
    pub authenticated: bool,
    /// `publish-attestation`, `provenance` or `packument`: where `at` comes from.
    pub source: String,
    /// The verified signing time of its attestations (the registry's publish attestation
    /// first, else its provenance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attested_at: Option<DateTime<Utc>>,
    /// The registry's `time[version]` (unsigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_time: Option<DateTime<Utc>>,
}

/// A verified publishing identity: the claims of a provenance certificate that name who built a
/// version. Two versions with different identities were published differently.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublisherIdentity {
    /// The OIDC issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// The source repository, normalised (`github.com/owner/repo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The provider's immutable repository id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_id: Option<String>,
    /// The repository owner, normalised (`github.com/owner`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The provider's immutable owner id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// The workflow file that built it (`.github/workflows/release.yml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
}

impl PublisherIdentity {
    /// The identity a verified provenance proves.
    pub fn from_facts(facts: &ProvenanceFacts) -> PublisherIdentity {
        let repository = facts
            .source_repository_uri
            .as_deref()
            .and_then(sigverify_attest::normalize_repository);
        let owner = facts.source_repository_owner_uri.as_deref().map(|uri| {
            let uri = uri.split_once("://").map_or(uri, |(_, rest)| rest);
            uri.trim_end_matches('/').to_ascii_lowercase()
        });
        PublisherIdentity {
            issuer: facts.issuer.clone(),
            repository,
            repository_id: facts.source_repository_id.clone(),
            owner,
            owner_id: facts.source_repository_owner_id.clone(),
            workflow: facts.workflow_path.clone(),
        }
    }

    /// What differs from `earlier`, one phrase per field (`repository id 1 -> 2`). A claim
    /// only `earlier` lacks is not compared (older certificates carry fewer claims); one only
    /// this identity lacks is a difference.
    pub fn changes_from(&self, earlier: &PublisherIdentity) -> Vec<String> {
        let fields = [
            ("repository", &earlier.repository, &self.repository),
            ("repository id", &earlier.repository_id, &self.repository_id),
            ("owner", &earlier.owner, &self.owner),
            ("owner id", &earlier.owner_id, &self.owner_id),
            ("workflow", &earlier.workflow, &self.workflow),
            ("issuer", &earlier.issuer, &self.issuer),
        ];
        fields
            .into_iter()
            .filter_map(|(what, before, now)| {
                let before = before.as_deref()?;
                (now.as_deref() != Some(before))
                    .then(|| format!("{what} {before} -> {}", now.as_deref().unwrap_or("none")))
            })
            .collect()
    }
}

impl std::fmt::Display for PublisherIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        write!(
            f,
            "{} (repository id {}, owner {} id {}), workflow {}, issuer {}",
            or(&self.repository),
            or(&self.repository_id),
            or(&self.owner),
            or(&self.owner_id),
            or(&self.workflow),
            or(&self.issuer)
        )
    }
}

/// Who published a version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Publisher {
    /// `verified` (then `identity` is set), `absent`, `invalid` or `unchecked` (attestations
    /// were not checked).
    pub provenance: String,
    /// The verified identity, when its provenance verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<PublisherIdentity>,
    /// `_npmUser.trustedPublisher.id`: the registry says a trusted publisher published it
    /// (unsigned metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_publisher: Option<String>,
    /// `_npmUser.name` (unsigned metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npm_user: Option<String>,
}

/// How a package differs from the baseline lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineChange {
    /// `added` (its name is not in the baseline), `changed` (other versions there) or
    /// `unchanged`.
    pub state: String,
    /// The baseline's versions of the name, when changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<String>,
}

/// The tree against its baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineSummary {
    /// The baseline as given (`origin/main`, a lockfile path).
    pub reference: String,
    /// Packages (`name@version`) whose name the baseline does not have.
    pub added: Vec<String>,
    /// Packages of the baseline whose name the tree no longer has.
    pub removed: Vec<String>,
    /// Names whose versions changed.
    pub changed: Vec<VersionChange>,
}

/// One name whose versions changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionChange {
    /// The package name.
    pub name: String,
    /// Its versions in the baseline.
    pub from: Vec<String>,
    /// Its versions now.
    pub to: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(repo: &str, repo_id: Option<&str>, workflow: &str) -> PublisherIdentity {
        PublisherIdentity {
            issuer: Some("https://token.actions.githubusercontent.com".into()),
            repository: Some(repo.into()),
            repository_id: repo_id.map(str::to_string),
            owner: None,
            owner_id: Some("7".into()),
            workflow: Some(workflow.into()),
        }
    }

    #[test]
    fn changes_name_each_field_and_ignore_claims_only_the_earlier_lacks() {
        let a = id(
            "github.com/acme/x",
            Some("1"),
            ".github/workflows/release.yml",
        );
        assert!(a.changes_from(&a).is_empty());
        let fork = id(
            "github.com/evil/x",
            Some("2"),
            ".github/workflows/release.yml",
        );
        assert_eq!(
            fork.changes_from(&a),
            [
                "repository github.com/acme/x -> github.com/evil/x",
                "repository id 1 -> 2"
            ]
        );
        let old = id("github.com/acme/x", None, ".github/workflows/release.yml");
        assert!(
            a.changes_from(&old).is_empty(),
            "older certificates lack ids"
        );
        assert_eq!(old.changes_from(&a), ["repository id 1 -> none"]);
        let renamed = id("github.com/acme/y", Some("1"), ".github/workflows/ci.yml");
        assert_eq!(renamed.changes_from(&a).len(), 2);
    }
}
