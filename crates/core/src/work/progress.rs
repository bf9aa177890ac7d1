//! Progress of a run, for a progress bar (CLI) or an `onProgress` callback (JS).

use std::sync::Arc;

use serde::Serialize;

/// How far a phase of a run has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// `checks` (signatures and attestations) or `contents` (installed files).
    pub phase: &'static str,
    /// Packages finished in this phase.
    pub done: usize,
    /// Packages this phase handles.
    pub total: usize,
}

/// Receives progress reports; called from worker threads, so it must be cheap and thread-safe.
#[derive(Clone)]
pub struct ProgressSink(Arc<dyn Fn(Progress) + Send + Sync>);

impl ProgressSink {
    /// A sink calling `report` for every update.
    pub fn new(report: impl Fn(Progress) + Send + Sync + 'static) -> ProgressSink {
        ProgressSink(Arc::new(report))
    }

    pub(crate) fn report(&self, progress: Progress) {
        (self.0)(progress)
    }
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// Counts finished packages of one phase and reports each step to an optional sink.
pub(crate) struct PhaseProgress<'a> {
    sink: Option<&'a ProgressSink>,
    phase: &'static str,
    done: usize,
    total: usize,
}

impl<'a> PhaseProgress<'a> {
    /// Starts a phase of `total` packages (reported at once, with nothing done).
    pub fn start(sink: Option<&'a ProgressSink>, phase: &'static str, total: usize) -> Self {
        let progress = PhaseProgress {
            sink,
            phase,
            done: 0,
            total,
        };
        progress.report();
        progress
    }

    /// `finished` more packages are done.
    pub fn advance(&mut self, finished: usize) {
        if finished == 0 {
            return;
        }
        self.done = (self.done + finished).min(self.total);
        self.report();
    }

    fn report(&self) {
        if let Some(sink) = self.sink {
            sink.report(Progress {
                phase: self.phase,
                done: self.done,
                total: self.total,
            });
        }
    }
}
