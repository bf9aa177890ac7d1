//! Renders npm-sigverify verification reports into the formats CI systems and people read:
//! a versioned JSON document, SARIF 2.1.0, JUnit XML, one self-contained HTML page, a Markdown
//! job summary and GitHub Actions annotations.
//!
//! Input is the typed core report (`sigverify_core::Report`), turned into the renderers' view
//! by `Report::from(&report)`; a stored `--json` document is read back with
//! [`Report::from_value`], which checks it and then goes through the same conversion. Code
//! titles and remediations come from the one catalog (`sigverify_codes`). Every renderer is a
//! pure function of the report (and, where the format has one, a timestamp), so the same input
//! always renders the same bytes.

#![warn(missing_docs)]

mod annotations;
mod convert;
mod escape;
mod html;
mod input;
mod json;
mod junit;
mod markdown;
mod model;
mod sarif;
mod spec;
mod views;
mod write;

use chrono::{DateTime, Utc};

pub use annotations::github_annotations;
pub use escape::terminal;
pub use html::{render_html, FILTERS};
pub use input::InputError;
pub use json::{render_json, JSON_SCHEMA_ID, JSON_SCHEMA_VERSION};
pub use junit::render_junit;
pub use markdown::render_markdown;
pub use model::{
    Attestation, Check, CheckState, Contents, Decision, Exception, InternalSignature, Outcome,
    Package, PolicyDecision, PolicyInfo, Provenance, Report, Signer, Status, Totals,
    UNSPECIFIED_CODE,
};
pub use sarif::{render_sarif, SARIF_SCHEMA};
pub use spec::{parse_report_spec, Format, SpecError};
pub use write::{write_atomic, write_reports, WriteError};

/// Renders the report in one format.
pub fn render(format: Format, report: &Report, now: DateTime<Utc>) -> String {
    match format {
        Format::Json => render_json(report, now),
        Format::Sarif => render_sarif(report),
        Format::Junit => render_junit(report, now),
        Format::Html => render_html(report, now),
        Format::Markdown => render_markdown(report),
    }
}
