//! One package's result: the outcome of each check, the evidence behind them, and the status
//! and code derived from them by [`PackageResult::settle`] (the one place that decides them).

use serde::{Deserialize, Serialize};
use sigverify_codes::{Code, Kind};
use sigverify_policy::{Decision, SignalFinding};

use super::evidence::{AttestationSummary, ContentsResult, InternalSignature};
use super::signals::{BaselineChange, PublishTime, Publisher};
use super::timing::PackageTiming;

/// The outcome for one package, with npm's four buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check that applies passed, with evidence.
    Verified,
    /// A check failed, or a required check could not run (fail closed).
    Invalid,
    /// The registry publishes keys but this version carries no signature.
    Missing,
    /// Not checkable by design: not from a registry, registry without keys, omitted, not
    /// installed.
    Skipped,
}

impl Status {
    /// The status as written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
            Status::Skipped => "skipped",
        }
    }
}

/// The state of one check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckState {
    /// It ran and passed, with evidence.
    Passed,
    /// It ran and found a problem.
    Failed,
    /// It was required but could not run (the evidence could not be obtained): never a pass.
    Unavailable,
    /// Nothing to check by design (for example no registry signature for a git dependency).
    NotApplicable,
    /// Not part of this run (`--no-content`, `--no-attestations`, lockfile-only), or not
    /// reached because an earlier check already failed the package.
    #[default]
    Off,
}

impl CheckState {
    /// The name used in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Passed => "passed",
            CheckState::Failed => "failed",
            CheckState::Unavailable => "unavailable",
            CheckState::NotApplicable => "notApplicable",
            CheckState::Off => "off",
        }
    }

    /// True for the states that fail a package: failed, or required but unavailable.
    pub fn fails(self) -> bool {
        matches!(self, CheckState::Failed | CheckState::Unavailable)
    }
}

/// The outcome of one check: its state, and for anything but a plain pass, a code and message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckOutcome {
    /// What happened.
    pub state: CheckState,
    /// Why it did not pass (or a remark on a pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// The same in words, naming the package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl CheckOutcome {
    /// A pass.
    pub fn passed() -> CheckOutcome {
        CheckOutcome {
            state: CheckState::Passed,
            ..CheckOutcome::default()
        }
    }

    /// A problem found. Operational codes (evidence that could not be obtained) become
    /// [`CheckState::Unavailable`], so the state always agrees with the code's kind.
    pub fn failed(code: Code, message: String) -> CheckOutcome {
        let state = match code.kind() {
            Kind::Operational => CheckState::Unavailable,
            _ => CheckState::Failed,
        };
        CheckOutcome {
            state,
            code: Some(code),
            message: Some(message),
        }
    }

    /// Nothing to check by design.
    pub fn not_applicable(code: Code, message: String) -> CheckOutcome {
        CheckOutcome {
            state: CheckState::NotApplicable,
            code: Some(code),
            message: Some(message),
        }
    }

    /// Not part of this run, with the reason.
    pub fn off(message: String) -> CheckOutcome {
        CheckOutcome {
            state: CheckState::Off,
            code: None,
            message: Some(message),
        }
    }
}

/// One outcome per check, in pipeline order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checks {
    /// The lockfile entry agrees with the manifests that declare it, and its folder is one the
    /// lockfile installs.
    pub source: CheckOutcome,
    /// npm's registry signature over `name@version:integrity`.
    pub registry_signature: CheckOutcome,
    /// The lockfile's (or a given tarball's) integrity equals the signed one.
    pub integrity: CheckOutcome,
    /// Provenance and publish attestations, and the identity rules on them.
    pub attestations: CheckOutcome,
    /// Internal (cosign) signatures, when a trust file is configured.
    pub internal_signatures: CheckOutcome,
    /// The installed files are exactly the signed tarball's.
    pub contents: CheckOutcome,
}

impl Checks {
    /// Each check with its name, in the order a failure's code is chosen.
    pub fn named(&self) -> [(&'static str, &CheckOutcome); 6] {
        [
            ("source", &self.source),
            ("registrySignature", &self.registry_signature),
            ("integrity", &self.integrity),
            ("attestations", &self.attestations),
            ("internalSignatures", &self.internal_signatures),
            ("contents", &self.contents),
        ]
    }

    /// True when some check failed or could not run.
    pub fn any_fails(&self) -> bool {
        self.named().iter().any(|(_, c)| c.state.fails())
    }
}

/// The result for one package of the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageResult {
    /// The real package name (for `npm:` aliases, the aliased package).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it sits in the tree (`node_modules/a/node_modules/b`).
    pub location: String,
    /// The folder name it is installed under when that differs from `name` (an `npm:` alias).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The registry that serves it (for registry packages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    /// How it was installed: registry, git, directory, local-tarball, remote-tarball,
    /// workspace, bundled.
    pub source: String,
    /// npm's dependency type: dependencies, devDependencies, optionalDependencies,
    /// peerDependencies.
    #[serde(rename = "type")]
    pub dep_type: String,
    /// The verdict, derived from the checks by [`PackageResult::settle`].
    pub status: Status,
    /// Why it is not verified (`null` when verified): the deciding check's code.
    pub code: Option<Code>,
    /// What went wrong (or why it was skipped), naming the package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What to do about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Each check's outcome.
    pub checks: Checks,
    /// The integrity the registry signed (or, for internal packages, the tarball's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// The integrity the lockfile pins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lockfile_integrity: Option<String>,
    /// The tarball URL (credentials removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// The keyids whose signatures verified (or the offending keyid on failure).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyids: Vec<String>,
    /// The repository the published package.json declares, normalised (`github.com/o/r`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// verified, absent or invalid, once attestations were checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// Each attestation bundle's verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationSummary>,
    /// Each internal (cosign) signature found and its verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub internal_signatures: Vec<InternalSignature>,
    /// What the comparison of the installed files with the signed tarball found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contents: Option<ContentsResult>,
    /// The install scripts the signed tarball's `package.json` declares (`None` when no
    /// tarball was read: the lockfile's claim is never used for this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_scripts: Option<Vec<String>>,
    /// When it was published, and whether that time is authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_time: Option<PublishTime>,
    /// Who published it: the verified provenance identity and the registry's claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<Publisher>,
    /// Its pin in `sigverify.pins.json` (when the pins signal is on): `match`, `mismatch` or
    /// `unpinned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    /// How it differs from the baseline lockfile (with `--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineChange>,
    /// What the incident signals found; the decision fails or warns on each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalFinding>,
    /// The policy's decision (set by the decide stage of every run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// The line of the lockfile where the entry is, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lockfile_line: Option<usize>,
    /// Where this package's verification time went (reported through the slowest list).
    #[serde(skip)]
    pub timing: PackageTiming,
    /// The dependencies its published manifest declares (from the registry's facts), for the
    /// source check.
    #[serde(skip)]
    pub(crate) declared: Option<std::sync::Arc<super::declared::Declared>>,
    /// Its packument's facts (the other versions' too), for the signals.
    #[serde(skip)]
    pub(crate) packument: Option<std::sync::Arc<crate::model::facts::PackumentFacts>>,
}

impl PackageResult {
    /// A result named by the lockfile, with no check run yet.
    pub fn new(name: &str, version: &str, location: &str, source: &str) -> PackageResult {
        PackageResult {
            name: name.to_string(),
            version: version.to_string(),
            location: location.to_string(),
            alias: None,
            registry: None,
            source: source.to_string(),
            dep_type: "dependencies".to_string(),
            status: Status::Verified,
            code: None,
            message: None,
            remediation: None,
            checks: Checks::default(),
            integrity: None,
            lockfile_integrity: None,
            resolved: None,
            keyids: Vec::new(),
            repository: None,
            provenance: None,
            attestations: Vec::new(),
            internal_signatures: Vec::new(),
            contents: None,
            install_scripts: None,
            publish_time: None,
            publisher: None,
            pin: None,
            baseline: None,
            signals: Vec::new(),
            decision: None,
            lockfile_line: None,
            timing: PackageTiming::default(),
            declared: None,
            packument: None,
        }
    }

    /// `name@version` (just the name when no version is known).
    pub fn id(&self) -> String {
        match self.version.is_empty() {
            true => self.name.clone(),
            false => format!("{}@{}", self.name, self.version),
        }
    }

    /// The integrity of the tarball the installed files must be: the signed one (the
    /// registry's, or a `file:` tarball's under internal signatures), else, for a remote or
    /// `file:` tarball, the one the lockfile pins. No signature vouches for that tarball, but
    /// the package manager installed it only after checking it against that pin, so files
    /// changed on disk since (a restored `node_modules`) still show.
    pub fn compared_integrity(&self) -> Option<&str> {
        self.integrity
            .as_deref()
            .or_else(|| match self.is_tarball_outside_registry() {
                true => self.lockfile_integrity.as_deref(),
                false => None,
            })
    }

    /// What the installed files are compared with, for messages: "the signed tarball", or
    /// "the tarball the lockfile pins" when no signature names one (see
    /// [`PackageResult::compared_integrity`]).
    pub fn compared_tarball(&self) -> &'static str {
        match self.compared_with_lockfile_pin() {
            true => "the tarball the lockfile pins",
            false => "the signed tarball",
        }
    }

    /// True when the installed files are compared with the tarball the lockfile pins (see
    /// [`PackageResult::compared_integrity`]) rather than with a signed one.
    pub fn compared_with_lockfile_pin(&self) -> bool {
        self.integrity.is_none() && self.is_tarball_outside_registry()
    }

    /// A tarball outside any registry (a URL or a `file:` path): only the lockfile's integrity
    /// names its bytes when no internal signature does.
    pub(crate) fn is_tarball_outside_registry(&self) -> bool {
        matches!(self.source.as_str(), "remote-tarball" | "local-tarball")
    }

    /// Derives status, code, message and remediation from the checks. This is the one place
    /// they are decided:
    /// 1. the first check (in [`Checks::named`] order) that failed or could not run makes the
    ///    package `invalid` with its code, except a missing registry signature;
    /// 2. a missing registry signature, with nothing else failing, makes it `missing`;
    /// 3. a registry signature that was never judged makes it `invalid` (`ENOTCHECKED`);
    /// 4. no registry signature to check (not from a registry, registry without keys, not
    ///    installed, omitted) and no valid internal signature makes it `skipped`;
    /// 5. otherwise it is `verified`.
    pub fn settle(&mut self) {
        let missing = Some(Code::MissingSignature);
        let failing = self
            .checks
            .named()
            .into_iter()
            .map(|(_, c)| c)
            .find(|c| c.state.fails() && !(c.state == CheckState::Failed && c.code == missing));
        let signature = &self.checks.registry_signature;
        let (status, deciding) = if let Some(check) = failing {
            (Status::Invalid, Some(check.clone()))
        } else if signature.state == CheckState::Failed && signature.code == missing {
            (Status::Missing, Some(signature.clone()))
        } else if signature.state == CheckState::Off {
            // A registry signature that was never judged (an interrupted run): fail closed.
            let why = format!("{}: its registry signature was never checked", self.id());
            (
                Status::Invalid,
                Some(CheckOutcome::failed(Code::NotChecked, why)),
            )
        } else if signature.state == CheckState::NotApplicable
            && self.checks.internal_signatures.state != CheckState::Passed
        {
            (Status::Skipped, Some(signature.clone()))
        } else {
            (Status::Verified, None)
        };
        self.status = status;
        self.code = deciding.as_ref().and_then(|c| c.code);
        self.message = deciding.and_then(|c| c.message);
        self.remediation = self.code.map(|c| c.remediation().to_string());
    }
}
