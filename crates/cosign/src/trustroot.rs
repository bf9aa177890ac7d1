//! Sigstore trusted roots: the embedded public-good and staging roots, or a file.

use crate::error::InputError;
use sigstore_trust_root::TrustedRoot;
use std::path::Path;

/// The Sigstore public-good trusted root (from the sigstore-python 4.5.1 wheel, identical to
/// the `trusted_root.json` TUF target of `@sigstore/tuf` 4.0.2), used by default.
pub const PUBLIC_GOOD_TRUSTED_ROOT: &str =
    include_str!("../trusted-root/public-good-trusted_root.json");
/// The Sigstore staging trusted root, used with `--staging`.
pub const STAGING_TRUSTED_ROOT: &str = include_str!("../trusted-root/staging-trusted_root.json");

/// Which trusted root to verify against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustRootChoice {
    /// The embedded public-good root.
    PublicGood,
    /// The embedded staging root.
    Staging,
    /// A `trusted_root.json` file.
    File(std::path::PathBuf),
}

impl TrustRootChoice {
    /// Picks a root from the CLI options: an explicit file wins over `--staging`.
    pub fn from_options(file: Option<&Path>, staging: bool) -> Self {
        match (file, staging) {
            (Some(path), _) => Self::File(path.to_path_buf()),
            (None, true) => Self::Staging,
            (None, false) => Self::PublicGood,
        }
    }

    /// Loads and parses the chosen root.
    pub fn load(&self) -> Result<TrustedRoot, InputError> {
        match self {
            Self::PublicGood => parse(PUBLIC_GOOD_TRUSTED_ROOT, "embedded public-good root"),
            Self::Staging => parse(STAGING_TRUSTED_ROOT, "embedded staging root"),
            Self::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| InputError::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                parse(&text, &path.display().to_string())
            }
        }
    }
}

/// Parses a `trusted_root.json` text; `source_name` names it in errors.
pub fn parse(text: &str, source_name: &str) -> Result<TrustedRoot, InputError> {
    TrustedRoot::from_json(text).map_err(|e| InputError::TrustedRoot {
        source_name: source_name.to_string(),
        detail: e.to_string(),
    })
}
