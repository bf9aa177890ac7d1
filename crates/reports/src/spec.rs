//! Parsing of `--report json=FILE,sarif=FILE,junit=FILE,html=FILE,markdown=FILE`.

use std::path::PathBuf;
use std::str::FromStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// The versioned JSON document (`schema/report.schema.json`).
    Json,
    /// SARIF 2.1.0 for code scanning.
    Sarif,
    /// JUnit XML for test dashboards.
    Junit,
    /// One self-contained HTML page.
    Html,
    /// A Markdown job summary.
    Markdown,
}

impl Format {
    /// Every format, in the order they are documented.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Html,
        Format::Markdown,
    ];

    /// The name used in `--report`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Markdown => "markdown",
        }
    }
}

impl FromStr for Format {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Format, SpecError> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| SpecError::UnknownFormat(s.to_string()))
    }
}

/// Why a `--report` value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// Nothing was asked for.
    #[error("empty --report value: expected FORMAT=FILE[,FORMAT=FILE...] with FORMAT one of json, sarif, junit, html, markdown")]
    Empty,
    /// An item is not `FORMAT=FILE`.
    #[error("report item {0:?} is not FORMAT=FILE")]
    NotAPair(String),
    /// The format is not one we render.
    #[error("unknown report format {0:?}: expected one of json, sarif, junit, html, markdown")]
    UnknownFormat(String),
    /// The same format was asked for twice.
    #[error("report format {0} is given more than once")]
    DuplicateFormat(&'static str),
    /// Two formats would write the same file.
    #[error("report file {0:?} is given for more than one format")]
    DuplicatePath(String),
    /// `FORMAT=` with no file.
    #[error("report format {0} has an empty file name")]
    EmptyPath(&'static str),
}

impl SpecError {
    /// A stable code for the CLI's error output.
    pub fn code(&self) -> &'static str {
        "EREPORTSPEC"
    }
}

/// Parses `json=out.json,sarif=out.sarif`: any subset of the formats, each at most once,
/// each to its own file, in the order given.
pub fn parse_report_spec(spec: &str) -> Result<Vec<(Format, PathBuf)>, SpecError> {
    if spec.trim().is_empty() {
        return Err(SpecError::Empty);
    }
    let mut out: Vec<(Format, PathBuf)> = Vec::new();
    for item in spec.split(',') {
        let (format, path) = parse_item(item)?;
        if out.iter().any(|(f, _)| *f == format) {
            return Err(SpecError::DuplicateFormat(format.as_str()));
        }
        if out.iter().any(|(_, p)| *p == path) {
            return Err(SpecError::DuplicatePath(path.display().to_string()));
        }
        out.push((format, path));
    }
    Ok(out)
}

/// One `FORMAT=FILE` item (the file may itself contain `=`).
fn parse_item(item: &str) -> Result<(Format, PathBuf), SpecError> {
    let (name, path) = item
        .split_once('=')
        .ok_or_else(|| SpecError::NotAPair(item.to_string()))?;
    let format: Format = name.trim().parse()?;
    if path.trim().is_empty() {
        return Err(SpecError::EmptyPath(format.as_str()));
    }
    Ok((format, PathBuf::from(path)))
}
