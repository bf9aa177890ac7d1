//! Release age: when a version was published, authenticated where its attestations allow, and
//! the `ERELEASETOOYOUNG` finding for a version younger than the policy's minimum.
//!
//! The authenticated time is the verified signing time (Rekor integrated time, else RFC 3161)
//! of the registry's publish attestation, which the registry signs when it accepts the publish;
//! else that of the provenance, signed just before the upload. The registry's `time[version]`
//! is unsigned: a mirror can drop or change it. The age is counted from the authenticated time,
//! unless the registry's is later by more than [`SKEW`] (then from the registry's: a later time
//! can only make the version younger, fail-safe); a registry time before it cannot make it older.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use sigverify_policy::{describe_duration, SignalFinding, SignalKind};

use crate::model::{PackageResult, PublishTime};
use crate::Code;

/// How much later than the authenticated time the registry's may be and still be the same
/// publish (the log time and the registry's clock differ by seconds; log times are whole
/// seconds).
const SKEW: TimeDelta = TimeDelta::minutes(10);

/// The publish time of a checked version, from its verified attestations and its packument.
pub(super) fn publish_time(result: &PackageResult) -> Option<PublishTime> {
    let registry_time = result
        .packument
        .as_ref()
        .and_then(|f| f.published.get(&result.version).copied());
    let attested = attested_time(result);
    let (at, source, authenticated) = match (attested, registry_time) {
        (Some((signed, _)), Some(registry)) if registry > signed + SKEW => {
            (registry, "packument", true)
        }
        (Some((signed, kind)), _) => (signed, kind, true),
        (None, Some(registry)) => (registry, "packument", false),
        (None, None) => return None,
    };
    Some(PublishTime {
        at,
        authenticated,
        source: source.to_string(),
        attested_at: attested.map(|(t, _)| t),
        registry_time,
    })
}

/// The verified signing time of the publish attestation, else of the provenance.
fn attested_time(result: &PackageResult) -> Option<(DateTime<Utc>, &'static str)> {
    let of = |kind: &str| {
        result
            .attestations
            .iter()
            .filter(|a| a.kind == kind && a.status == "verified")
            .find_map(|a| a.signed_at)
    };
    of("publish")
        .map(|t| (t, "publish-attestation"))
        .or_else(|| of("provenance").map(|t| (t, "provenance")))
}

/// The finding of a version published less than `minimum` before `now`, or whose publish time
/// is unknown (fail closed: no time, no age).
pub(super) fn check(
    result: &PackageResult,
    minimum: TimeDelta,
    now: DateTime<Utc>,
) -> Option<SignalFinding> {
    let id = result.id();
    let Some(time) = &result.publish_time else {
        let message = format!(
            "{id}: no publish time is known (no verified attestation, and the registry's packument gives no time for it), so its age cannot be checked"
        );
        return Some(finding(Code::SignalUnavailable, message, json!({})));
    };
    // A time in the future (clock skew) counts as just published.
    let age = (now - time.at).max(TimeDelta::zero());
    if age >= minimum {
        return None;
    }
    let eligible = time.at + minimum;
    let how = match (time.authenticated, time.source.as_str()) {
        (true, "publish-attestation") => "authenticated by its publish attestation",
        (true, "provenance") => "authenticated by its provenance",
        (true, _) => "the registry's time, later than its attestations",
        (false, _) => "the registry's unsigned time: no verified attestation",
    };
    let message = format!(
        "{id} was published {} ago ({}, {how}); the policy's minimum release age is {}: it becomes eligible at {}. Pin the previous version until then",
        describe_duration(age),
        time.at.format("%Y-%m-%d %H:%M UTC"),
        describe_duration(minimum),
        eligible.format("%Y-%m-%d %H:%M UTC"),
    );
    let evidence = json!({
        "publishedAt": time.at,
        "authenticated": time.authenticated,
        "source": time.source,
        "ageSeconds": age.num_seconds(),
        "minimumSeconds": minimum.num_seconds(),
        "eligibleAt": eligible,
    });
    Some(finding(Code::ReleaseTooYoung, message, evidence))
}

fn finding(code: Code, message: String, evidence: serde_json::Value) -> SignalFinding {
    SignalFinding {
        signal: SignalKind::ReleaseAge,
        code,
        message,
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AttestationSummary;
    use crate::source::packument::PackumentFacts;
    use chrono::TimeZone;
    use std::sync::Arc;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, day, hour, 0, 0).unwrap()
    }

    fn result(registry: Option<DateTime<Utc>>, publish: Option<DateTime<Utc>>) -> PackageResult {
        let mut r = PackageResult::new("x", "1.0.1", "node_modules/x", "registry");
        let mut facts = PackumentFacts::default();
        if let Some(t) = registry {
            facts.published.insert("1.0.1".into(), t);
        }
        r.packument = Some(Arc::new(facts));
        if let Some(t) = publish {
            r.attestations.push(AttestationSummary {
                predicate_type: "p".into(),
                kind: "publish".into(),
                status: "verified".into(),
                code: None,
                detail: None,
                message: None,
                signer: None,
                keyid: None,
                log_index: Some(1),
                signed_at: Some(t),
                signed_at_source: Some("tlog".into()),
            });
        }
        r.publish_time = publish_time(&r);
        r
    }

    #[test]
    fn the_age_counts_from_the_later_time_and_says_how_it_is_known() {
        let now = at(10, 12);
        let min = TimeDelta::days(2);
        // Authenticated, old enough.
        assert!(check(&result(Some(at(1, 0)), Some(at(1, 0))), min, now).is_none());
        // A registry time claiming an older publish cannot lower the authenticated one.
        let young = check(&result(Some(at(1, 0)), Some(at(10, 6))), min, now).unwrap();
        assert_eq!(young.code, Code::ReleaseTooYoung);
        assert!(young.message.contains("6 hours ago"), "{}", young.message);
        assert!(young
            .message
            .contains("authenticated by its publish attestation"));
        assert!(young.message.contains("eligible at 2026-05-12 06:00 UTC"));
        // A later registry time makes it younger.
        let later = result(Some(at(10, 0)), Some(at(1, 0)));
        assert_eq!(later.publish_time.as_ref().unwrap().source, "packument");
        assert!(check(&later, min, now).is_some());
        // Unauthenticated: the registry's time, marked so.
        let plain = result(Some(at(10, 0)), None);
        assert!(!plain.publish_time.as_ref().unwrap().authenticated);
        assert!(check(&plain, min, now)
            .unwrap()
            .message
            .contains("unsigned"));
        // No time at all: fail closed.
        let none = check(&result(None, None), min, now).unwrap();
        assert_eq!(none.code, Code::SignalUnavailable);
    }
}
