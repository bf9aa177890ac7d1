//! Reading only the kept versions of a packument in full gives exactly the facts a cache entry
//! keeps (so a cold run sees what a warm run reads back), on a real registry document.

use std::collections::BTreeSet;
use std::path::Path;

use sigverify_core::source::packument::{parse_packument, parse_packument_keeping};

fn lodash() -> Vec<u8> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../../__test__/fixtures/corpus/registry-signatures/pnpm-lodash-abbreviated-packument.json",
    );
    std::fs::read(file).unwrap()
}

fn set(versions: &[&str]) -> BTreeSet<String> {
    versions.iter().map(|v| v.to_string()).collect()
}

#[test]
fn kept_versions_in_full_the_others_as_the_cache_keeps_them() {
    let bytes = lodash();
    let full = parse_packument(&bytes).unwrap();
    assert!(
        full.versions.len() > 100,
        "a real packument with many versions"
    );
    let (lazy, kept) = parse_packument_keeping(&bytes, |all| {
        assert_eq!(all.count(), full.versions.len());
        set(&["4.17.21", "4.17.20", "0.0.0-not-published"])
    })
    .unwrap();
    assert_eq!(
        kept,
        set(&["4.17.21", "4.17.20"]),
        "only versions the document has"
    );
    assert_eq!(lazy, full.compacted(&kept));
    assert!(!lazy.versions["4.17.21"].signatures.is_empty());
    assert!(lazy.versions["4.17.19"].signatures.is_empty());
}

#[test]
fn only_a_malformed_kept_version_rejects_the_document() {
    let doc = br#"{"name":"a","versions":{"1.0.0":{"dist":{"signatures":"x"}},"2.0.0":{"dist":{"integrity":"sha512-AA=="}}}}"#;
    let (facts, _) = parse_packument_keeping(doc, |_| set(&["2.0.0"])).unwrap();
    assert_eq!(
        facts.versions["2.0.0"].integrity.as_deref(),
        Some("sha512-AA==")
    );
    assert!(parse_packument_keeping(doc, |_| set(&["1.0.0"])).is_err());
    assert!(parse_packument_keeping(br#"{"name":"a","versions":{"#, |_| set(&[])).is_err());
}

#[test]
fn versions_kept_for_their_history_keep_their_provenance_advertisement() {
    let mut doc: serde_json::Value = serde_json::from_slice(&lodash()).unwrap();
    let attested = ["4.17.19", "4.17.15", "3.10.1"];
    for version in attested {
        doc["versions"][version]["dist"]["attestations"] = serde_json::json!({
            "url": format!("https://registry.npmjs.org/-/npm/v1/attestations/lodash@{version}"),
            "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}
        });
    }
    let bytes = serde_json::to_vec(&doc).unwrap();
    let full = parse_packument(&bytes).unwrap();
    let (lazy, kept) = parse_packument_keeping(&bytes, |_| set(&["4.17.21"])).unwrap();
    assert_eq!(lazy, full.compacted(&kept));
    for version in attested {
        assert_eq!(
            lazy.versions[version].provenance_predicate.as_deref(),
            Some("https://slsa.dev/provenance/v1"),
            "{version}"
        );
    }
    assert_eq!(lazy.versions["4.17.20"].provenance_predicate, None);
}
