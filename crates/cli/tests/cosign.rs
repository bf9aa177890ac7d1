//! The `sigverify-cosign` binary end to end: key generation, signing, verify-blob (keys,
//! bundles, legacy bundles, trust files), keys management, exit codes and messages.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_npm-sigverify");
const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../__test__/fixtures/corpus"
);
const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GHA: &str = "https://token.actions.githubusercontent.com";

fn run(dir: &Path, password: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("COSIGN_PASSWORD");
    if let Some(p) = password {
        cmd.env("COSIGN_PASSWORD", p);
    }
    cmd.output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pkg.tgz"), b"pretend tarball bytes").unwrap();
    let out = run(dir.path(), Some("pw"), &["generate-key-pair"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

#[test]
fn generate_sign_and_verify_blob_with_the_key() {
    let dir = setup();
    let d = dir.path();
    assert!(std::fs::read_to_string(d.join("cosign.key"))
        .unwrap()
        .contains("ENCRYPTED SIGSTORE PRIVATE KEY"));
    let out = run(d, Some("pw"), &["sign", "pkg.tgz", "--key", "cosign.key"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bundle: Value =
        serde_json::from_slice(&std::fs::read(d.join("pkg.tgz.sigstore.json")).unwrap()).unwrap();
    assert_eq!(
        bundle["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(
        bundle["messageSignature"]["messageDigest"]["algorithm"],
        "SHA2_256"
    );
    assert_eq!(
        bundle["verificationMaterial"]["publicKey"]["hint"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    // Detached .sig and the bundle both verify on the no-tlog path, with a loud warning.
    for evidence in [
        ["--signature", "pkg.tgz.sig"],
        ["--bundle", "pkg.tgz.sigstore.json"],
    ] {
        let out = run(
            d,
            None,
            &[
                "verify-blob",
                "pkg.tgz",
                "--key",
                "cosign.pub",
                evidence[0],
                evidence[1],
                "--insecure-ignore-tlog",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains("WARNING: --insecure-ignore-tlog"));
        // Without the flag, an offline signature has no log evidence: refused.
        let out = run(
            d,
            None,
            &[
                "verify-blob",
                "pkg.tgz",
                "--key",
                "cosign.pub",
                evidence[0],
                evidence[1],
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("ENOTLOG"), "{}", stderr(&out));
    }
    std::fs::write(d.join("pkg.tgz"), b"tampered").unwrap();
    let out = run(
        d,
        None,
        &[
            "verify-blob",
            "pkg.tgz",
            "--key",
            "cosign.pub",
            "--signature",
            "pkg.tgz.sig",
            "--insecure-ignore-tlog",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("ESIGNATURE"));
}

#[test]
fn password_errors_are_clear_and_exit_2() {
    let dir = setup();
    let d = dir.path();
    let out = run(
        d,
        Some("not-pw"),
        &["sign", "pkg.tgz", "--key", "cosign.key"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("EWRONGPASSWORD") && stderr(&out).contains("wrong password"),
        "{}",
        stderr(&out)
    );
    // No COSIGN_PASSWORD and stdin is not a terminal: refuse to prompt.
    let out = run(d, None, &["sign", "pkg.tgz", "--key", "cosign.key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ENOPASSWORD") && stderr(&out).contains("not a terminal"),
        "{}",
        stderr(&out)
    );
    let out = run(d, Some("pw"), &["generate-key-pair"]);
    assert_eq!(out.status.code(), Some(2), "refuses to overwrite");
    std::fs::write(d.join("bad.key"), "garbage").unwrap();
    // Written with the default umask, others can read it: refused before it is even parsed.
    let out = run(d, Some("pw"), &["sign", "pkg.tgz", "--key", "bad.key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("EKEYPERMISSIONS"), "{}", stderr(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let private = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(d.join("bad.key"), private).unwrap();
    }
    let out = run(d, Some("pw"), &["sign", "pkg.tgz", "--key", "bad.key"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("EKEYFORMAT"), "{}", stderr(&out));
}

#[test]
fn trust_file_commands_and_verification() {
    let dir = setup();
    let d = dir.path();
    assert_eq!(
        run(d, Some("pw"), &["sign", "pkg.tgz", "--key", "cosign.key"])
            .status
            .code(),
        Some(0)
    );
    let out = run(
        d,
        None,
        &[
            "keys",
            "add",
            "--trust",
            "trust.json",
            "--key",
            "cosign.pub",
            "--owner",
            "release",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let verify = |d: &Path| {
        run(
            d,
            None,
            &[
                "verify-blob",
                "pkg.tgz",
                "--trust",
                "trust.json",
                "--bundle",
                "pkg.tgz.sigstore.json",
            ],
        )
    };
    assert_eq!(verify(d).status.code(), Some(0), "{}", stderr(&verify(d)));
    let trust: Value =
        serde_json::from_slice(&std::fs::read(d.join("trust.json")).unwrap()).unwrap();
    let fp = trust["keys"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let out = run(
        d,
        Some("pw2"),
        &[
            "keys",
            "rotate",
            "--trust",
            "trust.json",
            "--from",
            &fp[..10],
            "--overlap-days",
            "10",
            "--output-key-prefix",
            "next",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(d.join("next.key").exists() && d.join("next.pub").exists());
    let listed = run(
        d,
        None,
        &["keys", "list", "--trust", "trust.json", "--json"],
    );
    let rows: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(
        rows[0]["daysToExpiry"], 9,
        "old key ends in 10 days (9 whole days)"
    );
    assert_eq!(rows[0]["expiringSoon"], true);
    assert!(
        stderr(&run(d, None, &["keys", "list", "--trust", "trust.json"])).contains("expires in")
    );
    assert_eq!(
        verify(d).status.code(),
        Some(0),
        "old key still valid during overlap"
    );
    let out = run(
        d,
        None,
        &[
            "keys",
            "revoke",
            "--trust",
            "trust.json",
            "--fingerprint",
            &fp[..12],
            "--reason",
            "leaked",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = verify(d);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("EKEYREVOKED"), "{}", stderr(&out));
    let listed =
        String::from_utf8(run(d, None, &["keys", "list", "--trust", "trust.json"]).stdout).unwrap();
    assert!(listed.contains("REVOKED"));
    // The new key signs and verifies.
    assert_eq!(
        run(d, Some("pw2"), &["sign", "pkg.tgz", "--key", "next.key"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(verify(d).status.code(), Some(0));
}

#[test]
fn keyless_bundle_identity_regexp_and_github_claims() {
    let dir = format!("{CORPUS}/cosign/sigstore-conformance/bundle-verify");
    let d = Path::new(&dir);
    let base = [
        "verify-blob",
        "a.txt",
        "--bundle",
        "happy-path-v0.3/bundle.sigstore.json",
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        run(d, None, &args).status.code()
    };
    assert_eq!(
        with(&[
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA
        ]),
        Some(0)
    );
    assert_eq!(
        with(&[
            "--certificate-identity-regexp",
            "^https://github.com/sigstore-conformance/",
            "--certificate-oidc-issuer",
            GHA
        ]),
        Some(0)
    );
    assert_eq!(
        with(&[
            "--certificate-identity-regexp",
            "^https://github.com/evil/",
            "--certificate-oidc-issuer",
            GHA
        ]),
        Some(1)
    );
    assert_eq!(
        with(&[
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer-regexp",
            "^https://token\\.actions\\."
        ]),
        Some(0)
    );
    assert_eq!(
        with(&[
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            "https://accounts.google.com"
        ]),
        Some(1)
    );
    let repo = "sigstore-conformance/extremely-dangerous-public-oidc-beacon";
    assert_eq!(
        with(&[
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA,
            "--certificate-github-workflow-repository",
            repo,
            "--certificate-github-workflow-ref",
            "refs/heads/main"
        ]),
        Some(0)
    );
    assert_eq!(
        with(&[
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA,
            "--certificate-github-workflow-repository",
            "other/repo"
        ]),
        Some(1)
    );
    assert_eq!(
        with(&["--certificate-identity", BEACON]),
        Some(2),
        "issuer missing is a usage error"
    );
    assert_eq!(
        with(&[
            "--certificate-identity-regexp",
            "(",
            "--certificate-oidc-issuer",
            GHA
        ]),
        Some(2)
    );
}

/// cosign's older `--bundle` JSON, built from the real v0.1 conformance bundle's parts.
#[test]
fn legacy_cosign_bundle_json_verifies() {
    let dir = format!("{CORPUS}/cosign/sigstore-conformance/bundle-verify");
    let v01: Value = serde_json::from_slice(
        &std::fs::read(format!("{dir}/happy-path-v0.1/bundle.sigstore.json")).unwrap(),
    )
    .unwrap();
    let material = &v01["verificationMaterial"];
    let cert_der = STANDARD
        .decode(
            material["x509CertificateChain"]["certificates"][0]["rawBytes"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let cert_pem =
        pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &cert_der).unwrap();
    let entry = &material["tlogEntries"][0];
    let log_id = hex::encode(
        STANDARD
            .decode(entry["logId"]["keyId"].as_str().unwrap())
            .unwrap(),
    );
    let legacy = json!({
        "base64Signature": v01["messageSignature"]["signature"],
        "cert": STANDARD.encode(cert_pem),
        "rekorBundle": {
            "SignedEntryTimestamp": entry["inclusionPromise"]["signedEntryTimestamp"],
            "Payload": {
                "body": entry["canonicalizedBody"],
                "integratedTime": entry["integratedTime"].as_str().unwrap().parse::<i64>().unwrap(),
                "logIndex": entry["logIndex"].as_str().unwrap().parse::<i64>().unwrap(),
                "logID": log_id,
            }
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("legacy.bundle");
    std::fs::write(&path, legacy.to_string()).unwrap();
    let p = path.to_str().unwrap();
    let args = [
        "verify-blob",
        "a.txt",
        "--bundle",
        p,
        "--certificate-identity",
        BEACON,
        "--certificate-oidc-issuer",
        GHA,
    ];
    let out = run(Path::new(&dir), None, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // One change at a time: a corrupted SET must fail.
    let mut bad = legacy.clone();
    bad["rekorBundle"]["SignedEntryTimestamp"] = json!(STANDARD.encode([7u8; 70]));
    std::fs::write(&path, bad.to_string()).unwrap();
    assert_eq!(run(Path::new(&dir), None, &args).status.code(), Some(1));
}

#[test]
fn verify_bundle_binary_follows_the_conformance_protocol() {
    let dir = format!("{CORPUS}/cosign/sigstore-conformance/bundle-verify");
    let d = Path::new(&dir);
    let ok = run(
        d,
        None,
        &[
            "verify-bundle",
            "--bundle",
            "happy-path-v0.2/bundle.sigstore.json",
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA,
            "a.txt",
        ],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = run(
        d,
        None,
        &[
            "verify-bundle",
            "--bundle",
            "signature-mismatch_fail/bundle.sigstore.json",
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA,
            "a.txt",
        ],
    );
    assert_ne!(bad.status.code(), Some(0));
    let staging = run(
        d,
        None,
        &[
            "verify-bundle",
            "--bundle",
            "bundle-from-wrong-instance_fail/bundle.sigstore.json",
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA,
            "a.txt",
        ],
    );
    assert_ne!(
        staging.status.code(),
        Some(0),
        "a staging bundle is invalid against production"
    );
    let key = run(
        d,
        None,
        &[
            "verify-bundle",
            "--bundle",
            "managed-key-happy-path/bundle.sigstore.json",
            "--key",
            "managed-key-happy-path/key.pub",
            "a.txt",
        ],
    );
    assert_eq!(key.status.code(), Some(0), "{}", stderr(&key));
    let py = format!("{CORPUS}/cosign/sigstore-python");
    let staged = run(
        Path::new(&py),
        None,
        &[
            "verify-bundle",
            "--staging",
            "--bundle",
            "bundle_v3.txt.sigstore",
            "--certificate-identity",
            "william@yossarian.net",
            "--certificate-oidc-issuer",
            "https://github.com/login/oauth",
            "bundle_v3.txt",
        ],
    );
    assert_eq!(
        staged.status.code(),
        Some(0),
        "embedded staging root: {}",
        stderr(&staged)
    );
}

#[test]
fn sign_pack_runs_npm_pack_and_signs_the_tarball() {
    let dir = setup();
    let d = dir.path();
    let pkg = d.join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name":"@acme/internal","version":"1.2.3"}"#,
    )
    .unwrap();
    std::fs::write(pkg.join("index.js"), "module.exports = 1;\n").unwrap();
    std::fs::create_dir(d.join("out")).unwrap();
    let out = run(
        d,
        Some("pw"),
        &[
            "sign",
            "--pack",
            "pkg",
            "--out",
            "out",
            "--key",
            "cosign.key",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tarball = result["artifact"].as_str().unwrap();
    assert!(tarball.ends_with("acme-internal-1.2.3.tgz"), "{tarball}");
    let verify = run(
        d,
        None,
        &[
            "verify-blob",
            tarball,
            "--key",
            "cosign.pub",
            "--bundle",
            result["bundlePath"].as_str().unwrap(),
            "--insecure-ignore-tlog",
        ],
    );
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
}

#[test]
fn keys_flags_name_files_with_key_and_trusted_keys_by_fingerprint() {
    let dir = setup();
    let d = dir.path();
    let add = run(
        d,
        None,
        &[
            "keys",
            "add",
            "--trust",
            "trust.json",
            "--key",
            "cosign.pub",
            "--owner",
            "release",
        ],
    );
    assert_eq!(add.status.code(), Some(0), "{}", stderr(&add));
    let trust: Value =
        serde_json::from_slice(&std::fs::read(d.join("trust.json")).unwrap()).unwrap();
    let old = trust["keys"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    // The old spelling `rotate --key FINGERPRINT` is refused: --key is a file, --from names
    // the key being replaced.
    let legacy = run(
        d,
        None,
        &[
            "keys",
            "rotate",
            "--trust",
            "trust.json",
            "--key",
            &old[..10],
            "--overlap-days",
            "3",
        ],
    );
    assert_eq!(legacy.status.code(), Some(2));
    assert!(stderr(&legacy).contains("--from"), "{}", stderr(&legacy));
    // Rotate to a public key made elsewhere: nothing is generated or written but the trust file.
    let out = run(
        d,
        Some("pw2"),
        &["generate-key-pair", "--output-key-prefix", "ext"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        d,
        None,
        &[
            "keys",
            "rotate",
            "--trust",
            "trust.json",
            "--from",
            &old[..10],
            "--key",
            "ext.pub",
            "--overlap-days",
            "3",
            "--owner",
            "ci",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!d.join("cosign-rotated.key").exists());
    let rows: Value = serde_json::from_slice(
        &run(
            d,
            None,
            &["keys", "list", "--trust", "trust.json", "--json"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert_eq!(rows[1]["owner"], "ci");
    let new = rows[1]["fingerprint"].as_str().unwrap().to_string();
    // --key with the generator's options is a usage error.
    let both = run(
        d,
        None,
        &[
            "keys",
            "rotate",
            "--trust",
            "trust.json",
            "--from",
            &new[..10],
            "--key",
            "ext.pub",
            "--output-key-prefix",
            "x",
            "--overlap-days",
            "1",
        ],
    );
    assert_eq!(both.status.code(), Some(2));
    // The new key signs, and verifies through the trust file.
    let sign = run(d, Some("pw2"), &["sign", "pkg.tgz", "--key", "ext.key"]);
    assert_eq!(sign.status.code(), Some(0), "{}", stderr(&sign));
    let verify = run(
        d,
        None,
        &[
            "verify-blob",
            "pkg.tgz",
            "--trust",
            "trust.json",
            "--signature",
            "pkg.tgz.sig",
        ],
    );
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
    // revoke --fingerprint, and the old positional spelling still works.
    let out = run(
        d,
        None,
        &[
            "keys",
            "revoke",
            "--trust",
            "trust.json",
            "--fingerprint",
            &new[..12],
            "--reason",
            "test",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        d,
        None,
        &[
            "keys",
            "revoke",
            &old[..12],
            "--trust",
            "trust.json",
            "--reason",
            "old",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let missing = run(
        d,
        None,
        &["keys", "revoke", "--trust", "trust.json", "--reason", "x"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("--fingerprint"),
        "{}",
        stderr(&missing)
    );
}
