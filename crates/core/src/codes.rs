//! Stable failure codes: npm's vocabulary where npm has one, our own beside it.
//!
//! Every non-verified package in a report carries one of these, with a message that names the
//! package and a remediation hint that says what to do next.

use serde::{Deserialize, Serialize};

/// A stable, machine-readable reason why a package is not `verified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Code {
    /// A registry signature does not verify with its key (npm's code).
    #[serde(rename = "EINTEGRITYSIGNATURE")]
    IntegritySignature,
    /// A signature names a keyid the registry does not publish (npm's code).
    #[serde(rename = "EMISSINGSIGNATUREKEY")]
    MissingSignatureKey,
    /// The signing key had expired when the version was published (npm's code).
    #[serde(rename = "EEXPIREDSIGNATUREKEY")]
    ExpiredSignatureKey,
    /// The registry serves keys but the version carries no signature.
    #[serde(rename = "EMISSINGSIGNATURE")]
    MissingSignature,
    /// The lockfile's integrity differs from the registry's signed `dist.integrity`.
    #[serde(rename = "EINTEGRITYMISMATCH")]
    IntegrityMismatch,
    /// The registry has no document for this package (HTTP 404).
    #[serde(rename = "ENOPACKUMENT")]
    NoPackument,
    /// The packument exists but does not list this version.
    #[serde(rename = "EVERSIONNOTFOUND")]
    VersionNotFound,
    /// The packument is not valid JSON or lacks the fields verification needs.
    #[serde(rename = "EBADPACKUMENT")]
    BadPackument,
    /// The registry could not be reached or kept failing (after retries).
    #[serde(rename = "EREGISTRYUNREACHABLE")]
    RegistryUnreachable,
    /// The registry's signing keys could not be obtained (not a 404: an error).
    #[serde(rename = "EKEYSUNAVAILABLE")]
    KeysUnavailable,
    /// The offline evidence store has no evidence for this package.
    #[serde(rename = "ENOEVIDENCE")]
    NoEvidence,
    /// Skipped: the registry publishes no signing keys.
    #[serde(rename = "ENOREGISTRYKEYS")]
    NoRegistryKeys,
    /// Skipped: not installed from a registry (git, file, link, remote tarball, workspace, bundled).
    #[serde(rename = "ENOTREGISTRY")]
    NotRegistry,
    /// Skipped: listed in the lockfile but not on disk (npm audit signatures skips these too).
    #[serde(rename = "ENOTINSTALLED")]
    NotInstalled,
    /// Skipped: excluded by `--omit`.
    #[serde(rename = "EOMITTED")]
    Omitted,
    /// Installed files differ from the signed tarball (changed or deleted files).
    #[serde(rename = "ECONTENTMODIFIED")]
    ContentModified,
    /// Files that are not in the signed tarball were added to the installed package.
    #[serde(rename = "ECONTENTADDED")]
    ContentAdded,
    /// Attestations are advertised but could not be fetched (404, timeout).
    #[serde(rename = "EATTESTATIONFETCH")]
    AttestationFetch,
    /// An attestation bundle does not verify (npm's code).
    #[serde(rename = "EATTESTATIONVERIFY")]
    AttestationVerify,
    /// An attestation's subject is not this package (npm's code).
    #[serde(rename = "EATTESTATIONSUBJECT")]
    AttestationSubject,
    /// Earlier versions of this release line had provenance; this one has none.
    #[serde(rename = "EPROVENANCEDOWNGRADE")]
    ProvenanceDowngrade,
    /// Provenance is required and this version has none.
    #[serde(rename = "EPROVENANCEREQUIRED")]
    ProvenanceRequired,
    /// The provenance names another repository than the package's own.
    #[serde(rename = "EPROVENANCEREPOSITORY")]
    ProvenanceRepository,
    /// The provenance's issuer or workflow ref is not allowed.
    #[serde(rename = "EPROVENANCEIDENTITY")]
    ProvenanceIdentity,
    /// Internal (cosign) signatures were found but none verifies with a valid trusted key.
    #[serde(rename = "EINTERNALSIGNATURE")]
    InternalSignature,
    /// The run's total deadline passed before this package was verified.
    #[serde(rename = "EDEADLINE")]
    Deadline,
}

impl Code {
    /// The code as it appears in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::IntegritySignature => "EINTEGRITYSIGNATURE",
            Code::MissingSignatureKey => "EMISSINGSIGNATUREKEY",
            Code::ExpiredSignatureKey => "EEXPIREDSIGNATUREKEY",
            Code::MissingSignature => "EMISSINGSIGNATURE",
            Code::IntegrityMismatch => "EINTEGRITYMISMATCH",
            Code::NoPackument => "ENOPACKUMENT",
            Code::VersionNotFound => "EVERSIONNOTFOUND",
            Code::BadPackument => "EBADPACKUMENT",
            Code::RegistryUnreachable => "EREGISTRYUNREACHABLE",
            Code::KeysUnavailable => "EKEYSUNAVAILABLE",
            Code::NoEvidence => "ENOEVIDENCE",
            Code::NoRegistryKeys => "ENOREGISTRYKEYS",
            Code::NotRegistry => "ENOTREGISTRY",
            Code::NotInstalled => "ENOTINSTALLED",
            Code::Omitted => "EOMITTED",
            Code::ContentModified => "ECONTENTMODIFIED",
            Code::ContentAdded => "ECONTENTADDED",
            Code::AttestationFetch => "EATTESTATIONFETCH",
            Code::AttestationVerify => "EATTESTATIONVERIFY",
            Code::AttestationSubject => "EATTESTATIONSUBJECT",
            Code::ProvenanceDowngrade => "EPROVENANCEDOWNGRADE",
            Code::ProvenanceRequired => "EPROVENANCEREQUIRED",
            Code::ProvenanceRepository => "EPROVENANCEREPOSITORY",
            Code::ProvenanceIdentity => "EPROVENANCEIDENTITY",
            Code::InternalSignature => "EINTERNALSIGNATURE",
            Code::Deadline => "EDEADLINE",
        }
    }

    /// What the user should do about a package that failed with this code.
    pub fn remediation(self) -> &'static str {
        match self {
            Code::IntegritySignature => "do not install this version: the registry metadata does not match what the registry signed; report it to the registry and pin a known-good version",
            Code::MissingSignatureKey => "the signature names a key the registry does not publish: refresh the registry keys (or the embedded trust material) and check the registry is the one you expect",
            Code::ExpiredSignatureKey => "the version was signed with a key that had expired when it was published: treat it as untrusted and ask the publisher to republish",
            Code::MissingSignature => "the registry signs packages but not this one: check it was not injected by a mirror or proxy, or add an exception in your policy",
            Code::IntegrityMismatch => "the lockfile pins different bytes than the registry signed: regenerate the lockfile from a trusted registry (`npm install --package-lock-only`) and review the diff",
            Code::NoPackument => "the registry does not know this package: check the registry configuration (.npmrc, scoped registries) and whether it was unpublished",
            Code::VersionNotFound => "the registry does not list this version: it may have been unpublished; update the lockfile to a published version",
            Code::BadPackument => "the registry answered with a malformed document: retry, and check any proxy or mirror between you and the registry",
            Code::RegistryUnreachable => "the registry could not be reached: check the network, proxy and registry URL, or verify offline with `--offline STORE`",
            Code::KeysUnavailable => "the registry's signing keys could not be fetched: retry, or verify offline with a store made by `npm-sigverify fetch`",
            Code::NoEvidence => "the offline store has no evidence for this package: refresh it with `npm-sigverify fetch --out STORE` on a connected machine",
            Code::NoRegistryKeys => "the registry publishes no signing keys, so its packages cannot be checked for registry signatures",
            Code::NotRegistry => "not from a registry: pin git dependencies to a commit and review local and remote tarballs yourself",
            Code::NotInstalled => "not installed here (for example an optional dependency for another platform)",
            Code::Omitted => "excluded by --omit",
            Code::ContentModified => "the installed files are not the signed ones: reinstall (rm -rf node_modules && npm ci) and find out what changed them",
            Code::ContentAdded => "files that are not in the signed tarball were added: check what created them, then reinstall",
            Code::AttestationFetch => "the registry advertises attestations it does not serve: retry, and check any proxy or mirror; verify offline with a complete store",
            Code::AttestationVerify => "do not install this version: its attestation does not verify against the Sigstore trusted root and the registry keys",
            Code::AttestationSubject => "do not install this version: its attestation is about another package or tarball",
            Code::ProvenanceDowngrade => "earlier releases of this line were built with provenance and this one was not (a compromised-publisher pattern): pin the previous version until the maintainers confirm the release",
            Code::ProvenanceRequired => "this package must carry verified provenance: ask the publisher to publish with `npm publish --provenance`, or add a policy exception",
            Code::ProvenanceRepository => "the provenance was built from a different repository than package.json names: treat the release as suspicious and confirm with the maintainers",
            Code::ProvenanceIdentity => "the provenance's issuer or workflow ref is not in the allowed list: check the release workflow or the policy",
            Code::Deadline => "the run's --deadline passed first: raise it, lower the load on the registry, or run again (the cache keeps what was fetched)",
            Code::InternalSignature => "none of the package's internal signatures verifies with a key of the trust file that was valid when it signed: re-sign the tarball (npm-sigverify sign) with a current key, or check the tarball was not changed",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
