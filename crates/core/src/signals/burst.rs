//! Publish bursts: many versions of one package, or many packages of the tree by one publisher,
//! published within a short window: how worms (Shai-Hulud) and poisoned release pipelines
//! (TanStack's 84 versions) look from the registry. Monorepos release this way too, so this is
//! advisory by nature. Evidence: the registry's `time` and `_npmUser` (unsigned metadata), and
//! the verified publish time where it is later.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use sigverify_policy::{describe_duration, BurstRule, SignalFinding, SignalKind};

use crate::model::PackageResult;
use crate::source::packument::PackumentFacts;
use crate::Code;

/// The most publish times within one `window` that contains `at`.
pub fn densest_window(times: &[DateTime<Utc>], at: DateTime<Utc>, window: TimeDelta) -> usize {
    let near: Vec<DateTime<Utc>> = times
        .iter()
        .copied()
        .filter(|t| *t >= at - window && *t <= at + window)
        .collect();
    near.iter()
        .filter(|start| **start <= at && **start + window >= at)
        .map(|start| {
            near.iter()
                .filter(|t| **t >= *start && **t <= *start + window)
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Versions of the same package published around `version` (the packument's times).
pub fn version_burst(facts: &PackumentFacts, version: &str, rule: &BurstRule) -> Option<usize> {
    let at = *facts.published.get(version)?;
    let times: Vec<DateTime<Utc>> = facts
        .published
        .iter()
        .filter(|(v, _)| facts.versions.contains_key(*v))
        .map(|(_, t)| *t)
        .collect();
    let count = densest_window(&times, at, rule.window);
    (count >= rule.versions).then_some(count)
}

/// Adds burst findings: per package (its own versions) and per publisher (packages of the tree).
pub(super) fn check_all(results: &mut [PackageResult], rule: &BurstRule) {
    for result in results.iter_mut() {
        let Some(facts) = result.packument.clone() else {
            continue;
        };
        if let Some(count) = version_burst(&facts, &result.version, rule) {
            let message = format!(
                "{} is one of {count} versions of {} published within {} (registry times, unsigned): a worm or a compromised release pipeline publishes this way",
                result.id(),
                result.name,
                describe_duration(rule.window)
            );
            result.signals.push(finding(
                message,
                json!({ "versions": count, "windowSeconds": rule.window.num_seconds() }),
            ));
        }
    }
    publisher_bursts(results, rule);
}

/// Packages of the tree whose checked versions one npm user published within one window.
fn publisher_bursts(results: &mut [PackageResult], rule: &BurstRule) {
    let mut by_user: BTreeMap<String, Vec<(usize, DateTime<Utc>)>> = BTreeMap::new();
    for (i, r) in results.iter().enumerate() {
        let Some(facts) = r.packument.as_deref() else {
            continue;
        };
        let Some(v) = facts.versions.get(&r.version) else {
            continue;
        };
        // Trusted publishers all appear as one user ("GitHub Actions"): not a person.
        let (Some(user), None) = (&v.npm_user, &v.trusted_publisher) else {
            continue;
        };
        if let Some(t) = r.publish_time.as_ref().map(|p| p.at) {
            by_user.entry(user.clone()).or_default().push((i, t));
        }
    }
    for (user, entries) in by_user {
        let names = |members: &[(usize, DateTime<Utc>)]| -> Vec<String> {
            let mut n: Vec<String> = members
                .iter()
                .map(|(i, _)| results[*i].name.clone())
                .collect();
            n.sort();
            n.dedup();
            n
        };
        let flagged: Vec<(usize, usize)> = entries
            .iter()
            .filter_map(|(i, at)| {
                let near: Vec<(usize, DateTime<Utc>)> = entries
                    .iter()
                    .copied()
                    .filter(|(_, t)| (*t - *at).abs() <= rule.window)
                    .collect();
                let count = names(&near).len();
                (count >= rule.packages).then_some((*i, count))
            })
            .collect();
        for (i, count) in flagged {
            let message = format!(
                "{} is one of {count} packages of this tree that npm user '{user}' published within {} of each other (registry metadata, unsigned): the pattern of a worm spreading through a maintainer's packages",
                results[i].id(),
                describe_duration(rule.window)
            );
            results[i].signals.push(finding(
                message,
                json!({ "npmUser": user, "packages": count }),
            ));
        }
    }
}

fn finding(message: String, evidence: serde_json::Value) -> SignalFinding {
    SignalFinding {
        signal: SignalKind::PublishBursts,
        code: Code::PublishBurst,
        message,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_densest_window_around_a_time() {
        let h = |n: i64| Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap() + TimeDelta::hours(n);
        let times = [h(0), h(1), h(2), h(30), h(31), h(100)];
        assert_eq!(densest_window(&times, h(1), TimeDelta::hours(24)), 3);
        assert_eq!(densest_window(&times, h(30), TimeDelta::hours(24)), 2);
        assert_eq!(densest_window(&times, h(30), TimeDelta::hours(30)), 4);
        assert_eq!(densest_window(&times, h(100), TimeDelta::hours(24)), 1);
    }
}
