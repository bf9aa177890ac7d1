//! Per-bundle verdicts.

use crate::error::AttestationError;
use crate::facts::ProvenanceFacts;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// SLSA provenance predicate types npm publishes (v0.2 until 2023, v1 since).
pub const PROVENANCE_PREDICATE_TYPES: [&str; 2] = [
    "https://slsa.dev/provenance/v0.2",
    "https://slsa.dev/provenance/v1",
];

/// npm's publish attestation predicate type.
pub const PUBLISH_PREDICATE_TYPE: &str =
    "https://github.com/npm/attestation/tree/main/specs/publish/v0.1";

/// What an attestation claims to be (from its predicate type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttestationKind {
    /// SLSA build provenance, signed keylessly by the CI workload (Fulcio certificate).
    Provenance,
    /// npm publish attestation, signed by a registry key.
    Publish,
    /// Any other predicate type; verified cryptographically, proves no npm semantics.
    Other,
}

impl AttestationKind {
    /// Kind of an attestation-level predicate type.
    pub fn from_predicate_type(predicate_type: &str) -> Self {
        if PROVENANCE_PREDICATE_TYPES.contains(&predicate_type) {
            Self::Provenance
        } else if predicate_type == PUBLISH_PREDICATE_TYPE {
            Self::Publish
        } else {
            Self::Other
        }
    }
}

/// Outcome of one bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Every check passed.
    Verified,
    /// A check failed; `code`, `detail`, `message` and `remediation` say which.
    Invalid,
}

/// The verdict for one bundle of an attestations document.
///
/// Facts (`signer`, `keyid`, `log_index`, `integrated_time`) are only filled in for verified
/// bundles: an invalid bundle proves nothing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestationResult {
    /// Position of the bundle in the document's `attestations` array.
    pub index: usize,
    /// Attestation-level predicate type (empty if missing).
    pub predicate_type: String,
    /// Kind derived from `predicate_type`.
    pub kind: AttestationKind,
    /// Verified or invalid.
    pub status: Status,
    /// npm-level code when invalid (`EATTESTATIONVERIFY`, `EATTESTATIONSUBJECT`, ...).
    pub code: Option<String>,
    /// Finer detail code when invalid (`ESIGNATURE`, `ETLOGINCLUSION`, `EKEYEXPIRED`, ...).
    pub detail: Option<String>,
    /// Human-readable reason when invalid.
    pub message: Option<String>,
    /// What to do about it, when invalid.
    pub remediation: Option<String>,
    /// Provenance facts proven by a verified provenance bundle.
    pub signer: Option<ProvenanceFacts>,
    /// Registry keyid that signed a verified key-signed (publish) bundle.
    pub keyid: Option<String>,
    /// Rekor log index of the verified entry.
    pub log_index: Option<u64>,
    /// Verified Rekor integrated time.
    pub integrated_time: Option<DateTime<Utc>>,
    /// When the signature verifiably existed: the integrated time, else the earliest verified
    /// RFC 3161 timestamp (an authenticated time, unlike the registry's `time`).
    pub signed_at: Option<DateTime<Utc>>,
    /// Which evidence `signed_at` comes from: `tlog` or `rfc3161`.
    pub signed_at_source: Option<&'static str>,
}

impl AttestationResult {
    /// Whether this bundle verified.
    pub fn is_verified(&self) -> bool {
        self.status == Status::Verified
    }

    pub(crate) fn invalid(index: usize, predicate_type: &str, error: &AttestationError) -> Self {
        Self {
            index,
            predicate_type: predicate_type.to_string(),
            kind: AttestationKind::from_predicate_type(predicate_type),
            status: Status::Invalid,
            code: Some(error.code().to_string()),
            detail: Some(error.detail().to_string()),
            message: Some(error.to_string()),
            remediation: Some(error.remediation().to_string()),
            signer: None,
            keyid: None,
            log_index: None,
            integrated_time: None,
            signed_at: None,
            signed_at_source: None,
        }
    }
}
