//! Every `npm-attestation` case of the corpus's expected.json, driven as one table.

mod common;

use common::*;
use serde_json::Value;
use sigverify_attest::{verify_attestations, Status, Subject, TrustMaterial};
use std::collections::HashMap;

/// Inputs of one case: integrity plus tarball digest when the case has the tarball.
fn case_integrity(case: &Value) -> (String, Option<[u8; 64]>) {
    if let Some(integrity) = case["integrity"].as_str() {
        return (integrity.to_string(), None);
    }
    if let Some(tarball) = case["tarball"].as_str() {
        let digest = sha512(&read(tarball));
        return (integrity_of(&digest), Some(digest));
    }
    let hex_digest = case["sha512"]
        .as_str()
        .expect("case has integrity, tarball or sha512");
    let digest: [u8; 64] = hex::decode(hex_digest).unwrap().try_into().unwrap();
    (integrity_of(&digest), None)
}

fn trust_for<'a>(
    cache: &'a mut HashMap<(String, String), TrustMaterial>,
    case: &Value,
) -> &'a TrustMaterial {
    let root = case["trusted_root"].as_str().unwrap().to_string();
    let keys = case["keys"].as_str().unwrap().to_string();
    cache
        .entry((root.clone(), keys.clone()))
        .or_insert_with(|| {
            TrustMaterial::from_trusted_root_file(corpus_path(&root), registry_keys(&keys)).unwrap()
        })
}

/// npm's code when the corpus reason names one, e.g. "(pacote: EATTESTATIONSUBJECT)".
fn named_code(reason: &str) -> Option<&str> {
    let code = reason
        .split("pacote: ")
        .nth(1)?
        .split(|c: char| !c.is_ascii_uppercase())
        .next()?;
    (!code.is_empty()).then_some(code)
}

#[test]
fn all_npm_attestation_cases_match_expected_json() {
    let cases: Vec<Value> = serde_json::from_value(read_json("expected.json")).unwrap();
    let cases: Vec<&Value> = cases
        .iter()
        .filter(|c| c["kind"] == "npm-attestation")
        .collect();
    assert_eq!(
        cases.len(),
        76,
        "expected.json should hold 76 npm-attestation cases"
    );
    let mut cache = HashMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let (integrity, tarball_sha512) = case_integrity(case);
        let subject = Subject {
            name: case["package"].as_str().unwrap(),
            version: case["version"].as_str().unwrap(),
            integrity: &integrity,
            tarball_sha512,
        };
        let trust = trust_for(&mut cache, case);
        let doc = read(case["file"].as_str().unwrap());
        let results = verify_attestations(&doc, &subject, trust).expect("document parses");
        let result = &results[case["index"].as_u64().unwrap() as usize];
        let expected = if case["expected"] == "valid" {
            Status::Verified
        } else {
            Status::Invalid
        };
        let reason = case["reason"].as_str().unwrap_or("");
        let line = format!(
            "{}: expected {:?}, got {:?} {:?}/{:?} {:?}",
            case["id"], expected, result.status, result.code, result.detail, result.message
        );
        println!("{line}");
        if result.status != expected {
            failures.push(line);
        } else if let Some(code) = named_code(reason) {
            if result.code.as_deref() != Some(code) {
                failures.push(format!("{line} (npm code {code})"));
            }
        }
    }
    for failure in &failures {
        eprintln!("MISMATCH {failure}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases mismatch",
        failures.len(),
        cases.len()
    );
}
