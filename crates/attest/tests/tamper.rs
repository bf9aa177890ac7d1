//! One-field tampering of each verification step, generated from valid real bundles.
//! Each case changes exactly one thing and must be caught with the right code, while the
//! other (untouched) bundle of the same document still verifies.

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use common::*;
use serde_json::Value;

/// Flip the lowest bit of the last byte of a base64 string value.
fn flip_b64(value: &mut Value) {
    let mut bytes = B64.decode(value.as_str().unwrap()).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    *value = Value::String(B64.encode(bytes));
}

fn entry(doc: &mut Value, index: usize) -> &mut Value {
    &mut doc["attestations"][index]
}

fn tlog(doc: &mut Value, index: usize) -> &mut Value {
    &mut entry(doc, index)["bundle"]["verificationMaterial"]["tlogEntries"][0]
}

/// Flip the last byte of the checkpoint's log signature (the base64 after the key name).
fn tamper_checkpoint(doc: &mut Value, index: usize) {
    let envelope = &mut tlog(doc, index)["inclusionProof"]["checkpoint"]["envelope"];
    let text = envelope.as_str().unwrap().to_string();
    let (head, sig_line) = text.trim_end().rsplit_once('\n').unwrap();
    let (prefix, sig) = sig_line.rsplit_once(' ').unwrap();
    let mut sig_value = Value::String(sig.to_string());
    flip_b64(&mut sig_value);
    *envelope = Value::String(format!(
        "{head}\n{prefix} {}\n",
        sig_value.as_str().unwrap()
    ));
}

type Tamper = fn(&mut Value);

/// (name, tampered bundle, tamper, code, detail)
fn cases() -> Vec<(&'static str, usize, Tamper, &'static str, &'static str)> {
    vec![
        (
            "provenance dsse signature",
            PROVENANCE,
            |d| {
                flip_b64(
                    &mut entry(d, PROVENANCE)["bundle"]["dsseEnvelope"]["signatures"][0]["sig"],
                )
            },
            "EATTESTATIONVERIFY",
            "ESIGNATURE",
        ),
        (
            "publish dsse signature",
            PUBLISH,
            |d| flip_b64(&mut entry(d, PUBLISH)["bundle"]["dsseEnvelope"]["signatures"][0]["sig"]),
            "EATTESTATIONVERIFY",
            "ESIGNATURE",
        ),
        (
            "fulcio certificate signature",
            PROVENANCE,
            |d| {
                flip_b64(
                    &mut entry(d, PROVENANCE)["bundle"]["verificationMaterial"]
                        ["x509CertificateChain"]["certificates"][0]["rawBytes"],
                )
            },
            "EATTESTATIONVERIFY",
            "ECERTCHAIN",
        ),
        (
            "provenance SET",
            PROVENANCE,
            |d| flip_b64(&mut tlog(d, PROVENANCE)["inclusionPromise"]["signedEntryTimestamp"]),
            "EATTESTATIONVERIFY",
            "ETLOGPROMISE",
        ),
        (
            "publish SET",
            PUBLISH,
            |d| flip_b64(&mut tlog(d, PUBLISH)["inclusionPromise"]["signedEntryTimestamp"]),
            "EATTESTATIONVERIFY",
            "ETLOGPROMISE",
        ),
        (
            "provenance inclusion proof hash",
            PROVENANCE,
            |d| flip_b64(&mut tlog(d, PROVENANCE)["inclusionProof"]["hashes"][0]),
            "EATTESTATIONVERIFY",
            "ETLOGINCLUSION",
        ),
        (
            "publish inclusion proof hash",
            PUBLISH,
            |d| flip_b64(&mut tlog(d, PUBLISH)["inclusionProof"]["hashes"][3]),
            "EATTESTATIONVERIFY",
            "ETLOGINCLUSION",
        ),
        (
            "provenance checkpoint signature",
            PROVENANCE,
            |d| tamper_checkpoint(d, PROVENANCE),
            "EATTESTATIONVERIFY",
            "ETLOGCHECKPOINT",
        ),
        (
            "publish checkpoint signature",
            PUBLISH,
            |d| tamper_checkpoint(d, PUBLISH),
            "EATTESTATIONVERIFY",
            "ETLOGCHECKPOINT",
        ),
        (
            "integrated time (covered by SET)",
            PROVENANCE,
            |d| tlog(d, PROVENANCE)["integratedTime"] = Value::String("1717453000".into()),
            "EATTESTATIONVERIFY",
            "ETLOGPROMISE",
        ),
        (
            "logged entry body",
            PUBLISH,
            |d| flip_b64(&mut tlog(d, PUBLISH)["canonicalizedBody"]),
            "EATTESTATIONVERIFY",
            "ETLOGINCLUSION",
        ),
        (
            "attestation-level predicate type",
            PROVENANCE,
            |d| {
                entry(d, PROVENANCE)["predicateType"] =
                    Value::String("https://slsa.dev/provenance/v0.2".into())
            },
            "EATTESTATIONVERIFY",
            "EPREDICATETYPE",
        ),
        (
            "dsse payload type",
            PUBLISH,
            |d| {
                entry(d, PUBLISH)["bundle"]["dsseEnvelope"]["payloadType"] =
                    Value::String("application/json".into())
            },
            "EATTESTATIONVERIFY",
            "EPAYLOADTYPE",
        ),
        (
            "publish keyid names no registry key",
            PUBLISH,
            |d| {
                entry(d, PUBLISH)["bundle"]["dsseEnvelope"]["signatures"][0]["keyid"] =
                    Value::String("SHA256:nope".into())
            },
            "EMISSINGSIGNATUREKEY",
            "EKEYID",
        ),
        (
            "publish key hint differs from keyid",
            PUBLISH,
            |d| {
                entry(d, PUBLISH)["bundle"]["verificationMaterial"]["publicKey"]["hint"] =
                    Value::String("SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U".into())
            },
            "EATTESTATIONVERIFY",
            "EKEYHINT",
        ),
        (
            "publish SET removed (no authenticated time for the key expiry)",
            PUBLISH,
            |d| {
                tlog(d, PUBLISH)
                    .as_object_mut()
                    .unwrap()
                    .remove("inclusionPromise");
            },
            "EATTESTATIONVERIFY",
            "ENOSIGNINGTIME",
        ),
        (
            "provenance inclusion proof removed (v0.2 requires it)",
            PROVENANCE,
            |d| {
                tlog(d, PROVENANCE)
                    .as_object_mut()
                    .unwrap()
                    .remove("inclusionProof");
            },
            "EATTESTATIONVERIFY",
            "EBUNDLE",
        ),
        (
            "subject name inside the signed payload",
            PUBLISH,
            |d| {
                let env = &mut entry(d, PUBLISH)["bundle"]["dsseEnvelope"];
                let payload =
                    String::from_utf8(B64.decode(env["payload"].as_str().unwrap()).unwrap())
                        .unwrap();
                env["payload"] = Value::String(
                    B64.encode(payload.replace("gundam-visor@1.0.1", "gundam-visor@1.0.2")),
                );
            },
            "EATTESTATIONSUBJECT",
            "ESUBJECTNAME",
        ),
    ]
}

#[test]
fn untampered_document_verifies() {
    let integrity = gundam_integrity();
    let results = verify_doc(&read_json(GUNDAM), &gundam_subject(&integrity), trust());
    assert!(results.iter().all(|r| r.is_verified()), "{results:#?}");
}

#[test]
fn each_tampered_field_is_caught_with_its_code() {
    let integrity = gundam_integrity();
    let subject = gundam_subject(&integrity);
    let mut failures = Vec::new();
    for (name, index, tamper, code, detail) in cases() {
        let mut doc = read_json(GUNDAM);
        tamper(&mut doc);
        let results = verify_doc(&doc, &subject, trust());
        let got = &results[index];
        let other = &results[1 - index];
        println!("{name}: {:?}/{:?} {:?}", got.code, got.detail, got.message);
        if got.code.as_deref() != Some(code) || got.detail.as_deref() != Some(detail) {
            failures.push(format!(
                "{name}: expected {code}/{detail}, got {:?}/{:?} {:?}",
                got.code, got.detail, got.message
            ));
        }
        if !other.is_verified() {
            failures.push(format!(
                "{name}: untouched bundle {} no longer verifies",
                1 - index
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
