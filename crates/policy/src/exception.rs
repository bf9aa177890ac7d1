//! Time-limited exceptions: `{ package: "name@range", reason, expires }`.

use chrono::{DateTime, NaiveDate, Utc};
use node_semver::{Range, Version};

/// Failures of folders on disk that no lockfile entry installs (named by their own
/// `package.json`).
const SELF_NAMED: [sigverify_codes::Code; 2] = [
    sigverify_codes::Code::Extraneous,
    sigverify_codes::Code::BinLink,
];

/// A checked exception.
#[derive(Debug, Clone)]
pub struct Exception {
    /// The spec as written, e.g. `left-pad@^1.3.0`.
    pub spec: String,
    /// Package name.
    pub name: String,
    /// Version range in npm syntax.
    pub range: Range,
    /// Why the exception exists (required: an exception nobody can explain should not exist).
    pub reason: String,
    /// The expiry as written.
    pub expires_text: String,
    /// First instant at which the exception no longer excuses anything.
    pub expires_at: DateTime<Utc>,
    /// The failure codes it excuses; empty: every failure of the package (see `excuses`).
    pub codes: Vec<sigverify_codes::Code>,
}

impl Exception {
    /// True when the exception covers `name@version`. An unparsable version never matches.
    pub fn matches(&self, name: &str, version: &str) -> bool {
        name == self.name && Version::parse(version).is_ok_and(|v| self.range.satisfies(&v))
    }

    /// True when it excuses every one of `failing` (the codes of a package's failed checks):
    /// an exception for "no provenance yet" must not excuse a swapped integrity.
    /// Without `codes` it excuses every failure but those of a folder the lockfile does not
    /// install: such a folder takes its name from its own `package.json`, so whoever wrote it
    /// would choose the name an exception covers. Those need their code listed.
    pub fn excuses(&self, failing: &[sigverify_codes::Code]) -> bool {
        failing.iter().all(|c| match self.codes.is_empty() {
            true => !SELF_NAMED.contains(c),
            false => self.codes.contains(c),
        })
    }

    /// True once `now` reached the expiry.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

/// Splits `name@range` (the name may be scoped) and parses the range.
pub(crate) fn parse_spec(spec: &str) -> Result<(String, Range), String> {
    let at = spec
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '@')
        .map(|(i, _)| i)
        .ok_or_else(|| {
            format!("'{spec}' has no version range (write 'name@range', e.g. 'name@*')")
        })?;
    let (name, range_text) = (&spec[..at], &spec[at + 1..]);
    crate::pattern::PackagePattern::parse(name)
        .ok()
        .filter(|p| !p.as_str().contains('*'))
        .ok_or_else(|| format!("'{name}' is not a package name"))?;
    let bad = |why: String| format!("bad version range '{range_text}': {why}");
    // node-semver 2.2 reaches `unreachable!()` on some ranges its grammar accepts (`=*`, `~x`,
    // `~0.x.20`): its panic is a bad range here, not a crash. (Needs panic = "unwind".)
    let parsed = std::panic::catch_unwind(|| Range::parse(range_text))
        .map_err(|_| bad("not supported (write '*' or a full version)".into()))?;
    let range = parsed.map_err(|e| bad(e.to_string()))?;
    Ok((name.to_string(), range))
}

/// Parses an expiry: a date (`2026-12-31`, valid through the end of that day, UTC) or an RFC 3339
/// instant (valid until that instant).
pub(crate) fn parse_expiry(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let next = date
            .succ_opt()
            .ok_or_else(|| format!("date '{text}' is out of range"))?;
        return Ok(next
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("bad date '{text}' (expected YYYY-MM-DD or an RFC 3339 time)"))
}
