//! The incident signals in JS: the `signals` option of `verifyTree()` / `verifyPackage()` and
//! the mirrors of what they report (`#[napi(object)]`, typed in index.d.ts).

use napi_derive::napi;
use sigverify_core::model as core;
use sigverify_core::VerifyError;
use sigverify_policy::{parse_duration, Action, SignalKind, SignalOverrides};

/// The incident signals of a run, over the policy's `signals` section. Each action is `'fail'`,
/// `'warn'` or `'off'`.
#[napi(object)]
#[derive(Default, Clone)]
pub struct SignalOptions {
    /// Fail versions published less than this long ago: `'3d'`, `'36h'`, `'30m'` (`'0'` turns
    /// it off). The publish time is the verified log time of the version's attestations when
    /// it has any, else the registry's (reported `authenticated: false`).
    pub min_release_age: Option<String>,
    /// Another publisher than the earlier versions of the release line: `EPUBLISHERCHANGED`.
    #[napi(ts_type = "'fail' | 'warn' | 'off'")]
    pub publisher_continuity: Option<String>,
    /// How many earlier versions of a release line continuity examines (default 5).
    pub continuity_history: Option<u32>,
    /// Another publisher than `sigverify.pins.json` records: `EPINMISMATCH`.
    #[napi(ts_type = "'fail' | 'warn' | 'off'")]
    pub pins: Option<String>,
    /// The pin file (default: `sigverify.pins.json` at the project root).
    pub pins_file: Option<String>,
    /// Install scripts the previous version of the line did not have: `ENEWINSTALLSCRIPT`.
    #[napi(ts_type = "'fail' | 'warn' | 'off'")]
    pub new_install_scripts: Option<String>,
    /// An update adding a runtime dependency the baseline never had: `ENEWDEPENDENCY`.
    #[napi(ts_type = "'fail' | 'warn' | 'off'")]
    pub new_dependencies: Option<String>,
    /// A newly added package named one edit away from a well-known one: `ETYPOSQUAT`.
    #[napi(ts_type = "'fail' | 'warn' | 'off'")]
    pub typosquats: Option<String>,
    /// Many versions of a package, or packages of one publisher, in a day: `EPUBLISHBURST`.
    #[napi(ts_type = "'fail' | 'warn' | 'off'")]
    pub publish_bursts: Option<String>,
    /// The baseline: a git ref whose lockfile it is (`'origin/main'`) or a lockfile path.
    pub baseline: Option<String>,
}

impl SignalOptions {
    /// Checks and converts the options.
    pub fn into_core(self) -> Result<SignalOverrides, VerifyError> {
        let usage = |why: String| VerifyError::Usage(format!("signals.{why}"));
        let minimum = self
            .min_release_age
            .as_deref()
            .map(parse_duration)
            .transpose()
            .map_err(|e| usage(format!("minReleaseAge: {e}")))?;
        let mut overrides = SignalOverrides {
            minimum_release_age: minimum,
            baseline: self.baseline,
            pins_file: self.pins_file.map(Into::into),
            history: self.continuity_history.map(|n| n as usize),
            ..SignalOverrides::default()
        };
        let actions = [
            (SignalKind::PublisherContinuity, self.publisher_continuity),
            (SignalKind::Pins, self.pins),
            (SignalKind::NewInstallScripts, self.new_install_scripts),
            (SignalKind::NewDependencies, self.new_dependencies),
            (SignalKind::Typosquats, self.typosquats),
            (SignalKind::PublishBursts, self.publish_bursts),
        ];
        for (kind, text) in actions {
            let Some(text) = text else { continue };
            let action = Action::parse(&text).ok_or_else(|| {
                usage(format!(
                    "{}: '{text}' is not fail, warn or off",
                    kind.as_str()
                ))
            })?;
            overrides.actions.insert(kind, action);
        }
        Ok(overrides)
    }
}

/// When a version was published, and how that is known.
#[napi(object)]
pub struct PublishTime {
    /// The time its age is counted from (RFC 3339).
    pub at: String,
    /// True when backed by a verified attestation's log (or RFC 3161) time; false when only the
    /// registry's unsigned `time` says so.
    pub authenticated: bool,
    /// Where `at` comes from.
    #[napi(ts_type = "'publish-attestation' | 'provenance' | 'packument'")]
    pub source: String,
    /// The verified signing time of its attestations.
    pub attested_at: Option<String>,
    /// The registry's `time[version]` (unsigned).
    pub registry_time: Option<String>,
}

/// A verified publishing identity (from a provenance certificate).
#[napi(object)]
pub struct PublisherIdentity {
    /// The OIDC issuer.
    pub issuer: Option<String>,
    /// The source repository (`github.com/owner/repo`).
    pub repository: Option<String>,
    /// The provider's immutable repository id.
    pub repository_id: Option<String>,
    /// The repository owner (`github.com/owner`).
    pub owner: Option<String>,
    /// The provider's immutable owner id.
    pub owner_id: Option<String>,
    /// The workflow file that built it.
    pub workflow: Option<String>,
}

/// Who published a version.
#[napi(object)]
pub struct Publisher {
    /// The provenance state.
    #[napi(ts_type = "'verified' | 'absent' | 'invalid' | 'unchecked'")]
    pub provenance: String,
    /// The verified identity, when its provenance verified.
    pub identity: Option<PublisherIdentity>,
    /// `_npmUser.trustedPublisher.id` (unsigned registry metadata).
    pub trusted_publisher: Option<String>,
    /// `_npmUser.name` (unsigned registry metadata).
    pub npm_user: Option<String>,
}

/// One finding of an incident signal.
#[napi(object)]
pub struct SignalFinding {
    /// The signal.
    #[napi(
        ts_type = "'releaseAge' | 'publisherContinuity' | 'pins' | 'newInstallScripts' | 'newDependencies' | 'typosquats' | 'publishBursts'"
    )]
    pub signal: String,
    /// Its code.
    #[napi(ts_type = "Code")]
    pub code: String,
    /// What was found, naming the package and what to do.
    pub message: String,
    /// The evidence (times, identities, versions).
    #[napi(ts_type = "Record<string, unknown> | null")]
    pub evidence: serde_json::Value,
}

/// How a package differs from the baseline lockfile.
#[napi(object)]
pub struct BaselineChange {
    /// added, changed or unchanged.
    #[napi(ts_type = "'added' | 'changed' | 'unchanged'")]
    pub state: String,
    /// The baseline's versions of the name, when changed.
    pub from: Vec<String>,
}

/// The tree against its baseline lockfile.
#[napi(object)]
pub struct BaselineSummary {
    /// The baseline as given.
    pub reference: String,
    /// Packages (`name@version`) whose name the baseline does not have.
    pub added: Vec<String>,
    /// Packages of the baseline whose name the tree no longer has.
    pub removed: Vec<String>,
    /// Names whose versions changed.
    pub changed: Vec<VersionChange>,
}

/// One name whose versions changed.
#[napi(object)]
pub struct VersionChange {
    /// The package name.
    pub name: String,
    /// Its versions in the baseline.
    pub from: Vec<String>,
    /// Its versions now.
    pub to: Vec<String>,
}

impl From<core::PublishTime> for PublishTime {
    fn from(t: core::PublishTime) -> Self {
        PublishTime {
            at: t.at.to_rfc3339(),
            authenticated: t.authenticated,
            source: t.source,
            attested_at: t.attested_at.map(|t| t.to_rfc3339()),
            registry_time: t.registry_time.map(|t| t.to_rfc3339()),
        }
    }
}

impl From<core::PublisherIdentity> for PublisherIdentity {
    fn from(i: core::PublisherIdentity) -> Self {
        PublisherIdentity {
            issuer: i.issuer,
            repository: i.repository,
            repository_id: i.repository_id,
            owner: i.owner,
            owner_id: i.owner_id,
            workflow: i.workflow,
        }
    }
}

impl From<core::Publisher> for Publisher {
    fn from(p: core::Publisher) -> Self {
        Publisher {
            provenance: p.provenance,
            identity: p.identity.map(PublisherIdentity::from),
            trusted_publisher: p.trusted_publisher,
            npm_user: p.npm_user,
        }
    }
}

impl From<sigverify_policy::SignalFinding> for SignalFinding {
    fn from(f: sigverify_policy::SignalFinding) -> Self {
        SignalFinding {
            signal: f.signal.as_str().to_string(),
            code: f.code.as_str().to_string(),
            message: f.message,
            evidence: f.evidence,
        }
    }
}

impl From<core::BaselineChange> for BaselineChange {
    fn from(b: core::BaselineChange) -> Self {
        BaselineChange {
            state: b.state,
            from: b.from,
        }
    }
}

impl From<core::BaselineSummary> for BaselineSummary {
    fn from(b: core::BaselineSummary) -> Self {
        BaselineSummary {
            reference: b.reference,
            added: b.added,
            removed: b.removed,
            changed: b
                .changed
                .into_iter()
                .map(|c| VersionChange {
                    name: c.name,
                    from: c.from,
                    to: c.to,
                })
                .collect(),
        }
    }
}
