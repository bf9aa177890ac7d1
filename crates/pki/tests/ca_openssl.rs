//! Our CA against OpenSSL: OpenSSL verifies the chains and CRLs `ca` makes; our verifier agrees
//! with it about certificates OpenSSL issues, including the ones it must reject.

#[path = "support/openssl.rs"]
mod openssl;

use chrono::Utc;
use openssl::{openssl_verifies, try_openssl, LeafSpec, OpensslCa};
use sigverify_cosign::error::Coded;
use sigverify_cosign::keys::custody::{LocalSigner, Signer};
use sigverify_cosign::keys::{KeyAlgorithm, PrivateKey};
use sigverify_cosign::policy::Matcher;
use sigverify_cosign::ArtifactInput;
use sigverify_pki::ca::{self, Identity, InitOptions};
use sigverify_pki::sign::{sign_with_certificate, BundleVersion, CertSignRequest};
use sigverify_pki::verify::{check_identity, verify_certificate, CaFiles, CaTrust, CertEvidence};
use sigverify_pki::{Cert, CertError};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const PASSWORD: &str = "ca password";

fn password() -> Result<Zeroizing<String>, sigverify_cosign::error::KeyError> {
    Ok(Zeroizing::new(PASSWORD.to_string()))
}

fn init_ca(dir: &Path) {
    let options = InitOptions {
        name: "Acme Signing".into(),
        issuer_url: Some("https://ca.acme.example".into()),
        permitted_emails: vec!["acme.example".into()],
        permitted_uris: vec![".acme.example".into()],
        root_days: 3650,
        intermediate_days: 365,
        crl_days: 7,
        ..Default::default()
    };
    ca::init(dir, &options, &password, Utc::now()).unwrap();
}

fn signer() -> LocalSigner {
    LocalSigner::new(
        PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap(),
        "test".into(),
    )
    .unwrap()
}

fn tarball(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("tarball {name}")).unwrap();
    path
}

fn trust(root: &Path, intermediates: &Path, crls: Option<&Path>) -> CaTrust {
    let files = CaFiles {
        roots: vec![root.to_path_buf()],
        intermediates: vec![intermediates.to_path_buf()],
        crls: crls.map(Path::to_path_buf).into_iter().collect(),
        ..Default::default()
    };
    CaTrust::load("test", &files).unwrap()
}

/// Signs `tarball` with `signer` and `cert` and verifies the bundle against `trust`.
fn sign_and_verify(
    tarball: &Path,
    signer: &dyn Signer,
    cert: &Path,
    trust: &CaTrust,
) -> Result<sigverify_pki::CertVerified, CertError> {
    let cert = Cert::load_file(cert).unwrap().remove(0);
    let request = CertSignRequest {
        tarball,
        signer,
        certificate: &cert,
        chain: &[],
        label: None,
        version: BundleVersion::V03,
        timestamp_url: None,
    };
    let out = sign_with_certificate(&request).unwrap();
    verify_bundle(tarball, &out.bundle_path, trust)
}

fn verify_bundle(
    tarball: &Path,
    bundle: &Path,
    trust: &CaTrust,
) -> Result<sigverify_pki::CertVerified, CertError> {
    let bundle = std::fs::read(bundle).unwrap();
    let bundle = sigverify_cosign::bundle::parse_bundle(&bundle, "bundle").unwrap();
    let artifact = ArtifactInput::from_path(tarball).unwrap();
    verify_certificate(&artifact, &CertEvidence::Bundle(&bundle), trust, Utc::now())
}

/// A detached signature with the certificate next to it (cosign's `--certificate`): lets a test
/// sign with a certificate that `sign` would refuse (expired, not yet valid).
fn verify_detached(
    tarball: &Path,
    signer: &dyn Signer,
    cert: &Path,
    trust: &CaTrust,
) -> Result<sigverify_pki::CertVerified, CertError> {
    let bytes = std::fs::read(tarball).unwrap();
    let signature = signer.sign(&bytes).unwrap();
    let cert = Cert::load_file(cert).unwrap().remove(0);
    let evidence = CertEvidence::Detached {
        signature: &signature,
        certificate: &cert,
        chain: &[],
    };
    verify_certificate(&ArtifactInput::Bytes(bytes), &evidence, trust, Utc::now())
}

fn code(result: Result<sigverify_pki::CertVerified, CertError>) -> String {
    result
        .map(|_| "OK".to_string())
        .unwrap_or_else(|e| format!("{}: {e}", e.code()))
}

#[test]
fn our_ca_chains_and_crls_verify_with_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    init_ca(&dir);
    let key = signer();
    let out = ca::issue(
        &dir,
        &Identity::parse("alice@acme.example").unwrap(),
        key.public_key(),
        1,
        &password,
        Utc::now(),
    )
    .unwrap();
    let entry = out.certificate.unwrap();
    let leaf = dir.join(&entry.certificate);
    let (root, inter, crls) = (
        dir.join("root.pem"),
        dir.join("intermediate.pem"),
        dir.join("crls.pem"),
    );
    let (ok, text) = openssl_verifies(&dir, &root, &inter, Some(&crls), &leaf);
    assert!(ok, "openssl rejects our chain: {text}");
    let all = try_openssl(
        &dir,
        &[
            "verify",
            "-crl_check_all",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "intermediate.pem",
            "-CRLfile",
            "crls.pem",
            &leaf.display().to_string(),
        ],
        &[],
    );
    assert!(
        all.status.success(),
        "{}",
        String::from_utf8_lossy(&all.stderr)
    );
    for (crl, ca_file) in [
        ("intermediate.crl.pem", "chain.pem"),
        ("root.crl.pem", "root.pem"),
    ] {
        let out = try_openssl(
            &dir,
            &["crl", "-in", crl, "-CAfile", ca_file, "-noout"],
            &[],
        );
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("verify OK"),
            "{crl}: {out:?}"
        );
    }
    // Our verifier agrees, and checks the identity and the Fulcio-style issuer extension.
    let trust = trust(&root, &inter, Some(&crls));
    let pkg = tarball(tmp.path(), "a-1.0.0.tgz");
    let verified = sign_and_verify(&pkg, &key, &leaf, &trust).unwrap();
    assert_eq!(verified.identities, ["alice@acme.example"]);
    assert_eq!(
        verified.oidc_issuer.as_deref(),
        Some("https://ca.acme.example")
    );
    assert!(verified.revocation_checked && !verified.timestamped);
    let issuer = Matcher::Exact("https://ca.acme.example".into());
    check_identity(
        &verified,
        &Matcher::Exact("alice@acme.example".into()),
        Some(&issuer),
    )
    .unwrap();
    let e =
        check_identity(&verified, &Matcher::Exact("bob@acme.example".into()), None).unwrap_err();
    assert_eq!(e.code(), "ECERTIDENTITY");
    // Revoked: OpenSSL and we both refuse it.
    ca::revoke(
        &dir,
        &entry.serial[..12],
        "keyCompromise",
        None,
        &password,
        Utc::now(),
    )
    .unwrap();
    let (ok, text) = openssl_verifies(&dir, &root, &inter, Some(&crls), &leaf);
    assert!(!ok && text.contains("certificate revoked"), "{text}");
    let trust = self::trust(&root, &inter, Some(&crls));
    let result = verify_bundle(
        &pkg,
        &pkg.with_file_name("a-1.0.0.tgz.sigstore.json"),
        &trust,
    );
    assert!(code(result).starts_with("ECERTREVOKED: certificate of alice@acme.example"));
}

#[test]
fn the_ca_refuses_identities_outside_its_name_constraints_and_renews() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ca");
    init_ca(&dir);
    let key = signer();
    let now = Utc::now();
    for outside in [
        "mallory@evil.example",
        "https://ci.evil.example/job",
        "alice@sub.acme.example",
    ] {
        let e = ca::issue(
            &dir,
            &Identity::parse(outside).unwrap(),
            key.public_key(),
            1,
            &password,
            now,
        )
        .unwrap_err();
        assert_eq!(e.code(), "ECERTNAMECONSTRAINT", "{outside}: {e}");
    }
    let uri = ca::issue(
        &dir,
        &Identity::parse("https://ci.acme.example/release").unwrap(),
        key.public_key(),
        2,
        &password,
        now,
    )
    .unwrap();
    let serial = uri.certificate.unwrap().serial;
    let renewed = ca::renew(&dir, &serial[..10], 3, None, &password, now).unwrap();
    let renewed = renewed.certificate.unwrap();
    assert_eq!(renewed.renewed_from.as_deref(), Some(serial.as_str()));
    assert_eq!(renewed.key_fingerprint, key.public_key().fingerprint());
    let rows = ca::list(&dir, now).unwrap();
    assert_eq!(rows.len(), 2, "refused identities are not recorded");
    assert!(rows.iter().all(|r| r.status == "valid"));
    // The CA keys are encrypted files only their owner can read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for key in ["root.key", "intermediate.key"] {
            let mode = std::fs::metadata(dir.join(key))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{key}");
            assert!(std::fs::read_to_string(dir.join(key))
                .unwrap()
                .contains("ENCRYPTED SIGSTORE PRIVATE KEY"));
        }
    }
}

fn openssl_leaf(ca: &OpensslCa, name: &str, spec: LeafSpec<'_>) -> (LocalSigner, PathBuf) {
    let (key, cert) = ca.leaf(name, &spec);
    let text = std::fs::read_to_string(key).unwrap();
    let private = PrivateKey::from_plain_pem(&text, name).unwrap();
    (LocalSigner::new(private, name.into()).unwrap(), cert)
}

fn spec(san: &str) -> LeafSpec<'_> {
    LeafSpec {
        san,
        eku: "codeSigning",
        start: None,
        end: None,
    }
}

#[test]
fn certificates_openssl_issues_verify_with_us_and_bad_ones_get_their_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = OpensslCa::create(&tmp.path().join("openssl-ca"));
    let d = &ca.dir;
    let (root, inter, crls) = (
        d.join("root.pem"),
        d.join("intermediate.pem"),
        d.join("crls.pem"),
    );
    let trust = trust(&root, &inter, Some(&crls));
    let pkg = tarball(tmp.path(), "b-1.0.0.tgz");

    let (alice, alice_cert) = openssl_leaf(&ca, "alice", spec("email:alice@acme.example"));
    let verified = sign_and_verify(&pkg, &alice, &alice_cert, &trust).unwrap();
    assert_eq!(
        verified.oidc_issuer.as_deref(),
        Some("https://ca.acme.example")
    );
    assert_eq!(verified.chain.len(), 3);
    let (ci, ci_cert) = openssl_leaf(
        &ca,
        "ci",
        spec("URI:https://ci.acme.example/workflows/release"),
    );
    let ci_pkg = tarball(tmp.path(), "ci-1.0.0.tgz");
    let by_ci = sign_and_verify(&ci_pkg, &ci, &ci_cert, &trust).unwrap();
    assert_eq!(
        by_ci.identities,
        ["https://ci.acme.example/workflows/release"]
    );

    let cases: Vec<(&str, LeafSpec<'_>, &str)> = vec![
        (
            "expired",
            LeafSpec {
                start: Some("20200101000000Z"),
                end: Some("20200102000000Z"),
                ..spec("email:old@acme.example")
            },
            "ECERTEXPIRED",
        ),
        (
            "future",
            LeafSpec {
                start: Some("20990101000000Z"),
                end: Some("20991231000000Z"),
                ..spec("email:new@acme.example")
            },
            "ECERTNOTYETVALID",
        ),
        (
            "server",
            LeafSpec {
                eku: "serverAuth",
                ..spec("email:web@acme.example")
            },
            "ECERTEKU",
        ),
        (
            "mallory",
            spec("email:mallory@evil.example"),
            "ECERTNAMECONSTRAINT",
        ),
    ];
    for (name, leaf_spec, expected) in cases {
        let (key, cert) = openssl_leaf(&ca, name, leaf_spec);
        let got = code(verify_detached(&pkg, &key, &cert, &trust));
        assert!(got.starts_with(expected), "{name}: {got}");
        let (ok, text) = openssl_verifies(d, &root, &inter, None, &cert);
        // OpenSSL has no code-signing purpose check by default; it agrees on the rest.
        assert_eq!(ok, name == "server", "{name}: openssl says {text}");
    }

    // Revoked by `openssl ca -revoke`: both refuse.
    ca.revoke(&alice_cert, "keyCompromise");
    assert!(!openssl_verifies(d, &root, &inter, Some(&crls), &alice_cert).0);
    let trust = self::trust(&root, &inter, Some(&crls));
    let got = code(verify_bundle(
        &pkg,
        &pkg.with_file_name("b-1.0.0.tgz.sigstore.json"),
        &trust,
    ));
    assert!(
        got.starts_with("ECERTREVOKED") && got.contains("KeyCompromise"),
        "{got}"
    );
}

#[test]
fn foreign_roots_missing_and_forged_crls_fail_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = OpensslCa::create(&tmp.path().join("ca"));
    let other = OpensslCa::create(&tmp.path().join("other"));
    let d = &ca.dir;
    let pkg = tarball(tmp.path(), "c-1.0.0.tgz");
    let (key, cert) = openssl_leaf(&ca, "alice", spec("email:alice@acme.example"));
    // Another CA with the very same names: its root does not make ours trusted.
    let foreign = trust(
        &other.dir.join("root.pem"),
        &other.dir.join("intermediate.pem"),
        None,
    );
    assert!(code(verify_detached(&pkg, &key, &cert, &foreign)).starts_with("ECERTCHAIN"));
    // CRLs configured, but none from the leaf's issuer: unknown status, not a pass.
    let root_only = trust(
        &d.join("root.pem"),
        &d.join("intermediate.pem"),
        Some(&d.join("root.crl")),
    );
    assert!(code(verify_detached(&pkg, &key, &cert, &root_only)).starts_with("ECRLUNAVAILABLE"));
    // A CRL with the issuer's name but another CA's key.
    let forged = trust(
        &d.join("root.pem"),
        &d.join("intermediate.pem"),
        Some(&other.dir.join("inter.crl")),
    );
    assert!(code(verify_detached(&pkg, &key, &cert, &forged)).starts_with("ECRLINVALID"));
    // The artifact changed after signing.
    let bytes = std::fs::read(&pkg).unwrap();
    let signature = key.sign(&bytes).unwrap();
    let leaf = Cert::load_file(&cert).unwrap().remove(0);
    let evidence = CertEvidence::Detached {
        signature: &signature,
        certificate: &leaf,
        chain: &[],
    };
    let good = trust(&d.join("root.pem"), &d.join("intermediate.pem"), None);
    let changed = ArtifactInput::Bytes(b"other bytes".to_vec());
    let got = code(verify_certificate(&changed, &evidence, &good, Utc::now()));
    assert!(got.starts_with("EBADSIGNATURE"), "{got}");
}
