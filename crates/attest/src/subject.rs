//! The package an attestation must describe, and npm's subject checks.

use crate::error::AttestationError;
use crate::statement::StatementSubject;
use base64::Engine as _;

/// The package version whose attestations are being verified.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// Package name, e.g. `@scope/pkg`.
    pub name: &'a str,
    /// Exact version, e.g. `1.2.3`.
    pub version: &'a str,
    /// `dist.integrity` exactly as in the packument (an SRI string with a sha512 entry).
    pub integrity: &'a str,
    /// sha512 of the tarball bytes, when the caller has the tarball; then it must match too.
    pub tarball_sha512: Option<[u8; 64]>,
}

impl Subject<'_> {
    /// npm's package URL for this version: `pkg:npm/<name>@<version>` with the leading `@` of
    /// a scope encoded as `%40` (npm-package-arg `toPurl`; the `/` stays as is).
    pub fn purl(&self) -> String {
        let name = match self.name.strip_prefix('@') {
            Some(rest) => format!("%40{rest}"),
            None => self.name.to_string(),
        };
        format!("pkg:npm/{name}@{}", self.version)
    }

    /// Check the statement subject against this package: name, then digest (npm order).
    pub(crate) fn check(&self, signed: &StatementSubject) -> Result<(), AttestationError> {
        let purl = self.purl();
        if signed.name != purl {
            return Err(AttestationError::SubjectName {
                expected: purl,
                actual: signed.name.clone(),
            });
        }
        let expected = hex::encode(self.integrity_sha512()?);
        let actual = signed
            .sha512
            .as_deref()
            .ok_or(AttestationError::SubjectDigestMissing)?;
        // Exact string comparison, like npm: the statement must carry lower-case hex.
        if actual != expected {
            return Err(AttestationError::SubjectDigest {
                expected,
                actual: actual.to_string(),
            });
        }
        self.check_tarball(&expected)
    }

    fn check_tarball(&self, expected_hex: &str) -> Result<(), AttestationError> {
        match self.tarball_sha512 {
            Some(digest) if hex::encode(digest) != expected_hex => {
                Err(AttestationError::TarballDigest {
                    expected: expected_hex.to_string(),
                    actual: hex::encode(digest),
                })
            }
            _ => Ok(()),
        }
    }

    /// The sha512 named by `dist.integrity`.
    pub(crate) fn integrity_sha512(&self) -> Result<[u8; 64], AttestationError> {
        sri_sha512(self.integrity).ok_or_else(|| AttestationError::Integrity(self.integrity.into()))
    }
}

/// The first `sha512-` entry of an SRI string (entries are whitespace separated and may carry
/// `?options`), decoded. ssri, which npm uses, also picks sha512 as the strongest algorithm.
pub fn sri_sha512(integrity: &str) -> Option<[u8; 64]> {
    let b64 = integrity
        .split_whitespace()
        .find_map(|entry| entry.strip_prefix("sha512-"))?;
    let b64 = b64.split('?').next()?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(name: &'a str, integrity: &'a str) -> Subject<'a> {
        Subject {
            name,
            version: "1.0.0",
            integrity,
            tarball_sha512: None,
        }
    }

    #[test]
    fn purl_encodes_scope_at_only() {
        assert_eq!(subject("@scope/x", "").purl(), "pkg:npm/%40scope/x@1.0.0");
        assert_eq!(subject("lodash", "").purl(), "pkg:npm/lodash@1.0.0");
    }

    #[test]
    fn sri_picks_sha512_entry() {
        let b64 = base64::engine::general_purpose::STANDARD.encode([7u8; 64]);
        assert_eq!(
            sri_sha512(&format!("sha1-abc sha512-{b64}?x")),
            Some([7u8; 64])
        );
        assert_eq!(sri_sha512("sha1-abc"), None);
        assert_eq!(sri_sha512("sha512-AAAA"), None);
        assert_eq!(sri_sha512("sha512-!!"), None);
    }
}
