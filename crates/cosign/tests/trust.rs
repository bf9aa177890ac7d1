//! Keys over time: rotation overlap, revocation, expiry, timestamps inside and outside a key's
//! validity, untimestamped signatures (checked at `now`) and certificate expiry.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sigverify_cosign::bundle::{key_bundle, parse_bundle};
use sigverify_cosign::trust::{add_key, revoke_key, rotate_key, TrustFileData, TrustedKeyEntry};
use sigverify_cosign::trustroot::TrustRootChoice;
use sigverify_cosign::{
    verify_with_trust_file, ArtifactInput, Evidence, KeyAlgorithm, PrivateKey, PublicKey,
    TrustFile, Verdict,
};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../__test__/fixtures/corpus"
);
const ARTIFACT: &[u8] = b"@acme/internal-1.0.0.tgz";

fn t(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
}

fn code(verdict: &Verdict) -> Option<&str> {
    verdict.failure.as_ref().map(|f| f.code.as_str())
}

fn check(trust: &TrustFile, evidence: &Evidence, artifact: &[u8], now: DateTime<Utc>) -> Verdict {
    let root = TrustRootChoice::PublicGood.load().unwrap();
    verify_with_trust_file(
        &ArtifactInput::Bytes(artifact.to_vec()),
        evidence,
        trust,
        now,
        &root,
    )
}

fn empty() -> TrustFile {
    TrustFile::from_json(r#"{"version":1,"keys":[]}"#, "test").unwrap()
}

fn signed(key: &PrivateKey) -> Evidence {
    Evidence::Signature(key.sign(ARTIFACT).unwrap())
}

/// Old key A from 2026-01-01, rotated on 2026-03-01 with a 30-day overlap to key B.
fn rotated() -> (TrustFile, PrivateKey, PrivateKey) {
    let (a, b) = (
        PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap(),
        PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap(),
    );
    let mut trust = empty();
    let fp = add_key(
        &mut trust,
        a.public_key().unwrap(),
        "release",
        t(2026, 1, 1),
        None,
    )
    .unwrap();
    let out = rotate_key(
        &mut trust,
        &fp[..12],
        30,
        b.public_key().unwrap(),
        None,
        t(2026, 3, 1),
    )
    .unwrap();
    assert_eq!(out.old_valid_until, t(2026, 3, 31));
    assert_eq!(trust.keys.len(), 2, "rotation never drops the old key");
    (trust, a, b)
}

#[test]
fn signatures_before_during_and_after_the_overlap_window() {
    let (trust, a, b) = rotated();
    // Untimestamped signatures: the key must be valid at `now`.
    assert!(
        check(&trust, &signed(&a), ARTIFACT, t(2026, 2, 1)).valid,
        "old key before rotation"
    );
    assert!(
        check(&trust, &signed(&a), ARTIFACT, t(2026, 3, 15)).valid,
        "old key during overlap"
    );
    assert_eq!(
        code(&check(&trust, &signed(&a), ARTIFACT, t(2026, 4, 1))),
        Some("EKEYEXPIRED"),
        "old key after overlap"
    );
    assert_eq!(
        code(&check(&trust, &signed(&b), ARTIFACT, t(2026, 2, 1))),
        Some("EKEYNOTYETVALID"),
        "new key before rotation"
    );
    assert!(
        check(&trust, &signed(&b), ARTIFACT, t(2026, 3, 15)).valid,
        "new key during overlap"
    );
    assert!(
        check(&trust, &signed(&b), ARTIFACT, t(2027, 1, 1)).valid,
        "new key after overlap"
    );
}

#[test]
fn our_offline_bundles_go_through_the_same_checks() {
    let (trust, a, _) = rotated();
    let public = a.public_key().unwrap();
    let sha: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(ARTIFACT).into();
    let bundle = key_bundle(&public, sha, &a.sign(ARTIFACT).unwrap());
    let json = bundle.to_json().unwrap();
    let evidence = Evidence::Bundle(Box::new(parse_bundle(json.as_bytes(), "bundle").unwrap()));
    let ok = check(&trust, &evidence, ARTIFACT, t(2026, 3, 15));
    assert!(
        ok.valid && !ok.timestamped && ok.fingerprint == Some(public.fingerprint()),
        "{ok:?}"
    );
    assert_eq!(
        code(&check(&trust, &evidence, ARTIFACT, t(2026, 4, 1))),
        Some("EKEYEXPIRED")
    );
    assert_eq!(
        code(&check(&trust, &evidence, b"other bytes", t(2026, 3, 15))),
        Some("EARTIFACT")
    );
}

#[test]
fn revocation_of_untimestamped_signatures_applies_from_revoked_at() {
    let (mut trust, a, b) = rotated();
    revoke_key(
        &mut trust,
        &a.public_key().unwrap().fingerprint(),
        "laptop stolen",
        t(2026, 3, 10),
    )
    .unwrap();
    assert!(
        check(&trust, &signed(&a), ARTIFACT, t(2026, 3, 9)).valid,
        "before revocation"
    );
    let revoked = check(&trust, &signed(&a), ARTIFACT, t(2026, 3, 10));
    assert_eq!(code(&revoked), Some("EKEYREVOKED"));
    assert!(revoked.failure.unwrap().message.contains("laptop stolen"));
    assert!(
        check(&trust, &signed(&b), ARTIFACT, t(2026, 3, 10)).valid,
        "other key unaffected"
    );
}

#[test]
fn untrusted_keys_and_tampered_artifacts_fail() {
    let (trust, a, _) = rotated();
    let stranger = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    assert_eq!(
        code(&check(&trust, &signed(&stranger), ARTIFACT, t(2026, 3, 15))),
        Some("EKEYNOTTRUSTED")
    );
    assert_eq!(
        code(&check(&empty(), &signed(&a), ARTIFACT, t(2026, 3, 15))),
        Some("EKEYNOTTRUSTED")
    );
    assert_eq!(
        code(&check(&trust, &signed(&a), b"tampered", t(2026, 3, 15))),
        Some("EKEYNOTTRUSTED")
    );
    // With a bundle naming a trusted key, a tampered artifact is a signature failure.
    let public = a.public_key().unwrap();
    let sha: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(b"tampered").into();
    let bundle = key_bundle(&public, sha, &a.sign(ARTIFACT).unwrap());
    assert_eq!(
        code(&check(
            &trust,
            &Evidence::Bundle(Box::new(bundle)),
            b"tampered",
            t(2026, 3, 15)
        )),
        Some("ESIGNATURE")
    );
}

/// The conformance suite's managed-key bundle: Rekor integrated time and an RFC 3161 token,
/// both 2025-12-18T17:04:39Z, verified by sigstore-verify against the public-good root.
fn managed_key_case() -> (PublicKey, Evidence, Vec<u8>) {
    let dir = format!("{CORPUS}/cosign/sigstore-conformance/bundle-verify");
    let key = PublicKey::from_pem(
        &std::fs::read_to_string(format!("{dir}/managed-key-happy-path/key.pub")).unwrap(),
        "key.pub",
    )
    .unwrap();
    let bytes =
        std::fs::read(format!("{dir}/managed-key-happy-path/bundle.sigstore.json")).unwrap();
    let bundle = parse_bundle(&bytes, "managed").unwrap();
    (
        key,
        Evidence::Bundle(Box::new(bundle)),
        std::fs::read(format!("{dir}/a.txt")).unwrap(),
    )
}

fn trust_with(
    key: &PublicKey,
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    revoked: Option<DateTime<Utc>>,
) -> TrustFile {
    let entry = TrustedKeyEntry {
        fingerprint: key.fingerprint(),
        algorithm: key.algorithm(),
        owner: "conformance".into(),
        public_key: key.to_pem(),
        valid_from: from,
        valid_until: until,
        revoked_at: revoked,
        revocation_reason: revoked.map(|_| "compromised".into()),
    };
    TrustFile::from_data(
        TrustFileData {
            version: 1,
            keys: vec![entry],
        },
        "test",
    )
    .unwrap()
}

#[test]
fn timestamped_signatures_are_judged_at_their_verified_time() {
    let (key, evidence, artifact) = managed_key_case();
    let signed_at = t(2025, 12, 18) + Duration::seconds(17 * 3600 + 4 * 60 + 39);
    let late_now = t(2030, 1, 1);
    // Valid at the timestamp even though the key has long expired by `now`.
    let ok = check(
        &trust_with(&key, t(2025, 1, 1), Some(t(2026, 1, 1)), None),
        &evidence,
        &artifact,
        late_now,
    );
    assert!(ok.valid, "{ok:?}");
    assert!(ok.timestamped);
    assert_eq!(ok.checked_at, Some(signed_at));
    // Timestamp outside the validity window.
    let expired = trust_with(&key, t(2025, 1, 1), Some(t(2025, 12, 1)), None);
    assert_eq!(
        code(&check(&expired, &evidence, &artifact, late_now)),
        Some("EKEYEXPIRED")
    );
    let not_yet = trust_with(&key, t(2026, 1, 1), None, None);
    assert_eq!(
        code(&check(&not_yet, &evidence, &artifact, late_now)),
        Some("EKEYNOTYETVALID")
    );
    // Revoked after the signing time: still counts. Revoked before: fails.
    assert!(
        check(
            &trust_with(&key, t(2025, 1, 1), None, Some(t(2026, 1, 10))),
            &evidence,
            &artifact,
            late_now
        )
        .valid
    );
    let revoked = trust_with(&key, t(2025, 1, 1), None, Some(t(2025, 12, 1)));
    assert_eq!(
        code(&check(&revoked, &evidence, &artifact, late_now)),
        Some("EKEYREVOKED")
    );
    // Other artifact: the log entry and signature do not match.
    assert!(
        !check(
            &trust_with(&key, t(2025, 1, 1), None, None),
            &evidence,
            b"other",
            late_now
        )
        .valid
    );
}

#[test]
fn certificate_keys_expire_with_their_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let (key_path, cert_path) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let status = std::process::Command::new("/usr/bin/openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=release",
        ])
        .arg("-keyout")
        .arg(&key_path)
        .arg("-out")
        .arg(&cert_path)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let private =
        PrivateKey::from_plain_pem(&std::fs::read_to_string(&key_path).unwrap(), "k.pem").unwrap();
    let cert_key =
        PublicKey::from_pem(&std::fs::read_to_string(&cert_path).unwrap(), "c.pem").unwrap();
    let window = cert_key.certificate_window().expect("certificate window");
    let entry = TrustedKeyEntry {
        fingerprint: cert_key.fingerprint(),
        algorithm: cert_key.algorithm(),
        owner: "cert".into(),
        public_key: std::fs::read_to_string(&cert_path).unwrap(),
        valid_from: t(2020, 1, 1),
        valid_until: None,
        revoked_at: None,
        revocation_reason: None,
    };
    let trust = TrustFile::from_data(
        TrustFileData {
            version: 1,
            keys: vec![entry],
        },
        "t",
    )
    .unwrap();
    let evidence = signed(&private);
    assert!(
        check(
            &trust,
            &evidence,
            ARTIFACT,
            window.not_before + Duration::hours(1)
        )
        .valid
    );
    let after = check(
        &trust,
        &evidence,
        ARTIFACT,
        window.not_after + Duration::hours(1),
    );
    assert_eq!(code(&after), Some("EKEYEXPIRED"));
    assert!(after.failure.unwrap().message.contains("certificate"));
}

#[test]
fn trust_files_with_lies_are_refused() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)
        .unwrap()
        .public_key()
        .unwrap();
    let mut data = trust_with(&key, t(2026, 1, 1), None, None).to_data();
    data.keys[0].fingerprint = "00".repeat(32);
    assert!(
        TrustFile::from_data(data.clone(), "t").is_err(),
        "fingerprint mismatch"
    );
    data.keys[0].fingerprint = key.fingerprint();
    data.keys[0].algorithm = KeyAlgorithm::Rsa;
    assert!(
        TrustFile::from_data(data.clone(), "t").is_err(),
        "algorithm mismatch"
    );
    data.version = 2;
    assert!(TrustFile::from_data(data, "t").is_err(), "unknown version");
    assert!(TrustFile::from_json("{\"version\":1}", "t").is_err());
    assert!(TrustFile::from_json("garbage", "t").is_err());
}

#[test]
fn a_key_listed_twice_is_refused_whatever_its_validity() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let mut trust = empty();
    let fp = add_key(
        &mut trust,
        key.public_key().unwrap(),
        "release",
        t(2026, 1, 1),
        None,
    )
    .unwrap();
    revoke_key(&mut trust, &fp[..12], "leaked", t(2026, 2, 1)).unwrap();
    let mut data: serde_json::Value = serde_json::to_value(trust.to_data()).unwrap();
    // Append the same key again, never revoked: the permissive entry must not win.
    let mut copy = data["keys"][0].clone();
    copy.as_object_mut().unwrap().remove("revokedAt");
    data["keys"].as_array_mut().unwrap().push(copy);
    let err = TrustFile::from_json(&data.to_string(), "trust.json").unwrap_err();
    assert!(err.to_string().contains("listed twice"), "{err}");
}
