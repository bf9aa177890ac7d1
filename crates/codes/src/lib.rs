//! The one catalog of npm-sigverify's stable codes.
//!
//! Every code a package, a check or a policy decision can carry is listed here once, with a
//! short title (report headings, SARIF rules), what to do about it (remediation), how a policy
//! can accept it on purpose (policy hint, when it can), and its [`Kind`], which decides how it
//! counts: a failure, an operational failure (the evidence could not be obtained: exit code 3
//! when it is the only kind), a skip, a warning, or information. Core, the policy engine, the
//! reports, the CLI and the Node binding all read this table, so they cannot disagree.

mod catalog;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use catalog::Code;

/// How a code counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A check ran and found a problem: the package must not be trusted.
    Failure,
    /// A required check could not run (registry, store or tarball unavailable, deadline): the
    /// package fails closed, and a run whose failures are all of this kind exits with 3.
    Operational,
    /// Nothing to check by design (not from a registry, omitted, not installed).
    Skip,
    /// Worth a look; does not fail a package by itself.
    Warning,
    /// Informative (a pass with a remark).
    Info,
}

impl Kind {
    /// The name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Failure => "failure",
            Kind::Operational => "operational",
            Kind::Skip => "skip",
            Kind::Warning => "warning",
            Kind::Info => "info",
        }
    }
}

/// One entry of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The code as written (`EINTEGRITYSIGNATURE`).
    pub code: &'static str,
    /// How it counts.
    pub kind: Kind,
    /// A short title, lower case.
    pub title: &'static str,
    /// What the user should do.
    pub remediation: &'static str,
    /// How a policy can accept it on purpose, when that is reasonable.
    pub policy_hint: Option<&'static str>,
}

impl Code {
    /// The code as it appears in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        self.entry().code
    }

    /// How the code counts.
    pub fn kind(self) -> Kind {
        self.entry().kind
    }

    /// A short title (lower case, no trailing period).
    pub fn title(self) -> &'static str {
        self.entry().title
    }

    /// What to do about it.
    pub fn remediation(self) -> &'static str {
        self.entry().remediation
    }

    /// How a policy can accept it on purpose, when that is reasonable.
    pub fn policy_hint(self) -> Option<&'static str> {
        self.entry().policy_hint
    }

    /// True when the evidence could not be obtained (exit code 3 when only these fail).
    pub fn is_operational(self) -> bool {
        self.kind() == Kind::Operational
    }

    /// The code written as `s`, if the catalog has it.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Code, D::Error> {
        let text = String::deserialize(deserializer)?;
        Code::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown code {text:?}")))
    }
}

/// The title of a code written as text, for codes that arrive as strings (stored reports):
/// the catalog's title when it knows the code, else the code itself.
pub fn title_of(code: &str) -> &str {
    match Code::parse(code) {
        Some(known) => known.title(),
        None => code,
    }
}

/// Every code as a TypeScript string-literal union, for the Node binding's typings.
pub fn typescript_union() -> String {
    let names: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("'{}'", c.as_str()))
        .collect();
    names.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_unique_well_formed_and_documented() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let e = code.entry();
            assert!(seen.insert(e.code), "{} listed twice", e.code);
            assert!(e.code.starts_with('E') && e.code.len() > 3);
            assert!(e.code[1..]
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            assert!(!e.title.is_empty() && !e.title.ends_with('.'), "{}", e.code);
            assert!(
                e.remediation.len() > 20,
                "{} has no real remediation",
                e.code
            );
            assert_eq!(Code::parse(e.code), Some(*code));
        }
    }

    #[test]
    fn codes_round_trip_through_json() {
        for code in Code::ALL {
            let text = serde_json::to_string(code).unwrap();
            assert_eq!(text, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<Code>(&text).unwrap(), *code);
        }
        assert!(serde_json::from_str::<Code>("\"ENOSUCHCODE\"").is_err());
    }
}
