//! Repository normalisation and the identity policy, over facts proven by real bundles.

mod common;

use common::*;
use serde_json::{json, Value};
use sigverify_attest::{
    check_identity, normalize_repository, normalize_repository_value, verify_attestations,
    IdentityPolicy, ProvenanceFacts, Severity, Subject,
};

#[test]
fn normalize_repository_table() {
    let gh = Some("github.com/a/b".to_string());
    let cases: [(&str, Option<String>); 22] = [
        ("git+https://github.com/A/B.git", gh.clone()),
        ("git+ssh://git@github.com/a/b.git", gh.clone()),
        ("git@github.com:a/b.git", gh.clone()),
        ("github:a/b", gh.clone()),
        ("a/b", gh.clone()),
        ("https://github.com/a/b/tree/main/packages/x", gh.clone()),
        ("https://github.com/a/b", gh.clone()),
        ("https://github.com/a/b/", gh.clone()),
        ("https://www.github.com/a/b.git#main", gh.clone()),
        ("git://github.com/a/b.git", gh.clone()),
        ("ssh://git@github.com:22/a/b.git", gh.clone()),
        ("https://user:tok@github.com/a/b?x=1", gh.clone()),
        ("github:a/b#semver:^1", gh.clone()),
        (
            "gitlab:grp/sub/proj",
            Some("gitlab.com/grp/sub/proj".into()),
        ),
        (
            "https://gitlab.com/grp/sub/proj/-/tree/main",
            Some("gitlab.com/grp/sub/proj".into()),
        ),
        ("bitbucket:a/b", Some("bitbucket.org/a/b".into())),
        ("gist:11081aaa281", None),
        ("https://github.com/a", None),
        ("file:../local", None),
        ("just-a-name", None),
        ("a/b/c", None),
        ("", None),
    ];
    for (input, expected) in cases {
        assert_eq!(normalize_repository(input), expected, "input {input:?}");
    }
}

#[test]
fn normalize_repository_value_accepts_string_and_object() {
    let object =
        json!({"type": "git", "url": "git+https://github.com/a/b.git", "directory": "packages/x"});
    assert_eq!(
        normalize_repository_value(&object).as_deref(),
        Some("github.com/a/b")
    );
    assert_eq!(
        normalize_repository_value(&json!("a/b")).as_deref(),
        Some("github.com/a/b")
    );
    assert_eq!(normalize_repository_value(&json!({"type": "git"})), None);
    assert_eq!(normalize_repository_value(&json!(42)), None);
}

/// Facts proven by the real gundam-visor@1.0.1 provenance.
fn gundam_facts() -> ProvenanceFacts {
    let dir = "attestations/slsa-verifier/cli-npm-gha";
    let digest = sha512(&read(&format!("{dir}/gundam-visor-cli-v1-tag.tgz")));
    let integrity = integrity_of(&digest);
    let subject = Subject {
        name: "gundam-visor",
        version: "1.0.1",
        integrity: &integrity,
        tarball_sha512: None,
    };
    let doc = read(&format!("{dir}/gundam-visor-cli-v1-tag.tgz.json"));
    let results = verify_attestations(&doc, &subject, trust()).unwrap();
    results
        .into_iter()
        .find_map(|r| r.signer)
        .expect("verified provenance")
}

fn codes(violations: &[sigverify_attest::Violation]) -> Vec<&str> {
    violations.iter().map(|v| v.code).collect()
}

#[test]
fn matching_repository_passes_default_policy() {
    let facts = gundam_facts();
    let repo =
        json!({"type": "git", "url": "git+https://github.com/RamonPetgrave64/gundam-visor.git"});
    assert_eq!(
        check_identity(Some(&facts), Some(&repo), &IdentityPolicy::default()),
        vec![]
    );
}

#[test]
fn repository_mismatch_is_flagged() {
    let facts = gundam_facts();
    let repo = json!("git+https://github.com/someone-else/gundam-visor.git");
    let violations = check_identity(Some(&facts), Some(&repo), &IdentityPolicy::default());
    assert_eq!(codes(&violations), ["EPROVENANCEREPOSITORY"]);
    assert_eq!(violations[0].severity, Severity::Error);
    assert!(
        violations[0]
            .message
            .contains("github.com/ramonpetgrave64/gundam-visor"),
        "{violations:?}"
    );
    // The same facts with repository matching switched off: nothing to report.
    let off = IdentityPolicy {
        repository_match: false,
        ..IdentityPolicy::default()
    };
    assert_eq!(check_identity(Some(&facts), Some(&repo), &off), vec![]);
}

#[test]
fn missing_repository_is_unverifiable_not_a_pass() {
    let facts = gundam_facts();
    for repo in [None, Some(Value::Null)] {
        let violations = check_identity(Some(&facts), repo.as_ref(), &IdentityPolicy::default());
        assert_eq!(codes(&violations), ["EPROVENANCENOREPOSITORY"]);
        assert_eq!(violations[0].severity, Severity::Unverifiable);
    }
    let junk = json!("file:../local");
    let violations = check_identity(Some(&facts), Some(&junk), &IdentityPolicy::default());
    assert_eq!(codes(&violations), ["EPROVENANCENOREPOSITORY"]);
}

#[test]
fn issuer_allow_list() {
    let facts = gundam_facts();
    let repo = json!("ramonpetgrave64/gundam-visor");
    let allowed = IdentityPolicy {
        allowed_issuers: vec!["https://token.actions.githubusercontent.com".into()],
        ..IdentityPolicy::default()
    };
    assert_eq!(check_identity(Some(&facts), Some(&repo), &allowed), vec![]);
    let gitlab_only = IdentityPolicy {
        allowed_issuers: vec!["https://gitlab.com".into()],
        ..allowed
    };
    assert_eq!(
        codes(&check_identity(Some(&facts), Some(&repo), &gitlab_only)),
        ["EPROVENANCEISSUER"]
    );
}

#[test]
fn workflow_ref_allow_list() {
    let facts = gundam_facts(); // built from refs/tags/v1.0.1
    let repo = json!("ramonpetgrave64/gundam-visor");
    let tags = IdentityPolicy {
        allowed_workflow_refs: vec!["refs/tags/*".into()],
        ..IdentityPolicy::default()
    };
    assert_eq!(check_identity(Some(&facts), Some(&repo), &tags), vec![]);
    let main_only = IdentityPolicy {
        allowed_workflow_refs: vec!["refs/heads/main".into()],
        ..tags
    };
    assert_eq!(
        codes(&check_identity(Some(&facts), Some(&repo), &main_only)),
        ["EPROVENANCEWORKFLOWREF"]
    );
}

#[test]
fn repository_allow_list_uses_canonical_form() {
    let facts = gundam_facts();
    let repo = json!("ramonpetgrave64/gundam-visor");
    let mine = IdentityPolicy {
        allowed_repositories: vec!["github.com/ramonpetgrave64/*".into()],
        ..IdentityPolicy::default()
    };
    assert_eq!(check_identity(Some(&facts), Some(&repo), &mine), vec![]);
    let acme = IdentityPolicy {
        allowed_repositories: vec!["github.com/acme/*".into()],
        ..mine
    };
    assert_eq!(
        codes(&check_identity(Some(&facts), Some(&repo), &acme)),
        ["EPROVENANCEREPOSITORY"]
    );
}

#[test]
fn required_provenance() {
    let required = IdentityPolicy {
        require_provenance: true,
        ..IdentityPolicy::default()
    };
    assert_eq!(
        codes(&check_identity(None, None, &required)),
        ["EPROVENANCEREQUIRED"]
    );
    assert_eq!(
        check_identity(None, None, &IdentityPolicy::default()),
        vec![]
    );
}

#[test]
fn old_certificates_fall_back_to_deprecated_github_claims() {
    // sigstore@1.0.0 (2023-02-09), one of the first npm provenance bundles.
    let subject = Subject {
        name: "sigstore",
        version: "1.0.0",
        integrity: "sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQS8Xk8iXrn9bgytytVLqYD0P7NSqZ6IELTgq+tcDvLPkQjNHyWLNg==",
        tarball_sha512: None,
    };
    let doc = read("attestations/npm-cli/sigstore@1.0.0.attestations.json");
    let results = verify_attestations(&doc, &subject, trust()).unwrap();
    let facts = results
        .iter()
        .find_map(|r| r.signer.clone())
        .expect("provenance facts");
    println!("{}", serde_json::to_string_pretty(&facts).unwrap());
    assert_eq!(
        facts.source_repository_uri.as_deref(),
        Some("https://github.com/sigstore/sigstore-js")
    );
    assert_eq!(
        facts.source_repository_ref.as_deref(),
        Some("refs/tags/v1.0.0")
    );
    assert_eq!(
        facts.commit_sha.as_deref(),
        Some("06528997c3c8ab9f864fad9a3658446aca7fd86d")
    );
    assert_eq!(
        facts.workflow_path.as_deref(),
        Some(".github/workflows/publish.yml")
    );
    assert_eq!(facts.build_trigger.as_deref(), Some("release"));
    assert_eq!(facts.source_repository_id.as_deref(), Some("495574555"));
}

#[test]
fn predicate_contradicting_the_certificate_is_flagged() {
    let mut facts = gundam_facts();
    let repo = json!("ramonpetgrave64/gundam-visor");
    facts.predicate_repository = Some("https://github.com/evil/gundam-visor".into());
    let violations = check_identity(Some(&facts), Some(&repo), &IdentityPolicy::default());
    assert_eq!(codes(&violations), ["EPROVENANCEINCONSISTENT"]);
}
