//! Errors of this crate: each has a stable `code()` and a `remediation()` hint.

use std::io;
use std::path::PathBuf;

use serde::Serialize;

/// Why a project's package list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LockfileError {
    /// The project directory does not exist or is not a directory.
    #[error("project directory {} not found", path.display())]
    ProjectNotFound {
        /// The directory that was given.
        path: PathBuf,
    },
    /// Neither a lockfile nor a `node_modules` folder exists.
    #[error("no npm-shrinkwrap.json, package-lock.json or node_modules in {}", dir.display())]
    NoLockfile {
        /// The project directory.
        dir: PathBuf,
    },
    /// A file or folder exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The lockfile is not valid JSON.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Parse {
        /// The lockfile.
        file: PathBuf,
        /// 1-based line of the error (serde_json's position).
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// The lockfile is valid JSON of the wrong shape.
    #[error("{}: {path}: {message}", file.display())]
    Shape {
        /// The lockfile.
        file: PathBuf,
        /// The JSON path of the offending value (`packages["node_modules/a"].version`).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// The lockfile's `lockfileVersion` is not one this crate understands (1, 2 or 3).
    #[error("{}: unsupported lockfileVersion {found} (supported: 1, 2, 3)", file.display())]
    UnsupportedVersion {
        /// The lockfile.
        file: PathBuf,
        /// The version found.
        found: u64,
    },
}

impl LockfileError {
    /// A stable code for this kind of failure.
    pub fn code(&self) -> &'static str {
        match self {
            LockfileError::ProjectNotFound { .. } => "ENOPROJECT",
            LockfileError::NoLockfile { .. } => "ENOLOCKFILE",
            LockfileError::Io { .. } => "EIO",
            LockfileError::Parse { .. } => "ELOCKFILEPARSE",
            LockfileError::Shape { .. } => "ELOCKFILESHAPE",
            LockfileError::UnsupportedVersion { .. } => "ELOCKFILEVERSION",
        }
    }

    /// What the user can do about it.
    pub fn remediation(&self) -> String {
        match self {
            LockfileError::ProjectNotFound { .. } => {
                "pass the folder that holds the project's package.json".to_string()
            }
            LockfileError::NoLockfile { .. } => {
                "run `npm install --package-lock-only` to create package-lock.json".to_string()
            }
            LockfileError::Io { .. } => "check that the file exists and is readable".to_string(),
            LockfileError::Parse { file, .. } | LockfileError::Shape { file, .. } => {
                format!(
                    "restore {} from version control or run `npm install` to regenerate it",
                    file_name(file)
                )
            }
            LockfileError::UnsupportedVersion { .. } => {
                "regenerate the lockfile with npm 7 to 11 (`npm install --lockfile-version 3`)"
                    .to_string()
            }
        }
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// A package folder a `node_modules` walk could not read. The walk keeps going: the
/// package is listed here instead of in [`crate::Tree::packages`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WalkProblem {
    /// npm location of the folder (`node_modules/a`).
    pub location: String,
    /// Stable code: `EPACKAGEJSON` (unreadable or invalid package.json),
    /// `ENOPACKAGEJSON` (folder without package.json), `EWALKIO` (folder unreadable).
    pub code: &'static str,
    /// What was wrong, with file position when known.
    pub message: String,
    /// What the user can do about it.
    pub remediation: String,
}

impl WalkProblem {
    pub(crate) fn new(location: &str, code: &'static str, message: String) -> Self {
        let remediation = match code {
            "ENOPACKAGEJSON" => "remove the stray folder or reinstall with `npm ci`",
            _ => "reinstall the package with `npm ci`",
        };
        WalkProblem {
            location: location.to_string(),
            code,
            message,
            remediation: remediation.to_string(),
        }
    }
}
