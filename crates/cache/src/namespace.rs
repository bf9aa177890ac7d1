//! What kind of data an entry holds, and how long it stays fresh by default.

use std::time::Duration;

/// The four kinds of cached data. Each kind has its own key space, its own
/// default time-to-live and its own folder (disk) or key prefix (Redis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    /// A packument, keyed by registry + package name. Evidence: re-verified.
    Packument,
    /// An attestations document, keyed by registry + `name@version`. Evidence: re-verified.
    Attestations,
    /// A registry's `/-/npm/v1/keys` document, keyed by registry.
    Keys,
    /// A finished verdict, keyed by [`crate::verdict_key`]. Reused as-is.
    Verdict,
    /// A package folder's stat snapshot from the run that compared it with its signed tarball
    /// (the content index). Only believed from authenticated entries.
    Contents,
}

/// How many namespaces there are.
pub const COUNT: usize = 5;

/// Default TTL of evidence (packuments, attestations): 24 hours.
pub const EVIDENCE_TTL: Duration = Duration::from_secs(24 * 3600);
/// Default TTL of registry keys: 1 hour, so a key rotation is seen quickly.
pub const KEYS_TTL: Duration = Duration::from_secs(3600);
/// Default TTL of verdicts: 7 days (the key changes when any input does).
pub const VERDICT_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

impl Namespace {
    /// Every namespace, in a fixed order (used by stats and clear).
    pub const ALL: [Namespace; COUNT] = [
        Namespace::Packument,
        Namespace::Attestations,
        Namespace::Keys,
        Namespace::Verdict,
        Namespace::Contents,
    ];

    /// Short stable name, used in folder names, Redis keys and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Packument => "packument",
            Self::Attestations => "attestations",
            Self::Keys => "keys",
            Self::Verdict => "verdict",
            Self::Contents => "contents",
        }
    }

    /// The documented default time-to-live of this namespace.
    pub fn default_ttl(self) -> Duration {
        match self {
            Self::Packument | Self::Attestations => EVIDENCE_TTL,
            Self::Keys => KEYS_TTL,
            Self::Verdict | Self::Contents => VERDICT_TTL,
        }
    }

    /// Parses a name produced by [`Namespace::as_str`].
    pub fn parse(name: &str) -> Option<Namespace> {
        Self::ALL.into_iter().find(|ns| ns.as_str() == name)
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ttls_are_documented_values() {
        for ns in Namespace::ALL {
            assert_eq!(Namespace::parse(ns.as_str()), Some(ns));
        }
        assert_eq!(Namespace::parse("nope"), None);
        assert_eq!(Namespace::Keys.default_ttl(), Duration::from_secs(3600));
        assert_eq!(
            Namespace::Packument.default_ttl(),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            Namespace::Verdict.default_ttl(),
            Duration::from_secs(604_800)
        );
    }
}
