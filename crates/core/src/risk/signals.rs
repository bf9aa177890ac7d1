//! The risk signals, each from the packument's facts: install scripts, no provenance, a
//! provenance downgrade, a recent publish, few maintainers, publish bursts.

use crate::signals::burst::version_burst;
use crate::source::packument::{PackumentFacts, VersionFacts};
use chrono::{DateTime, TimeDelta, Utc};
use sigverify_attest::detect_downgrade;
use sigverify_policy::{describe_duration, BurstRule};

use super::{RiskEntry, RiskOptions, RiskSignal, SignalKind, Wanted};

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
        version_burst_signal(id, wanted, facts),
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

pub(super) fn version_burst_signal(
    id: &str,
    wanted: &Wanted,
    facts: &PackumentFacts,
) -> Option<RiskSignal> {
    let rule = BurstRule::default();
    let count = version_burst(facts, &wanted.version, &rule)?;
    let detail = format!(
        "{id} is one of {count} versions of {} published within {} (registry times)",
        wanted.name,
        describe_duration(rule.window)
    );
    Some(RiskSignal::new(SignalKind::PublishBurst, detail))
}

/// `_npmUser.name` and publish time of a version, unless a trusted publisher published it
/// (those all appear as one user).
pub(super) fn published_by(
    facts: &PackumentFacts,
    version: &str,
) -> Option<(String, DateTime<Utc>)> {
    let v = facts.versions.get(version)?;
    if v.trusted_publisher.is_some() {
        return None;
    }
    Some((v.npm_user.clone()?, *facts.published.get(version)?))
}

/// Adds a publish-burst signal to every package of the tree whose publisher published at least
/// `rule.packages` of its packages within the window around it.
pub(super) fn publisher_bursts(entries: &mut [RiskEntry], rule: &BurstRule) {
    let by: Vec<Option<(String, DateTime<Utc>)>> =
        entries.iter().map(|e| e.published_by.clone()).collect();
    for (entry, own) in entries.iter_mut().zip(&by) {
        let Some((user, at)) = own else {
            continue;
        };
        let near = |b: &&Option<(String, DateTime<Utc>)>| {
            b.as_ref()
                .is_some_and(|(u, t)| u == user && (*t - *at).abs() <= rule.window)
        };
        let count = by.iter().filter(near).count();
        if count < rule.packages {
            continue;
        }
        let detail = format!(
            "{}@{} is one of {count} packages of this tree that npm user '{user}' published within {} of it",
            entry.name,
            entry.version,
            describe_duration(rule.window)
        );
        entry.score += SignalKind::PublishBurst.weight();
        entry
            .signals
            .push(RiskSignal::new(SignalKind::PublishBurst, detail));
        entry.signals.sort_by_key(|s| std::cmp::Reverse(s.weight));
    }
}
