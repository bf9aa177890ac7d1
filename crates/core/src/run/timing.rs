//! Where a run's time went: wall time per phase, work summed over packages (they overlap, so
//! sums can exceed the wall time), and the slowest packages (`--trace`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::model::{PackageResult, PackageTiming, SlowPackage};

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
