//! The integrity check: the lockfile (or a given tarball) must pin exactly the bytes the
//! registry signed.
//!
//! Stricter than npm, on purpose: npm accepts a tarball matching ANY hash of the lockfile's
//! strongest algorithm, so a lockfile entry `sha512-GOOD sha512-EVIL` installs EVIL while
//! looking signed. Here every hash of the lockfile's strongest algorithm must equal the signed
//! one, and that algorithm must be the strongest one signed (a lockfile pinning only `sha1`
//! beside a signed `sha512` would let a SHA-1 collision through).

use sigverify_content::{Algorithm, Integrity};

use crate::model::{CheckOutcome, PackageResult};
use crate::Code;

/// Why `claimed` does not pin the bytes `signed` names, or `Ok` when it does.
pub fn pins_signed(claimed: &str, signed: &str) -> Result<(), String> {
    let claimed_sri = Integrity::parse(claimed).map_err(|e| format!("malformed integrity: {e}"))?;
    let signed_sri =
        Integrity::parse(signed).map_err(|e| format!("malformed signed integrity: {e}"))?;
    let algorithm = claimed_sri.strongest();
    if algorithm < signed_sri.strongest() {
        return Err(format!(
            "it pins only {} while the registry signed {}",
            algorithm.name(),
            signed_sri.strongest().name()
        ));
    }
    let signed_digests: Vec<&Vec<u8>> = signed_sri
        .hashes()
        .iter()
        .filter(|h| h.algorithm == algorithm)
        .map(|h| &h.digest)
        .collect();
    if signed_digests.is_empty() {
        return Err(format!(
            "the registry signed no {} digest",
            algorithm.name()
        ));
    }
    let all_signed = claimed_sri
        .strongest_hashes()
        .all(|h| signed_digests.contains(&&h.digest));
    match all_signed {
        true => Ok(()),
        false => Err(format!("its {} digest differs", algorithm.name())),
    }
}

/// The strongest algorithm of an SRI string, when it parses.
pub fn strongest(sri: &str) -> Option<Algorithm> {
    Integrity::parse(sri).ok().map(|i| i.strongest())
}

/// Sets the integrity check of `result`: the lockfile's integrity (when it pins one) must pin the
/// `signed` bytes, and a given tarball's bytes must be them. With neither there is nothing to
/// compare here (the content check compares the installed files with the signed tarball).
pub(crate) fn check_integrity(
    result: &mut PackageResult,
    signed: &str,
    lockfile: Option<&str>,
    tarball: Option<&[u8]>,
) {
    let id = result.id();
    if let Some(claimed) = lockfile {
        if let Err(why) = pins_signed(claimed, signed) {
            let message = format!(
                "{id}: the lockfile pins integrity {claimed} but the registry signed {signed}: {why}"
            );
            result.checks.integrity = CheckOutcome::failed(Code::IntegrityMismatch, message);
            return;
        }
    }
    if let Some(bytes) = tarball {
        if let Err(e) = sigverify_content::check_integrity(bytes, signed) {
            let message = format!("{id}: the tarball is not the one the registry signed: {e}");
            result.checks.integrity = CheckOutcome::failed(Code::IntegrityMismatch, message);
            return;
        }
    }
    result.checks.integrity = match lockfile.is_some() || tarball.is_some() {
        true => CheckOutcome::passed(),
        false => CheckOutcome {
            state: crate::model::CheckState::NotApplicable,
            code: None,
            message: Some(format!(
                "{id}: the lockfile pins no integrity; the installed files are compared with the signed tarball instead"
            )),
        },
    };
}

/// The `sha512-...` SRI of some bytes (a tarball).
pub fn sha512_sri(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::{Digest, Sha512};
    let digest = Sha512::digest(bytes);
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sri(alg: &str, byte: u8, len: usize) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(vec![byte; len]);
        format!("{alg}-{b64}")
    }

    #[test]
    fn every_strongest_hash_must_be_the_signed_one() {
        let good = sri("sha512", 1, 64);
        let evil = sri("sha512", 2, 64);
        assert!(pins_signed(&good, &good).is_ok());
        assert!(pins_signed(&evil, &good).is_err());
        // npm would accept a tarball matching either hash: the evil one gets in.
        assert!(pins_signed(&format!("{good} {evil}"), &good).is_err());
        assert!(pins_signed(&format!("{evil} {good}"), &good).is_err());
        // A weaker hash beside the signed strongest one is ignored, as npm ignores it.
        assert!(pins_signed(&format!("{} {good}", sri("sha1", 9, 20)), &good).is_ok());
    }

    #[test]
    fn a_weaker_or_incomparable_pin_fails() {
        let signed = format!("{} {}", sri("sha1", 1, 20), sri("sha512", 1, 64));
        assert!(pins_signed(&sri("sha1", 1, 20), &signed).is_err());
        // The lockfile pins a sha512 the registry never signed (it signed sha1 only).
        assert!(pins_signed(&sri("sha512", 1, 64), &sri("sha1", 1, 20)).is_err());
        assert!(pins_signed("sha512-???", &sri("sha512", 1, 64)).is_err());
        assert!(pins_signed("", &sri("sha512", 1, 64)).is_err());
    }
}
