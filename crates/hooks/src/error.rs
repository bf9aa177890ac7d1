//! Errors of the hooks and the safe install, one enum per stage, each with a stable code and a
//! remediation hint.

use std::path::PathBuf;

use sigverify_core::VerifyError;

/// package.json could not be read, understood or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Reading or writing the file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid JSON, or not shaped like a package.json.
    #[error("package.json is malformed: {0}")]
    Malformed(String),
    /// A field has the wrong type (e.g. `scripts` is not an object).
    #[error("package.json field {field} must be {expected}")]
    Field {
        /// Dotted path of the field.
        field: String,
        /// What it must be.
        expected: &'static str,
    },
}

impl ManifestError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            ManifestError::Io { .. } => "EPACKAGEJSONIO",
            ManifestError::Malformed(_) | ManifestError::Field { .. } => "EPACKAGEJSON",
        }
    }

    /// What to do about it.
    pub fn remediation(&self) -> &'static str {
        match self {
            ManifestError::Io { .. } => {
                "run in the project folder (or pass DIR) and check the file's permissions"
            }
            ManifestError::Malformed(_) | ManifestError::Field { .. } => {
                "fix package.json so that `npm pkg get` can read it, then run again"
            }
        }
    }
}

/// Running npm failed.
#[derive(Debug, thiserror::Error)]
pub enum NpmError {
    /// npm could not be started at all.
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// npm ran and failed.
    #[error("`{command}` failed with {status}")]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
    },
}

/// Why the safe install stopped before it was done.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// package.json (or its `npm-sigverify.allowScripts`) is unusable.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Verification could not run (no lockfile, bad .npmrc, ...).
    #[error("{stage}: {source}")]
    Verify {
        /// `lockfile verification` or `installed tree verification`.
        stage: &'static str,
        /// The cause.
        source: VerifyError,
    },
    /// `npm ci --ignore-scripts` failed: nothing ran, the tree may be partial.
    #[error("{0}")]
    Ci(NpmError),
    /// `npm rebuild` of the verified packages failed.
    #[error("{0}")]
    Rebuild(NpmError),
    /// One of the project's own lifecycle scripts failed.
    #[error("{0}")]
    RootScript(NpmError),
    /// The project makes its manager run code no check judged during the scripts-off install
    /// itself (pnpm's configDependencies, Yarn's git dependencies, a Bun security scanner).
    #[error("the safe install refuses this project: {0}")]
    Unjudged(String),
    /// An argument for `npm ci` that could turn scripts back on or redirect the install.
    #[error("npm argument {0:?} is not accepted by the safe install")]
    NpmArgument(String),
}

impl InstallError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            InstallError::Manifest(e) => e.code(),
            InstallError::Verify { source, .. } => source.code(),
            InstallError::Ci(NpmError::Spawn { .. })
            | InstallError::Rebuild(NpmError::Spawn { .. })
            | InstallError::RootScript(NpmError::Spawn { .. }) => "ENPMSPAWN",
            InstallError::Ci(_) => "ENPMCI",
            InstallError::Rebuild(_) => "ENPMREBUILD",
            InstallError::RootScript(_) => "EROOTSCRIPT",
            InstallError::NpmArgument(_) => "EUSAGE",
            InstallError::Unjudged(_) => "EINSTALLREFUSED",
        }
    }

    /// What to do about it.
    pub fn remediation(&self) -> String {
        match self {
            InstallError::Manifest(e) => e.remediation().into(),
            InstallError::Verify { source, .. } => source.remediation(),
            InstallError::Ci(NpmError::Spawn { .. }) | InstallError::Rebuild(NpmError::Spawn { .. }) => {
                "check that npm is installed and on PATH".into()
            }
            InstallError::Ci(_) => "read npm's output above; `npm ci` needs a package-lock.json in sync with package.json".into(),
            InstallError::Rebuild(_) => {
                "read npm's output above: an install script of a verified package failed".into()
            }
            InstallError::RootScript(_) => {
                "read the output above: one of the project's own lifecycle scripts failed".into()
            }
            InstallError::NpmArgument(_) => format!(
                "pass only these npm ci flags after --, in --flag=value form: {}",
                crate::ci_flags::ALLOWED_CI_FLAGS.join(", ")
            ),
            InstallError::Unjudged(_) => {
                "remove what the message names from the project's configuration or lockfile; nothing was installed".into()
            }
        }
    }

    /// The exit code: 2 for configuration problems (like the CLI), 1 for failed steps.
    pub fn exit_code(&self) -> i32 {
        match self {
            InstallError::Manifest(_)
            | InstallError::Verify { .. }
            | InstallError::NpmArgument(_)
            | InstallError::Unjudged(_) => 2,
            InstallError::Ci(_) | InstallError::Rebuild(_) | InstallError::RootScript(_) => 1,
        }
    }
}
