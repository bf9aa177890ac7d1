//! What the verifier found for one package: the input of [`crate::decide`].
//!
//! The lead maps verification results into these types; this crate never touches keys or bytes.

use serde::{Deserialize, Serialize};
use sigverify_codes::Code;

use crate::signals::SignalFinding;

/// The state of the npm registry signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum SigState {
    /// Every listed signature verified with a trusted key.
    Verified {
        /// The keyids that signed.
        keyids: Vec<String>,
    },
    /// A signature is present but does not verify (or its key is unknown/expired).
    Invalid {
        /// npm's code, e.g. `EINTEGRITYSIGNATURE`, `EMISSINGSIGNATUREKEY`.
        code: Code,
        /// What went wrong.
        message: String,
    },
    /// The signature could not be checked: the registry, its keys or the evidence store were
    /// unavailable. Never a pass.
    Unavailable {
        /// The operational code, e.g. `EREGISTRYUNREACHABLE`.
        code: Code,
        /// What went wrong.
        message: String,
    },
    /// The registry has keys but the package carries no signature.
    Missing,
    /// Not checkable: the registry publishes no keys, or the package is not from a registry.
    Skipped {
        /// Why, as a code.
        code: Code,
        /// Why, in words.
        reason: String,
    },
}

/// The state of the provenance attestation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum ProvState {
    /// A provenance attestation verified; these are its certificate claims.
    #[serde(rename_all = "camelCase")]
    Verified {
        /// Source repository (`github.com/o/r` or a URL; normalised before comparing).
        repository: String,
        /// Workflow ref, e.g. `.github/workflows/release.yml@refs/tags/v1.2.0` or `refs/tags/v1.2.0`.
        workflow_ref: String,
        /// OIDC issuer.
        issuer: String,
        /// Certificate subject (SAN).
        subject: String,
        /// Rekor log index.
        log_index: u64,
    },
    /// No provenance published.
    Absent,
    /// Provenance published but it does not verify (or could not be fetched).
    Invalid {
        /// e.g. `EATTESTATIONVERIFY`, `EATTESTATIONSUBJECT`, `EATTESTATIONFETCH`.
        code: Code,
        /// What went wrong.
        message: String,
    },
    /// No provenance, although an earlier version had it.
    Downgrade {
        /// The last version that had provenance.
        previous: String,
    },
    /// Attestations were not checked in this run (turned off).
    NotChecked,
}

/// One internal (cosign) signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalSig {
    /// Hex SHA-256 of the signer's SPKI DER.
    pub fingerprint: String,
    /// True when it verified against a key of the internal trust file.
    pub valid: bool,
    /// The failure code when not valid.
    pub code: Option<Code>,
    /// The CA identities (policy names) a valid certificate signature matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<String>,
}

impl InternalSig {
    /// Whether a CA certificate vouched for the key (a valid certificate signature always
    /// matched an identity); otherwise the trust file did.
    pub fn is_certificate(&self) -> bool {
        !self.identities.is_empty()
    }
}

/// The state of a check the policy does not configure but must respect: integrity, installed
/// contents, lockfile source. Its failures fail the package whatever the rule (exceptions
/// aside), like an invalid signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OtherState {
    /// It ran and passed.
    Passed,
    /// It ran and found a problem.
    Failed,
    /// It was required but could not run.
    Unavailable,
}

/// The outcome of such a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherCheck {
    /// The check's name (`integrity`, `contents`, `source`).
    pub check: String,
    /// What happened.
    pub state: OtherState,
    /// Why it did not pass.
    pub code: Option<Code>,
    /// What was found.
    pub message: String,
}

/// Everything known about one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageEvidence {
    /// Package name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Where it sits, e.g. `node_modules/a/node_modules/b`.
    pub location: String,
    /// Registry signature state.
    pub registry_signature: SigState,
    /// Provenance state.
    pub provenance: ProvState,
    /// Internal signatures found.
    pub internal_signatures: Vec<InternalSig>,
    /// The repository the package declares, normalised `github.com/o/r`.
    pub package_repository: Option<String>,
    /// Integrity, contents and source outcomes.
    #[serde(default)]
    pub other_checks: Vec<OtherCheck>,
    /// What the incident signals found (release age, publisher continuity, pins, ...).
    #[serde(default)]
    pub signals: Vec<SignalFinding>,
    /// The project's own code (a workspace, or the link to one): nothing was installed from
    /// anywhere, so no rule's evidence requirement applies; its integrity, contents and source
    /// checks still do.
    #[serde(default)]
    pub own_code: bool,
}

impl PackageEvidence {
    /// True when the package carries no signature evidence of any kind (valid or not).
    pub fn is_unsigned(&self) -> bool {
        matches!(
            self.registry_signature,
            SigState::Missing | SigState::Skipped { .. }
        ) && matches!(
            self.provenance,
            ProvState::Absent | ProvState::Downgrade { .. } | ProvState::NotChecked
        ) && self.internal_signatures.is_empty()
    }
}
