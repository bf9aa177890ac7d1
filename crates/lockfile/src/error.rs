//! Errors of this crate: each has a stable `code()` and a `remediation()` hint.

use std::io;
use std::path::{Path, PathBuf};

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
    #[error(
        "no lockfile (npm-shrinkwrap.json, package-lock.json, pnpm-lock.yaml, yarn.lock, bun.lock) or node_modules in {}",
        dir.display()
    )]
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
    /// A lockfile value of the wrong shape, where the parser knows the position (YAML,
    /// `yarn.lock` and `bun.lock` files).
    #[error("{}:{line}:{column}: {path}: {message}", file.display())]
    ShapeAt {
        /// The lockfile.
        file: PathBuf,
        /// 1-based line of the offending value.
        line: usize,
        /// 1-based column of the offending value.
        column: usize,
        /// The path of the value (`packages["is-number@7.0.0"].resolution`).
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A pnpm, Yarn or Bun lockfile of a format version this crate does not read.
    #[error("{}: unsupported lockfile version {found:?} (supported: {supported})", file.display())]
    UnsupportedFormat {
        /// The lockfile.
        file: PathBuf,
        /// The version found.
        found: String,
        /// The versions this crate reads.
        supported: &'static str,
    },
    /// Bun's binary lockfile, which this crate does not read.
    #[error("{}: bun.lockb is Bun's binary lockfile, which cannot be read", file.display())]
    BunBinary {
        /// The `bun.lockb` file.
        file: PathBuf,
    },
    /// Lockfiles of several package managers and nothing that says which one is in use.
    #[error("{}: lockfiles of several package managers ({}), and nothing decides which one is installed (npm and Bun install their own lockfile whatever packageManager says)", dir.display(), found.join(", "))]
    AmbiguousLockfiles {
        /// The project directory.
        dir: PathBuf,
        /// The lockfiles found.
        found: Vec<String>,
    },
    /// A package manager's configuration file (`.yarnrc.yml`, `bunfig.toml`) is unreadable.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Config {
        /// The configuration file.
        file: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
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
            LockfileError::ShapeAt { .. } => "ELOCKFILESHAPE",
            LockfileError::UnsupportedFormat { .. } => "ELOCKFILEVERSION",
            LockfileError::BunBinary { .. } => "EBUNLOCKB",
            LockfileError::AmbiguousLockfiles { .. } => "EAMBIGUOUSLOCKFILE",
            LockfileError::Config { .. } => "EMANAGERCONFIG",
        }
    }

    /// What the user can do about it.
    pub fn remediation(&self) -> String {
        match self {
            LockfileError::ProjectNotFound { .. } => {
                "pass the folder that holds the project's package.json".to_string()
            }
            LockfileError::NoLockfile { .. } => {
                "run `npm install --package-lock-only` (or your package manager's install) to create a lockfile".to_string()
            }
            LockfileError::Io { .. } => "check that the file exists and is readable".to_string(),
            LockfileError::Parse { file, .. }
            | LockfileError::Shape { file, .. }
            | LockfileError::ShapeAt { file, .. } => {
                format!(
                    "restore {} from version control or run `{}` to regenerate it",
                    file_name(file),
                    install_command(file)
                )
            }
            LockfileError::UnsupportedFormat { file, .. } => format!(
                "regenerate {} with a supported version of its package manager (`{}`)",
                file_name(file),
                install_command(file)
            ),
            LockfileError::BunBinary { .. } => "write the text lockfile bun.lock: `bun install --save-text-lockfile` with Bun 1.1.39 or later (the default from Bun 1.2), then remove bun.lockb".to_string(),
            LockfileError::AmbiguousLockfiles { .. } => "delete the lockfile your install does not use, or pass the one it uses with `--lockfile FILE`; between pnpm's and Yarn's lockfiles, \"packageManager\" in package.json decides".to_string(),
            LockfileError::Config { file, .. } => format!("fix the syntax of {}", file_name(file)),
            LockfileError::UnsupportedVersion { .. } => {
                "regenerate the lockfile with npm 7 to 11 (`npm install --lockfile-version 3`)"
                    .to_string()
            }
        }
    }
}

/// An I/O error on `path`.
pub(crate) fn io_error(path: &Path, source: io::Error) -> LockfileError {
    LockfileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A JSON syntax error in `file`, at serde_json's line and column.
pub(crate) fn json_syntax_error(file: &Path, e: &serde_json::Error) -> LockfileError {
    LockfileError::Parse {
        file: file.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: serde_message(e),
    }
}

/// serde_json's message without its " at line L column C" tail, which we print as `file:L:C`.
pub(crate) fn serde_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let tail = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&tail).unwrap_or(&full).to_string()
}

/// `packages["node_modules/a"]`-style path segment for messages, with the key JSON-escaped.
pub(crate) fn key_path(parent: &str, key: &str) -> String {
    let quoted = serde_json::to_string(key).unwrap_or_else(|_| format!("{key:?}"));
    format!("{parent}[{quoted}]")
}

/// The command that rewrites the lockfile at `path`, by its file name.
fn install_command(path: &Path) -> &'static str {
    match file_name(path).as_str() {
        "pnpm-lock.yaml" => "pnpm install",
        "yarn.lock" => "yarn install",
        "bun.lock" => "bun install",
        _ => "npm install",
    }
}

fn file_name(path: &Path) -> String {
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
