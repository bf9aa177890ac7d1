//! Interop both ways with the real OpenSSL CLI (`/usr/bin/openssl`): openssl signatures
//! verify with verify-blob; our signatures verify with `openssl dgst -verify` / `pkeyutl`.

use sigverify_cosign::keys::PrivateKey;
use sigverify_cosign::sigfile::{decode_signature, encode_signature};
use sigverify_cosign::trustroot::TrustRootChoice;
use sigverify_cosign::{
    verify_blob, ArtifactInput, Authority, Coded, Evidence, KeyAlgorithm, PublicKey, VerifyRequest,
};
use std::path::Path;
use std::process::Command;

const OPENSSL: &str = "/usr/bin/openssl";
const ARTIFACT: &[u8] = b"package/package.json contents standing in for a tarball\n";

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new(OPENSSL)
        .args(args)
        .output()
        .expect("run /usr/bin/openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The genpkey arguments for each algorithm.
fn genpkey_args(alg: KeyAlgorithm) -> Vec<&'static str> {
    match alg {
        KeyAlgorithm::EcdsaP256 => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        KeyAlgorithm::EcdsaP384 => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        KeyAlgorithm::Ed25519 => vec!["-algorithm", "ED25519"],
        KeyAlgorithm::Rsa => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    }
}

const ALL: [KeyAlgorithm; 4] = [
    KeyAlgorithm::EcdsaP256,
    KeyAlgorithm::EcdsaP384,
    KeyAlgorithm::Ed25519,
    KeyAlgorithm::Rsa,
];

fn openssl_sign(alg: KeyAlgorithm, key: &str, file: &str, sig: &str) {
    if alg == KeyAlgorithm::Ed25519 {
        openssl(&[
            "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", file, "-out", sig,
        ]);
    } else {
        openssl(&["dgst", "-sha256", "-sign", key, "-out", sig, file]);
    }
}

fn verify(artifact: &[u8], signature: Vec<u8>, key: &PublicKey) -> Result<(), String> {
    let root = TrustRootChoice::PublicGood.load().unwrap();
    let artifact = ArtifactInput::Bytes(artifact.to_vec());
    let evidence = Evidence::Signature(signature);
    let authority = Authority::Key(key.clone());
    let request = VerifyRequest {
        artifact: &artifact,
        evidence: &evidence,
        authority: &authority,
        trusted_root: &root,
        ignore_tlog: true,
    };
    verify_blob(&request)
        .map(|_| ())
        .map_err(|e| e.code().to_string())
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

#[test]
fn openssl_signatures_verify_with_verify_blob() {
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "artifact");
    std::fs::write(&file, ARTIFACT).unwrap();
    for alg in ALL {
        let (key, public, sig) = (
            path(dir.path(), "k.pem"),
            path(dir.path(), "k.pub"),
            path(dir.path(), "sig"),
        );
        let mut args = vec!["genpkey"];
        args.extend(genpkey_args(alg));
        args.extend(["-out", key.as_str()]);
        openssl(&args);
        openssl(&["pkey", "-in", &key, "-pubout", "-out", &public]);
        openssl_sign(alg, &key, &file, &sig);
        let pub_key =
            PublicKey::from_pem(&std::fs::read_to_string(&public).unwrap(), "k.pub").unwrap();
        assert_eq!(pub_key.algorithm(), alg);
        let raw = std::fs::read(&sig).unwrap();
        // Raw DER / raw Ed25519 bytes as openssl writes them...
        let decoded = decode_signature(&raw, "sig").unwrap();
        assert_eq!(verify(ARTIFACT, decoded, &pub_key), Ok(()), "{alg} raw");
        // ...and the base64 form cosign writes.
        let b64 = decode_signature(encode_signature(&raw).as_bytes(), "sig.b64").unwrap();
        assert_eq!(verify(ARTIFACT, b64, &pub_key), Ok(()), "{alg} base64");
        // One byte of the artifact changed: must fail with ESIGNATURE.
        let mut tampered = ARTIFACT.to_vec();
        tampered[0] ^= 1;
        assert_eq!(
            verify(&tampered, raw.clone(), &pub_key),
            Err("ESIGNATURE".into()),
            "{alg} tampered"
        );
        // The imported openssl private key signs like ours.
        let private =
            PrivateKey::from_plain_pem(&std::fs::read_to_string(&key).unwrap(), "k.pem").unwrap();
        assert_eq!(
            private.public_key().unwrap().fingerprint(),
            pub_key.fingerprint()
        );
    }
}

#[test]
fn our_signatures_verify_with_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let file = path(dir.path(), "artifact");
    std::fs::write(&file, ARTIFACT).unwrap();
    for alg in ALL {
        let key = PrivateKey::generate(alg).unwrap();
        let public = path(dir.path(), "ours.pub");
        let sig = path(dir.path(), "ours.sig");
        std::fs::write(&public, key.public_key().unwrap().to_pem()).unwrap();
        std::fs::write(&sig, key.sign(ARTIFACT).unwrap()).unwrap();
        let out = if alg == KeyAlgorithm::Ed25519 {
            openssl(&[
                "pkeyutl", "-verify", "-pubin", "-inkey", &public, "-rawin", "-in", &file,
                "-sigfile", &sig,
            ])
        } else {
            openssl(&[
                "dgst",
                "-sha256",
                "-verify",
                &public,
                "-signature",
                &sig,
                &file,
            ])
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("Verified Successfully") || stdout.contains("Verified OK"),
            "{alg}: {stdout}"
        );
        // And openssl rejects the same signature over different bytes (the check can fail).
        std::fs::write(&file, b"other bytes").unwrap();
        let status = if alg == KeyAlgorithm::Ed25519 {
            Command::new(OPENSSL)
                .args([
                    "pkeyutl", "-verify", "-pubin", "-inkey", &public, "-rawin", "-in", &file,
                    "-sigfile", &sig,
                ])
                .output()
        } else {
            Command::new(OPENSSL)
                .args([
                    "dgst",
                    "-sha256",
                    "-verify",
                    &public,
                    "-signature",
                    &sig,
                    &file,
                ])
                .output()
        };
        assert!(
            !status.unwrap().status.success(),
            "{alg}: openssl accepted a wrong artifact"
        );
        std::fs::write(&file, ARTIFACT).unwrap();
    }
}
