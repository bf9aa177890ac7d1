//! The five real tarballs of slsa-verifier's npm testdata verify end to end, with the
//! tarball's own sha512 as the subject digest, and prove the expected provenance facts.

mod common;

use common::*;
use sigverify_attest::{
    check_identity, verify_attestations, AttestationKind, IdentityPolicy, Subject,
};

const DIR: &str = "attestations/slsa-verifier/cli-npm-gha";

/// (file stem, package, version, source repository, git ref)
const REAL: [(&str, &str, &str, &str, &str); 5] = [
    (
        "gundam-visor-cli-v1-tag",
        "gundam-visor",
        "1.0.1",
        "https://github.com/ramonpetgrave64/gundam-visor",
        "refs/tags/v1.0.1",
    ),
    (
        "provenance-npm-test-cli-v02-prega",
        "@laurentsimon/provenance-npm-test",
        "1.0.3",
        "https://github.com/laurentsimon/provenance-npm-test",
        "refs/heads/main",
    ),
    (
        "provenance-npm-test-cli-v1-prega",
        "sigstore",
        "2.3.1",
        "https://github.com/sigstore/sigstore-js",
        "refs/heads/main",
    ),
    (
        "provenance-npm-test-ossf",
        "@laurentsimon/provenance-npm-test",
        "1.0.5",
        "https://github.com/laurentsimon/provenance-npm-test",
        "refs/heads/main",
    ),
    (
        "supreme-googles-cli-v02-tag",
        "@trishankatdatadog/supreme-goggles",
        "1.0.5",
        "https://github.com/trishankatdatadog/supreme-goggles",
        "refs/tags/v1.0.5",
    ),
];

#[test]
fn real_tarballs_verify_end_to_end() {
    for (stem, name, version, repo, git_ref) in REAL {
        let tarball = read(&format!("{DIR}/{stem}.tgz"));
        let digest = sha512(&tarball);
        let integrity = integrity_of(&digest);
        let subject = Subject {
            name,
            version,
            integrity: &integrity,
            tarball_sha512: Some(digest),
        };
        let doc = read(&format!("{DIR}/{stem}.tgz.json"));
        let results = verify_attestations(&doc, &subject, trust()).unwrap();
        assert_eq!(results.len(), 2, "{stem}");
        for result in &results {
            assert!(result.is_verified(), "{stem}: {result:#?}");
            assert!(
                result.log_index.is_some() && result.integrated_time.is_some(),
                "{stem}"
            );
        }
        let provenance = results
            .iter()
            .find(|r| r.kind == AttestationKind::Provenance)
            .unwrap();
        let facts = provenance.signer.as_ref().expect("provenance facts");
        println!("{stem}: {}", serde_json::to_string(facts).unwrap());
        assert_eq!(facts.source_repository_uri.as_deref(), Some(repo), "{stem}");
        assert_eq!(
            facts.source_repository_ref.as_deref(),
            Some(git_ref),
            "{stem}"
        );
        assert_eq!(
            facts.issuer.as_deref(),
            Some("https://token.actions.githubusercontent.com")
        );
        // Each was built from the repository its package.json would name: no violation.
        let declared = serde_json::json!({ "type": "git", "url": format!("git+{repo}.git") });
        let violations = check_identity(Some(facts), Some(&declared), &IdentityPolicy::default());
        assert!(violations.is_empty(), "{stem}: {violations:?}");
        let publish = results
            .iter()
            .find(|r| r.kind == AttestationKind::Publish)
            .unwrap();
        assert_eq!(
            publish.keyid.as_deref(),
            Some("SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA")
        );
        assert!(publish.signer.is_none());
    }
}

#[test]
fn a_different_tarball_is_rejected_even_with_matching_integrity_metadata() {
    // The packument says one thing, the bytes on disk are another package: caught.
    let (stem, name, version, ..) = REAL[0];
    let integrity = integrity_of(&sha512(&read(&format!("{DIR}/{stem}.tgz"))));
    let other = sha512(&read(&format!("{DIR}/{}.tgz", REAL[1].0)));
    let subject = Subject {
        name,
        version,
        integrity: &integrity,
        tarball_sha512: Some(other),
    };
    let results =
        verify_attestations(&read(&format!("{DIR}/{stem}.tgz.json")), &subject, trust()).unwrap();
    for result in results {
        assert_eq!(result.code.as_deref(), Some("EATTESTATIONSUBJECT"));
        assert_eq!(result.detail.as_deref(), Some("ETARBALLDIGEST"));
    }
}
