//! Document-level behaviour, hostile input, bundle shapes, trust material, and cost per bundle.

mod common;

use common::*;
use serde_json::{json, Value};
use sigverify_attest::{
    verify_attestations, AttestationKind, DocumentError, RegistryKey, Subject, TrustError,
    TrustMaterial,
};
use std::time::Instant;

fn with_subject<T>(f: impl FnOnce(&Subject<'_>) -> T) -> T {
    f(&gundam_subject(&gundam_integrity()))
}

fn run(doc: &Value) -> Vec<sigverify_attest::AttestationResult> {
    with_subject(|s| verify_doc(doc, s, trust()))
}

#[test]
fn unusable_documents_are_typed_errors() {
    with_subject(|s| {
        for (doc, code) in [
            (&b"<html>not json"[..], "EATTESTATIONDOCUMENT"),
            (b"", "EATTESTATIONDOCUMENT"),
            (b"[]", "ENOATTESTATIONS"),
            (b"{}", "ENOATTESTATIONS"),
            (br#"{"attestations":{}}"#, "ENOATTESTATIONS"),
            (br#"{"error":"not found"}"#, "ENOATTESTATIONS"),
        ] {
            let err: DocumentError = verify_attestations(doc, s, trust()).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
        }
        assert!(verify_attestations(br#"{"attestations":[]}"#, s, trust())
            .unwrap()
            .is_empty());
    });
}

#[test]
fn one_bad_bundle_never_hides_the_others() {
    let mut doc = read_json(GUNDAM);
    let items = doc["attestations"].as_array_mut().unwrap();
    items.insert(0, json!("garbage"));
    items.insert(
        1,
        json!({"predicateType": "https://slsa.dev/provenance/v1"}),
    );
    items.insert(2, json!({"bundle": items[3]["bundle"].clone()}));
    items.push(json!({"predicateType": "x", "bundle": {"mediaType": "nope"}}));
    let results = run(&doc);
    let summary: Vec<_> = results
        .iter()
        .map(|r| (r.index, r.is_verified(), r.detail.clone()))
        .collect();
    println!("{summary:?}");
    assert_eq!(results.len(), 6);
    assert_eq!(results[0].detail.as_deref(), Some("EPREDICATETYPE")); // not an object
    assert_eq!(results[1].detail.as_deref(), Some("EBUNDLE")); // no bundle
    assert_eq!(results[2].detail.as_deref(), Some("EPREDICATETYPE")); // no predicateType
    assert!(results[3].is_verified() && results[4].is_verified());
    assert_eq!(results[5].detail.as_deref(), Some("EBUNDLE"));
    assert_eq!(results[5].kind, AttestationKind::Other);
}

#[test]
fn bundle_v03_shape_verifies() {
    // No real npm v0.3 bundle exists in the corpus: re-wrap the real v0.2 ones (the media type
    // and the chain-vs-certificate wrapper are not signed), which is exactly the v0.3 layout.
    let mut doc = read_json(GUNDAM);
    for item in doc["attestations"].as_array_mut().unwrap() {
        let bundle = &mut item["bundle"];
        bundle["mediaType"] = json!("application/vnd.dev.sigstore.bundle.v0.3+json");
        let material = bundle["verificationMaterial"].as_object_mut().unwrap();
        if let Some(chain) = material.remove("x509CertificateChain") {
            material.insert("certificate".into(), chain["certificates"][0].clone());
        }
    }
    let results = run(&doc);
    assert!(results.iter().all(|r| r.is_verified()), "{results:#?}");
    // v0.3 forbids a chain: keeping one is rejected.
    let mut doc = read_json(GUNDAM);
    doc["attestations"][1]["bundle"]["mediaType"] =
        json!("application/vnd.dev.sigstore.bundle.v0.3+json");
    assert_eq!(run(&doc)[1].detail.as_deref(), Some("EBUNDLE"));
}

#[test]
fn log_entry_of_another_signature_is_rejected() {
    // The publish bundle's tlog entry is authentic (valid SET, proof, checkpoint) but logs the
    // publish envelope, not the provenance one.
    let mut doc = read_json(GUNDAM);
    let publish_entry =
        doc["attestations"][0]["bundle"]["verificationMaterial"]["tlogEntries"][0].clone();
    doc["attestations"][1]["bundle"]["verificationMaterial"]["tlogEntries"][0] = publish_entry;
    let result = &run(&doc)[1];
    println!("{result:?}");
    assert_eq!(result.code.as_deref(), Some("EATTESTATIONVERIFY"));
    assert_eq!(result.detail.as_deref(), Some("ETLOGENTRY"));
}

#[test]
fn trust_material_rejects_bad_inputs() {
    let good = registry_keys(KEYS_2025);
    let mut dup = good.clone();
    dup.push(good[0].clone());
    assert!(matches!(
        TrustMaterial::public_good(dup),
        Err(TrustError::DuplicateKeyid(_))
    ));
    let junk = vec![RegistryKey {
        keyid: "SHA256:x".into(),
        spki_der: vec![1, 2, 3],
        expires: None,
    }];
    let err = TrustMaterial::public_good(junk).unwrap_err();
    assert_eq!(err.code(), "EREGISTRYKEY");
    let err = TrustMaterial::from_trusted_root_json("{\"mediaType\":1}", good.clone()).unwrap_err();
    assert_eq!(err.code(), "ETRUSTEDROOT");
    let err =
        TrustMaterial::from_trusted_root_file("/nonexistent/trusted_root.json", good).unwrap_err();
    assert_eq!(err.code(), "ETRUSTEDROOT");
}

#[test]
fn trust_material_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TrustMaterial>();
}

#[test]
fn cost_per_bundle() {
    let start = Instant::now();
    let _ = TrustMaterial::public_good(registry_keys(KEYS_2025)).unwrap();
    let load = start.elapsed();
    let doc = serde_json::to_vec(&read_json(GUNDAM)).unwrap();
    let rounds = 50;
    let start = Instant::now();
    with_subject(|s| {
        for _ in 0..rounds {
            let results = verify_attestations(&doc, s, trust()).unwrap();
            assert!(results.iter().all(|r| r.is_verified()));
        }
    });
    let per_bundle = start.elapsed().as_micros() / (rounds * 2);
    println!(
        "trust material load: {} us; verification: {per_bundle} us per bundle ({} profile)",
        load.as_micros(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}
