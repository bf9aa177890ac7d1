//! `risk`: ranks a project's registry packages by offline-available risk signals, to decide
//! where to look first. Informational: it never replaces `verify`.

use chrono::Utc;
use sigverify_core::risk::{assess_risk, RiskEntry, RiskOptions, RiskReport};

use crate::args::RiskArgs;
use crate::error::CliError;
use crate::options;

/// The last line of the human output: what this ranking is not.
const NOT_VERIFICATION: &str = "This ranking is informational and proves nothing: \
`npm-sigverify verify` checks the signatures of every package.";

/// Runs `risk`; the exit code is 0 whatever the scores.
pub async fn run_risk(args: RiskArgs) -> Result<(String, i32), CliError> {
    let opts = options(
        args.dir.clone(),
        args.lockfile.clone(),
        args.offline.clone(),
        &args.omit,
        &args.evidence,
    );
    let risk = RiskOptions {
        recent_days: args.recent_days,
        now: Utc::now(),
    };
    let report = assess_risk(&opts, &risk).await?;
    let text = if args.json {
        serde_json::to_string_pretty(&report).expect("json renders")
    } else {
        render(&report, args.top)
    };
    Ok((text, 0))
}

/// The ranking as a table of the `top` highest scores (0 = all), each row followed by the
/// explanations of its signals.
fn render(report: &RiskReport, top: usize) -> String {
    let total = report.packages.len();
    let shown = if top == 0 { total } else { top.min(total) };
    let mut text = format!(
        "Risk ranking of {} ({total} registry packages)\n\n",
        report.project
    );
    if total == 0 {
        text.push_str("no registry packages to rank\n");
    } else {
        let width = package_width(&report.packages[..shown]);
        text.push_str(&format!(
            "{:>4}  {:>5}  {:<width$}  SIGNALS\n",
            "RANK", "SCORE", "PACKAGE"
        ));
        for (rank, entry) in report.packages[..shown].iter().enumerate() {
            text.push_str(&row(rank + 1, entry, width));
        }
    }
    if shown < total {
        text.push_str(&format!(
            "\n{} more packages not shown (--top 0 shows all)\n",
            total - shown
        ));
    }
    text.push('\n');
    text.push_str(NOT_VERIFICATION);
    text
}

fn package_width(entries: &[RiskEntry]) -> usize {
    let widest = entries.iter().map(|e| package_id(e).len()).max();
    widest.unwrap_or(0).max("PACKAGE".len())
}

fn package_id(entry: &RiskEntry) -> String {
    format!("{}@{}", entry.name, entry.version)
}

fn row(rank: usize, entry: &RiskEntry, width: usize) -> String {
    let kinds: Vec<&str> = entry.signals.iter().map(|s| s.kind.as_str()).collect();
    let kinds = if kinds.is_empty() {
        "-".to_string()
    } else {
        kinds.join(", ")
    };
    let id = package_id(entry);
    let mut text = format!("{rank:>4}  {:>5}  {id:<width$}  {kinds}\n", entry.score);
    for signal in &entry.signals {
        text.push_str(&format!("{:13}- {}\n", "", signal.detail));
    }
    text
}
