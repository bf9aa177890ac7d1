//! What is being verified: the artifact bytes, or only its SHA-256 digest.

use crate::error::InputError;
use crate::keys::Message;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The artifact under verification.
#[derive(Debug, Clone)]
pub enum ArtifactInput {
    /// The whole artifact (needed for Ed25519 and DSSE subject checks on bytes).
    Bytes(Vec<u8>),
    /// Only its SHA-256 digest (the conformance protocol's `sha256:HEX` form).
    Sha256([u8; 32]),
}

impl ArtifactInput {
    /// Reads the artifact file.
    pub fn from_path(path: &Path) -> Result<Self, InputError> {
        std::fs::read(path)
            .map(Self::Bytes)
            .map_err(|source| InputError::Io {
                path: path.display().to_string(),
                source,
            })
    }

    /// Interprets a conformance-protocol `FILE_OR_DIGEST` argument: `sha256:` followed by 64
    /// hex digits that is not an existing path is a digest; anything else is a file path.
    pub fn from_file_or_digest(arg: &str) -> Result<Self, InputError> {
        if let Some(hex_digest) = arg.strip_prefix("sha256:") {
            let is_digest =
                hex_digest.len() == 64 && hex_digest.bytes().all(|b| b.is_ascii_hexdigit());
            if is_digest && !Path::new(arg).exists() {
                let mut digest = [0u8; 32];
                // Cannot fail: 64 hex digits were just checked.
                hex::decode_to_slice(hex_digest, &mut digest).map_err(|e| {
                    InputError::Usage(format!("invalid sha256 digest {hex_digest}: {e}"))
                })?;
                return Ok(Self::Sha256(digest));
            }
        }
        Self::from_path(Path::new(arg))
    }

    /// The artifact's SHA-256.
    pub fn sha256(&self) -> [u8; 32] {
        match self {
            Self::Bytes(bytes) => Sha256::digest(bytes).into(),
            Self::Sha256(digest) => *digest,
        }
    }

    /// The message view used for detached signature checks.
    pub fn message(&self) -> Message<'_> {
        match self {
            Self::Bytes(bytes) => Message::Bytes(bytes),
            Self::Sha256(digest) => Message::Sha256(digest),
        }
    }

    /// The view `sigstore-verify` takes.
    pub(crate) fn as_sigstore(&self) -> sigstore_types::Artifact<'_> {
        match self {
            Self::Bytes(bytes) => sigstore_types::Artifact::from_blob(bytes),
            Self::Sha256(digest) => {
                sigstore_types::Artifact::from_digest(sigstore_types::Sha256Hash::new(*digest))
            }
        }
    }
}
