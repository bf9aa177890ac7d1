//! SRI checks against published test vectors and a real registry tarball.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sigverify_content::{check_integrity, Algorithm, Integrity, IntegrityError};

/// FIPS 180 test vectors for "abc".
const ABC_SHA1: &str = "a9993e364706816aba3e25717850c26c9cd0d89d";
const ABC_SHA512: &str = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                          2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

fn sri(algo: &str, hex_digest: &str) -> String {
    format!(
        "{algo}-{}",
        STANDARD.encode(hex::decode(hex_digest).unwrap())
    )
}

/// The same digest with its last hex digit changed.
fn wrong(hex_digest: &str) -> String {
    let mut s = hex_digest.to_owned();
    let last = if s.ends_with('0') { "1" } else { "0" };
    s.replace_range(s.len() - 1.., last);
    s
}

#[test]
fn real_registry_tarball_matches_its_published_integrity() {
    // gundam-visor@1.0.1 and its dist.integrity, as recorded in the corpus MANIFEST.md.
    let tgz = common::corpus_dir()
        .join("attestations/slsa-verifier/cli-npm-gha/gundam-visor-cli-v1-tag.tgz");
    let bytes = std::fs::read(tgz).unwrap();
    let integrity = "sha512-jZ15cvZ2UWx1AUqgdOEa5gTZjwtk7Gclph4oOP89qxYhGPpxQz+zHhVQ0wvQ3snQhs4DK5RFe1g5AMUHrPOcQA==";
    check_integrity(&bytes, integrity).unwrap();

    let mut tampered = bytes.clone();
    tampered[100] ^= 1;
    let err = check_integrity(&tampered, integrity).unwrap_err();
    assert_eq!(err.code(), "EINTEGRITY");
    assert!(
        err.to_string()
            .contains(&format!("({} bytes)", bytes.len())),
        "{err}"
    );
}

#[test]
fn sha512_match_and_mismatch() {
    check_integrity(b"abc", &sri("sha512", ABC_SHA512)).unwrap();
    let err = check_integrity(b"abd", &sri("sha512", ABC_SHA512)).unwrap_err();
    assert!(
        matches!(
            err,
            IntegrityError::Mismatch {
                algorithm: "sha512",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn sha1_sri_is_checked() {
    check_integrity(b"abc", &sri("sha1", ABC_SHA1)).unwrap();
    let err = check_integrity(b"abc", &sri("sha1", &wrong(ABC_SHA1))).unwrap_err();
    assert!(
        matches!(
            err,
            IntegrityError::Mismatch {
                algorithm: "sha1",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn multi_hash_sri_checks_only_the_strongest_algorithm() {
    let good_512 = sri("sha512", ABC_SHA512);
    let bad_512 = sri("sha512", &wrong(ABC_SHA512));
    let good_1 = sri("sha1", ABC_SHA1);
    let bad_1 = sri("sha1", &wrong(ABC_SHA1));
    // A wrong sha1 beside a right sha512 passes: ssri never looks at the weaker one.
    check_integrity(b"abc", &format!("{bad_1} {good_512}")).unwrap();
    // A right sha1 cannot rescue a wrong sha512.
    let err = check_integrity(b"abc", &format!("{good_1}\t{bad_512}")).unwrap_err();
    assert!(
        matches!(
            err,
            IntegrityError::Mismatch {
                algorithm: "sha512",
                ..
            }
        ),
        "{err}"
    );
    // Any digest of the strongest algorithm may match; options after `?` are ignored.
    check_integrity(b"abc", &format!("  {bad_512}\n{good_512}?foo ")).unwrap();
    // Algorithms that cannot be computed are skipped, as ssri skips them.
    check_integrity(b"abc", &format!("md5-rL0Y20zC+Fzt72VPzMSk2A== {good_512}")).unwrap();
}

#[test]
fn strongest_algorithm_is_picked() {
    let parsed = Integrity::parse(&format!(
        "{} {}",
        sri("sha512", ABC_SHA512),
        sri("sha1", ABC_SHA1)
    ))
    .unwrap();
    assert_eq!(parsed.strongest(), Algorithm::Sha512);
    assert_eq!(parsed.hashes().len(), 2);
    assert_eq!(parsed.hashes()[1].hex_digest(), ABC_SHA1);
}

#[test]
fn malformed_sri_is_a_typed_error() {
    let cases = [
        ("sha512-!!!notbase64", "EINTEGRITYPARSE"),
        ("sha512-YWJj", "EINTEGRITYPARSE"), // valid base64, 3 bytes instead of 64
        ("nodashhere", "EINTEGRITYPARSE"),
        ("SHA512-YWJj", "EINTEGRITYPARSE"), // ssri's algorithm pattern is lower-case only
        ("", "EINTEGRITYPARSE"),
        ("   ", "EINTEGRITYPARSE"),
        ("md5-rL0Y20zC+Fzt72VPzMSk2A==", "EINTEGRITYALGO"),
    ];
    for (input, code) in cases {
        let err = check_integrity(b"abc", input).unwrap_err();
        assert_eq!(err.code(), code, "{input:?}: {err}");
        assert!(!err.hint().is_empty());
    }
}

#[test]
fn unpadded_digest_is_accepted() {
    let padded = sri("sha1", ABC_SHA1);
    check_integrity(b"abc", padded.trim_end_matches('=')).unwrap();
}
