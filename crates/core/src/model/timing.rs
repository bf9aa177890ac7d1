//! Where one package's verification time went.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Time spent on one package, by kind of work. The packument fetch and parse are shared by
/// every version of a name and counted for each of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PackageTiming {
    /// Waiting for the packument (network or store; cache lookups excluded).
    pub fetch: Duration,
    /// Parsing the packument.
    pub parse: Duration,
    /// Registry signature and integrity checks.
    pub verify: Duration,
    /// Fetching and verifying attestations.
    pub attest: Duration,
    /// Comparing installed files with the tarball (tarball fetch included).
    pub contents: Duration,
}

impl PackageTiming {
    /// Everything together.
    pub fn total(&self) -> Duration {
        self.fetch + self.parse + self.verify + self.attest + self.contents
    }
}

/// One of the slowest packages of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlowPackage {
    /// `name@version`.
    pub package: String,
    /// Where it sits in the tree.
    pub location: String,
    /// All its work, in milliseconds.
    pub total_ms: u64,
    /// Packument fetch.
    pub fetch_ms: u64,
    /// Packument parse.
    pub parse_ms: u64,
    /// Signature checks.
    pub verify_ms: u64,
    /// Attestations.
    pub attest_ms: u64,
    /// Content check.
    pub contents_ms: u64,
}
