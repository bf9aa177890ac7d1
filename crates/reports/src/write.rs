//! Writing the requested reports: render everything first, then write each file atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};

use crate::input::InputError;
use crate::model::Report;
use crate::spec::Format;

/// Why the reports could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A stored report document is not valid; nothing was written (for callers that read one
    /// with [`Report::from_value`] and write it in the same step, with `?`).
    #[error("cannot render reports: {0}")]
    Input(#[from] InputError),
    /// A file could not be written (the previous content, if any, is left untouched).
    #[error("cannot write {format} report to {path}: {source}")]
    Io {
        /// The format being written.
        format: &'static str,
        /// The destination.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl WriteError {
    /// A stable code for the CLI's error output.
    pub fn code(&self) -> &'static str {
        match self {
            WriteError::Input(_) => "EREPORTINPUT",
            WriteError::Io { .. } => "EREPORTWRITE",
        }
    }
}

/// Renders `report` into each requested format and writes the files. Every format is
/// rendered before the first file is touched, and each file is replaced atomically.
pub fn write_reports(
    report: &Report,
    specs: &[(Format, PathBuf)],
    now: DateTime<Utc>,
) -> Result<(), WriteError> {
    let rendered: Vec<(Format, &PathBuf, String)> = specs
        .iter()
        .map(|(format, path)| (*format, path, crate::render(*format, report, now)))
        .collect();
    for (format, path, text) in rendered {
        write_atomic(path, text.as_bytes()).map_err(|source| WriteError::Io {
            format: format.as_str(),
            path: path.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

static TMP_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Writes to a temporary file in the destination's folder, flushes it, then renames it over
/// the destination: a reader (or a crash) never sees half a report.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "path has no file name")
    })?;
    // Process id plus a counter: concurrent writers never share a temporary file.
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(
        ".{}.{}.{n}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = write_and_rename(&tmp, path, bytes);
    if result.is_err() {
        // Best effort: do not leave the temporary file behind.
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_and_rename(tmp: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)
}
