//! The evidence behind the checks, as reported: each attestation bundle's verdict, each internal
//! signature's, and what the content comparison found.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigverify_attest::ProvenanceFacts;

/// One verified or rejected attestation bundle, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationSummary {
    /// The attestation's predicate type.
    pub predicate_type: String,
    /// provenance, publish or other.
    pub kind: String,
    /// verified or invalid.
    pub status: String,
    /// npm's code when invalid (`EATTESTATIONVERIFY`, `EATTESTATIONSUBJECT`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Finer detail code (`ESIGNATURE`, `ETLOGINCLUSION`, `EKEYEXPIRED`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why it is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What a verified provenance proves: repository, commit, workflow, issuer, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<ProvenanceFacts>,
    /// Registry keyid of a verified publish attestation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyid: Option<String>,
    /// Rekor log index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_index: Option<u64>,
    /// When the signature verifiably existed (verified bundles only): the log's integrated
    /// time, else the earliest verified RFC 3161 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    /// Where `signedAt` comes from: `tlog` or `rfc3161`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at_source: Option<String>,
}

/// One internal signature and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InternalSignature {
    /// Where it was found: `sidecar`, `store` or `registry` (a `dist.signatures` entry).
    pub source: String,
    /// The file it was read from, or the keyid of the registry entry.
    pub location: String,
    /// True when a trust-file key, valid at the signing time, made it.
    pub valid: bool,
    /// The fingerprint (hex SHA-256 of the SPKI) of the key that verified it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// That key's owner in the trust file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The instant the key's validity was checked at (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// True when `checkedAt` comes from a verified timestamp, false when it is the run's time.
    pub timestamped: bool,
    /// Why it does not count, as a stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Why it does not count, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For a certificate signature: the policy's CA identities its certificate matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<String>,
}

impl InternalSignature {
    pub(crate) fn failed(source: &str, location: String, code: &str, message: String) -> Self {
        InternalSignature {
            identities: Vec::new(),
            source: source.into(),
            location,
            valid: false,
            fingerprint: None,
            owner: None,
            checked_at: None,
            timestamped: false,
            code: Some(code.into()),
            message: Some(message),
        }
    }
}

/// What the comparison of an installed package folder with its signed tarball found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentsResult {
    /// Files whose bytes differ from the tarball.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modified: Vec<String>,
    /// Files on disk that the tarball does not have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    /// Added files that change what Node loads (they shadow a tarball file, are native
    /// addons, or are entry points the manifest names): these fail even in packages with
    /// install scripts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loadable: Vec<String>,
    /// Tarball files missing on disk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// Files compared.
    pub checked_files: usize,
}
