//! The error of comparing a package folder, shared by the comparison and the folder walk.

use std::path::{Path, PathBuf};

/// Why a folder could not be compared (a difference is a [`ContentDiff`](crate::ContentDiff),
/// not an error).
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// The package folder is missing or not a folder.
    #[error("package folder {path} is not a directory")]
    NotADirectory {
        /// The folder given.
        path: PathBuf,
    },
    /// Reading the folder or a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was being read.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ContentError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Stable code of the failure.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotADirectory { .. } => "ECONTENTNOTDIR",
            Self::Io { .. } => "ECONTENTIO",
        }
    }

    /// What a user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::NotADirectory { .. } => {
                "the package is not installed where the lockfile says: run npm ci"
            }
            Self::Io { .. } => "check the permissions of node_modules and run again",
        }
    }
}
