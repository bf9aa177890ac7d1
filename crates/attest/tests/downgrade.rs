//! Provenance downgrade detection over packument-like histories.

use chrono::{DateTime, Utc};
use sigverify_attest::{detect_downgrade, VersionInfo};

fn at(day: u32) -> Option<DateTime<Utc>> {
    Some(format!("2024-01-{day:02}T00:00:00Z").parse().unwrap())
}

fn v(version: &str, published: Option<DateTime<Utc>>, has_provenance: bool) -> VersionInfo {
    VersionInfo {
        version: version.into(),
        published,
        has_provenance,
    }
}

#[test]
fn same_major_is_flagged_with_the_latest_previous_version() {
    let history = [
        v("1.0.0", at(1), true),
        v("1.1.0", at(2), true),
        v("1.2.0", at(3), false),
    ];
    let d = detect_downgrade(&history, "1.2.0").expect("downgrade");
    assert_eq!(d.code, "EPROVENANCEDOWNGRADE");
    assert_eq!(d.previous_version, "1.1.0");
    assert_eq!(d.line, "1");
    assert_eq!(d.previous_published, at(2));
    assert!(
        d.message.contains("1.2.0") && d.message.contains("1.1.0"),
        "{}",
        d.message
    );
}

#[test]
fn versions_with_provenance_or_without_prior_evidence_are_not_flagged() {
    let history = [
        v("1.0.0", at(1), false),
        v("1.1.0", at(2), true),
        v("1.2.0", at(3), true),
    ];
    assert_eq!(
        detect_downgrade(&history, "1.2.0"),
        None,
        "has provenance itself"
    );
    assert_eq!(
        detect_downgrade(&history, "1.0.0"),
        None,
        "nothing earlier had provenance"
    );
    assert_eq!(detect_downgrade(&history, "9.9.9"), None, "not in history");
}

#[test]
fn across_majors_is_not_a_downgrade() {
    // pnpm #10202: a new major without provenance after an old major with it.
    let new_major = [v("1.5.0", at(1), true), v("2.0.0", at(2), false)];
    assert_eq!(detect_downgrade(&new_major, "2.0.0"), None);
    // A backport to an older major, published after the newer major had provenance.
    let backport = [
        v("1.5.0", at(1), false),
        v("2.0.0", at(2), true),
        v("1.5.1", at(3), false),
    ];
    assert_eq!(detect_downgrade(&backport, "1.5.1"), None);
}

#[test]
fn order_is_publish_time_not_version() {
    // 1.3.0 (with provenance) was published before the 1.2.9 patch without it: flagged.
    let history = [
        v("1.2.8", at(1), false),
        v("1.3.0", at(2), true),
        v("1.2.9", at(3), false),
    ];
    assert_eq!(
        detect_downgrade(&history, "1.2.9")
            .unwrap()
            .previous_version,
        "1.3.0"
    );
    // A provenance version published LATER does not make an earlier one a downgrade.
    let later = [v("1.0.0", at(1), false), v("1.0.1", at(2), true)];
    assert_eq!(detect_downgrade(&later, "1.0.0"), None);
}

#[test]
fn zero_x_lines_are_per_minor() {
    let history = [
        v("0.3.0", at(1), true),
        v("0.4.0", at(2), false),
        v("0.4.1", at(3), true),
        v("0.4.2", at(4), false),
    ];
    assert_eq!(
        detect_downgrade(&history, "0.4.0"),
        None,
        "0.3 is another line"
    );
    let d = detect_downgrade(&history, "0.4.2").unwrap();
    assert_eq!(
        (d.previous_version.as_str(), d.line.as_str()),
        ("0.4.1", "0.4")
    );
}

#[test]
fn unpublished_times() {
    // Evidence without a time is ordered by semver instead (issue: fail closed without times).
    let history = [v("1.0.0", None, true), v("1.1.0", at(2), false)];
    assert!(detect_downgrade(&history, "1.1.0").is_some());
    // A checked version without a time too.
    let history = [v("1.0.0", at(1), true), v("1.1.0", None, false)];
    assert!(detect_downgrade(&history, "1.1.0").is_some());
    // Timed evidence still counts when an untimed entry sits beside it.
    let history = [
        v("1.0.0", at(1), true),
        v("1.0.5", None, true),
        v("1.1.0", at(3), false),
    ];
    assert_eq!(
        detect_downgrade(&history, "1.1.0")
            .unwrap()
            .previous_version,
        "1.0.0"
    );
}

#[test]
fn prereleases_belong_to_their_line() {
    let history = [v("2.0.0-beta.1", at(1), true), v("2.0.0", at(2), false)];
    assert_eq!(
        detect_downgrade(&history, "2.0.0")
            .unwrap()
            .previous_version,
        "2.0.0-beta.1"
    );
    let history = [v("2.0.0", at(1), true), v("2.1.0-canary.3", at(2), false)];
    assert_eq!(
        detect_downgrade(&history, "2.1.0-canary.3")
            .unwrap()
            .previous_version,
        "2.0.0"
    );
}

#[test]
fn non_semver_versions_are_not_compared() {
    let history = [v("1.0.0", at(1), true), v("latest", at(2), false)];
    assert_eq!(detect_downgrade(&history, "latest"), None);
}

#[test]
fn without_publish_times_semver_order_decides() {
    // Abbreviated packuments carry no `time`: a lower version of the line with provenance still
    // makes a later one without it a downgrade.
    let history = [
        v("1.0.0", None, true),
        v("1.1.0", None, true),
        v("1.2.0", None, false),
    ];
    let d = detect_downgrade(&history, "1.2.0").expect("downgrade without times");
    assert_eq!(
        (d.previous_version.as_str(), d.previous_published),
        ("1.1.0", None)
    );
    // Not across lines, and not from a HIGHER version.
    let across = [v("1.9.0", None, true), v("2.0.0", None, false)];
    assert_eq!(detect_downgrade(&across, "2.0.0"), None);
    let higher = [v("1.0.0", None, false), v("1.0.1", None, true)];
    assert_eq!(detect_downgrade(&higher, "1.0.0"), None);
}

#[test]
fn times_out_of_order_cannot_hide_a_downgrade() {
    // The target's time is moved before its predecessors (a lying mirror): semver order still
    // shows 1.0.0 and 1.1.0 had provenance.
    let history = [
        v("1.0.0", at(5), true),
        v("1.1.0", at(6), true),
        v("1.2.0", at(1), false),
    ];
    assert!(detect_downgrade(&history, "1.2.0").is_some());
}
