//! Error types, one enum per stage.
//!
//! * [`DocumentError`]: the attestations document as a whole is unusable (nothing to verify).
//! * [`TrustError`]: the trust material (trusted root, registry keys) cannot be loaded.
//! * [`AttestationError`]: why ONE bundle did not verify. It never escapes the crate as an
//!   `Err`: [`crate::verify_attestations`] turns it into an `Invalid` result carrying its
//!   [`code`](AttestationError::code), [`detail`](AttestationError::detail), message and
//!   [`remediation`](AttestationError::remediation).

use chrono::{DateTime, Utc};
use sigstore_verify::error::{CertificateError as CertErr, TransparencyLogError as LogErr};
use sigstore_verify::Error as SigstoreError;
use thiserror::Error;

/// The attestations document cannot be read at all.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The bytes are not JSON.
    #[error("attestations document is not valid json: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The JSON has no `attestations` array.
    #[error("attestations document has no `attestations` array (found {found})")]
    NoAttestations {
        /// What was found instead (a JSON type name).
        found: &'static str,
    },
}

impl DocumentError {
    /// Stable code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "EATTESTATIONDOCUMENT",
            Self::NoAttestations { .. } => "ENOATTESTATIONS",
        }
    }

    /// What the user can do about it.
    pub fn remediation(&self) -> &'static str {
        "check that the registry serves /-/npm/v1/attestations/<name>@<version> as JSON \
         ({\"attestations\":[...]}) and that no proxy rewrote the response"
    }
}

/// Trust material that cannot be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The trusted_root.json file could not be read.
    #[error("cannot read trusted root {path}: {source}")]
    Read {
        /// The path given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The trusted root is not valid JSON or not a Sigstore TrustedRoot.
    #[error("invalid trusted root: {0}")]
    Root(#[source] sigstore_verify::trust_root::Error),
    /// The trusted root parsed but its keys/certificates cannot be used for verification.
    #[error("unusable trusted root: {0}")]
    Verifier(#[source] sigstore_verify::Error),
    /// A registry key is not a usable public key.
    #[error("registry key {keyid} is not a valid public key: {reason}")]
    RegistryKey {
        /// The key's keyid.
        keyid: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Two registry keys share one keyid.
    #[error("registry keyid {0} appears more than once")]
    DuplicateKeyid(String),
}

impl TrustError {
    /// Stable code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Read { .. } | Self::Root(_) | Self::Verifier(_) => "ETRUSTEDROOT",
            Self::RegistryKey { .. } | Self::DuplicateKeyid(_) => "EREGISTRYKEY",
        }
    }
}

/// Why one attestation bundle failed verification.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AttestationError {
    /// The attestation entry has no string `predicateType`.
    #[error("attestation entry has no predicateType")]
    MissingPredicateType,
    /// The bundle JSON is not a Sigstore bundle this verifier can read.
    #[error("bundle cannot be parsed: {0}")]
    Bundle(String),
    /// The bundle is not a DSSE envelope (e.g. a message-signature bundle).
    #[error("bundle does not hold a dsse envelope")]
    NotDsse,
    /// DSSE `payloadType` is not in-toto.
    #[error("dsse payloadType is {0:?}, expected \"application/vnd.in-toto+json\"")]
    PayloadType(String),
    /// The payload is not an in-toto statement object.
    #[error("dsse payload is not an in-toto statement: {0}")]
    Statement(String),
    /// The statement `_type` is not an in-toto statement type.
    #[error("statement _type is {0:?}, not an in-toto statement type")]
    StatementType(String),
    /// The attestation-level predicateType differs from the signed statement's.
    #[error("attestation predicateType {attestation:?} differs from the signed statement predicateType {statement:?}")]
    PredicateType {
        /// `attestations[i].predicateType`.
        attestation: String,
        /// `statement.predicateType`.
        statement: String,
    },
    /// The statement does not carry exactly one subject.
    #[error("statement has {0} subjects, expected exactly 1")]
    SubjectCount(usize),
    /// The subject name is not this package's purl.
    #[error("subject name {actual:?} does not match the package purl {expected:?}")]
    SubjectName {
        /// Our purl.
        expected: String,
        /// The signed name.
        actual: String,
    },
    /// The subject has no usable sha512 digest.
    #[error("subject has no sha512 digest")]
    SubjectDigestMissing,
    /// The subject sha512 differs from `dist.integrity`.
    #[error("subject sha512 {actual} does not match the package integrity (hex) {expected}")]
    SubjectDigest {
        /// Hex of the integrity sha512.
        expected: String,
        /// Hex in the statement.
        actual: String,
    },
    /// The tarball bytes hash to something other than `dist.integrity`.
    #[error("tarball sha512 {actual} does not match the package integrity (hex) {expected}")]
    TarballDigest {
        /// Hex of the integrity sha512.
        expected: String,
        /// Hex of the tarball bytes.
        actual: String,
    },
    /// `dist.integrity` has no usable sha512 entry.
    #[error("package integrity {0:?} has no valid sha512 entry")]
    Integrity(String),
    /// The DSSE keyid names no registry key.
    #[error("dsse keyid {0} names no known registry key")]
    MissingKey(String),
    /// A key-signed bundle has an empty DSSE keyid, so no registry key can be selected.
    #[error("bundle is signed by a public key but its dsse keyid is empty (hint {hint:?})")]
    EmptyKeyid {
        /// `verificationMaterial.publicKey.hint`.
        hint: String,
    },
    /// The public key hint and the DSSE keyid disagree.
    #[error("public key hint {hint:?} differs from dsse keyid {keyid:?}")]
    KeyHint {
        /// The hint.
        hint: String,
        /// The keyid.
        keyid: String,
    },
    /// The verification material is the wrong kind for this predicate type.
    #[error("{kind} attestation must be signed with {expected}")]
    Material {
        /// Attestation kind (provenance / publish).
        kind: &'static str,
        /// What it must be signed with.
        expected: &'static str,
    },
    /// The registry key had expired when the bundle was logged.
    #[error("registry key {keyid} expired at {expires}, before the signing time {integrated}")]
    KeyExpired {
        /// The key.
        keyid: String,
        /// Its expiry.
        expires: DateTime<Utc>,
        /// The verified Rekor integrated time.
        integrated: DateTime<Utc>,
    },
    /// No verified signing time exists to check the key's validity against.
    #[error("no verified signing time to check the validity of registry key {0}")]
    NoSigningTime(String),
    /// The Sigstore cryptographic verification failed.
    #[error("{0}")]
    Crypto(#[source] sigstore_verify::Error),
}

impl AttestationError {
    /// npm-level code: `EATTESTATIONSUBJECT`, `EATTESTATIONVERIFY`, `EMISSINGSIGNATUREKEY`
    /// or `EEXPIREDSIGNATUREKEY`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SubjectCount(_)
            | Self::SubjectName { .. }
            | Self::SubjectDigestMissing
            | Self::SubjectDigest { .. }
            | Self::TarballDigest { .. }
            | Self::Integrity(_) => "EATTESTATIONSUBJECT",
            Self::MissingKey(_) => "EMISSINGSIGNATUREKEY",
            Self::KeyExpired { .. } => "EEXPIREDSIGNATUREKEY",
            Self::Crypto(e) if is_subject_error(e) => "EATTESTATIONSUBJECT",
            _ => "EATTESTATIONVERIFY",
        }
    }

    /// Finer detail code (this crate's own vocabulary).
    pub fn detail(&self) -> &'static str {
        match self {
            Self::MissingPredicateType => "EPREDICATETYPE",
            Self::Bundle(_) | Self::NotDsse => "EBUNDLE",
            Self::PayloadType(_) => "EPAYLOADTYPE",
            Self::Statement(_) => "ESTATEMENT",
            Self::StatementType(_) => "ESTATEMENTTYPE",
            Self::PredicateType { .. } => "EPREDICATETYPE",
            Self::SubjectCount(_) => "ESUBJECTCOUNT",
            Self::SubjectName { .. } => "ESUBJECTNAME",
            Self::SubjectDigestMissing | Self::SubjectDigest { .. } => "ESUBJECTDIGEST",
            Self::TarballDigest { .. } => "ETARBALLDIGEST",
            Self::Integrity(_) => "EINTEGRITY",
            Self::MissingKey(_) => "EKEYID",
            Self::EmptyKeyid { .. } => "ENOKEYID",
            Self::KeyHint { .. } => "EKEYHINT",
            Self::Material { .. } => "EMATERIAL",
            Self::KeyExpired { .. } => "EKEYEXPIRED",
            Self::NoSigningTime(_) => "ENOSIGNINGTIME",
            Self::Crypto(e) => detail_code(e),
        }
    }

    /// What the user can do about it.
    pub fn remediation(&self) -> &'static str {
        match self.code() {
            "EATTESTATIONSUBJECT" => {
                "the attestation does not describe this package version or tarball: do not \
                 install it; reinstall from the registry and report it to the package maintainers \
                 if it persists"
            }
            "EMISSINGSIGNATUREKEY" => {
                "refresh the registry keys (/-/npm/v1/keys); if the keyid is still unknown the \
                 attestation was not signed by this registry"
            }
            "EEXPIREDSIGNATUREKEY" => {
                "the attestation was logged after its registry key expired: treat it as untrusted \
                 and report it to the registry"
            }
            _ => {
                "the attestation failed cryptographic verification: do not trust this package \
                 version; check that the trusted root is current, then report it"
            }
        }
    }
}

/// Whether a `sigstore-verify` error means "this bundle describes another artifact".
fn is_subject_error(error: &SigstoreError) -> bool {
    matches!(error, SigstoreError::ArtifactMismatch(_))
}

/// Detail code for a `sigstore-verify` failure.
fn detail_code(error: &SigstoreError) -> &'static str {
    match error {
        SigstoreError::SignatureInvalid(_) | SigstoreError::Crypto(_) => "ESIGNATURE",
        SigstoreError::ArtifactMismatch(_) => "ESUBJECTDIGEST",
        SigstoreError::Certificate(e) => certificate_detail(e),
        SigstoreError::TransparencyLog(e) => tlog_detail(e),
        SigstoreError::Timestamp(_) => "ETIMESTAMP",
        SigstoreError::InvalidTrustRoot(_)
        | SigstoreError::TrustRoot(_)
        | SigstoreError::TrustedCertificate(_) => "ETRUSTEDROOT",
        SigstoreError::IdentityMismatch { .. } | SigstoreError::IssuerMismatch { .. } => {
            "EIDENTITY"
        }
        _ => "EBUNDLE",
    }
}

fn certificate_detail(error: &CertErr) -> &'static str {
    match error {
        CertErr::Malformed(_) => "ECERTIFICATE",
        CertErr::NotYetValid { .. } | CertErr::Expired { .. } => "ECERTVALIDITY",
        CertErr::Sct(_) => "ESCT",
        _ => "ECERTCHAIN",
    }
}

fn tlog_detail(error: &LogErr) -> &'static str {
    match error {
        LogErr::UnknownLog { .. } => "ETLOGUNKNOWN",
        LogErr::InclusionProof(_) => "ETLOGINCLUSION",
        LogErr::Checkpoint(_) => "ETLOGCHECKPOINT",
        LogErr::InclusionPromise(_) => "ETLOGPROMISE",
        LogErr::IntegratedTime(_) => "ETLOGTIME",
        _ => "ETLOGENTRY",
    }
}
