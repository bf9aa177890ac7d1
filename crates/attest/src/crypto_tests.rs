//! What `sigstore-verify` does for bundle shapes no npm fixture has (dsse 0.0.1 entries,
//! bundle v0.3, RFC 3161 timestamps), probed with Sigstore conformance bundles and one-field
//! tampering, through this crate's error mapping.

use super::*;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;
use sigstore_verify::trust_root::TrustedRoot;

const CONFORMANCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../__test__/fixtures/corpus/cosign/sigstore-conformance/bundle-verify"
);

fn load(case: &str) -> Value {
    let text =
        std::fs::read_to_string(format!("{CONFORMANCE}/{case}/bundle.sigstore.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The case's own trusted root when it has one, else the embedded public-good root.
fn verifier(case: &str) -> Verifier {
    let own = std::fs::read_to_string(format!("{CONFORMANCE}/{case}/trusted_root.json"));
    let json = own.unwrap_or_else(|_| {
        String::from_utf8(crate::trust::PUBLIC_GOOD_TRUSTED_ROOT.to_vec()).unwrap()
    });
    Verifier::new(&TrustedRoot::from_json(&json).unwrap()).unwrap()
}

/// sha256 of the statement's first subject, as the artifact digest.
fn subject_digest(bundle: &Value) -> ArtifactDigest {
    let payload = B64
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    let hex_digest = statement["subject"][0]["digest"]["sha256"]
        .as_str()
        .unwrap();
    ArtifactDigest::new(HashAlgorithm::Sha2256, hex::decode(hex_digest).unwrap()).unwrap()
}

/// Verify keylessly; `Ok(())` or the detail code.
fn detail_of(case: &str, bundle: &Value) -> Result<(), &'static str> {
    let parsed: Bundle = serde_json::from_value(bundle.clone()).map_err(|_| "EBUNDLE")?;
    verify_bundle(
        &verifier(case),
        &parsed,
        subject_digest(bundle),
        Signer::Keyless,
    )
    .map(drop)
    .map_err(|e| e.detail())
}

fn flip_b64(value: &mut Value) {
    let mut bytes = B64.decode(value.as_str().unwrap()).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    *value = Value::String(B64.encode(bytes));
}

/// A one-field change to a bundle.
type Tamper = fn(&mut Value);

const DSSE_V001: &str = "happy-path-intoto-in-dsse-v3";
const WITH_TSA: &str = "intoto-with-custom-trust-root";

#[test]
fn dsse_v001_entry_in_v03_bundle() {
    let bundle = load(DSSE_V001);
    assert_eq!(detail_of(DSSE_V001, &bundle), Ok(()));
    let tampers: [(&str, Tamper); 3] = [
        ("ESIGNATURE", |b| {
            flip_b64(&mut b["dsseEnvelope"]["signatures"][0]["sig"])
        }),
        ("ETLOGPROMISE", |b| {
            flip_b64(
                &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]
                    ["signedEntryTimestamp"],
            )
        }),
        ("ETLOGINCLUSION", |b| {
            flip_b64(
                &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0],
            )
        }),
    ];
    for (expected, tamper) in tampers {
        let mut tampered = bundle.clone();
        tamper(&mut tampered);
        assert_eq!(detail_of(DSSE_V001, &tampered), Err(expected));
    }
}

#[test]
fn dsse_v001_entry_must_log_this_envelope() {
    for (case, detail) in [
        ("dsse-mismatch-envelope_fail", "ETLOGENTRY"),
        ("dsse-mismatch-sig_fail", "ETLOGENTRY"),
        ("dsse-invalid-sig_fail", "ESIGNATURE"),
    ] {
        assert_eq!(detail_of(case, &load(case)), Err(detail), "{case}");
    }
}

#[test]
fn rfc3161_timestamp_is_verified_when_present() {
    let bundle = load(WITH_TSA);
    assert_eq!(detail_of(WITH_TSA, &bundle), Ok(()));
    let mut tampered = bundle.clone();
    flip_b64(
        &mut tampered["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
            ["signedTimestamp"],
    );
    assert_eq!(detail_of(WITH_TSA, &tampered), Err("ETIMESTAMP"));
    let case = "intoto-tsa-timestamp-outside-cert-validity_fail";
    assert!(detail_of(case, &load(case)).is_err());
}

#[test]
fn rekor_v2_dsse_bundle() {
    // Rekor v2 logs DSSE signatures as hashedrekord 0.0.2 with a TSA timestamp and no SET.
    let case = "rekor2-dsse-happy-path";
    let bundle = load(case);
    assert_eq!(detail_of(case, &bundle), Ok(()));
    let mut tampered = bundle.clone();
    flip_b64(
        &mut tampered["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["hashes"][0],
    );
    assert_eq!(detail_of(case, &tampered), Err("ETLOGINCLUSION"));
}
