//! The checked policy: what `convert` builds from a file and what `decide` reads.

use crate::exception::Exception;
use crate::pattern::{Glob, PackagePattern};
use crate::signals::{Action, SignalKind, Signals};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A kind of evidence a rule can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvidenceKind {
    /// An npm registry ECDSA signature over `name@version:integrity`.
    RegistrySignature,
    /// A verified Sigstore provenance attestation.
    Provenance,
    /// A cosign signature by a key of the internal trust file.
    InternalSignature,
}

impl EvidenceKind {
    /// Every kind, in the order they are checked and listed.
    pub const ALL: [EvidenceKind; 3] = [
        EvidenceKind::RegistrySignature,
        EvidenceKind::Provenance,
        EvidenceKind::InternalSignature,
    ];

    /// The name used in policy files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::RegistrySignature => "registry-signature",
            EvidenceKind::Provenance => "provenance",
            EvidenceKind::InternalSignature => "internal-signature",
        }
    }

    /// Parses a policy-file name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The whole policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Trust anchors: registries, internal keys, named identities.
    pub trust: Trust,
    /// Rules in file order (selection uses specificity, see [`Policy::rule_for`]).
    pub rules: Vec<Rule>,
    /// Time-limited exceptions.
    pub exceptions: Vec<Exception>,
    /// Named environments.
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// `environments.default`: the environment used when nothing else selects one.
    pub default_environment: Option<String>,
    /// The incident signals (release age, publisher continuity, pins, ...).
    pub signals: Signals,
}

/// Which keys a registry's signatures may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryKeys {
    /// Whatever the registry publishes at `/-/npm/v1/keys` (npm's behaviour).
    Auto,
    /// Only these keyids (`SHA256:...`).
    Pinned(Vec<String>),
}

/// A trusted signer identity (keyless Sigstore certificate claims).
#[derive(Debug, Clone)]
pub struct Identity {
    /// OIDC issuer, compared exactly.
    pub issuer: String,
    /// Certificate subject, exact or a full-match regex.
    pub subject: SubjectMatch,
    /// Source repository pattern (`github.com/acme/*`), if constrained.
    pub repository: Option<Glob>,
    /// Workflow ref pattern, if constrained.
    pub workflow: Option<Glob>,
}

/// How a subject is matched.
#[derive(Debug, Clone)]
pub enum SubjectMatch {
    /// Exact string.
    Exact(String),
    /// Anchored regular expression.
    Regex(Regex),
    /// Any subject (only issuer and the other fields constrain).
    Any,
}

/// How a CA's revocations affect signatures made before them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Revocation {
    /// A revoked certificate fails whatever the signing time (default).
    #[default]
    Always,
    /// A signature whose verified RFC 3161 timestamp precedes the revocation stays valid.
    SigningTime,
}

/// A private CA whose certificates may make internal signatures (paths resolved against the
/// policy file's folder).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateAuthority {
    /// PEM files of its trusted roots.
    pub roots: Vec<PathBuf>,
    /// PEM files of intermediates to build paths with.
    pub intermediates: Vec<PathBuf>,
    /// CRL files; with any, the signing certificate's revocation status must be known.
    pub crls: Vec<PathBuf>,
    /// TSA chain files (PEM, TSA certificate first) whose timestamps prove signing times.
    pub timestamp_authorities: Vec<PathBuf>,
    /// How revocations affect earlier signatures.
    pub revocation: Revocation,
}

/// A signer identity certified by a private CA.
#[derive(Debug, Clone)]
pub struct CaIdentity {
    /// The name of the CA in `trust.certificateAuthorities`.
    pub ca: String,
    /// The certificate's email or URI (exact, or an anchored regex).
    pub subject: SubjectMatch,
    /// The OIDC issuer extension the certificate must carry, if constrained.
    pub issuer: Option<String>,
}

/// The `trust` section.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Registry URL (normalised, no trailing slash) to key policy.
    pub registries: BTreeMap<String, RegistryKeys>,
    /// Path of the cosign trust file of internal keys.
    pub internal_keys: Option<PathBuf>,
    /// Named internal keys: name to lower-case hex fingerprint.
    pub keys: BTreeMap<String, String>,
    /// Named trusted identities.
    pub identities: BTreeMap<String, Identity>,
    /// Named private CAs.
    pub certificate_authorities: BTreeMap<String, CertificateAuthority>,
    /// Named identities of private CAs (`trust.identities` entries with `ca:`).
    pub ca_identities: BTreeMap<String, CaIdentity>,
    /// A Sigstore `trusted_root.json` (a private deployment's) replacing the embedded
    /// public-good root, resolved against the policy file's folder.
    pub sigstore_root: Option<PathBuf>,
}

/// k-of-n internal approvals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approvals {
    /// How many distinct keys must have signed validly.
    pub threshold: usize,
    /// The eligible fingerprints (named keys already resolved), lower-case hex.
    pub keys: Vec<String>,
    /// The eligible CA identities (names of `trust.identities` entries with `ca:`).
    pub identities: Vec<String>,
}

/// Constraints on a verified provenance.
#[derive(Debug, Clone, Default)]
pub struct ProvenanceConstraints {
    /// The provenance repository must equal the package's declared repository.
    pub repository_match: bool,
    /// Allowed source repositories.
    pub repositories: Vec<Glob>,
    /// Allowed workflow refs.
    pub workflow_refs: Vec<Glob>,
    /// Allowed OIDC issuers (exact).
    pub issuers: Vec<String>,
    /// Names of `trust.identities`; the signer must match one of them.
    pub identities: Vec<String>,
}

impl ProvenanceConstraints {
    /// True when no constraint is set.
    pub fn is_empty(&self) -> bool {
        !self.repository_match
            && self.repositories.is_empty()
            && self.workflow_refs.is_empty()
            && self.issuers.is_empty()
            && self.identities.is_empty()
    }
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Which packages it covers.
    pub pattern: PackagePattern,
    /// Evidence every covered package must carry.
    pub require: Vec<EvidenceKind>,
    /// k-of-n internal approvals, if any.
    pub approvals: Option<Approvals>,
    /// Provenance constraints.
    pub provenance: ProvenanceConstraints,
    /// A package with no evidence at all passes (invalid evidence still fails).
    pub allow_unsigned: bool,
}

impl Rule {
    /// The rule used when no policy rule matches: npm's behaviour.
    pub fn npm_default() -> Self {
        Rule {
            pattern: PackagePattern::any(),
            require: vec![EvidenceKind::RegistrySignature],
            approvals: None,
            provenance: ProvenanceConstraints::default(),
            allow_unsigned: false,
        }
    }
}

/// Whether failures stop the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Failures are reported, exit code stays 0.
    Warn,
    /// More failures than `allowed_failures` give exit code 1.
    Enforce,
}

/// An environment as written in the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentSpec {
    /// Warn or enforce.
    pub mode: Mode,
    /// Failures tolerated before the run fails.
    pub allowed_failures: usize,
    /// Evidence required of every package on top of its rule.
    pub require: Vec<EvidenceKind>,
    /// Signal actions that replace the policy's in this environment.
    pub signals: BTreeMap<SignalKind, Action>,
}

impl Policy {
    /// The rule that applies to `name`: the most specific matching rule, else npm's default.
    ///
    /// Order: exact name, then scope globs (`@acme/*`), then other globs by literal length
    /// (longer first), then `*`; among equals the one written first wins.
    pub fn rule_for(&self, name: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pattern.matches(name))
            .min_by_key(|(i, r)| (r.pattern.specificity(), *i))
            .map(|(_, r)| r)
    }
}
