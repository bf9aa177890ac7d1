//! Every registry-key and registry-signature case of the real test-vector corpus
//! (`__test__/fixtures/corpus/expected.json`, copied from `../shared/corpus`; provenance in its
//! MANIFEST.md) must give its expected verdict.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sigverify_core::check::signature::{
    verify_registry_signatures, RegistrySignature, SignatureVerdict, SignedVersion,
};
use sigverify_core::source::keys::KeySet;
use sigverify_core::source::packument::{parse_packument, parse_version_document, VersionFacts};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../__test__/fixtures/corpus")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn cases(kinds: &[&str]) -> Vec<Value> {
    let all: Vec<Value> = serde_json::from_slice(&read("expected.json")).unwrap();
    all.into_iter()
        .filter(|c| kinds.contains(&c["kind"].as_str().unwrap()))
        .collect()
}

fn keyset(rel: &str) -> KeySet {
    KeySet::from_keys_document(&read(rel)).unwrap()
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str().map(|t| t.parse().unwrap())
}

/// Finds the version's facts and publish time in whichever document shape the file has.
fn version_facts(file: &str, name: &str, version: &str) -> (VersionFacts, Option<DateTime<Utc>>) {
    let bytes = read(file);
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    if let Some(list) = doc.as_array() {
        let entry = list
            .iter()
            .find(|e| e["name"] == name && e["version"] == version)
            .unwrap();
        return (facts_of_entry(entry), None);
    }
    if doc.get("versions").is_some() {
        let facts = parse_packument(&bytes).unwrap();
        let published = facts.published.get(version).copied();
        return ((*facts.versions[version]).clone(), published);
    }
    (parse_version_document(&bytes).unwrap(), None)
}

fn facts_of_entry(entry: &Value) -> VersionFacts {
    let signatures: Vec<RegistrySignature> =
        serde_json::from_value(entry["signatures"].clone()).unwrap();
    VersionFacts {
        integrity: entry["integrity"].as_str().map(str::to_string),
        signatures,
        ..VersionFacts::default()
    }
}

fn judge(
    name: &str,
    version: &str,
    facts: &VersionFacts,
    published: Option<DateTime<Utc>>,
    keys: &KeySet,
) -> SignatureVerdict {
    let signed = SignedVersion {
        name,
        version,
        integrity: facts.integrity.as_deref().unwrap(),
        published,
    };
    verify_registry_signatures(&signed, &facts.signatures, keys)
}

fn check(case: &Value, verdict: &SignatureVerdict, failures: &mut Vec<String>) {
    let valid = matches!(verdict, SignatureVerdict::Verified { .. });
    let expected = case["expected"].as_str().unwrap() == "valid";
    if valid != expected {
        failures.push(format!(
            "{}: expected {}, got {verdict:?}",
            case["id"], case["expected"]
        ));
    }
}

#[test]
fn registry_signature_cases_match_expected_verdicts() {
    let mut failures = Vec::new();
    let cases = cases(&["registry-signature"]);
    assert_eq!(cases.len(), 135);
    for case in &cases {
        let (name, version) = (
            case["package"].as_str().unwrap(),
            case["version"].as_str().unwrap(),
        );
        let (facts, published) = version_facts(case["file"].as_str().unwrap(), name, version);
        assert_eq!(published, time(&case["publish_time"]), "{}", case["id"]);
        let verdict = judge(
            name,
            version,
            &facts,
            published,
            &keyset(case["keys"].as_str().unwrap()),
        );
        check(case, &verdict, &mut failures);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn derived_signature_cases_match_expected_verdicts() {
    let derived: Vec<Value> =
        serde_json::from_slice(&read("registry-signatures/derived-cases.json")).unwrap();
    let mut failures = Vec::new();
    let cases = cases(&["registry-signature-derived"]);
    assert_eq!(cases.len(), 19);
    for case in &cases {
        let entry = derived.iter().find(|d| d["id"] == case["case"]).unwrap();
        let facts = facts_of_entry(entry);
        let (name, version) = (
            entry["name"].as_str().unwrap(),
            entry["version"].as_str().unwrap(),
        );
        let published = time(&entry["time"]);
        let verdict = judge(
            name,
            version,
            &facts,
            published,
            &keyset(case["keys"].as_str().unwrap()),
        );
        check(case, &verdict, &mut failures);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn derived_failures_carry_npm_codes() {
    let derived: Vec<Value> =
        serde_json::from_slice(&read("registry-signatures/derived-cases.json")).unwrap();
    let code_of = |id: &str| {
        let entry = derived.iter().find(|d| d["id"] == id).unwrap();
        let keys = keyset(entry["keys"].as_str().unwrap());
        let published = time(&entry["time"]);
        let (name, version) = (
            entry["name"].as_str().unwrap(),
            entry["version"].as_str().unwrap(),
        );
        match judge(name, version, &facts_of_entry(entry), published, &keys) {
            SignatureVerdict::Invalid { code, .. } => code.as_str().to_string(),
            other => format!("{other:?}"),
        }
    };
    assert_eq!(code_of("integrity-swapped"), "EINTEGRITYSIGNATURE");
    assert_eq!(code_of("unknown-keyid"), "EMISSINGSIGNATUREKEY");
    assert_eq!(
        code_of("expired-key-published-after-expiry"),
        "EEXPIREDSIGNATUREKEY"
    );
    assert_eq!(code_of("not-base64"), "EINTEGRITYSIGNATURE");
    assert_eq!(code_of("no-signatures"), "Missing");
}

#[test]
fn registry_keysets_have_ssh_fingerprint_keyids() {
    let cases = cases(&["registry-keyset"]);
    assert_eq!(cases.len(), 3);
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let sets = if file.contains("tuf") {
            let bytes = read(file);
            vec![
                KeySet::from_tuf_document(&bytes, "npm:signatures").unwrap(),
                KeySet::from_tuf_document(&bytes, "npm:attestations").unwrap(),
            ]
        } else {
            vec![keyset(file)]
        };
        for set in sets {
            assert!(!set.is_empty(), "{file}");
            for key in &set.keys {
                assert_eq!(key.fingerprint(), key.keyid, "{file}");
            }
        }
    }
}
