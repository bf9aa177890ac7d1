//! Policy files: `load_str` as YAML and as JSON; a policy that loads is then applied to a few
//! packages, so its patterns, exceptions and environments run too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_policy::{
    decide, document_json, load_str, select_environment, Format, PackageEvidence, Policy,
    ProvState, SigState,
};
use std::collections::HashMap;
use std::sync::LazyLock;

static PACKAGES: LazyLock<Vec<PackageEvidence>> = LazyLock::new(|| {
    vec![
        package("@acme/public-ui", "1.2.3", SigState::Missing),
        package("old-lib", "1.4.0", SigState::Missing),
        package(
            "react",
            "19.0.0",
            SigState::Verified {
                keyids: vec!["SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U".into()],
            },
        ),
    ]
});

fuzz_target!(
    init: {
        // The policy crate turns node-semver's panics into errors (`catch_unwind` in
        // exception.rs); libfuzzer-sys's hook would abort on those too. With the default hook
        // back, a panic that escapes still aborts: libfuzzer-sys catches it and calls abort.
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        for format in [Format::Yaml, Format::Json] {
            let _ = document_json("fuzz.policy", text, format);
            if let Ok(policy) = load_str("fuzz.policy", text, format) {
                apply(&policy);
            }
        }
    }
);

fn apply(policy: &Policy) {
    let env = HashMap::new();
    let Ok(environment) = select_environment(policy, None, &env) else {
        return;
    };
    let now = fixed_now();
    for evidence in PACKAGES.iter() {
        let _ = decide(policy, &environment, evidence, now);
    }
}

/// A fixed instant, so a run is reproducible (exceptions expire relative to it).
fn fixed_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default()
}

fn package(name: &str, version: &str, registry_signature: SigState) -> PackageEvidence {
    PackageEvidence {
        name: name.into(),
        version: version.into(),
        location: format!("node_modules/{name}"),
        registry_signature,
        provenance: ProvState::Verified {
            repository: "github.com/acme/ui".into(),
            workflow_ref: ".github/workflows/release.yml@refs/tags/v1.2.3".into(),
            issuer: "https://token.actions.githubusercontent.com".into(),
            subject: "https://github.com/acme/ui/.github/workflows/release.yml@refs/tags/v1.2.3"
                .into(),
            log_index: 1,
        },
        internal_signatures: Vec::new(),
        package_repository: Some("github.com/acme/ui".into()),
        other_checks: Vec::new(),
        signals: Vec::new(),
        own_code: false,
    }
}
