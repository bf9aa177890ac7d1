//! Decisions: rule precedence, each evidence kind, approvals, provenance constraints and
//! allowUnsigned.

mod common;

use common::*;
use sigverify_policy::*;
use std::collections::HashMap;

// ---- rule precedence ----

const PRECEDENCE: &str = r#"
rules:
  - package: "*"
  - package: "@acme/*"
  - package: "@acme/lib-*"
  - package: "@acme/lib-core"
  - package: "@*/*"
  - package: "left-*"
  - package: "l*"
"#;

#[test]
fn exact_beats_scope_beats_globs_beats_star() {
    let p = policy(PRECEDENCE);
    let rule = |n: &str| p.rule_for(n).map(|r| r.pattern.as_str().to_string());
    assert_eq!(rule("@acme/lib-core").as_deref(), Some("@acme/lib-core"));
    assert_eq!(
        rule("@acme/lib-util").as_deref(),
        Some("@acme/*"),
        "scope glob beats a longer non-scope glob"
    );
    assert_eq!(rule("@other/x").as_deref(), Some("@*/*"));
    assert_eq!(
        rule("left-pad").as_deref(),
        Some("left-*"),
        "longer literal text wins among globs"
    );
    assert_eq!(rule("lodash").as_deref(), Some("l*"));
    assert_eq!(rule("react").as_deref(), Some("*"));
}

#[test]
fn equal_specificity_takes_the_first_written() {
    let p = policy("rules:\n  - package: \"a*-x\"\n  - package: \"ab-*\"\n");
    assert_eq!(p.rule_for("ab-x").unwrap().pattern.as_str(), "a*-x");
    let p = policy("rules:\n  - package: \"ab-*\"\n  - package: \"a*-x\"\n");
    assert_eq!(p.rule_for("ab-x").unwrap().pattern.as_str(), "ab-*");
}

#[test]
fn star_does_not_cross_the_scope_slash_but_bare_star_matches_all() {
    let p = policy("rules:\n  - package: \"*x\"\n    require: []\n");
    assert!(p.rule_for("@acme/x").is_none());
    let d = decide(&p, &prod(), &unsigned("@acme/x"), now());
    assert_eq!((d.outcome, d.rule.as_str()), (Outcome::Fail, "default"));
    let p = policy("rules:\n  - package: \"*\"\n    require: []\n");
    assert_eq!(
        decide(&p, &prod(), &unsigned("@acme/x"), now()).outcome,
        Outcome::Pass
    );
}

// ---- defaults = npm ----

#[test]
fn without_policy_registry_signatures_follow_npm() {
    let p = Policy::default();
    let env = select_environment(&p, None, &HashMap::new()).unwrap();
    assert_eq!(
        decide(&p, &env, &signed("a", "1.0.0"), now()).outcome,
        Outcome::Pass
    );
    let d = decide(&p, &env, &unsigned("a"), now());
    assert_eq!(
        (d.outcome, failed_codes(&d)),
        (Outcome::Fail, vec!["EMISSINGSIGNATURE".to_string()])
    );
    assert_eq!(d.rule, "default");
    let invalid = SigState::Invalid {
        code: sigverify_codes::Code::parse("EINTEGRITYSIGNATURE").unwrap(),
        message: "bad".into(),
    };
    let d = decide(
        &p,
        &env,
        &PackageEvidence {
            registry_signature: invalid,
            ..signed("a", "1.0.0")
        },
        now(),
    );
    assert_eq!(failed_codes(&d), vec!["EINTEGRITYSIGNATURE"]);
    assert!(!d.remediation.is_empty());
    let skipped = SigState::Skipped {
        code: sigverify_codes::Code::parse("ENOREGISTRYKEYS").unwrap(),
        reason: "no keys".into(),
    };
    let d = decide(
        &p,
        &env,
        &PackageEvidence {
            registry_signature: skipped,
            ..signed("a", "1.0.0")
        },
        now(),
    );
    assert_eq!(d.outcome, Outcome::Pass);
    assert_eq!(
        d.checks[0].code.map(|c| c.as_str()),
        Some("ENOREGISTRYKEYS")
    );
    let bad_prov = ProvState::Invalid {
        code: sigverify_codes::Code::parse("EATTESTATIONVERIFY").unwrap(),
        message: "bad".into(),
    };
    let d = decide(
        &p,
        &env,
        &PackageEvidence {
            provenance: bad_prov,
            ..signed("a", "1.0.0")
        },
        now(),
    );
    assert_eq!(failed_codes(&d), vec!["EATTESTATIONVERIFY"]);
    assert_eq!(exit_code(&[d], &env), 1);
}

// ---- each evidence kind ----

#[test]
fn require_provenance() {
    let p = policy("rules:\n  - package: a\n    require: [provenance]\n");
    let d = decide(&p, &prod(), &signed("a", "1.0.0"), now());
    assert_eq!(failed_codes(&d), vec!["EPROVENANCEREQUIRED"]);
    let ev = with_provenance(signed("a", "1.0.0"), "github.com/o/a", "refs/tags/v1.0.0");
    assert_eq!(decide(&p, &prod(), &ev, now()).outcome, Outcome::Pass);
    let down = PackageEvidence {
        provenance: ProvState::Downgrade {
            previous: "0.9.0".into(),
        },
        ..signed("a", "1.0.0")
    };
    assert_eq!(
        failed_codes(&decide(&p, &prod(), &down, now())),
        vec!["EPROVENANCEDOWNGRADE"]
    );
}

#[test]
fn downgrade_warns_when_provenance_is_not_required() {
    let down = PackageEvidence {
        provenance: ProvState::Downgrade {
            previous: "0.9.0".into(),
        },
        ..signed("a", "1.0.0")
    };
    assert_eq!(
        decide(&Policy::default(), &prod(), &down, now()).outcome,
        Outcome::Warn
    );
}

#[test]
fn require_internal_signature() {
    let p = policy("rules:\n  - package: \"@acme/*\"\n    require: [internal-signature]\n");
    let mut ev = unsigned("@acme/x");
    assert_eq!(
        failed_codes(&decide(&p, &prod(), &ev, now())),
        vec!["EINTERNALSIGNATUREMISSING"]
    );
    ev.internal_signatures = vec![sig(FP_A, false)];
    let d = decide(&p, &prod(), &ev, now());
    assert_eq!(
        (d.outcome, failed_codes(&d)),
        (
            Outcome::Fail,
            vec!["EBADSIGNATURE".into(), "EINTERNALSIGNATUREMISSING".into()]
        )
    );
    ev.internal_signatures = vec![sig(FP_A, true)];
    assert_eq!(
        decide(&p, &prod(), &ev, now()).outcome,
        Outcome::Pass,
        "registry signature not required here"
    );
}

// ---- approvals ----

fn approvals_policy() -> Policy {
    policy(&format!(
        "trust:\n  keys:\n    alice: {FP_A}\nrules:\n  - package: \"@acme/*\"\n    require: []\n    approvals:\n      threshold: 2\n      keys: [alice, {FP_B}, {FP_C}]\n"
    ))
}

fn approved(sigs: Vec<InternalSig>) -> Outcome {
    let ev = PackageEvidence {
        internal_signatures: sigs,
        ..unsigned("@acme/x")
    };
    decide(&approvals_policy(), &prod(), &ev, now()).outcome
}

#[test]
fn two_of_three_approvals() {
    assert_eq!(
        approved(vec![sig(FP_A, true), sig(FP_C, true)]),
        Outcome::Pass
    );
    assert_eq!(
        approved(vec![sig(FP_A, true), sig(FP_B, true), sig(FP_C, true)]),
        Outcome::Pass
    );
    assert_eq!(
        approved(vec![sig(&FP_B.to_uppercase(), true), sig(FP_C, true)]),
        Outcome::Pass,
        "hex case"
    );
}

#[test]
fn one_of_three_fails() {
    assert_eq!(approved(vec![sig(FP_A, true)]), Outcome::Fail);
}

#[test]
fn duplicate_signatures_by_one_key_count_once() {
    assert_eq!(
        approved(vec![sig(FP_A, true), sig(FP_A, true)]),
        Outcome::Fail
    );
}

#[test]
fn invalid_and_ineligible_signatures_do_not_count() {
    assert_eq!(
        approved(vec![sig(FP_A, true), sig(FP_B, false)]),
        Outcome::Fail
    );
    let other = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
    assert_eq!(
        approved(vec![sig(FP_A, true), sig(other, true)]),
        Outcome::Fail
    );
    // Enough valid approvals plus a bad extra signature: passes the threshold, warns about it.
    assert_eq!(
        approved(vec![sig(FP_A, true), sig(FP_B, true), sig(FP_C, false)]),
        Outcome::Warn
    );
}

// ---- provenance constraints ----

const CONSTRAINED: &str = r#"
trust:
  identities:
    release:
      issuer: https://token.actions.githubusercontent.com
      subjectRegex: 'https://github\.com/acme/[^/]+/\.github/workflows/release\.yml@refs/tags/v.*'
rules:
  - package: match
    require: [provenance]
    provenance: { repositoryMatch: true }
  - package: repos
    provenance: { repositories: ["github.com/acme/*"] }
  - package: refs
    provenance: { workflowRefs: ["refs/tags/v*"] }
  - package: issuer
    provenance: { issuers: ["https://gitlab.com"] }
  - package: ident
    provenance: { identities: [release] }
"#;

fn prov_outcome(
    name: &str,
    repo: &str,
    declared: Option<&str>,
    workflow_ref: &str,
) -> (Outcome, Vec<String>) {
    let mut ev = with_provenance(signed(name, "1.0.0"), repo, workflow_ref);
    ev.package_repository = declared.map(str::to_string);
    let d = decide(&policy(CONSTRAINED), &prod(), &ev, now());
    (d.outcome, failed_codes(&d))
}

#[test]
fn repository_match() {
    let ok = prov_outcome(
        "match",
        "github.com/acme/a",
        Some("git+https://github.com/Acme/a.git"),
        "refs/tags/v1",
    );
    assert_eq!(ok.0, Outcome::Pass);
    let bad = prov_outcome(
        "match",
        "github.com/evil/a",
        Some("github.com/acme/a"),
        "refs/tags/v1",
    );
    assert_eq!(bad, (Outcome::Fail, vec!["EPROVENANCEREPOSITORY".into()]));
    let none = prov_outcome("match", "github.com/acme/a", None, "refs/tags/v1");
    assert_eq!(none.1, vec!["EPROVENANCEREPOSITORY"]);
}

#[test]
fn repository_patterns() {
    assert_eq!(
        prov_outcome("repos", "github.com/acme/a", None, "x").0,
        Outcome::Pass
    );
    assert_eq!(
        prov_outcome("repos", "github.com/acme-evil/a", None, "x").1,
        vec!["EPROVENANCEREPOSITORY"]
    );
}

#[test]
fn workflow_ref_patterns() {
    assert_eq!(
        prov_outcome("refs", "github.com/o/r", None, "refs/tags/v1.2.0").0,
        Outcome::Pass
    );
    assert_eq!(
        prov_outcome("refs", "github.com/o/r", None, "refs/heads/main").1,
        vec!["EPROVENANCEWORKFLOW"]
    );
}

#[test]
fn issuer_list() {
    assert_eq!(
        prov_outcome("issuer", "github.com/o/r", None, "refs/tags/v1").1,
        vec!["EPROVENANCEISSUER"]
    );
}

#[test]
fn named_identity() {
    assert_eq!(
        prov_outcome("ident", "github.com/acme/r", None, "refs/tags/v1").0,
        Outcome::Pass
    );
    assert_eq!(
        prov_outcome("ident", "github.com/acme/r", None, "refs/heads/dev").1,
        vec!["EPROVENANCEIDENTITY"]
    );
    assert_eq!(
        prov_outcome("ident", "github.com/other/r", None, "refs/tags/v1").1,
        vec!["EPROVENANCEIDENTITY"]
    );
}

// ---- allowUnsigned ----

#[test]
fn allow_unsigned_excuses_absence_only() {
    let p = policy("rules:\n  - package: \"legacy-*\"\n    require: [registry-signature, provenance]\n    allowUnsigned: true\n");
    assert_eq!(
        decide(&p, &prod(), &unsigned("legacy-a"), now()).outcome,
        Outcome::Pass
    );
    let invalid = SigState::Invalid {
        code: sigverify_codes::Code::parse("EINTEGRITYSIGNATURE").unwrap(),
        message: "bad".into(),
    };
    let ev = PackageEvidence {
        registry_signature: invalid,
        ..signed("legacy-a", "1.0.0")
    };
    assert_eq!(decide(&p, &prod(), &ev, now()).outcome, Outcome::Fail);
    // Signed but without the required provenance: not "unsigned", so it fails.
    assert_eq!(
        failed_codes(&decide(&p, &prod(), &signed("legacy-a", "1.0.0"), now())),
        vec!["EPROVENANCEREQUIRED"]
    );
    let strict = policy(
        "rules:\n  - package: \"legacy-*\"\n    require: [registry-signature, provenance]\n",
    );
    assert_eq!(
        decide(&strict, &prod(), &unsigned("legacy-a"), now()).outcome,
        Outcome::Fail
    );
}

/// A workspace is the project's own code: no rule's evidence requirement applies to it, but a
/// failed source or contents check still fails it.
#[test]
fn the_projects_own_workspaces_are_held_to_their_checks_not_to_evidence_rules() {
    let p = policy(
        "rules:\n  - package: \"*\"\n    require: [registry-signature, provenance, internal-signature]\n",
    );
    let workspace = PackageEvidence {
        registry_signature: SigState::Skipped {
            code: sigverify_codes::Code::NotRegistry,
            reason: "a workspace".into(),
        },
        own_code: true,
        ..signed("@acme/utils", "1.0.0")
    };
    assert_eq!(
        decide(&p, &prod(), &workspace, now()).outcome,
        Outcome::Pass
    );
    let replaced = PackageEvidence {
        other_checks: vec![OtherCheck {
            check: "contents".into(),
            state: OtherState::Failed,
            code: Some(sigverify_codes::Code::Extraneous),
            message: "the workspace link is a folder of other code".into(),
        }],
        ..workspace.clone()
    };
    let d = decide(&p, &prod(), &replaced, now());
    assert_eq!(d.outcome, Outcome::Fail);
    assert_eq!(failed_codes(&d), vec!["EEXTRANEOUS"]);
    let not_own = PackageEvidence {
        own_code: false,
        ..workspace
    };
    assert_eq!(decide(&p, &prod(), &not_own, now()).outcome, Outcome::Fail);
}

/// A certificate over a trust-file key approves as the identities it matched, never as that
/// key (the trust file may have revoked the key, which the CA does not know).
#[test]
fn a_certificate_over_a_trusted_key_does_not_approve_as_that_key() {
    let fp = "5b1c".repeat(16);
    let p = policy(&format!(
        "trust:\n  keys:\n    release-hsm: {fp}\nrules:\n  - package: \"@acme/*\"\n    require: [internal-signature]\n    approvals: {{ threshold: 1, keys: [release-hsm] }}\n"
    ));
    let by_certificate = PackageEvidence {
        internal_signatures: vec![cert_sig(&fp, &["ops"])],
        ..signed("@acme/lib", "1.0.0")
    };
    let d = decide(&p, &prod(), &by_certificate, now());
    assert!(
        failed_codes(&d).contains(&"EAPPROVALTHRESHOLD".to_string()),
        "{d:?}"
    );
    let by_key = PackageEvidence {
        internal_signatures: vec![sig(&fp, true)],
        ..signed("@acme/lib", "1.0.0")
    };
    assert_eq!(decide(&p, &prod(), &by_key, now()).outcome, Outcome::Pass);
}
