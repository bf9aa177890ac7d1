//! The total deadline of a run (`--deadline`): work still running when it passes is stopped and
//! its packages fail closed with `EDEADLINE` (an operational failure: exit 3), instead of the
//! run hanging on a slow registry.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::{Id, JoinSet};
use tokio::time::Instant;

use crate::model::{CheckOutcome, PackageResult};
use crate::work::progress::{PhaseProgress, ProgressSink};
use crate::Code;

/// How much work may run at once, until when, and who hears about progress.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    /// At most this many registry requests at once.
    pub concurrency: usize,
    /// When the run must stop, and the total it was given (for messages).
    pub deadline: Option<(Instant, Duration)>,
    /// Where progress goes.
    pub progress: Option<ProgressSink>,
}

impl Limits {
    pub fn new(concurrency: usize, total: Option<Duration>) -> Limits {
        Limits {
            concurrency,
            deadline: total.map(|d| (Instant::now() + d, d)),
            progress: None,
        }
    }

    /// The same limits, reporting progress to `sink`.
    pub fn with_progress(mut self, sink: Option<ProgressSink>) -> Limits {
        self.progress = sink;
        self
    }
}

/// Tasks whose results are collected until the deadline, each with the results to report
/// (as late) if it has not finished by then.
pub(crate) struct Deadlined {
    tasks: JoinSet<Vec<PackageResult>>,
    pending: HashMap<Id, Vec<PackageResult>>,
    /// Records the deadline failure on the check the tasks were running.
    set_late: fn(&mut PackageResult, CheckOutcome),
}

impl Deadlined {
    /// Tasks of one stage; `set_late` records a missed deadline on that stage's check.
    pub fn new(set_late: fn(&mut PackageResult, CheckOutcome)) -> Deadlined {
        Deadlined {
            tasks: JoinSet::new(),
            pending: HashMap::new(),
            set_late,
        }
    }

    /// Spawns `work`; `if_late` are the results reported when it misses the deadline.
    pub fn spawn<F>(&mut self, if_late: Vec<PackageResult>, work: F)
    where
        F: std::future::Future<Output = Vec<PackageResult>> + Send + 'static,
    {
        let handle = self.tasks.spawn(work);
        self.pending.insert(handle.id(), if_late);
    }

    /// Every task's results; at the deadline the rest are aborted and reported late. Each
    /// finished task advances `progress` by its number of results.
    pub async fn collect(
        mut self,
        limits: &Limits,
        progress: &mut PhaseProgress<'_>,
    ) -> Vec<PackageResult> {
        let mut done = Vec::new();
        loop {
            let next = match limits.deadline {
                Some((at, _)) => {
                    match tokio::time::timeout_at(at, self.tasks.join_next_with_id()).await {
                        Ok(next) => next,
                        Err(_) => break,
                    }
                }
                None => self.tasks.join_next_with_id().await,
            };
            match next {
                None => return done,
                Some(Ok((id, results))) => {
                    self.pending.remove(&id);
                    progress.advance(results.len());
                    done.extend(results);
                }
                Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Some(Err(_)) => {}
            }
        }
        self.tasks.abort_all();
        let total = limits.deadline.map(|(_, d)| d).unwrap_or_default();
        let late: Vec<PackageResult> = self
            .pending
            .into_values()
            .flatten()
            .map(|r| late(r, total, self.set_late))
            .collect();
        progress.advance(late.len());
        done.extend(late);
        done
    }
}

fn late(
    mut result: PackageResult,
    total: Duration,
    set_late: fn(&mut PackageResult, CheckOutcome),
) -> PackageResult {
    let why = format!(
        "{}: not verified within the run's deadline of {} s",
        result.id(),
        total.as_secs_f64()
    );
    set_late(&mut result, CheckOutcome::failed(Code::Deadline, why));
    result
}
