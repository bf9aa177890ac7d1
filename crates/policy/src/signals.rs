//! The incident signals of a policy (its `signals` section): which are on, whether each fails or
//! warns, and their parameters. The verifier computes a signal's findings only when the policy
//! (or a flag) turns it on; [`crate::decide`] turns each finding into a failing or advisory check.
//!
//! Precedence: the policy's `signals`, then the selected environment's `signals` (actions only,
//! so that a development profile can warn where production fails), then [`SignalOverrides`]
//! (the command line, the JS options).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use sigverify_codes::Code;

use crate::pattern::PackagePattern;

/// One incident signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SignalKind {
    /// A version younger than the minimum release age.
    ReleaseAge,
    /// Another publishing identity than the earlier versions of the release line.
    PublisherContinuity,
    /// Another publishing identity than `sigverify.pins.json` records.
    Pins,
    /// Install scripts the previous version of the release line did not have.
    NewInstallScripts,
    /// A patch or minor update adding a runtime dependency the baseline never had.
    NewDependencies,
    /// A newly added package named one edit away from a well-known one.
    Typosquats,
    /// Many versions of a package, or many packages of a publisher, in a short window.
    PublishBursts,
}

impl SignalKind {
    /// Every signal, in the order they are listed.
    pub const ALL: [SignalKind; 7] = [
        SignalKind::ReleaseAge,
        SignalKind::PublisherContinuity,
        SignalKind::Pins,
        SignalKind::NewInstallScripts,
        SignalKind::NewDependencies,
        SignalKind::Typosquats,
        SignalKind::PublishBursts,
    ];

    /// The name in policy files, reports and JS options.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::ReleaseAge => "releaseAge",
            SignalKind::PublisherContinuity => "publisherContinuity",
            SignalKind::Pins => "pins",
            SignalKind::NewInstallScripts => "newInstallScripts",
            SignalKind::NewDependencies => "newDependencies",
            SignalKind::Typosquats => "typosquats",
            SignalKind::PublishBursts => "publishBursts",
        }
    }

    /// Parses a policy-file name.
    pub fn parse(s: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The code of this signal's findings (besides [`Code::SignalUnavailable`]).
    pub fn code(self) -> Code {
        match self {
            SignalKind::ReleaseAge => Code::ReleaseTooYoung,
            SignalKind::PublisherContinuity => Code::PublisherChanged,
            SignalKind::Pins => Code::PinMismatch,
            SignalKind::NewInstallScripts => Code::NewInstallScript,
            SignalKind::NewDependencies => Code::NewDependency,
            SignalKind::Typosquats => Code::Typosquat,
            SignalKind::PublishBursts => Code::PublishBurst,
        }
    }
}

/// What a finding of a signal does to a package.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The signal is not computed.
    #[default]
    Off,
    /// A finding is advisory: the package passes with a warning.
    Warn,
    /// A finding fails the package (exceptions can excuse it).
    Fail,
}

impl Action {
    /// Parses `off`, `warn` or `fail`.
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "off" => Some(Action::Off),
            "warn" => Some(Action::Warn),
            "fail" => Some(Action::Fail),
            _ => None,
        }
    }

    /// The name in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Off => "off",
            Action::Warn => "warn",
            Action::Fail => "fail",
        }
    }
}

/// A signal's action and the packages it leaves alone.
#[derive(Debug, Clone, Default)]
pub struct SignalSetting {
    /// Fail, warn, or off.
    pub action: Action,
    /// Packages the signal never applies to (e.g. the project's own scope).
    pub exclude: Vec<PackagePattern>,
}

/// When a burst of publishes is a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstRule {
    /// At least this many versions of one package published within `window` of each other.
    pub versions: usize,
    /// At least this many packages of the tree published by one publisher within `window`.
    pub packages: usize,
    /// The window.
    pub window: TimeDelta,
}

impl Default for BurstRule {
    fn default() -> Self {
        BurstRule {
            versions: 5,
            packages: 10,
            window: TimeDelta::hours(24),
        }
    }
}

/// Default number of earlier versions of a release line the continuity signal examines.
pub const DEFAULT_HISTORY: usize = 5;

/// The effective signal settings of a run.
#[derive(Debug, Clone)]
pub struct Signals {
    settings: BTreeMap<SignalKind, SignalSetting>,
    /// The minimum release age (zero: the release-age signal is off).
    pub minimum_release_age: TimeDelta,
    /// How many earlier versions of a release line the continuity signal examines (the nearest
    /// lower ones by semver precedence).
    pub history: usize,
    /// The pin file (default: `sigverify.pins.json` at the project root).
    pub pins_file: Option<PathBuf>,
    /// The baseline of the dependency signals: a git ref whose lockfile is the baseline, or a
    /// lockfile path.
    pub baseline: Option<String>,
    /// True when `baseline` was given explicitly for this run (a flag or a JS option): then a
    /// baseline that cannot be read is an error, not a warning.
    pub baseline_explicit: bool,
    /// When publishes count as a burst.
    pub burst: BurstRule,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            settings: BTreeMap::new(),
            minimum_release_age: TimeDelta::zero(),
            history: DEFAULT_HISTORY,
            pins_file: None,
            baseline: None,
            baseline_explicit: false,
            burst: BurstRule::default(),
        }
    }
}

impl PartialEq for Signals {
    fn eq(&self, other: &Self) -> bool {
        let view = |s: &Signals| -> Vec<(SignalKind, Action, Vec<String>)> {
            SignalKind::ALL
                .iter()
                .map(|k| {
                    let setting = s.settings.get(k).cloned().unwrap_or_default();
                    let exclude = setting.exclude.iter().map(|p| p.as_str().to_string());
                    (*k, s.effective(*k), exclude.collect())
                })
                .collect()
        };
        view(self) == view(other)
            && self.minimum_release_age == other.minimum_release_age
            && self.history == other.history
            && self.pins_file == other.pins_file
            && self.baseline == other.baseline
            && self.burst == other.burst
    }
}

impl Eq for Signals {}

impl Signals {
    /// Sets one signal.
    pub fn set(&mut self, kind: SignalKind, setting: SignalSetting) {
        self.settings.insert(kind, setting);
    }

    /// Changes one signal's action, keeping its exclusions.
    pub fn set_action(&mut self, kind: SignalKind, action: Action) {
        self.settings.entry(kind).or_default().action = action;
    }

    /// A signal's action before exclusions (the release age is off without a minimum).
    pub fn effective(&self, kind: SignalKind) -> Action {
        let action = self.settings.get(&kind).map_or(Action::Off, |s| s.action);
        match kind {
            SignalKind::ReleaseAge if self.minimum_release_age <= TimeDelta::zero() => Action::Off,
            _ => action,
        }
    }

    /// True when the signal is computed for some package.
    pub fn is_on(&self, kind: SignalKind) -> bool {
        self.effective(kind) != Action::Off
    }

    /// True when any signal is on.
    pub fn any_on(&self) -> bool {
        SignalKind::ALL.iter().any(|k| self.is_on(*k))
    }

    /// What a finding of `kind` does to the package `name` (off when excluded).
    pub fn action(&self, kind: SignalKind, name: &str) -> Action {
        let excluded = self
            .settings
            .get(&kind)
            .is_some_and(|s| s.exclude.iter().any(|p| p.matches(name)));
        match excluded {
            true => Action::Off,
            false => self.effective(kind),
        }
    }

    /// These settings with an environment's actions on top.
    pub fn with_patch(&self, patch: &BTreeMap<SignalKind, Action>) -> Signals {
        let mut out = self.clone();
        for (kind, action) in patch {
            out.set_action(*kind, *action);
        }
        out
    }

    /// These settings with a run's overrides on top: a minimum release age turns the signal
    /// on (failing) when the policy left it off, and a zero one turns it off.
    pub fn with_overrides(&self, o: &SignalOverrides) -> Signals {
        let mut out = self.clone();
        if let Some(minimum) = o.minimum_release_age {
            out.minimum_release_age = minimum;
            let off = out
                .settings
                .get(&SignalKind::ReleaseAge)
                .is_none_or(|s| s.action == Action::Off);
            if off && minimum > TimeDelta::zero() {
                out.set_action(SignalKind::ReleaseAge, Action::Fail);
            }
        }
        for (kind, action) in &o.actions {
            out.set_action(*kind, *action);
        }
        if let Some(baseline) = &o.baseline {
            out.baseline = Some(baseline.clone());
            out.baseline_explicit = true;
        }
        if let Some(file) = &o.pins_file {
            out.pins_file = Some(file.clone());
        }
        if let Some(history) = o.history {
            out.history = history;
        }
        out
    }
}

/// A run's changes to the policy's signals (command-line flags, JS options).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignalOverrides {
    /// `--min-release-age`: the minimum release age (zero turns the signal off).
    pub minimum_release_age: Option<TimeDelta>,
    /// Per-signal actions (`--publisher-continuity warn`, ...).
    pub actions: BTreeMap<SignalKind, Action>,
    /// `--baseline REF`.
    pub baseline: Option<String>,
    /// `--pins FILE`.
    pub pins_file: Option<PathBuf>,
    /// How many earlier versions continuity examines.
    pub history: Option<usize>,
}

/// One finding of a signal about one package: the input of [`crate::decide`], which makes it a
/// failing or an advisory check according to the signal's action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignalFinding {
    /// The signal.
    pub signal: SignalKind,
    /// Its code (or [`Code::SignalUnavailable`] when its evidence could not be obtained).
    pub code: Code,
    /// What was found, naming the package and what to do.
    pub message: String,
    /// The evidence (times, identities, versions), for reports.
    #[serde(default)]
    pub evidence: serde_json::Value,
}

/// Parses a duration: a number and a unit, `s`, `m` (minutes), `h`, `d` or `w` (`30m`, `36h`,
/// `2d`, `1w`); `0` alone is zero. A bare number is refused: npm counts days, pnpm minutes,
/// Bun seconds, and a guess would be wrong for someone.
pub fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(TimeDelta::zero());
    }
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .filter(|i| *i > 0)
        .ok_or_else(|| bad_duration(text))?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad_duration(text))?;
    let seconds = match unit {
        "s" => Some(n),
        "m" | "min" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86_400),
        "w" => n.checked_mul(7 * 86_400),
        _ => None,
    };
    seconds
        .and_then(TimeDelta::try_seconds)
        .ok_or_else(|| bad_duration(text))
}

fn bad_duration(text: &str) -> String {
    format!("'{text}' is not a duration (write a number and a unit: 90s, 30m, 36h, 2d, 1w; or 0)")
}

/// A duration as a person says it: `2 days`, `36 hours`, `45 minutes`.
pub fn describe_duration(d: TimeDelta) -> String {
    let plural = |n: i64, unit: &str| match n {
        1 => format!("1 {unit}"),
        n => format!("{n} {unit}s"),
    };
    let secs = d.num_seconds().max(0);
    if secs >= 2 * 86_400 && secs % 3600 == 0 && (secs % 86_400 == 0 || secs >= 7 * 86_400) {
        plural(secs / 86_400, "day")
    } else if secs >= 2 * 3600 {
        plural(secs / 3600, "hour")
    } else if secs >= 60 {
        plural(secs / 60, "minute")
    } else {
        plural(secs, "second")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2d").unwrap(), TimeDelta::days(2));
        assert_eq!(parse_duration("36h").unwrap(), TimeDelta::hours(36));
        assert_eq!(parse_duration("30m").unwrap(), TimeDelta::minutes(30));
        assert_eq!(parse_duration("1w").unwrap(), TimeDelta::days(7));
        assert_eq!(parse_duration("0").unwrap(), TimeDelta::zero());
        for bad in ["", "2", "d", "2 days", "-1d", "2y", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(describe_duration(TimeDelta::days(2)), "2 days");
        assert_eq!(describe_duration(TimeDelta::hours(36)), "36 hours");
        assert_eq!(describe_duration(TimeDelta::minutes(61)), "61 minutes");
        assert_eq!(describe_duration(TimeDelta::hours(1)), "60 minutes");
    }

    #[test]
    fn actions_follow_exclusions_overrides_and_patches() {
        let mut s = Signals::default();
        assert!(!s.any_on());
        s.set(
            SignalKind::ReleaseAge,
            SignalSetting {
                action: Action::Fail,
                exclude: vec![PackagePattern::parse("@acme/*").unwrap()],
            },
        );
        assert_eq!(
            s.effective(SignalKind::ReleaseAge),
            Action::Off,
            "no minimum"
        );
        s.minimum_release_age = TimeDelta::days(2);
        assert_eq!(s.action(SignalKind::ReleaseAge, "left-pad"), Action::Fail);
        assert_eq!(s.action(SignalKind::ReleaseAge, "@acme/x"), Action::Off);
        let dev = s.with_patch(&[(SignalKind::ReleaseAge, Action::Warn)].into());
        assert_eq!(dev.action(SignalKind::ReleaseAge, "left-pad"), Action::Warn);
        let zero = s.with_overrides(&SignalOverrides {
            minimum_release_age: Some(TimeDelta::zero()),
            ..SignalOverrides::default()
        });
        assert!(!zero.is_on(SignalKind::ReleaseAge));
        let flag = Signals::default().with_overrides(&SignalOverrides {
            minimum_release_age: Some(TimeDelta::days(3)),
            ..SignalOverrides::default()
        });
        assert_eq!(flag.action(SignalKind::ReleaseAge, "x"), Action::Fail);
    }
}
