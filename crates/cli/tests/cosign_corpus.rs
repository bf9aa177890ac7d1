//! Every `sigstore-bundle` case of the corpus (70 sigstore-conformance + 11 sigstore-python)
//! through the `verify-bundle` code path, compared with expected.json. Lists every mismatch.

use serde_json::Value;
use sigverify_cli::cosign::{verify_bundle_command, verify_bundle_with, VerifyBundleArgs};
use sigverify_cosign::{Authority, IdentityPolicy};
use std::path::PathBuf;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../__test__/fixtures/corpus"
);

fn corpus_path(relative: &str) -> PathBuf {
    PathBuf::from(CORPUS).join(relative)
}

fn bundle_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(corpus_path("expected.json")).expect("expected.json");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("expected.json is a list");
    cases
        .into_iter()
        .filter(|c| c["kind"] == "sigstore-bundle")
        .collect()
}

/// Runs one case; Ok(()) when valid, Err(code: message) otherwise.
fn run_case(case: &Value) -> Result<(), String> {
    let text = |k: &str| case[k].as_str().map(str::to_string);
    let args = VerifyBundleArgs {
        staging: false,
        bundle: corpus_path(case["file"].as_str().unwrap()),
        key: text("key").map(|k| corpus_path(&k)),
        certificate_identity: text("identity"),
        certificate_oidc_issuer: text("issuer"),
        trusted_root: Some(corpus_path(case["trusted_root"].as_str().unwrap())),
        file_or_digest: corpus_path(case["artifact"].as_str().unwrap())
            .display()
            .to_string(),
        ca: Default::default(),
    };
    let result = if args.key.is_some() || args.certificate_identity.is_some() {
        verify_bundle_command(&args)
    } else {
        // sigstore-python's own tests verify these with its no-op identity policy.
        verify_bundle_with(&args, &Authority::Identity(IdentityPolicy::any()))
    };
    result
        .map(|_| ())
        .map_err(|r| format!("{}: {}", r.failure.code, r.failure.message))
}

#[test]
fn all_81_bundle_cases_match_expected_verdicts() {
    let cases = bundle_cases();
    assert_eq!(
        cases.len(),
        81,
        "corpus should hold 81 sigstore-bundle cases"
    );
    let mut mismatches = Vec::new();
    let mut valid = 0;
    for case in &cases {
        let outcome = run_case(case);
        let expected_valid = case["expected"] == "valid";
        valid += usize::from(outcome.is_ok());
        if outcome.is_ok() != expected_valid {
            mismatches.push(format!(
                "{} expected {} got {:?}",
                case["id"].as_str().unwrap(),
                case["expected"].as_str().unwrap(),
                outcome
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(valid, 27, "27 corpus bundle cases are valid");
}

#[test]
fn digest_input_verifies_like_the_file() {
    // happy-path-v0.3 via `sha256:HEX` instead of the file path (protocol FILE_OR_DIGEST).
    let artifact = std::fs::read(corpus_path(
        "cosign/sigstore-conformance/bundle-verify/a.txt",
    ))
    .unwrap();
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&artifact));
    let args = VerifyBundleArgs {
        staging: false,
        bundle: corpus_path("cosign/sigstore-conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"),
        key: None,
        certificate_identity: Some("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main".into()),
        certificate_oidc_issuer: Some("https://token.actions.githubusercontent.com".into()),
        trusted_root: None,
        file_or_digest: format!("sha256:{digest}"),
        ca: Default::default(),
    };
    verify_bundle_command(&args).expect("digest form verifies");
    let mut wrong = args.clone();
    wrong.file_or_digest = format!("sha256:{}", "00".repeat(32));
    assert!(verify_bundle_command(&wrong).is_err());
}
