//! Helpers shared by the decision tests.

#![allow(dead_code)] // each test binary uses a different part

use chrono::{DateTime, TimeZone, Utc};
use sigverify_policy::*;

pub const FP_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const FP_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const FP_C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
pub const GH: &str = "https://token.actions.githubusercontent.com";

pub fn policy(yaml: &str) -> Policy {
    load_str("test.yaml", yaml, Format::Yaml).unwrap_or_else(|e| panic!("{e}"))
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

pub fn prod() -> Environment {
    Environment::strict("production", "built-in")
}

/// A package with a verified registry signature and nothing else.
pub fn signed(name: &str, version: &str) -> PackageEvidence {
    PackageEvidence {
        name: name.into(),
        version: version.into(),
        location: format!("node_modules/{name}"),
        registry_signature: SigState::Verified {
            keyids: vec!["SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U".into()],
        },
        provenance: ProvState::Absent,
        internal_signatures: vec![],
        other_checks: Vec::new(),
        signals: Vec::new(),
        package_repository: None,
        own_code: false,
    }
}

pub fn unsigned(name: &str) -> PackageEvidence {
    PackageEvidence {
        registry_signature: SigState::Missing,
        ..signed(name, "1.0.0")
    }
}

pub fn with_provenance(mut ev: PackageEvidence, repo: &str, workflow_ref: &str) -> PackageEvidence {
    ev.provenance = ProvState::Verified {
        repository: format!("https://{repo}"),
        workflow_ref: workflow_ref.into(),
        issuer: GH.into(),
        subject: format!("https://{repo}/.github/workflows/release.yml@{workflow_ref}"),
        log_index: 42,
    };
    ev.package_repository = Some(repo.into());
    ev
}

pub fn sig(fp: &str, valid: bool) -> InternalSig {
    InternalSig {
        fingerprint: fp.into(),
        valid,
        code: (!valid).then_some(sigverify_codes::Code::BadSignature),
        identities: Vec::new(),
    }
}

/// A certificate signature whose certificate matched these CA identities of the policy.
pub fn cert_sig(fp: &str, identities: &[&str]) -> InternalSig {
    InternalSig {
        fingerprint: fp.into(),
        valid: true,
        code: None,
        identities: identities.iter().map(|s| s.to_string()).collect(),
    }
}

pub fn failed_codes(d: &Decision) -> Vec<String> {
    d.checks
        .iter()
        .filter(|c| !c.passed)
        .filter_map(|c| c.code.map(|c| c.as_str().to_string()))
        .collect()
}
