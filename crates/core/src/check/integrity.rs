//! Subresource-integrity strings (`sha512-<base64>`), as npm and ssri use them.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha512};

/// The `(algorithm, base64 digest)` pairs of an SRI string; options after `?` are dropped.
pub fn parse_sri(sri: &str) -> Vec<(&str, &str)> {
    sri.split_whitespace()
        .filter_map(|part| {
            let (algo, rest) = part.split_once('-')?;
            let digest = rest.split('?').next().unwrap_or(rest);
            matches!(algo, "sha1" | "sha256" | "sha384" | "sha512").then_some((algo, digest))
        })
        .collect()
}

/// True when two SRI strings disagree: they share an algorithm and its digests differ (like
/// pacote, strings with no algorithm in common cannot be compared and do not conflict).
pub fn conflicts(a: &str, b: &str) -> bool {
    let (a, b) = (parse_sri(a), parse_sri(b));
    a.iter().any(|(algo, digest)| {
        b.iter()
            .any(|(other_algo, other)| algo == other_algo && digest != other)
    }) && !a.iter().any(|pair| b.contains(pair))
}

/// The `sha512-...` SRI of some bytes (a tarball).
pub fn sha512_sri(bytes: &[u8]) -> String {
    format!("sha512-{}", STANDARD.encode(Sha512::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_only_on_shared_algorithms() {
        let a = "sha512-AAAA";
        assert!(!conflicts(a, "sha512-AAAA"));
        assert!(conflicts(a, "sha512-BBBB"));
        assert!(!conflicts("sha1-XXXX", "sha512-BBBB"));
        assert!(!conflicts("sha1-XXXX sha512-AAAA", "sha512-AAAA"));
        assert_eq!(parse_sri("sha512-AA==?foo md5-x"), vec![("sha512", "AA==")]);
    }
}
