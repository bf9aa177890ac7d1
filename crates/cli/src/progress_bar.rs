//! A progress bar on stderr for terminals (the CLI sets it up only when stderr is one).

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sigverify_core::work::progress::{Progress, ProgressSink};

/// Redraws at most this often (the last step of a phase is always drawn).
const REDRAW: Duration = Duration::from_millis(80);
const WIDTH: usize = 30;

/// True when a bar helps: a person watching a terminal, not CI logs (`CI` set to anything but
/// `false` or `0` turns it off, as most tools do).
pub fn wanted() -> bool {
    use std::io::IsTerminal;
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "false" | "0"));
    std::io::stderr().is_terminal() && !ci
}

/// A sink drawing the bar on stderr.
pub fn stderr_bar() -> ProgressSink {
    let state = Mutex::new((None::<Instant>, Phases::default()));
    ProgressSink::new(move |p| {
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        let (last, phases) = &mut *state;
        phases.update(p);
        let due = last.is_none_or(|t| t.elapsed() >= REDRAW) || p.done == p.total;
        if !due {
            return;
        }
        *last = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}", fit(&phases.render(), columns()));
        let _ = err.flush();
    })
}

/// The latest progress of each phase: the installed files are compared while the signatures
/// are checked, so two phases can run at once.
#[derive(Debug, Default)]
struct Phases(Vec<Progress>);

impl Phases {
    fn update(&mut self, p: Progress) {
        match self.0.iter_mut().find(|q| q.phase == p.phase) {
            Some(q) => *q = p,
            None => self.0.push(p),
        }
    }

    /// The bar of the first phase still running (else of the last one), then the count of
    /// any other phase still running.
    fn render(&self) -> String {
        let running = |p: &&Progress| p.done < p.total;
        let Some(main) = self.0.iter().find(running).or(self.0.last()) else {
            return String::new();
        };
        let mut line = render(main);
        for other in self
            .0
            .iter()
            .filter(running)
            .filter(|p| p.phase != main.phase)
        {
            line.push_str(&format!(
                " · {} {}/{}",
                label(other),
                other.done,
                other.total
            ));
        }
        line
    }
}

/// The terminal's width (stderr), 80 when it cannot be read.
fn columns() -> usize {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| w.0 as usize)
        .unwrap_or(80)
}

/// The line cut to one column less than the terminal: a line that wraps leaves a stale row the
/// next `\r` cannot erase.
fn fit(line: &str, columns: usize) -> String {
    line.chars().take(columns.saturating_sub(1)).collect()
}

/// Erases the bar (before the report is printed).
pub fn clear() {
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "\r\x1b[2K");
    let _ = err.flush();
}

/// `checking signatures [#########.....................] 312/1000`
pub fn render(p: &Progress) -> String {
    let filled = (p.done * WIDTH).checked_div(p.total).unwrap_or(WIDTH);
    format!(
        "{} [{}{}] {}/{}",
        label(p),
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        p.done,
        p.total
    )
}

fn label(p: &Progress) -> &'static str {
    match p.phase {
        "checks" => "checking signatures",
        "contents" => "comparing installed files",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_never_wraps_a_narrow_terminal() {
        let line = render(&Progress {
            phase: "checks",
            done: 3,
            total: 9,
        });
        assert_eq!(fit(&line, 20).chars().count(), 19);
        assert_eq!(fit(&line, 200), line);
        assert_eq!(fit(&line, 0), "");
    }

    #[test]
    fn the_bar_fills_with_the_work_done() {
        let p = |done, total| Progress {
            phase: "checks",
            done,
            total,
        };
        assert_eq!(
            render(&p(0, 10)),
            format!("checking signatures [{}] 0/10", ".".repeat(30))
        );
        assert_eq!(
            render(&p(5, 10)),
            format!(
                "checking signatures [{}{}] 5/10",
                "#".repeat(15),
                ".".repeat(15)
            )
        );
        assert_eq!(
            render(&p(0, 0)),
            format!("checking signatures [{}] 0/0", "#".repeat(30))
        );
    }

    #[test]
    fn two_phases_running_at_once_share_the_line() {
        let p = |phase, done, total| Progress { phase, done, total };
        let mut phases = Phases::default();
        phases.update(p("checks", 2, 10));
        phases.update(p("contents", 3, 8));
        assert_eq!(
            phases.render(),
            format!(
                "checking signatures [{}{}] 2/10 · comparing installed files 3/8",
                "#".repeat(6),
                ".".repeat(24)
            )
        );
        phases.update(p("checks", 10, 10));
        assert_eq!(phases.render(), render(&p("contents", 3, 8)));
        phases.update(p("contents", 8, 8));
        assert_eq!(phases.render(), render(&p("contents", 8, 8)));
    }
}
