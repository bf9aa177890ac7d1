//! Signing times proven by RFC 3161 timestamps from a real TSA (`openssl ts -reply` behind a
//! loopback HTTP endpoint): a certificate that expired after signing still verifies at the
//! proven time; a revocation after the proven time keeps the signature valid only when the
//! policy says so; a timestamp that is not over this signature is refused.

#[path = "support/openssl.rs"]
mod openssl;

use chrono::{Duration, Utc};
use openssl::{serve_tsa, LeafSpec, OpensslCa};
use sigverify_cosign::error::Coded;
use sigverify_cosign::keys::custody::LocalSigner;
use sigverify_cosign::keys::PrivateKey;
use sigverify_cosign::ArtifactInput;
use sigverify_pki::sign::{sign_with_certificate, BundleVersion, CertSignRequest};
use sigverify_pki::verify::{verify_certificate, CaFiles, CaTrust, CertEvidence, RevocationMode};
use sigverify_pki::Cert;
use std::path::{Path, PathBuf};

struct Setup {
    _tmp: tempfile::TempDir,
    ca: OpensslCa,
    tsa_url: String,
    tsa_chain: PathBuf,
    work: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let ca = OpensslCa::create(&tmp.path().join("ca"));
    let tsa_chain = ca.tsa();
    let tsa_url = serve_tsa(&ca.dir);
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    Setup {
        _tmp: tmp,
        ca,
        tsa_url,
        tsa_chain,
        work,
    }
}

fn trust(s: &Setup, with_tsa: bool, revocation: RevocationMode) -> CaTrust {
    let d = &s.ca.dir;
    let files = CaFiles {
        roots: vec![d.join("root.pem")],
        intermediates: vec![d.join("intermediate.pem")],
        crls: vec![d.join("crls.pem")],
        timestamp_authorities: if with_tsa {
            vec![s.tsa_chain.clone()]
        } else {
            vec![]
        },
        revocation,
    };
    CaTrust::load("acme", &files).unwrap()
}

/// Signs a new tarball with a new OpenSSL-issued leaf, timestamped; returns (tarball, bundle,
/// certificate).
fn sign(s: &Setup, name: &str, end: Option<&str>) -> (PathBuf, PathBuf, PathBuf) {
    let san = format!("email:{name}@acme.example");
    let spec = LeafSpec {
        san: &san,
        eku: "codeSigning",
        start: None,
        end,
    };
    let (key, cert_path) = s.ca.leaf(name, &spec);
    let key = PrivateKey::from_plain_pem(&std::fs::read_to_string(key).unwrap(), name).unwrap();
    let signer = LocalSigner::new(key, name.into()).unwrap();
    let tarball = s.work.join(format!("{name}-1.0.0.tgz"));
    std::fs::write(&tarball, format!("{name} tarball")).unwrap();
    let cert = Cert::load_file(&cert_path).unwrap().remove(0);
    let request = CertSignRequest {
        tarball: &tarball,
        signer: &signer,
        certificate: &cert,
        chain: &[],
        label: None,
        version: BundleVersion::V02,
        timestamp_url: Some(&s.tsa_url),
    };
    let out = sign_with_certificate(&request).unwrap();
    assert!(out.timestamped);
    (tarball, out.bundle_path, cert_path)
}

fn verify(tarball: &Path, bundle: &Path, trust: &CaTrust) -> String {
    let bytes = std::fs::read(bundle).unwrap();
    let bundle = sigverify_cosign::bundle::parse_bundle(&bytes, "bundle").unwrap();
    let artifact = ArtifactInput::from_path(tarball).unwrap();
    match verify_certificate(&artifact, &CertEvidence::Bundle(&bundle), trust, Utc::now()) {
        Ok(v) => format!("OK timestamped={}", v.timestamped),
        Err(e) => format!("{}: {e}", e.code()),
    }
}

#[test]
fn a_certificate_that_expired_after_signing_verifies_at_the_timestamp() {
    let s = setup();
    let end = (Utc::now() + Duration::seconds(3))
        .format("%Y%m%d%H%M%SZ")
        .to_string();
    let (tarball, bundle, _) = sign(&s, "brief", Some(&end));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    assert_eq!(
        json["mediaType"],
        "application/vnd.dev.sigstore.bundle+json;version=0.2"
    );
    std::thread::sleep(std::time::Duration::from_secs(5));
    assert_eq!(
        verify(&tarball, &bundle, &trust(&s, true, RevocationMode::Always)),
        "OK timestamped=true"
    );
    // Without trusting the TSA, the only time left is now, after the certificate expired.
    let got = verify(&tarball, &bundle, &trust(&s, false, RevocationMode::Always));
    assert!(
        got.starts_with("ECERTEXPIRED") && got.contains("(now)"),
        "{got}"
    );
}

#[test]
fn revocation_after_the_proven_signing_time_counts_only_when_the_policy_says_so() {
    let s = setup();
    let (tarball, bundle, cert) = sign(&s, "carol", None);
    // OpenSSL dates revocations to the second: make sure it comes after the timestamp.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    s.ca.revoke(&cert, "keyCompromise");
    let always = verify(&tarball, &bundle, &trust(&s, true, RevocationMode::Always));
    assert!(always.starts_with("ECERTREVOKED"), "{always}");
    let at_signing = trust(&s, true, RevocationMode::SigningTime);
    assert_eq!(
        verify(&tarball, &bundle, &at_signing),
        "OK timestamped=true"
    );
    // No trusted timestamp: the signing time is unknown, so the revocation counts.
    let untimed = verify(
        &tarball,
        &bundle,
        &trust(&s, false, RevocationMode::SigningTime),
    );
    assert!(untimed.starts_with("ECERTREVOKED"), "{untimed}");
    // Signed after the revocation (the timestamp proves it): refused in every mode.
    let (late_tarball, late_bundle, _) = sign_again(&s, &cert, "carol");
    let late = verify(&late_tarball, &late_bundle, &at_signing);
    assert!(late.starts_with("ECERTREVOKED"), "{late}");
}

/// Signs another tarball with the (revoked) `carol` certificate.
fn sign_again(s: &Setup, cert_path: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let key_path = s.ca.dir.join(format!("{name}.key"));
    let key =
        PrivateKey::from_plain_pem(&std::fs::read_to_string(key_path).unwrap(), name).unwrap();
    let signer = LocalSigner::new(key, name.into()).unwrap();
    let tarball = s.work.join(format!("{name}-2.0.0.tgz"));
    std::fs::write(&tarball, "after revocation").unwrap();
    let cert = Cert::load_file(cert_path).unwrap().remove(0);
    let request = CertSignRequest {
        tarball: &tarball,
        signer: &signer,
        certificate: &cert,
        chain: &[],
        label: None,
        version: BundleVersion::V03,
        timestamp_url: Some(&s.tsa_url),
    };
    let out = sign_with_certificate(&request).unwrap();
    (tarball, out.bundle_path, cert_path.to_path_buf())
}

#[test]
fn a_timestamp_over_another_signature_is_refused() {
    let s = setup();
    let (tarball, bundle, _) = sign(&s, "dave", None);
    let (_, other_bundle, _) = sign(&s, "erin", None);
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let other: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&other_bundle).unwrap()).unwrap();
    let path = "/verificationMaterial/timestampVerificationData";
    *json.pointer_mut(path).unwrap() = other.pointer(path).unwrap().clone();
    let swapped = s.work.join("swapped.sigstore.json");
    std::fs::write(&swapped, serde_json::to_vec(&json).unwrap()).unwrap();
    let got = verify(
        &tarball,
        &swapped,
        &trust(&s, true, RevocationMode::SigningTime),
    );
    assert!(got.starts_with("ETIMESTAMP"), "{got}");
}
