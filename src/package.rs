//! JS-facing mirrors of one package's result (`#[napi(object)]`, typed in index.d.ts),
//! converted from the core's typed model field by field.

use napi_derive::napi;
use sigverify_core::model as core;

use crate::attestation::{attestation, Attestation};
use crate::signals::{BaselineChange, PublishTime, Publisher, SignalFinding};

/// The verdict on one package.
#[napi(object)]
pub struct PackageResult {
    /// The real package name (for `npm:` aliases, the aliased package).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it sits in the tree (`node_modules/a/node_modules/b`).
    pub location: String,
    /// The folder name when installed under another name (`npm:` alias).
    pub alias: Option<String>,
    /// The registry that serves it.
    pub registry: Option<String>,
    /// How it was installed.
    #[napi(
        ts_type = "'registry' | 'git' | 'directory' | 'local-tarball' | 'remote-tarball' | 'workspace' | 'bundled'"
    )]
    pub source: String,
    /// The verdict, derived from the checks.
    #[napi(ts_type = "'verified' | 'invalid' | 'missing' | 'skipped'")]
    pub status: String,
    /// Why it is not verified: the deciding check's code.
    #[napi(ts_type = "Code")]
    pub code: Option<String>,
    /// What went wrong, naming the package.
    pub message: Option<String>,
    /// What to do about it.
    pub remediation: Option<String>,
    /// Each check's outcome.
    pub checks: Checks,
    /// The policy's decision on this package.
    pub decision: Option<Decision>,
    /// `verifyPackage()` only: the exit code `verify-package` would give (0 also when the
    /// policy's environment is in warn mode, 3 when only evidence was missing). A package of a
    /// tree report has none: the report's `exitCode` is the run's.
    pub exit_code: Option<i32>,
    /// The integrity the registry signed.
    pub integrity: Option<String>,
    /// The integrity the lockfile pins.
    pub lockfile_integrity: Option<String>,
    /// The tarball URL (credentials removed).
    pub resolved: Option<String>,
    /// Keyids whose signatures verified (or the offending keyid).
    pub keyids: Vec<String>,
    /// The repository the published package.json declares (`github.com/o/r`).
    pub repository: Option<String>,
    /// npm's dependency type.
    #[napi(
        js_name = "type",
        ts_type = "'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies'"
    )]
    pub dep_type: String,
    /// What the comparison of the installed files with the signed tarball found.
    pub contents: Option<ContentsResult>,
    /// The install scripts the signed tarball declares (absent when no tarball was read).
    pub install_scripts: Option<Vec<String>>,
    /// Provenance once attestations were checked.
    #[napi(ts_type = "'verified' | 'absent' | 'invalid'")]
    pub provenance: Option<String>,
    /// Each attestation bundle's verdict.
    pub attestations: Vec<Attestation>,
    /// Each internal (cosign) signature found and its verdict.
    pub internal_signatures: Vec<InternalSignature>,
    /// The lockfile line of the entry, when known.
    pub lockfile_line: Option<u32>,
    /// When it was published, and whether that time is authenticated.
    pub publish_time: Option<PublishTime>,
    /// Who published it: the verified provenance identity and the registry's claims.
    pub publisher: Option<Publisher>,
    /// Its pin in sigverify.pins.json (when the pins signal is on).
    #[napi(ts_type = "'match' | 'mismatch' | 'unpinned'")]
    pub pin: Option<String>,
    /// How it differs from the baseline lockfile.
    pub baseline: Option<BaselineChange>,
    /// What the incident signals found; the decision fails or warns on each.
    pub signals: Vec<SignalFinding>,
}

/// The outcome of one check.
#[napi(object)]
pub struct CheckOutcome {
    /// What happened: passed, failed, unavailable (required but could not run: never a pass),
    /// notApplicable (nothing to check by design), off (not part of this run).
    #[napi(ts_type = "'passed' | 'failed' | 'unavailable' | 'notApplicable' | 'off'")]
    pub state: String,
    /// Why it did not pass.
    #[napi(ts_type = "Code")]
    pub code: Option<String>,
    /// The same in words.
    pub message: Option<String>,
}

/// One outcome per check.
#[napi(object)]
pub struct Checks {
    /// The lockfile entry agrees with the manifests, and its folder is one the lockfile installs.
    pub source: CheckOutcome,
    /// npm's registry signature.
    pub registry_signature: CheckOutcome,
    /// The lockfile's integrity equals the signed one.
    pub integrity: CheckOutcome,
    /// Provenance and publish attestations.
    pub attestations: CheckOutcome,
    /// Internal (cosign) signatures.
    pub internal_signatures: CheckOutcome,
    /// The installed files are the signed tarball's.
    pub contents: CheckOutcome,
}

/// The policy's decision on one package.
#[napi(object)]
pub struct Decision {
    /// pass, warn (accepted with a finding) or fail.
    #[napi(ts_type = "'pass' | 'warn' | 'fail'")]
    pub outcome: String,
    /// The rule that applied (its pattern), or `default`.
    pub rule: String,
    /// Every policy check, in order.
    pub checks: Vec<PolicyCheck>,
    /// The exception that matched, if any.
    pub exception: Option<ExceptionUse>,
    /// What to do about failures and warnings.
    pub remediation: Vec<String>,
}

/// One check of a policy decision.
#[napi(object)]
pub struct PolicyCheck {
    /// Its name (`registry-signature`, `provenance.repositoryMatch`, `approvals`, `contents`...).
    pub check: String,
    /// True when it passed.
    pub passed: bool,
    /// False for advisory checks (failing them warns).
    pub required: bool,
    /// Its code.
    #[napi(ts_type = "Code")]
    pub code: Option<String>,
    /// What was found.
    pub message: String,
}

/// An exception that matched a package.
#[napi(object)]
pub struct ExceptionUse {
    /// The spec as written (`name@range`).
    pub package: String,
    /// Its reason.
    pub reason: String,
    /// Its expiry as written.
    pub expires: String,
    /// True when it had expired (it then excuses nothing).
    pub expired: bool,
    /// True when it turned a failure into a warning.
    pub applied: bool,
}

/// One internal (cosign) signature and its verdict.
#[napi(object)]
pub struct InternalSignature {
    /// Where it was found.
    #[napi(ts_type = "'sidecar' | 'store' | 'registry'")]
    pub source: String,
    /// The file it was read from, or the keyid of a `dist.signatures` entry.
    pub location: String,
    /// True when a trust-file key, valid at the signing time, made it (or a certificate of a
    /// policy CA, valid at the signing time, for one of its identities).
    pub valid: bool,
    /// Hex SHA-256 of the verifying key's SPKI.
    pub fingerprint: Option<String>,
    /// That key's owner in the trust file (for a certificate: its identity, serial and CA).
    pub owner: Option<String>,
    /// When the key's (or certificate chain's) validity was checked (RFC 3339).
    pub checked_at: Option<String>,
    /// True when `checkedAt` is a verified timestamp (Rekor or RFC 3161), false when it is now.
    pub timestamped: bool,
    /// Why it does not count (e.g. `EKEYREVOKED`, `ECERTREVOKED`, `ECERTEXPIRED`,
    /// `EKEYNOTTRUSTED`).
    pub code: Option<String>,
    /// Why, in words.
    pub message: Option<String>,
    /// For a certificate signature: the policy's CA identities (`trust.identities` with `ca:`)
    /// it matched.
    pub identities: Vec<String>,
}

/// What the comparison of an installed package folder with its signed tarball found.
#[napi(object)]
pub struct ContentsResult {
    /// Files whose bytes differ from the tarball.
    pub modified: Vec<String>,
    /// Files on disk that the tarball does not have.
    pub added: Vec<String>,
    /// Added files that change what Node loads.
    pub loadable: Vec<String>,
    /// Tarball files missing on disk.
    pub removed: Vec<String>,
    /// Files compared.
    pub checked_files: u32,
}

pub(crate) fn code(c: Option<sigverify_core::Code>) -> Option<String> {
    c.map(|c| c.as_str().to_string())
}

impl From<core::CheckOutcome> for CheckOutcome {
    fn from(c: core::CheckOutcome) -> Self {
        CheckOutcome {
            state: c.state.as_str().to_string(),
            code: code(c.code),
            message: c.message,
        }
    }
}

impl From<core::Checks> for Checks {
    fn from(c: core::Checks) -> Self {
        Checks {
            source: c.source.into(),
            registry_signature: c.registry_signature.into(),
            integrity: c.integrity.into(),
            attestations: c.attestations.into(),
            internal_signatures: c.internal_signatures.into(),
            contents: c.contents.into(),
        }
    }
}

impl From<sigverify_policy::Decision> for Decision {
    fn from(d: sigverify_policy::Decision) -> Self {
        Decision {
            outcome: format!("{:?}", d.outcome).to_lowercase(),
            rule: d.rule,
            checks: d
                .checks
                .into_iter()
                .map(|c| PolicyCheck {
                    check: c.check,
                    passed: c.passed,
                    required: c.required,
                    code: code(c.code),
                    message: c.message,
                })
                .collect(),
            exception: d.exception.map(|e| ExceptionUse {
                package: e.package,
                reason: e.reason,
                expires: e.expires,
                expired: e.expired,
                applied: e.applied,
            }),
            remediation: d.remediation,
        }
    }
}

impl From<core::PackageResult> for PackageResult {
    fn from(p: core::PackageResult) -> Self {
        PackageResult {
            name: p.name,
            version: p.version,
            location: p.location,
            alias: p.alias,
            registry: p.registry,
            source: p.source,
            status: p.status.as_str().to_string(),
            code: code(p.code),
            message: p.message,
            remediation: p.remediation,
            checks: p.checks.into(),
            decision: p.decision.map(Decision::from),
            exit_code: None,
            integrity: p.integrity,
            lockfile_integrity: p.lockfile_integrity,
            resolved: p.resolved,
            keyids: p.keyids,
            repository: p.repository,
            dep_type: p.dep_type,
            contents: p.contents.map(|c| ContentsResult {
                modified: c.modified,
                added: c.added,
                loadable: c.loadable,
                removed: c.removed,
                checked_files: c.checked_files as u32,
            }),
            install_scripts: p.install_scripts,
            provenance: p.provenance,
            attestations: p.attestations.into_iter().map(attestation).collect(),
            internal_signatures: p
                .internal_signatures
                .into_iter()
                .map(internal_signature)
                .collect(),
            lockfile_line: p.lockfile_line.map(|l| l as u32),
            publish_time: p.publish_time.map(PublishTime::from),
            publisher: p.publisher.map(Publisher::from),
            pin: p.pin,
            baseline: p.baseline.map(BaselineChange::from),
            signals: p.signals.into_iter().map(SignalFinding::from).collect(),
        }
    }
}

fn internal_signature(s: core::InternalSignature) -> InternalSignature {
    InternalSignature {
        source: s.source,
        location: s.location,
        valid: s.valid,
        fingerprint: s.fingerprint,
        owner: s.owner,
        checked_at: s.checked_at,
        timestamped: s.timestamped,
        code: s.code,
        message: s.message,
        identities: s.identities,
    }
}
