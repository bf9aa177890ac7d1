//! GitHub Actions workflow commands: an `::error` per failing package and a `::warning` per
//! warning, pointing at the package's lockfile entry.

use crate::escape::{annotation_data, annotation_property};
use crate::model::{Decision, Report};

/// Renders one workflow command line per finding (empty when nothing fails or warns).
pub fn github_annotations(report: &Report) -> String {
    let file = annotation_property(&report.lockfile_uri());
    let mut out = String::new();
    for p in report.findings() {
        let command = match report.enforced(p.decision()) {
            Decision::Warn => "warning",
            _ => "error",
        };
        let mut props = format!("file={file}");
        if let Some(line) = p.lockfile_line.filter(|l| *l > 0) {
            props.push_str(&format!(",line={line}"));
        }
        props.push_str(&format!(",title={}", annotation_property(p.code())));
        let message = format!("{} (fix: {})", p.explanation(), p.remediation());
        out.push_str(&format!(
            "::{command} {props}::{}\n",
            annotation_data(&message)
        ));
    }
    out
}
