//! Private certificate authorities in the policy: `trust.certificateAuthorities`, CA identities
//! (`trust.identities` entries with `ca:`), approvals by identities, and the errors that keep a
//! typo from widening trust.

mod common;

use common::*;
use sigverify_policy::*;

const CA_POLICY: &str = r#"
trust:
  keys:
    release-key: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
  certificateAuthorities:
    acme:
      roots: ca/root.pem
      intermediates: [ca/intermediate.pem]
      crls: ca/crls.pem
      timestampAuthorities: tsa/chain.pem
      revocation: signing-time
  identities:
    alice: { ca: acme, subject: alice@acme.example, issuer: https://ca.acme.example }
    ci: { ca: acme, subjectRegex: 'https://ci\.acme\.example/.*' }
rules:
  - package: "@acme/*"
    require: [internal-signature]
    approvals: { threshold: 2, keys: [release-key], identities: [alice, ci] }
"#;

#[test]
fn authorities_and_ca_identities_load() {
    let p = policy(CA_POLICY);
    let ca = &p.trust.certificate_authorities["acme"];
    assert_eq!(ca.roots, [std::path::PathBuf::from("ca/root.pem")]);
    assert_eq!(ca.intermediates.len(), 1);
    assert_eq!(ca.revocation, Revocation::SigningTime);
    let alice = &p.trust.ca_identities["alice"];
    assert_eq!(alice.ca, "acme");
    assert_eq!(alice.issuer.as_deref(), Some("https://ca.acme.example"));
    assert!(
        p.trust.identities.is_empty(),
        "CA identities are not provenance identities"
    );
    let approvals = p.rules[0].approvals.as_ref().unwrap();
    assert_eq!(approvals.identities, ["alice", "ci"]);
    assert_eq!(approvals.keys, [FP_A]);
}

#[test]
fn mistakes_are_errors_with_their_path() {
    let cases = [
        ("certificateAuthorities:\n    acme: { intermediates: x.pem }", "trust.certificateAuthorities.acme.roots: a certificate authority needs 'roots'"),
        ("certificateAuthorities:\n    acme: { roots: r.pem, revocation: never }", "expected 'always' or 'signing-time'"),
        ("certificateAuthorities:\n    acme: { roots: r.pem, crl: c.pem }", "unknown key 'crl'"),
        ("identities:\n    a: { ca: nope, subject: a@x.example }", "'nope' is not defined in trust.certificateAuthorities"),
        ("certificateAuthorities:\n    acme: { roots: r.pem }\n  identities:\n    a: { ca: acme, issuer: https://x }", "needs 'subject' or 'subjectRegex'"),
        ("certificateAuthorities:\n    acme: { roots: r.pem }\n  identities:\n    a: { ca: acme, subject: a@x, repository: github.com/a/b }", "'repository' applies to Sigstore provenance identities"),
    ];
    for (trust, expected) in cases {
        let text = format!("trust:\n  {trust}\n");
        let e = load_str("p.yaml", &text, Format::Yaml)
            .unwrap_err()
            .to_string();
        assert!(e.contains(expected), "{trust}: {e}");
    }
    let unknown = "trust:\n  identities:\n    gh: { issuer: https://x, subject: s }\nrules:\n  - package: a\n    approvals: { threshold: 1, identities: [gh] }\n";
    let e = load_str("p.yaml", unknown, Format::Yaml)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("'gh' is not an identity of a certificate authority"),
        "{e}"
    );
    let e = load_str(
        "p.yaml",
        &CA_POLICY.replace("threshold: 2", "threshold: 4"),
        Format::Yaml,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("number of keys and identities (3)"), "{e}");
}

fn decided(sigs: Vec<InternalSig>) -> Decision {
    let ev = PackageEvidence {
        internal_signatures: sigs,
        ..unsigned("@acme/lib")
    };
    decide(&policy(CA_POLICY), &prod(), &ev, now())
}

#[test]
fn approvals_count_keys_and_identities_once_per_signature() {
    let alice = cert_sig(FP_B, &["alice"]);
    let ci = cert_sig(FP_C, &["ci"]);
    assert_eq!(
        decided(vec![alice.clone(), ci.clone()]).outcome,
        Outcome::Pass
    );
    assert_eq!(
        decided(vec![sig(FP_A, true), ci.clone()]).outcome,
        Outcome::Pass
    );
    let one = decided(vec![alice.clone(), alice.clone()]);
    assert_eq!(
        one.outcome,
        Outcome::Fail,
        "one identity signing twice counts once"
    );
    assert!(failed_codes(&one).contains(&"EAPPROVALTHRESHOLD".to_string()));
    // A certificate whose key is also a listed key is still one signer.
    let both = cert_sig(FP_A, &["alice"]);
    assert_eq!(decided(vec![both]).outcome, Outcome::Fail);
    // A certificate matching two identities approves once.
    assert_eq!(
        decided(vec![cert_sig(FP_B, &["alice", "ci"])]).outcome,
        Outcome::Fail
    );
    // A valid certificate of an identity no rule lists does not approve.
    assert_eq!(
        decided(vec![cert_sig(FP_B, &["other"]), ci]).outcome,
        Outcome::Fail
    );
}

#[test]
fn one_key_approves_once_whatever_carries_its_signatures() {
    // A copy of one certificate signature under a second file name matching two identities.
    let twice = cert_sig(FP_B, &["alice", "ci"]);
    let copies = decided(vec![twice.clone(), twice]);
    assert_eq!(
        copies.outcome,
        Outcome::Fail,
        "a copied signature is one signer"
    );
    assert!(failed_codes(&copies).contains(&"EAPPROVALTHRESHOLD".to_string()));
    // A bare signature by a listed key and a certificate over that same key.
    let bare_and_cert = decided(vec![sig(FP_A, true), cert_sig(FP_A, &["alice"])]);
    assert_eq!(
        bare_and_cert.outcome,
        Outcome::Fail,
        "one key, two carriers"
    );
    // Two copies under different fingerprint case are the same key.
    let upper = cert_sig(&FP_B.to_uppercase(), &["ci"]);
    assert_eq!(
        decided(vec![cert_sig(FP_B, &["alice"]), upper]).outcome,
        Outcome::Fail
    );
}

#[test]
fn the_count_is_the_best_assignment_of_signers() {
    // B could approve as alice or ci, C only as alice: B as ci and C as alice make two,
    // whatever order the signatures come in.
    let b = cert_sig(FP_B, &["alice", "ci"]);
    let c = cert_sig(FP_C, &["alice"]);
    assert_eq!(decided(vec![b.clone(), c.clone()]).outcome, Outcome::Pass);
    assert_eq!(decided(vec![c, b]).outcome, Outcome::Pass);
}

#[test]
fn paths_resolve_against_the_policy_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".npm-sigverify.yaml"), CA_POLICY).unwrap();
    let loaded = discover(dir.path(), None).unwrap().unwrap();
    let ca = &loaded.policy.trust.certificate_authorities["acme"];
    assert_eq!(ca.roots, [dir.path().join("ca/root.pem")]);
    assert_eq!(ca.crls, [dir.path().join("ca/crls.pem")]);
    assert_eq!(ca.timestamp_authorities, [dir.path().join("tsa/chain.pem")]);
}
