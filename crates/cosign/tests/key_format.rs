//! cosign's encrypted key format: round trips, interop with the `sigstore` crate (another
//! implementation of the same format), wrong passwords and hostile inputs.

use sigstore::crypto::signing_key::SigStoreKeyPair;
use sigstore::crypto::{CosignVerificationKey, Signature, SigningScheme};
use sigverify_cosign::keys::{decrypt_private_key, encrypt_private_key, Message, PrivateKey};
use sigverify_cosign::sigfile::decode_signature;
use sigverify_cosign::{bundle::parse_bundle, Coded, KeyAlgorithm, PublicKey};

const PASSWORD: &[u8] = b"correct horse";
const MESSAGE: &[u8] = b"internal-pkg-1.2.3.tgz bytes";

fn code<T: std::fmt::Debug, E: Coded>(result: Result<T, E>) -> String {
    result.expect_err("expected an error").code().to_string()
}

#[test]
fn our_keys_round_trip_for_every_algorithm() {
    for alg in [
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::Rsa,
    ] {
        let key = PrivateKey::generate(alg).unwrap();
        let pem = encrypt_private_key(&key, PASSWORD).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
        let back = decrypt_private_key(&pem, PASSWORD, "test").unwrap();
        assert_eq!(
            back.public_key().unwrap().fingerprint(),
            key.public_key().unwrap().fingerprint()
        );
        let sig = back.sign(MESSAGE).unwrap();
        key.public_key()
            .unwrap()
            .verify(Message::Bytes(MESSAGE), &sig)
            .unwrap();
    }
}

#[test]
fn wrong_password_is_ewrongpassword() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let pem = encrypt_private_key(&key, PASSWORD).unwrap();
    let err = decrypt_private_key(&pem, b"wrong", "cosign.key").unwrap_err();
    assert_eq!(err.code(), "EWRONGPASSWORD");
    assert!(err.to_string().contains("wrong password"), "{err}");
    assert!(err.is_config());
}

#[test]
fn sigstore_crate_keys_import_here() {
    for scheme in [
        SigningScheme::ECDSA_P256_SHA256_ASN1,
        SigningScheme::ECDSA_P384_SHA384_ASN1,
        SigningScheme::ED25519,
    ] {
        let signer = scheme.create_signer().unwrap();
        let pair = signer.to_sigstore_keypair().unwrap();
        let pem = pair.private_key_to_encrypted_pem(PASSWORD).unwrap();
        let ours = decrypt_private_key(&pem, PASSWORD, "sigstore-rs key").unwrap();
        let their_pub = PublicKey::from_pem(&pair.public_key_to_pem().unwrap(), "pub").unwrap();
        assert_eq!(
            ours.public_key().unwrap().fingerprint(),
            their_pub.fingerprint(),
            "{scheme}"
        );
        // A signature by the sigstore crate verifies with our verifier.
        let sig = signer.sign(MESSAGE).unwrap();
        their_pub
            .verify(Message::Bytes(MESSAGE), &sig)
            .unwrap_or_else(|e| panic!("{scheme}: {e}"));
        assert_eq!(
            code(decrypt_private_key(&pem, b"nope", "k")),
            "EWRONGPASSWORD"
        );
    }
}

#[test]
fn our_keys_import_into_the_sigstore_crate() {
    for (alg, scheme) in [
        (
            KeyAlgorithm::EcdsaP256,
            SigningScheme::ECDSA_P256_SHA256_ASN1,
        ),
        (KeyAlgorithm::Ed25519, SigningScheme::ED25519),
    ] {
        let key = PrivateKey::generate(alg).unwrap();
        let pem = encrypt_private_key(&key, PASSWORD).unwrap();
        let pair = SigStoreKeyPair::from_encrypted_pem(pem.as_bytes(), PASSWORD).unwrap();
        let public_pem = key.public_key().unwrap().to_pem();
        let theirs = PublicKey::from_pem(&pair.public_key_to_pem().unwrap(), "theirs").unwrap();
        assert_eq!(
            theirs.fingerprint(),
            key.public_key().unwrap().fingerprint()
        );
        // Our signature verifies with the sigstore crate's cosign verifier.
        let verifier = CosignVerificationKey::from_pem(public_pem.as_bytes(), &scheme).unwrap();
        verifier
            .verify_signature(Signature::Raw(&key.sign(MESSAGE).unwrap()), MESSAGE)
            .unwrap();
        assert!(SigStoreKeyPair::from_encrypted_pem(pem.as_bytes(), b"nope").is_err());
    }
}

#[test]
fn older_cosign_label_imports() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let pem = encrypt_private_key(&key, PASSWORD).unwrap().replace(
        "ENCRYPTED SIGSTORE PRIVATE KEY",
        "ENCRYPTED COSIGN PRIVATE KEY",
    );
    decrypt_private_key(&pem, PASSWORD, "old cosign.key").unwrap();
}

#[test]
fn truncated_and_garbage_keys_are_typed_errors() {
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let pem = encrypt_private_key(&key, PASSWORD).unwrap();
    let public = key.public_key().unwrap().to_pem();
    for (name, text) in [
        ("empty", String::new()),
        ("garbage", "\u{1}\u{2}not a key at all".to_string()),
        ("truncated", pem[..pem.len() / 2].to_string()),
        (
            "no end",
            pem.replace("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----", ""),
        ),
        ("bad base64", pem.replacen('A', "!", 3)),
        ("public key as private", public.clone()),
    ] {
        assert_eq!(
            code(decrypt_private_key(&text, PASSWORD, name)),
            "EKEYFORMAT",
            "{name}"
        );
    }
    for (name, text) in [
        ("empty", String::new()),
        ("truncated", public[..public.len() - 40].to_string()),
        ("private key as public", pem.clone()),
    ] {
        assert_eq!(
            code(PublicKey::from_pem(&text, name)),
            "EKEYFORMAT",
            "{name}"
        );
    }
}

#[test]
fn hostile_kdf_parameters_are_refused_before_scrypt_runs() {
    let json = r#"{"kdf":{"name":"scrypt","params":{"N":1099511627776,"r":8,"p":1},"salt":"AAAA"},
        "cipher":{"name":"nacl/secretbox","nonce":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},"ciphertext":"AAAA"}"#;
    let pem = pem_rfc7468::encode_string(
        "ENCRYPTED SIGSTORE PRIVATE KEY",
        pem_rfc7468::LineEnding::LF,
        json.as_bytes(),
    )
    .unwrap();
    let err = decrypt_private_key(&pem, PASSWORD, "hostile").unwrap_err();
    assert_eq!(err.code(), "EKEYFORMAT");
    assert!(err.to_string().contains("out of range"), "{err}");
    let unknown_cipher = json
        .replace("nacl/secretbox", "aes-gcm")
        .replace("1099511627776", "32768");
    let pem = pem_rfc7468::encode_string(
        "ENCRYPTED SIGSTORE PRIVATE KEY",
        pem_rfc7468::LineEnding::LF,
        unknown_cipher.as_bytes(),
    )
    .unwrap();
    assert!(decrypt_private_key(&pem, PASSWORD, "x")
        .unwrap_err()
        .to_string()
        .contains("unknown cipher"));
}

#[test]
fn unsupported_curve_is_ekeyunsupported() {
    // A real P-521 SPKI (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521).
    let out = std::process::Command::new("/usr/bin/openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
        ])
        .output()
        .unwrap();
    let private = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        code(PrivateKey::from_plain_pem(&private, "p521")),
        "EKEYUNSUPPORTED"
    );
}

#[test]
fn garbage_signatures_and_bundles_are_typed_errors() {
    assert_eq!(code(decode_signature(b"", "s")), "ESIGFORMAT");
    assert_eq!(code(decode_signature(b"   \n", "s")), "ESIGFORMAT");
    // Non-base64 bytes are taken as a raw (openssl) signature, not rejected.
    assert_eq!(
        decode_signature(b"\x30\x06*raw", "s").unwrap(),
        b"\x30\x06*raw"
    );
    assert_eq!(code(decode_signature(b"QUJD=A", "s")), "ESIGFORMAT");
    assert_eq!(
        code(decode_signature(&vec![0x30; 20000], "s")),
        "ESIGFORMAT"
    );
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256)
        .unwrap()
        .public_key()
        .unwrap();
    assert!(key
        .verify(Message::Bytes(MESSAGE), b"\x30\x02\x01")
        .is_err());
    for (name, json) in [
        ("empty", ""),
        ("not json", "{{{{"),
        ("array", "[]"),
        ("neither format", r#"{"hello":1}"#),
        (
            "bad media type",
            r#"{"mediaType":"application/x-nope","verificationMaterial":{},"messageSignature":{}}"#,
        ),
        ("legacy without signature", r#"{"base64Signature":5}"#),
        (
            "legacy bad cert",
            r#"{"base64Signature":"AAAA","cert":"!!!"}"#,
        ),
        (
            "legacy bad rekor",
            r#"{"base64Signature":"AAAA","rekorBundle":{"SignedEntryTimestamp":"AA","Payload":{"body":"e30=","integratedTime":1,"logIndex":1,"logID":"zz"}}}"#,
        ),
    ] {
        assert_eq!(
            code(parse_bundle(json.as_bytes(), name)),
            "EBUNDLE",
            "{name}"
        );
    }
}
