//! The trust file of internal keys.
//!
//! Format (version 1), one entry per key, never deleted (rotation only shortens `validUntil`,
//! revocation sets `revokedAt`), so old signatures keep their meaning:
//!
//! ```json
//! {
//!   "version": 1,
//!   "keys": [
//!     {
//!       "fingerprint": "5b1c…e0",            // hex sha256 of the SPKI DER, checked on load
//!       "algorithm": "ecdsa-p256",           // ecdsa-p256 | ecdsa-p384 | ed25519 | rsa
//!       "owner": "release-team@example.com",
//!       "publicKey": "-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n",
//!       "validFrom": "2026-01-01T00:00:00Z",
//!       "validUntil": "2026-07-01T00:00:00Z", // optional: end of validity (exclusive)
//!       "revokedAt": "2026-03-05T12:00:00Z",  // optional: signatures from here on fail
//!       "revocationReason": "laptop stolen"   // optional
//!     }
//!   ]
//! }
//! ```
//!
//! `publicKey` may also hold a PEM `CERTIFICATE`; the key is its subject key and the
//! certificate's `notBefore`/`notAfter` narrow the validity further.

use crate::keys::{KeyAlgorithm, PublicKey};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The only trust file version this crate reads and writes.
pub const TRUST_FILE_VERSION: u32 = 1;

/// One key entry as stored in the trust file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrustedKeyEntry {
    /// Hex SHA-256 of the SPKI DER.
    pub fingerprint: String,
    /// Key algorithm.
    pub algorithm: KeyAlgorithm,
    /// Who holds the private key.
    pub owner: String,
    /// PEM public key (or certificate).
    pub public_key: String,
    /// Start of validity.
    pub valid_from: DateTime<Utc>,
    /// End of validity (exclusive), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime<Utc>>,
    /// Revocation time, if revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
}

/// The trust file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustFileData {
    /// Format version, must be 1.
    pub version: u32,
    /// The keys, oldest first.
    pub keys: Vec<TrustedKeyEntry>,
}

/// A key entry whose PEM parsed and whose fingerprint and algorithm were checked.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The stored entry.
    pub entry: TrustedKeyEntry,
    /// The parsed key.
    pub key: PublicKey,
}

/// A loaded, checked trust file.
#[derive(Debug, Clone)]
pub struct TrustFile {
    /// Checked keys, in file order.
    pub keys: Vec<TrustedKey>,
}

/// Errors loading, checking or saving a trust file.
#[derive(Debug, thiserror::Error)]
pub enum TrustFileError {
    /// Cannot read or write the file.
    #[error("cannot access trust file {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Not valid trust file JSON.
    #[error("invalid trust file {path}: {detail}")]
    Invalid {
        /// The path.
        path: String,
        /// What was wrong.
        detail: String,
    },
    /// An entry's key does not match its declared fingerprint or algorithm, or is unreadable.
    #[error("trust file key #{index} ({fingerprint}): {detail}")]
    BadKey {
        /// Position in `keys`.
        index: usize,
        /// Declared fingerprint.
        fingerprint: String,
        /// What was wrong.
        detail: String,
    },
    /// A fingerprint prefix named no key or several.
    #[error("key {0}")]
    Lookup(String),
}

impl crate::error::Coded for TrustFileError {
    fn code(&self) -> &'static str {
        match self {
            Self::Io { .. } => "ETRUSTFILEREAD",
            Self::Invalid { .. } | Self::BadKey { .. } => "ETRUSTFILE",
            Self::Lookup(_) => "EKEYLOOKUP",
        }
    }
    fn remediation(&self) -> &'static str {
        match self {
            Self::Io { .. } => "check the trust file path and permissions",
            Self::Invalid { .. } | Self::BadKey { .. } => {
                "fix the trust file (see the sigverify_cosign::trust module docs for its format)"
            }
            Self::Lookup(_) => "give a longer, unique fingerprint prefix (see `keys list`)",
        }
    }
    fn is_config(&self) -> bool {
        true
    }
}

impl TrustFile {
    /// Parses and checks trust file JSON.
    pub fn from_json(json: &str, path: &str) -> Result<Self, TrustFileError> {
        let data: TrustFileData =
            serde_json::from_str(json).map_err(|e| TrustFileError::Invalid {
                path: path.to_string(),
                detail: e.to_string(),
            })?;
        Self::from_data(data, path)
    }

    /// Checks already-deserialised data: version, key PEMs, fingerprints and algorithms.
    pub fn from_data(data: TrustFileData, path: &str) -> Result<Self, TrustFileError> {
        if data.version != TRUST_FILE_VERSION {
            return Err(TrustFileError::Invalid {
                path: path.to_string(),
                detail: format!(
                    "version {} is not supported (expected {TRUST_FILE_VERSION})",
                    data.version
                ),
            });
        }
        let keys = data
            .keys
            .into_iter()
            .enumerate()
            .map(|(index, entry)| check_entry(index, entry))
            .collect::<Result<Vec<_>, _>>()?;
        reject_duplicates(&keys, path)?;
        Ok(Self { keys })
    }

    /// Reads a trust file.
    pub fn load(path: &Path) -> Result<Self, TrustFileError> {
        let text = std::fs::read_to_string(path).map_err(|source| TrustFileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Reads a trust file, or returns an empty one when it does not exist yet.
    pub fn load_or_empty(path: &Path) -> Result<Self, TrustFileError> {
        if path.exists() {
            Self::load(path)
        } else {
            Ok(Self { keys: Vec::new() })
        }
    }

    /// The stored form.
    pub fn to_data(&self) -> TrustFileData {
        TrustFileData {
            version: TRUST_FILE_VERSION,
            keys: self.keys.iter().map(|k| k.entry.clone()).collect(),
        }
    }

    /// Writes the file atomically: a temporary file in the same directory, then a rename, so
    /// a crash never leaves a half-written trust file.
    pub fn save(&self, path: &Path) -> Result<(), TrustFileError> {
        let io = |source: std::io::Error| TrustFileError::Io {
            path: path.display().to_string(),
            source,
        };
        let json = serde_json::to_string_pretty(&self.to_data())
            .map_err(|e| io(std::io::Error::other(e)))?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, format!("{json}\n").as_bytes()).map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Finds the one key whose fingerprint starts with `prefix` (at least 8 hex digits).
    pub fn find_by_prefix(&self, prefix: &str) -> Result<usize, TrustFileError> {
        let prefix = prefix.to_ascii_lowercase();
        if prefix.len() < 8 {
            return Err(TrustFileError::Lookup(format!(
                "prefix {prefix:?} is shorter than 8 hex digits"
            )));
        }
        let hits: Vec<usize> = (0..self.keys.len())
            .filter(|&i| self.keys[i].entry.fingerprint.starts_with(&prefix))
            .collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(TrustFileError::Lookup(format!(
                "{prefix} matches no key in the trust file"
            ))),
            many => Err(TrustFileError::Lookup(format!(
                "{prefix} matches {} keys",
                many.len()
            ))),
        }
    }
}

fn check_entry(index: usize, entry: TrustedKeyEntry) -> Result<TrustedKey, TrustFileError> {
    let bad = |detail: String| TrustFileError::BadKey {
        index,
        fingerprint: entry.fingerprint.clone(),
        detail,
    };
    let key = PublicKey::from_pem(&entry.public_key, &format!("trust file key #{index}"))
        .map_err(|e| bad(e.to_string()))?;
    if key.fingerprint() != entry.fingerprint.to_ascii_lowercase() {
        return Err(bad(format!(
            "the public key's fingerprint is {}",
            key.fingerprint()
        )));
    }
    if key.algorithm() != entry.algorithm {
        return Err(bad(format!(
            "the public key is {}, not {}",
            key.algorithm(),
            entry.algorithm
        )));
    }
    if entry
        .valid_until
        .is_some_and(|until| until <= entry.valid_from)
    {
        return Err(bad("validUntil is not after validFrom".into()));
    }
    Ok(TrustedKey { entry, key })
}

/// A key listed twice would let the most permissive entry win (one revoked, one not; different
/// validity windows): the file is refused instead, naming both entries.
fn reject_duplicates(keys: &[TrustedKey], path: &str) -> Result<(), TrustFileError> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (index, key) in keys.iter().enumerate() {
        let fingerprint = key.entry.fingerprint.to_ascii_lowercase();
        if let Some(first) = seen.insert(fingerprint.clone(), index) {
            return Err(TrustFileError::Invalid {
                path: path.to_string(),
                detail: format!(
                    "key {fingerprint} is listed twice (entries #{first} and #{index}): keep one entry per key and record rotation or revocation in it"
                ),
            });
        }
    }
    Ok(())
}
