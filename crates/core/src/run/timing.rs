//! Where a run's time went: wall time per phase, work summed over packages (they overlap, so
//! sums can exceed the wall time), and the slowest packages (`--trace`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::model::PackageResult;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// Records the wall time of consecutive phases.
#[derive(Debug)]
pub(crate) struct Phases {
    started: Instant,
    last: Instant,
    done: Vec<(&'static str, Duration)>,
}

impl Phases {
    pub fn start() -> Phases {
        let now = Instant::now();
        Phases {
            started: now,
            last: now,
            done: Vec::new(),
        }
    }

    /// Ends the current phase under `name`.
    pub fn end(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done.push((name, now - self.last));
        self.last = now;
    }

    /// Records work that overlapped other phases under `name` (not a phase of its own).
    pub fn record(&mut self, name: &'static str, took: Duration) {
        self.done.push((name, took));
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The flat `timings` map of the report: `total`, each phase, and `sum.*` work totals.
    pub fn timings(&self, packages: &[PackageResult]) -> BTreeMap<String, u64> {
        let mut map: BTreeMap<String, u64> = self
            .done
            .iter()
            .map(|(name, d)| (name.to_string(), ms(*d)))
            .collect();
        map.insert("total".into(), ms(self.elapsed()));
        let sum = |f: fn(&PackageTiming) -> Duration| -> u64 {
            ms(packages.iter().map(|p| f(&p.timing)).sum())
        };
        map.insert("sum.fetch".into(), sum(|t| t.fetch));
        map.insert("sum.parse".into(), sum(|t| t.parse));
        map.insert("sum.verify".into(), sum(|t| t.verify));
        map.insert("sum.attest".into(), sum(|t| t.attest));
        map.insert("sum.contents".into(), sum(|t| t.contents));
        map
    }
}

/// The `n` packages whose work took longest.
pub fn slowest(packages: &[PackageResult], n: usize) -> Vec<SlowPackage> {
    let mut by_time: Vec<&PackageResult> = packages
        .iter()
        .filter(|p| p.timing.total() > Duration::ZERO)
        .collect();
    by_time.sort_by_key(|p| std::cmp::Reverse(p.timing.total()));
    by_time
        .into_iter()
        .take(n)
        .map(|p| SlowPackage {
            package: format!("{}@{}", p.name, p.version),
            location: p.location.clone(),
            total_ms: ms(p.timing.total()),
            fetch_ms: ms(p.timing.fetch),
            parse_ms: ms(p.timing.parse),
            verify_ms: ms(p.timing.verify),
            attest_ms: ms(p.timing.attest),
            contents_ms: ms(p.timing.contents),
        })
        .collect()
}

fn ms(d: Duration) -> u64 {
    d.as_millis() as u64
}
