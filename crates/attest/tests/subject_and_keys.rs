//! Subject mismatches supplied by the caller, registry key validity at the log time, and
//! bundles from another Sigstore instance, on the real gundam-visor@1.0.1 document.

mod common;

use common::*;
use sigverify_attest::{Subject, TrustMaterial};

#[test]
fn subject_mismatches_given_by_the_caller_are_caught() {
    let integrity = gundam_integrity();
    let doc = read_json(GUNDAM);
    let wrong_version = Subject {
        version: "1.0.2",
        ..gundam_subject(&integrity)
    };
    let wrong_name = Subject {
        name: "gundam-visor2",
        ..gundam_subject(&integrity)
    };
    let other_integrity = integrity_of(&[9u8; 64]);
    let wrong_digest = gundam_subject(&other_integrity);
    let wrong_tarball = Subject {
        tarball_sha512: Some([9u8; 64]),
        ..gundam_subject(&integrity)
    };
    let sha1_only = gundam_subject("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
    for (subject, detail) in [
        (wrong_version, "ESUBJECTNAME"),
        (wrong_name, "ESUBJECTNAME"),
        (wrong_digest, "ESUBJECTDIGEST"),
        (wrong_tarball, "ETARBALLDIGEST"),
        (sha1_only, "EINTEGRITY"),
    ] {
        for result in verify_doc(&doc, &subject, trust()) {
            assert_eq!(
                result.code.as_deref(),
                Some("EATTESTATIONSUBJECT"),
                "{result:?}"
            );
            assert_eq!(result.detail.as_deref(), Some(detail), "{result:?}");
        }
    }
}

/// The 2025 key set with the publish key's expiry moved to `expires`.
fn trust_with_expiry(expires: &str) -> TrustMaterial {
    let mut keys = registry_keys(KEYS_2025);
    let key = keys
        .iter_mut()
        .find(|k| k.keyid.starts_with("SHA256:jl3b"))
        .unwrap();
    key.expires = Some(expires.parse().unwrap());
    TrustMaterial::public_good(keys).unwrap()
}

#[test]
fn registry_key_must_be_valid_at_the_log_integrated_time() {
    // The gundam-visor publish bundle was logged at 1717453081 = 2024-06-03T22:18:01Z.
    let integrity = gundam_integrity();
    let doc = read_json(GUNDAM);
    for (expires, valid) in [
        ("2024-06-03T22:18:00Z", false),
        ("2024-06-03T22:18:01Z", false), // npm: integratedTime < expires
        ("2024-06-03T22:18:02Z", true),
    ] {
        let results = verify_doc(
            &doc,
            &gundam_subject(&integrity),
            &trust_with_expiry(expires),
        );
        let publish = &results[PUBLISH];
        assert_eq!(
            publish.is_verified(),
            valid,
            "expires {expires}: {publish:?}"
        );
        if !valid {
            assert_eq!(publish.code.as_deref(), Some("EEXPIREDSIGNATUREKEY"));
            assert_eq!(publish.detail.as_deref(), Some("EKEYEXPIRED"));
        }
        assert!(
            results[PROVENANCE].is_verified(),
            "provenance needs no registry key"
        );
    }
}

#[test]
fn bundles_from_another_sigstore_instance_are_rejected() {
    let staging = TrustMaterial::from_trusted_root_file(
        corpus_path("trusted-root/staging-trusted_root.json"),
        registry_keys(KEYS_2025),
    )
    .unwrap();
    let integrity = gundam_integrity();
    let results = verify_doc(&read_json(GUNDAM), &gundam_subject(&integrity), &staging);
    for result in &results {
        assert_eq!(
            result.code.as_deref(),
            Some("EATTESTATIONVERIFY"),
            "{result:?}"
        );
    }
}
