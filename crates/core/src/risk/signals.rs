//! The risk signals, each from the packument's facts: install scripts, no provenance, a
//! provenance downgrade, a recent publish, few maintainers.

use crate::source::packument::{PackumentFacts, VersionFacts};
use chrono::{DateTime, TimeDelta, Utc};
use sigverify_attest::detect_downgrade;

use super::{RiskOptions, RiskSignal, SignalKind, Wanted};

pub(super) fn unknown(why: String) -> RiskSignal {
    RiskSignal::new(SignalKind::Unknown, format!("no registry metadata: {why}"))
}

/// The signals read from the packument.
pub(super) fn registry_signals(
    id: &str,
    wanted: &Wanted,
    facts: &PackumentFacts,
    version: &VersionFacts,
    risk: &RiskOptions,
) -> Vec<RiskSignal> {
    [
        no_provenance_signal(id, version),
        downgrade_signal(wanted, facts),
        recent_publish_signal(id, facts.published.get(&wanted.version).copied(), risk),
        few_maintainers_signal(&wanted.name, facts),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(super) fn install_scripts_signal(
    id: &str,
    wanted: &Wanted,
    version: Option<&VersionFacts>,
) -> Option<RiskSignal> {
    let declared = version.map(|v| v.install_scripts.join(", "));
    let detail = match declared.filter(|names| !names.is_empty()) {
        Some(names) => format!("{id} runs install scripts when installed ({names})"),
        None if wanted.has_install_script => {
            format!(
                "{id} runs install scripts when installed (the lockfile records hasInstallScript)"
            )
        }
        None => return None,
    };
    Some(RiskSignal::new(SignalKind::InstallScripts, detail))
}

pub(super) fn no_provenance_signal(id: &str, version: &VersionFacts) -> Option<RiskSignal> {
    version.provenance_predicate.is_none().then(|| {
        let detail = format!(
            "{id} has no provenance attestation: nothing ties it to a source commit and a build"
        );
        RiskSignal::new(SignalKind::NoProvenance, detail)
    })
}

pub(super) fn downgrade_signal(wanted: &Wanted, facts: &PackumentFacts) -> Option<RiskSignal> {
    let downgrade = detect_downgrade(&facts.release_history(), &wanted.version)?;
    let name = &wanted.name;
    let detail = format!(
        "{name}@{} has no provenance but {name}@{} (same release line {}, published {}) had it: \
         it may have been published outside the project's CI",
        downgrade.version,
        downgrade.previous_version,
        downgrade.line,
        downgrade.previous_published.map_or_else(
            || "at an unknown time".to_string(),
            |t| t.format("%Y-%m-%d").to_string()
        ),
    );
    Some(RiskSignal::new(SignalKind::ProvenanceDowngrade, detail))
}

pub(super) fn recent_publish_signal(
    id: &str,
    published: Option<DateTime<Utc>>,
    risk: &RiskOptions,
) -> Option<RiskSignal> {
    let published = published?;
    let window = TimeDelta::try_days(risk.recent_days).filter(|w| *w > TimeDelta::zero())?;
    // A publish time after `now` (clock skew) counts as just published.
    let age = (risk.now - published).max(TimeDelta::zero());
    if age >= window {
        return None;
    }
    let detail = format!(
        "{id} was published {} ({}), within the last {} days",
        describe_age(age),
        published.format("%Y-%m-%d %H:%M UTC"),
        risk.recent_days
    );
    Some(RiskSignal::new(SignalKind::RecentPublish, detail))
}

/// "less than an hour ago", "5 hours ago", "3 days ago".
pub(super) fn describe_age(age: TimeDelta) -> String {
    let hours = age.num_hours();
    match hours {
        0 => "less than an hour ago".to_string(),
        1 => "1 hour ago".to_string(),
        2..=47 => format!("{hours} hours ago"),
        _ => format!("{} days ago", age.num_days()),
    }
}

pub(super) fn few_maintainers_signal(name: &str, facts: &PackumentFacts) -> Option<RiskSignal> {
    let detail = match facts.maintainers {
        // Abbreviated packuments carry no maintainers list: unknown is not zero.
        None => return None,
        Some(count) if count > 1 => return None,
        Some(1) => format!("{name} has a single maintainer: one compromised account can publish"),
        Some(_) => format!("the registry lists no maintainers for {name}"),
    };
    Some(RiskSignal::new(SignalKind::FewMaintainers, detail))
}
