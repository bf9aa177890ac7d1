//! Provenance downgrade: a version published without provenance after an earlier-published
//! version of the same release line carried it (a sign of a stolen publish token).
//!
//! Decisions:
//! * release line = semver major; for `0.x` it is `0.MINOR` (semver treats each 0.minor as
//!   breaking). Never compared across lines: a new major without provenance after an old major
//!   with it, or a backport to an older major, is not a downgrade (pnpm #10202);
//! * "earlier" means earlier publish time (`time[v]`): a backport `1.2.9` published after
//!   `1.3.0` is compared with `1.3.0`; and, because publish times are unsigned metadata that a
//!   mirror can drop (abbreviated packuments) or reorder, a LOWER version of the line with
//!   provenance counts as earlier too (semver precedence), whatever the times say;
//! * prereleases are treated like releases of their line in both directions: a CI-published
//!   `2.0.0-beta.1` with provenance is evidence that the project publishes from CI, and a
//!   prerelease without provenance can be installed by tag like any other version.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One version of a packument: `time[version]` and whether `dist.attestations.provenance` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// The version string.
    pub version: String,
    /// Publish time from the full packument's `time` map.
    pub published: Option<DateTime<Utc>>,
    /// Whether the version carries provenance.
    pub has_provenance: bool,
}

/// A detected downgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Downgrade {
    /// Always `EPROVENANCEDOWNGRADE`.
    pub code: &'static str,
    /// The version without provenance.
    pub version: String,
    /// The latest earlier version of the same line that had provenance.
    pub previous_version: String,
    /// When that version was published, when the packument says.
    pub previous_published: Option<DateTime<Utc>>,
    /// The release line, e.g. `2` or `0.4`.
    pub line: String,
    /// Human-readable explanation.
    pub message: String,
    /// What to do about it.
    pub remediation: &'static str,
}

/// Whether `version` (an entry of `history`) lost provenance compared with the versions of its
/// release line published before it. See the module docs for the rules.
pub fn detect_downgrade(history: &[VersionInfo], version: &str) -> Option<Downgrade> {
    let target = history.iter().find(|v| v.version == version)?;
    if target.has_provenance {
        return None;
    }
    let line = release_line(version)?;
    let own = semver::Version::parse(version.trim()).ok();
    let earlier = |v: &VersionInfo| {
        let by_time = matches!((v.published, target.published), (Some(a), Some(b)) if a < b);
        let by_version = match (&own, semver::Version::parse(v.version.trim())) {
            (Some(own), Ok(other)) => other < *own,
            _ => false,
        };
        by_time || by_version
    };
    let previous = history
        .iter()
        .filter(|v| v.has_provenance && release_line(&v.version).as_ref() == Some(&line))
        .filter(|v| earlier(v))
        .max_by(|a, b| {
            a.published
                .cmp(&b.published)
                .then_with(|| version_order(&a.version, &b.version))
        })?;
    Some(downgrade(version, previous, line))
}

fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (semver::Version::parse(a), semver::Version::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

fn downgrade(version: &str, previous: &VersionInfo, line: String) -> Downgrade {
    let at = previous.published;
    let when = at.map_or_else(
        || "publish time unknown".to_string(),
        |t| format!("published {}", t.to_rfc3339()),
    );
    Downgrade {
        code: "EPROVENANCEDOWNGRADE",
        version: version.to_string(),
        previous_version: previous.version.clone(),
        previous_published: at,
        message: format!(
            "{version} has no provenance but {} (same release line {line}, {when}) had it",
            previous.version
        ),
        line,
        remediation: "this version may have been published outside the project's CI (e.g. with a \
                      stolen token): pin the previous version and check with the maintainers",
    }
}

/// `MAJOR` for majors >= 1, `0.MINOR` below; `None` if not a semver version.
fn release_line(version: &str) -> Option<String> {
    let version = version.trim().strip_prefix('v').unwrap_or(version.trim());
    let core = version.split(['-', '+']).next()?;
    let mut nums = core.split('.').map(|n| {
        let numeric = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
        numeric.then(|| n.parse::<u64>().ok()).flatten()
    });
    let (major, minor) = (nums.next()??, nums.next()??);
    nums.next()??; // patch must be present and numeric
    if nums.next().is_some() {
        return None;
    }
    Some(if major == 0 {
        format!("0.{minor}")
    } else {
        major.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::release_line;

    #[test]
    fn release_lines() {
        assert_eq!(release_line("1.2.3").as_deref(), Some("1"));
        assert_eq!(release_line("0.4.1").as_deref(), Some("0.4"));
        assert_eq!(release_line("0.0.7").as_deref(), Some("0.0"));
        assert_eq!(release_line("2.0.0-beta.1+build").as_deref(), Some("2"));
        assert_eq!(release_line("1.2"), None);
        assert_eq!(release_line("1.2.3.4"), None);
        assert_eq!(release_line("a.b.c"), None);
    }
}
