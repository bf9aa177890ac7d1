//! The incident-signal flags shared by `verify`, `explain`, `verify-package`, `install` and
//! `pin`, and the arguments of `pin` and `approve-scripts`.

use std::path::PathBuf;

use chrono::TimeDelta;
use clap::{Args, ValueEnum};
use sigverify_policy::{parse_duration, Action, SignalKind, SignalOverrides};

use crate::arg_groups::{EvidenceArgs, PolicyArgs, ProvenanceArgs};

/// What a signal's finding does (over the policy's `signals` section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActionArg {
    /// Fail the package.
    Fail,
    /// Warn only.
    Warn,
    /// Do not compute the signal.
    Off,
}

impl From<ActionArg> for Action {
    fn from(a: ActionArg) -> Action {
        match a {
            ActionArg::Fail => Action::Fail,
            ActionArg::Warn => Action::Warn,
            ActionArg::Off => Action::Off,
        }
    }
}

/// Incident signals for this run, over the policy's `signals` (see README "Incident signals").
#[derive(Debug, Args, Clone, Default)]
pub struct SignalArgs {
    /// Fail versions published less than this long ago: 3d, 36h, 30m (0 turns it off). The
    /// publish time is the verified log time of the version's attestations when it has any.
    #[arg(long, value_name = "DURATION", value_parser = duration)]
    pub min_release_age: Option<TimeDelta>,
    /// Another publisher than the earlier versions of the release line (lost provenance or
    /// trusted publishing, another repository, workflow or issuer): EPUBLISHERCHANGED.
    #[arg(long, value_enum, value_name = "ACTION")]
    pub publisher_continuity: Option<ActionArg>,
    /// How many earlier versions of a release line continuity examines (default 5).
    #[arg(long, value_name = "N")]
    pub continuity_history: Option<usize>,
    /// Another publisher than sigverify.pins.json records (see `pin`): EPINMISMATCH.
    #[arg(long = "pins", value_enum, value_name = "ACTION")]
    pub pins: Option<ActionArg>,
    /// The pin file (default: sigverify.pins.json at the project root).
    #[arg(long, value_name = "FILE")]
    pub pins_file: Option<PathBuf>,
    /// Install scripts the previous version of the release line did not have:
    /// ENEWINSTALLSCRIPT.
    #[arg(long, value_enum, value_name = "ACTION")]
    pub new_install_scripts: Option<ActionArg>,
    /// A patch or minor update adding a runtime dependency the baseline never had:
    /// ENEWDEPENDENCY (needs a baseline).
    #[arg(long, value_enum, value_name = "ACTION")]
    pub new_dependencies: Option<ActionArg>,
    /// A newly added package named one edit away from a well-known one: ETYPOSQUAT.
    #[arg(long, value_enum, value_name = "ACTION")]
    pub typosquats: Option<ActionArg>,
    /// Many versions of a package, or many packages of one publisher, in a day: EPUBLISHBURST.
    #[arg(long, value_enum, value_name = "ACTION")]
    pub publish_bursts: Option<ActionArg>,
    /// The baseline: a git ref whose lockfile it is (HEAD, origin/main) or a lockfile path;
    /// the report lists added, removed and changed packages.
    #[arg(long, value_name = "REF")]
    pub baseline: Option<String>,
}

fn duration(text: &str) -> Result<TimeDelta, String> {
    parse_duration(text)
}

impl SignalArgs {
    /// The run's overrides of the policy's signals.
    pub fn overrides(&self) -> SignalOverrides {
        let actions = [
            (SignalKind::PublisherContinuity, self.publisher_continuity),
            (SignalKind::Pins, self.pins),
            (SignalKind::NewInstallScripts, self.new_install_scripts),
            (SignalKind::NewDependencies, self.new_dependencies),
            (SignalKind::Typosquats, self.typosquats),
            (SignalKind::PublishBursts, self.publish_bursts),
        ];
        SignalOverrides {
            minimum_release_age: self.min_release_age,
            actions: actions
                .into_iter()
                .filter_map(|(kind, action)| Some((kind, action?.into())))
                .collect(),
            baseline: self.baseline.clone(),
            pins_file: self.pins_file.clone(),
            history: self.continuity_history,
        }
    }
}

/// `pin` arguments.
#[derive(Debug, Args)]
pub struct PinArgs {
    /// The project folder (default: the current folder).
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Replace the pins of this package with its current identity, after reviewing the change
    /// (repeatable).
    #[arg(long, value_name = "NAME")]
    pub update: Vec<String>,
    /// Read this lockfile instead of looking in DIR.
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
    /// Read all evidence from this store (see `fetch`) and never touch the network.
    #[arg(long, value_name = "STORE")]
    pub offline: Option<PathBuf>,
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signals: SignalArgs,
}

/// `approve-scripts` arguments.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The packages whose install scripts to approve: `name` (every version in the tree) or
    /// `name@version`.
    #[arg(value_name = "NAME[@VERSION]", required = true)]
    pub packages: Vec<String>,
    /// The project folder (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub provenance: ProvenanceArgs,
    #[command(flatten)]
    pub evidence: EvidenceArgs,
    #[command(flatten)]
    pub signals: SignalArgs,
}

pub(crate) const PIN_HELP: &str = "\
Examples:
  npm-sigverify pin                          # record every package's publisher in sigverify.pins.json
  npm-sigverify pin --update axios           # after reviewing axios's new publisher
  npm-sigverify pin ./app --registry https://registry.npmjs.org/ --json

Pins are per package and release line (major; minor on 0.x): the verified provenance identity
(repository and owner with their numeric ids, workflow, issuer) or null for no provenance.
Existing pins are kept; only --update replaces them. Commit sigverify.pins.json.

Exit codes: 0 the pin file was written, 1 some packages could not be pinned (they do not verify;
listed), 2 usage or configuration error (a name given to --update is not in the tree).";

pub(crate) const APPROVE_HELP: &str = "\
Examples:
  npm-sigverify approve-scripts esbuild
  npm-sigverify approve-scripts sharp@0.33.5 esbuild --dir ./app

Verifies the project (the installed tree, else its lockfile) and records, in
sigverify.approvals.json, the registry-signed integrity of each named package: `install` then
runs its install scripts for exactly that tarball, never for another version or a republished
one. A project with that file (or npm 12's package.json allowScripts) runs no other package's
install scripts, except names in \"npm-sigverify\": { \"allowScripts\": [...] }.

Exit codes: 0 approved, 1 a package could not be approved (it does not verify, or has no install
scripts), 2 usage or configuration error (a package not in the tree).";
