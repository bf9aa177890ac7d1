//! Offline verification of npm attestations: SLSA provenance (keyless, Fulcio) and npm
//! publish attestations (registry key), as served by `/-/npm/v1/attestations/<name>@<version>`.
//!
//! The Sigstore cryptography (DSSE signature, Fulcio chain and SCT, Rekor SET, inclusion proof,
//! checkpoint, entry consistency, RFC 3161 timestamps) is done by `sigstore-verify`; this crate
//! adds npm's semantics (subject, predicate type, registry key selection and validity), the
//! provenance facts, an identity policy and provenance-downgrade detection.
//!
//! Pipeline per bundle (npm's order): parse into checked types → DSSE payload type, in-toto
//! `_type`, attestation-level predicateType = signed predicateType → exactly one subject, its
//! name = `pkg:npm/<name>@<version>`, its sha512 = `dist.integrity` (= tarball sha512) → signer
//! selection (a non-empty DSSE keyid must name a registry key; provenance keyless, publish
//! key-signed) → Sigstore verification → registry key valid at the verified log time.
//!
//! ```
//! use sigverify_attest::{verify_attestations, Subject, TrustMaterial};
//!
//! let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../__test__/fixtures/corpus");
//! let doc = std::fs::read(format!("{corpus}/attestations/npm-cli/sigstore@1.0.0.attestations.json"))?;
//! // No registry keys given: the keyless provenance verifies, the key-signed publish
//! // attestation cannot (its keyid names no known key).
//! let trust = TrustMaterial::public_good(Vec::new())?;
//! let subject = Subject {
//!     name: "sigstore",
//!     version: "1.0.0",
//!     integrity: "sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQS8Xk8iXrn9bgytytVLqYD0P7NSqZ6IELTgq+tcDvLPkQjNHyWLNg==",
//!     tarball_sha512: None,
//! };
//! let results = verify_attestations(&doc, &subject, &trust)?;
//! assert!(results[0].is_verified());
//! let facts = results[0].signer.as_ref().unwrap();
//! assert_eq!(facts.source_repository_uri.as_deref(), Some("https://github.com/sigstore/sigstore-js"));
//! assert_eq!(results[1].code.as_deref(), Some("EMISSINGSIGNATUREKEY"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod crypto;
mod downgrade;
mod error;
mod facts;
mod policy;
mod repository;
mod result;
mod statement;
mod subject;
mod trust;
mod verify;

pub use downgrade::{detect_downgrade, Downgrade, VersionInfo};
pub use error::{AttestationError, DocumentError, TrustError};
pub use facts::ProvenanceFacts;
pub use policy::{check_identity, IdentityPolicy, Severity, Violation};
pub use repository::{normalize_repository, normalize_repository_value};
pub use result::{
    AttestationKind, AttestationResult, Status, PROVENANCE_PREDICATE_TYPES, PUBLISH_PREDICATE_TYPE,
};
pub use subject::{sri_sha512, Subject};
pub use trust::{RegistryKey, TrustMaterial, PUBLIC_GOOD_TRUSTED_ROOT};
pub use verify::verify_attestations;
