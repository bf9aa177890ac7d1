//! Subresource Integrity (SRI) strings as npm writes them in `dist.integrity` and lockfiles.
//!
//! Semantics follow `ssri` (npm's SRI library, `ssri/lib/index.js`):
//! - the string is split on whitespace into `<algorithm>-<base64 digest>[?options]` tokens;
//! - tokens of algorithms this crate cannot compute (ssri drops the ones Node cannot) are skipped;
//! - only the strongest algorithm present is checked (`pickAlgorithm`, priority
//!   sha1 < sha256 < sha384 < sha512) and any digest of that algorithm may match.
//!
//! Stricter than ssri, because a verifier must fail closed: a token that is not
//! `<algorithm>-<digest>`, or whose digest is not base64 of the right length for a known
//! algorithm, is a [`IntegrityError::Malformed`] error instead of a silently ignored token.
//! One leniency: digests are compared as bytes, so a digest written without its `=` padding
//! still matches (ssri compares base64 strings and would not); the bytes must hash the same.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, Engine};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Standard base64 that accepts digests with or without `=` padding.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A hash algorithm usable in an SRI string, ordered weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    /// `sha1` (old npm packages only carry this one).
    Sha1,
    /// `sha256`.
    Sha256,
    /// `sha384`.
    Sha384,
    /// `sha512` (what the npm registry publishes today).
    Sha512,
}

impl Algorithm {
    /// Parses the algorithm name of an SRI token (lower-case, as ssri requires).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha1" => Some(Self::Sha1),
            "sha256" => Some(Self::Sha256),
            "sha384" => Some(Self::Sha384),
            "sha512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The SRI / cacache name of the algorithm (`sha512`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "sha1",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Computes the digest of `bytes` with this algorithm.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(bytes).to_vec(),
            Self::Sha256 => Sha256::digest(bytes).to_vec(),
            Self::Sha384 => Sha384::digest(bytes).to_vec(),
            Self::Sha512 => Sha512::digest(bytes).to_vec(),
        }
    }
}

/// One `<algorithm>-<digest>` token of an SRI string, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SriHash {
    /// The hash algorithm.
    pub algorithm: Algorithm,
    /// The raw digest bytes (length checked against the algorithm).
    pub digest: Vec<u8>,
}

impl SriHash {
    /// Lower-case hex of the digest, as cacache uses it in content paths.
    pub fn hex_digest(&self) -> String {
        hex::encode(&self.digest)
    }
}

/// A parsed SRI string: the supported hashes it lists, in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    hashes: Vec<SriHash>,
}

/// Why an SRI string could not be used, or why bytes do not match it.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    /// The string holds no token at all.
    #[error("integrity string is empty")]
    Empty,
    /// A token is not `<algorithm>-<base64 digest>` or its digest has the wrong size.
    #[error("malformed integrity token {token:?}: {reason}")]
    Malformed {
        /// The offending token (truncated to 100 characters).
        token: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Every token names an algorithm this crate cannot compute.
    #[error("integrity names no supported algorithm (found: {found}; supported: sha1, sha256, sha384, sha512)")]
    UnsupportedAlgorithm {
        /// The algorithm names that were found, comma-separated.
        found: String,
    },
    /// The bytes hash to something else than every digest of the strongest algorithm.
    #[error(
        "integrity mismatch using {algorithm}: wanted {expected}, got {actual} ({size} bytes)"
    )]
    Mismatch {
        /// The algorithm that was checked (the strongest one listed).
        algorithm: &'static str,
        /// The expected digest(s), SRI-formatted, space-separated.
        expected: String,
        /// The SRI of the bytes that were checked.
        actual: String,
        /// Number of bytes checked.
        size: usize,
    },
}

impl IntegrityError {
    /// Stable code: npm's `EINTEGRITY` for a mismatch, `EINTEGRITYPARSE` / `EINTEGRITYALGO` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty | Self::Malformed { .. } => "EINTEGRITYPARSE",
            Self::UnsupportedAlgorithm { .. } => "EINTEGRITYALGO",
            Self::Mismatch { .. } => "EINTEGRITY",
        }
    }

    /// What a user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Empty | Self::Malformed { .. } | Self::UnsupportedAlgorithm { .. } => {
                "the lockfile or registry metadata carries an unusable integrity; regenerate the lockfile from the registry"
            }
            Self::Mismatch { .. } => {
                "the tarball is not the one the registry signed: clear it from the npm cache (npm cache clean --force) and fetch it again"
            }
        }
    }
}

impl Integrity {
    /// Parses an SRI string (see the module doc for the exact rules).
    pub fn parse(sri: &str) -> Result<Self, IntegrityError> {
        let mut hashes = Vec::new();
        let mut unsupported = Vec::new();
        for token in sri.split_whitespace() {
            match parse_token(token)? {
                Ok(hash) => hashes.push(hash),
                Err(name) => unsupported.push(name.to_owned()),
            }
        }
        if hashes.is_empty() {
            return Err(match unsupported.is_empty() {
                true => IntegrityError::Empty,
                false => IntegrityError::UnsupportedAlgorithm {
                    found: unsupported.join(", "),
                },
            });
        }
        Ok(Self { hashes })
    }

    /// All supported hashes, in the order they were written.
    pub fn hashes(&self) -> &[SriHash] {
        &self.hashes
    }

    /// The strongest algorithm present (the one ssri checks).
    pub fn strongest(&self) -> Algorithm {
        let best = self.hashes.iter().map(|h| h.algorithm).max();
        best.expect("Integrity always holds at least one hash")
    }

    /// The hashes of the strongest algorithm, in the order written.
    pub fn strongest_hashes(&self) -> impl Iterator<Item = &SriHash> {
        let best = self.strongest();
        self.hashes.iter().filter(move |h| h.algorithm == best)
    }

    /// Checks `bytes` against the strongest algorithm's digests; any of them may match.
    pub fn check(&self, bytes: &[u8]) -> Result<(), IntegrityError> {
        let algorithm = self.strongest();
        let actual = algorithm.digest(bytes);
        if self.strongest_hashes().any(|h| h.digest == actual) {
            return Ok(());
        }
        let expected: Vec<String> = self.strongest_hashes().map(sri_string).collect();
        Err(IntegrityError::Mismatch {
            algorithm: algorithm.name(),
            expected: expected.join(" "),
            actual: sri_string(&SriHash {
                algorithm,
                digest: actual,
            }),
            size: bytes.len(),
        })
    }
}

/// Checks `bytes` against an SRI string (ssri semantics: the strongest algorithm wins).
pub fn check_integrity(bytes: &[u8], integrity: &str) -> Result<(), IntegrityError> {
    Integrity::parse(integrity)?.check(bytes)
}

/// Parses one token: `Ok(Ok(hash))`, `Ok(Err(name))` for an unsupported algorithm, or an error.
fn parse_token(token: &str) -> Result<Result<SriHash, &str>, IntegrityError> {
    let malformed = |reason: &str| IntegrityError::Malformed {
        token: token.chars().take(100).collect(),
        reason: reason.to_owned(),
    };
    let (name, rest) = token
        .split_once('-')
        .ok_or_else(|| malformed("expected <algorithm>-<digest>"))?;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(malformed("algorithm must be lower-case letters and digits"));
    }
    // Options after `?` carry no meaning for the check (ssri keeps but never uses them).
    let b64 = rest.split('?').next().unwrap_or_default();
    let Some(algorithm) = Algorithm::from_name(name) else {
        return Ok(Err(name));
    };
    let digest = LENIENT_B64
        .decode(b64)
        .map_err(|e| malformed(&format!("digest is not base64: {e}")))?;
    if digest.len() != algorithm.digest_len() {
        let want = algorithm.digest_len();
        return Err(malformed(&format!(
            "{name} digest has {} bytes, expected {want}",
            digest.len()
        )));
    }
    Ok(Ok(SriHash { algorithm, digest }))
}

fn sri_string(hash: &SriHash) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(&hash.digest);
    format!("{}-{b64}", hash.algorithm.name())
}
