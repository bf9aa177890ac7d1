//! Errors of the cache. A cache failure never changes a verdict: the caller
//! treats every error as "no cache" and reports it as a warning.

use std::path::PathBuf;

/// Everything that can go wrong while opening or using a cache.
///
/// Messages never contain a Redis password: every string that could carry
/// one passes through [`crate::spec::redact`] first.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The `--cache` / `NPM_SIGVERIFY_CACHE` value could not be understood.
    #[error("invalid cache spec {spec:?}: {reason}")]
    InvalidSpec {
        /// The spec as given, with any password redacted.
        spec: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The cache key is unusable (too short, a key file others can read).
    #[error("cache key: {0}")]
    Key(String),
    /// No user cache folder could be derived from the environment.
    #[error("no user cache folder: {0} is not set")]
    NoCacheDir(&'static str),
    /// A file-system operation on the disk cache failed.
    #[error("cache i/o on {}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The backend cannot be reached (Redis down, timed out, refused auth).
    /// Callers fall back to running without a cache.
    #[error("cache {target} unavailable: {reason}")]
    Unavailable {
        /// The backend, password redacted.
        target: String,
        /// What failed, password redacted.
        reason: String,
    },
    /// Redis answered a command with an error reply.
    #[error("redis {target} rejected {command}: {reason}")]
    Redis {
        /// The backend, password redacted.
        target: String,
        /// The command that failed.
        command: &'static str,
        /// The reply, password redacted.
        reason: String,
    },
    /// A blocking disk task panicked or was cancelled.
    #[error("cache worker task failed: {0}")]
    Task(String),
}

impl CacheError {
    /// Stable code string for reports and exit handling.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidSpec { .. } => "ECACHESPEC",
            Self::NoCacheDir(_) => "ECACHEDIR",
            Self::Key(_) => "ECACHEKEY",
            Self::Io { .. } => "ECACHEIO",
            Self::Unavailable { .. } => "ECACHEUNAVAILABLE",
            Self::Redis { .. } => "ECACHEREDIS",
            Self::Task(_) => "ECACHETASK",
        }
    }

    /// What the user can do about it.
    pub fn remediation(&self) -> &'static str {
        match self {
            Self::InvalidSpec { .. } => {
                "use a folder path, redis://[:password@]host:port[/db], or off"
            }
            Self::NoCacheDir(_) => "set XDG_CACHE_HOME or HOME, or pass --cache DIR",
            Self::Key(_) => "set NPM_SIGVERIFY_CACHE_KEY (at least 16 characters, from your secret store) or fix the key file named above",
            Self::Io { .. } => {
                "check permissions and free space of the cache folder, or pass --cache off"
            }
            Self::Unavailable { .. } => {
                "verification continues without a cache; check that Redis is running and reachable"
            }
            Self::Redis { .. } => "check the Redis server version, ACLs and db number",
            Self::Task(_) => "retry; report a bug if it persists",
        }
    }

    /// True when the caller should warn and carry on without a cache; false
    /// when the user's own configuration is wrong and should be fixed.
    pub fn is_fallback(&self) -> bool {
        !matches!(self, Self::InvalidSpec { .. })
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
