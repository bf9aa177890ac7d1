//! Keys inside a real SoftHSM2 token: generation, signing, verification with the public key read
//! back from the token, the trust-file path, and failures that never show the PIN.

#[path = "support/softhsm.rs"]
mod softhsm;

use sigverify_cosign::keys::custody::{KeyRef, Pkcs11Uri, Signer, TokenKey};
use sigverify_cosign::keys::{KeyAlgorithm, Message};
use sigverify_cosign::sign::sign_with_signer;
use sigverify_cosign::trust::{add_key, TrustFile};
use sigverify_cosign::{verify_with_trust_file, ArtifactInput, Coded, Evidence};
use softhsm::{SoftHsm, PIN};
use std::sync::OnceLock;

/// One token folder per test process: the module reads SOFTHSM2_CONF once, when first loaded.
fn hsm() -> Option<&'static SoftHsm> {
    static HSM: OnceLock<Option<SoftHsm>> = OnceLock::new();
    HSM.get_or_init(|| {
        let hsm = SoftHsm::start(&["signing", "other"])?;
        // Set before any test loads the module; every test goes through here first.
        std::env::set_var("SOFTHSM2_CONF", &hsm.conf);
        Some(hsm)
    })
    .as_ref()
}

fn uri(hsm: &SoftHsm, object: &str) -> Pkcs11Uri {
    Pkcs11Uri::parse(&format!("{}&pin-value={PIN}", hsm.uri("signing", object))).unwrap()
}

#[test]
fn generate_sign_and_verify_inside_the_token() {
    let Some(hsm) = hsm() else { return };
    let key = TokenKey::generate(&uri(hsm, "release"), KeyAlgorithm::EcdsaP256).unwrap();
    let public = key.public_key().clone();
    assert_eq!(public.algorithm(), KeyAlgorithm::EcdsaP256);
    let signature = key.sign(b"hello").unwrap();
    public.verify(Message::Bytes(b"hello"), &signature).unwrap();
    assert!(public.verify(Message::Bytes(b"other"), &signature).is_err());
    // Opened again by its URI (a new session), it is the same key.
    let again = TokenKey::open(&uri(hsm, "release")).unwrap();
    assert_eq!(again.public_key().fingerprint(), public.fingerprint());
    assert!(!again.describe().contains(PIN), "{}", again.describe());
}

#[test]
fn a_token_signature_verifies_on_the_trust_file_path() {
    let Some(hsm) = hsm() else { return };
    let key = TokenKey::generate(&uri(hsm, "pkg-signer"), KeyAlgorithm::EcdsaP384).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tarball = dir.path().join("pkg-1.0.0.tgz");
    std::fs::write(&tarball, b"tarball bytes").unwrap();
    let out = sign_with_signer(&tarball, &key, None).unwrap();
    let mut trust = TrustFile::load_or_empty(&dir.path().join("trust.json")).unwrap();
    let now = chrono::Utc::now();
    add_key(&mut trust, key.public_key().clone(), "hsm", now, None).unwrap();
    let root = sigverify_cosign::trustroot::TrustRootChoice::PublicGood
        .load()
        .unwrap();
    let artifact = ArtifactInput::from_path(&tarball).unwrap();
    let bundle = std::fs::read(&out.bundle_path).unwrap();
    let bundle = sigverify_cosign::bundle::parse_bundle(&bundle, "b").unwrap();
    let verdict = verify_with_trust_file(
        &artifact,
        &Evidence::Bundle(Box::new(bundle)),
        &trust,
        now,
        &root,
    );
    assert!(verdict.valid, "{:?}", verdict.failure);
    assert_eq!(verdict.fingerprint, Some(key.public_key().fingerprint()));
}

#[test]
fn refusals_name_the_problem_but_never_the_pin() {
    let Some(hsm) = hsm() else { return };
    TokenKey::generate(&uri(hsm, "dup"), KeyAlgorithm::EcdsaP256).unwrap();
    let twice = TokenKey::generate(&uri(hsm, "dup"), KeyAlgorithm::EcdsaP256).unwrap_err();
    assert!(twice.to_string().contains("already holds"), "{twice}");
    let wrong = "99999999";
    // Login state is per process and token (PKCS#11): use the token no test has logged in to.
    let bad_pin = Pkcs11Uri::parse(&format!("{}&pin-value={wrong}", hsm.uri("other", "dup")));
    let e = TokenKey::open(&bad_pin.unwrap()).unwrap_err();
    assert_eq!(e.code(), "EPKCS11");
    assert!(e.to_string().contains("logging in"), "{e}");
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(wrong) && !text.contains(PIN), "{text}");
    }
    let missing = TokenKey::open(&uri(hsm, "no-such-key")).unwrap_err();
    assert!(
        missing.to_string().contains("no private key object"),
        "{missing}"
    );
    let no_token = Pkcs11Uri::parse(&format!("{}&pin-value={PIN}", hsm.uri("nope", "x")));
    let e = TokenKey::open(&no_token.unwrap()).unwrap_err();
    assert!(e.to_string().contains("no token matches"), "{e}");
}

#[test]
fn key_refs_open_tokens_and_redact_pins() {
    let Some(hsm) = hsm() else { return };
    let dir = tempfile::tempdir().unwrap();
    let pin_file = hsm.pin_file(dir.path());
    TokenKey::generate(&uri(hsm, "by-ref"), KeyAlgorithm::EcdsaP256).unwrap();
    let text = format!(
        "{}&pin-source={}",
        hsm.uri("signing", "by-ref"),
        pin_file.display()
    );
    let key_ref = KeyRef::parse(&text).unwrap();
    assert_eq!(key_ref.redacted(), "pkcs11:token=signing;object=by-ref");
    let never = || -> Result<_, _> { panic!("a token key needs no password") };
    let signer = key_ref.open(&never).unwrap();
    let sig = signer.sign(b"x").unwrap();
    signer
        .public_key()
        .verify(Message::Bytes(b"x"), &sig)
        .unwrap();
}
