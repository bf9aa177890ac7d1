//! The CLI end to end with a private CA and key custody: `ca init|issue|renew|revoke|crl|list`,
//! `sign --certificate`, `verify-blob`/`verify-bundle` with `--ca-roots`/`--certificate-chain`,
//! keys in a SoftHSM2 token (generate, sign, rotate, revoke), `env://` keys, key files others can
//! read, the audit log; no key, password or PIN in any output.

#[path = "../../cosign/tests/support/softhsm.rs"]
mod softhsm;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_npm-sigverify");
const PASSWORD: &str = "s3cret-ca-passw0rd";
const ISSUER: &str = "https://ca.acme.example";

/// Every output of the test, checked for secrets at the end of each test.
#[derive(Default)]
struct Runner {
    outputs: Vec<String>,
    env: Vec<(String, String)>,
}

impl Runner {
    fn run(&mut self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .env("COSIGN_PASSWORD", PASSWORD)
            .env_remove("COSIGN_PKCS11_PIN")
            .env_remove("COSIGN_PKCS11_MODULE_PATH");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        self.outputs.push(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        out
    }

    fn ok(&mut self, dir: &Path, args: &[&str]) -> String {
        let out = self.run(dir, args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            self.outputs.last().unwrap()
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs a command expected to fail with `exit` and `code`; returns its stderr.
    fn fails(&mut self, dir: &Path, args: &[&str], exit: i32, code: &str) -> String {
        let out = self.run(dir, args);
        let text = self.outputs.last().unwrap().clone();
        assert_eq!(out.status.code(), Some(exit), "{args:?}: {text}");
        assert!(text.contains(code), "{args:?} lacks {code}: {text}");
        text
    }

    /// No output ever showed a secret.
    fn assert_no_secrets(&self, secrets: &[&str]) {
        for text in &self.outputs {
            for secret in secrets.iter().chain(&["PRIVATE KEY-----", "pin-value="]) {
                assert!(
                    !text.contains(secret),
                    "an output shows {secret:?}:\n{text}"
                );
            }
        }
    }
}

fn setup() -> (tempfile::TempDir, Runner) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pkg-1.0.0.tgz"), b"pretend tarball").unwrap();
    (dir, Runner::default())
}

fn verify_args(identity: &str) -> Vec<&str> {
    vec![
        "verify-blob",
        "pkg-1.0.0.tgz",
        "--bundle",
        "pkg-1.0.0.tgz.sigstore.json",
        "--ca-roots",
        "ca/root.pem",
        "--ca-intermediates",
        "ca/intermediate.pem",
        "--crl",
        "ca/crls.pem",
        "--certificate-identity",
        identity,
        "--certificate-oidc-issuer",
        ISSUER,
    ]
}

#[test]
fn ca_issue_sign_verify_revoke_with_an_audit_trail() {
    let (tmp, mut r) = setup();
    let d = tmp.path();
    r.ok(
        d,
        &[
            "ca",
            "init",
            "--dir",
            "ca",
            "--name",
            "Acme Signing",
            "--issuer-url",
            ISSUER,
            "--permit-email",
            "acme.example",
            "--audit-log",
            "audit.jsonl",
        ],
    );
    r.ok(d, &["generate-key-pair", "--output-key-prefix", "alice"]);
    let issued = r.ok(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--identity",
            "alice@acme.example",
            "--public-key",
            "alice.pub",
            "--days",
            "2",
            "--out",
            "alice.pem",
            "--audit-log",
            "audit.jsonl",
            "--json",
        ],
    );
    let issued: Value = serde_json::from_str(&issued).unwrap();
    let serial = issued["certificate"]["serial"]
        .as_str()
        .unwrap()
        .to_string();
    r.fails(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--identity",
            "eve@evil.example",
            "--public-key",
            "alice.pub",
        ],
        1,
        "ECERTNAMECONSTRAINT",
    );
    r.ok(
        d,
        &[
            "sign",
            "pkg-1.0.0.tgz",
            "--key",
            "alice.key",
            "--certificate",
            "alice.pem",
            "--certificate-chain",
            "ca/chain.pem",
            "--audit-log",
            "audit.jsonl",
        ],
    );
    assert!(
        !d.join("pkg-1.0.0.tgz.sig").exists(),
        "a certificate signature lives in the bundle"
    );
    let ok = r.ok(d, &verify_args("alice@acme.example"));
    assert!(
        ok.contains("Verified OK (certificate") && ok.contains("revocation checked"),
        "{ok}"
    );
    // verify-bundle (cosign's conformance form) with the chain file as the trust.
    r.ok(
        d,
        &[
            "verify-bundle",
            "--bundle",
            "pkg-1.0.0.tgz.sigstore.json",
            "--certificate-chain",
            "ca/chain.pem",
            "--certificate-identity",
            "alice@acme.example",
            "pkg-1.0.0.tgz",
        ],
    );
    r.fails(d, &verify_args("bob@acme.example"), 1, "ECERTIDENTITY");
    let mut regexp = verify_args("x");
    regexp[10] = "--certificate-identity-regexp";
    regexp[11] = "^alice@";
    r.ok(d, &regexp);

    r.ok(
        d,
        &[
            "ca",
            "revoke",
            "--dir",
            "ca",
            "--serial",
            &serial[..8],
            "--reason",
            "keyCompromise",
            "--audit-log",
            "audit.jsonl",
        ],
    );
    let revoked = r.fails(d, &verify_args("alice@acme.example"), 1, "ECERTREVOKED");
    assert!(revoked.contains("hint:"), "{revoked}");
    let list: Value =
        serde_json::from_str(&r.ok(d, &["ca", "list", "--dir", "ca", "--json"])).unwrap();
    assert_eq!(list[0]["status"], "revoked");
    r.fails(
        d,
        &["ca", "revoke", "--dir", "ca", "--serial", &serial[..8]],
        2,
        "already revoked",
    );

    let lines: Vec<Value> = std::fs::read_to_string(d.join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = lines
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["ca-init", "ca-issue", "sign", "ca-revoke"]);
    let sign = &lines[2];
    assert_eq!(sign["identity"], "alice@acme.example");
    assert_eq!(sign["certificateSerial"], serial.as_str());
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"pretend tarball"));
    assert_eq!(sign["sha256"], digest.as_str());
    assert_eq!(sign["keyFingerprint"].as_str().unwrap().len(), 64);
    r.assert_no_secrets(&[PASSWORD]);
}

#[test]
fn renewal_and_expired_or_untrusted_certificates() {
    let (tmp, mut r) = setup();
    let d = tmp.path();
    r.ok(
        d,
        &[
            "ca",
            "init",
            "--dir",
            "ca",
            "--name",
            "Acme",
            "--issuer-url",
            ISSUER,
        ],
    );
    r.ok(d, &["generate-key-pair", "--output-key-prefix", "ci"]);
    let issued: Value = serde_json::from_str(&r.ok(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--identity",
            "https://ci.acme.example/release",
            "--public-key",
            "ci.pub",
            "--json",
        ],
    ))
    .unwrap();
    let serial = issued["certificate"]["serial"].as_str().unwrap();
    let renewed: Value = serde_json::from_str(&r.ok(
        d,
        &[
            "ca",
            "renew",
            "--dir",
            "ca",
            "--serial",
            &serial[..10],
            "--days",
            "3",
            "--out",
            "ci.pem",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(renewed["certificate"]["renewedFrom"], serial);
    r.ok(
        d,
        &[
            "sign",
            "pkg-1.0.0.tgz",
            "--key",
            "ci.key",
            "--certificate",
            "ci.pem",
            "--bundle-version",
            "0.2",
        ],
    );
    r.ok(d, &verify_args("https://ci.acme.example/release"));
    // A certificate for another key is refused before anything is signed.
    r.ok(d, &["generate-key-pair", "--output-key-prefix", "other"]);
    r.fails(
        d,
        &[
            "sign",
            "pkg-1.0.0.tgz",
            "--key",
            "other.key",
            "--certificate",
            "ci.pem",
        ],
        2,
        "but the signing key is",
    );
    // Another CA's root does not make this certificate trusted.
    r.ok(d, &["ca", "init", "--dir", "other-ca", "--name", "Acme"]);
    let mut foreign = verify_args("https://ci.acme.example/release");
    foreign[5] = "other-ca/root.pem";
    foreign[7] = "other-ca/intermediate.pem";
    foreign[9] = "other-ca/crls.pem";
    r.fails(d, &foreign, 1, "ECERTCHAIN");
    // Without a CRL of the issuer, revocation status is unknown: fail closed (ECRLUNAVAILABLE).
    let mut no_crl = verify_args("https://ci.acme.example/release");
    no_crl[9] = "ca/root.crl.pem";
    r.fails(d, &no_crl, 1, "ECRLUNAVAILABLE");
    r.assert_no_secrets(&[PASSWORD]);
}

#[test]
fn private_key_files_others_can_read_and_keys_from_the_environment() {
    let (tmp, mut r) = setup();
    let d = tmp.path();
    r.ok(d, &["generate-key-pair", "--output-key-prefix", "k"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("k.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::set_permissions(d.join("k.key"), std::fs::Permissions::from_mode(0o640)).unwrap();
        let err = r.fails(
            d,
            &["sign", "pkg-1.0.0.tgz", "--key", "k.key"],
            2,
            "EKEYPERMISSIONS",
        );
        assert!(
            err.contains("mode 0640") && err.contains("chmod 600"),
            "{err}"
        );
        std::fs::set_permissions(d.join("k.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let pem = std::fs::read_to_string(d.join("k.key")).unwrap();
    r.env.push(("RELEASE_KEY".into(), pem));
    r.ok(
        d,
        &[
            "sign",
            "pkg-1.0.0.tgz",
            "--key",
            "env://RELEASE_KEY",
            "--audit-log",
            "a.jsonl",
        ],
    );
    r.ok(
        d,
        &[
            "verify-blob",
            "pkg-1.0.0.tgz",
            "--key",
            "k.pub",
            "--bundle",
            "pkg-1.0.0.tgz.sigstore.json",
            "--insecure-ignore-tlog",
        ],
    );
    let line: Value =
        serde_json::from_str(std::fs::read_to_string(d.join("a.jsonl")).unwrap().trim()).unwrap();
    assert_eq!(line["keySource"], "env://RELEASE_KEY");
    r.fails(
        d,
        &["sign", "pkg-1.0.0.tgz", "--key", "env://NOT_SET_ANYWHERE"],
        2,
        "EKEYENV",
    );
    r.assert_no_secrets(&[PASSWORD]);
}

#[test]
fn keys_in_a_softhsm2_token_generate_sign_rotate_revoke_and_get_certificates() {
    let Some(hsm) = softhsm::SoftHsm::start(&["release"]) else {
        return;
    };
    let (tmp, mut r) = setup();
    let d = tmp.path();
    r.env
        .push(("SOFTHSM2_CONF".into(), hsm.conf.display().to_string()));
    let pin_file = hsm.pin_file(d);
    let uri = |object: &str| {
        format!(
            "{}&pin-source={}",
            hsm.uri("release", object),
            pin_file.display()
        )
    };
    let out = r.ok(
        d,
        &[
            "generate-key-pair",
            "--key",
            &uri("release-2026"),
            "--output-key-prefix",
            "release",
        ],
    );
    assert!(out.contains("never leaves the token"), "{out}");
    r.fails(
        d,
        &[
            "generate-key-pair",
            "--key",
            &uri("release-2026"),
            "--output-key-prefix",
            "again",
        ],
        2,
        "already holds",
    );
    r.ok(
        d,
        &[
            "keys",
            "add",
            "--trust",
            "trust.json",
            "--key",
            "release.pub",
            "--owner",
            "release",
        ],
    );
    r.ok(
        d,
        &[
            "sign",
            "pkg-1.0.0.tgz",
            "--key",
            &uri("release-2026"),
            "--audit-log",
            "audit.jsonl",
        ],
    );
    let verify = [
        "verify-blob",
        "pkg-1.0.0.tgz",
        "--trust",
        "trust.json",
        "--bundle",
        "pkg-1.0.0.tgz.sigstore.json",
    ];
    r.ok(d, &verify);
    let listed: Value =
        serde_json::from_str(&r.ok(d, &["keys", "list", "--trust", "trust.json", "--json"]))
            .unwrap();
    let old = listed[0]["fingerprint"].as_str().unwrap().to_string();
    // Rotation: the new key is generated in the token; with no overlap the old key ends now.
    let rotated = r.ok(
        d,
        &[
            "keys",
            "rotate",
            "--trust",
            "trust.json",
            "--from",
            &old[..12],
            "--key",
            &uri("release-2027"),
            "--overlap-days",
            "0",
        ],
    );
    assert!(
        rotated.contains("Generated the new key in pkcs11:token=release;object=release-2027"),
        "{rotated}"
    );
    r.fails(d, &verify, 1, "EKEYEXPIRED");
    r.ok(d, &["sign", "pkg-1.0.0.tgz", "--key", &uri("release-2027")]);
    r.ok(d, &verify);
    let listed: Value =
        serde_json::from_str(&r.ok(d, &["keys", "list", "--trust", "trust.json", "--json"]))
            .unwrap();
    let new = listed[1]["fingerprint"].as_str().unwrap().to_string();
    r.ok(
        d,
        &[
            "keys",
            "revoke",
            "--trust",
            "trust.json",
            "--fingerprint",
            &new[..12],
            "--reason",
            "token lost",
        ],
    );
    r.fails(d, &verify, 1, "EKEYREVOKED");
    // The token key gets a certificate from the CA and signs with it.
    r.ok(
        d,
        &[
            "ca",
            "init",
            "--dir",
            "ca",
            "--name",
            "Acme",
            "--issuer-url",
            ISSUER,
        ],
    );
    r.ok(
        d,
        &[
            "ca",
            "issue",
            "--dir",
            "ca",
            "--identity",
            "release@acme.example",
            "--public-key",
            &uri("release-2027"),
            "--out",
            "release.pem",
        ],
    );
    r.ok(
        d,
        &[
            "sign",
            "pkg-1.0.0.tgz",
            "--key",
            &uri("release-2027"),
            "--certificate",
            "release.pem",
        ],
    );
    r.ok(d, &verify_args("release@acme.example"));
    // PIN from the environment; a wrong one fails without being shown.
    r.env.push(("COSIGN_PKCS11_PIN".into(), "11112222".into()));
    let no_source = hsm.uri("release", "release-2027");
    r.fails(
        d,
        &["sign", "pkg-1.0.0.tgz", "--key", &no_source],
        2,
        "EPKCS11",
    );
    let line = std::fs::read_to_string(d.join("audit.jsonl")).unwrap();
    assert!(
        line.contains("\"keySource\":\"pkcs11:token=release;object=release-2026\""),
        "{line}"
    );
    r.assert_no_secrets(&[softhsm::PIN, "11112222", PASSWORD]);
}
