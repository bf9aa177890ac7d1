//! A package's typed check outcomes, in the policy's terms. A straight mapping: no state is
//! guessed back from a code.

use sigverify_policy::{
    InternalSig, OtherCheck, OtherState, PackageEvidence, Policy, ProvState, RegistryKeys, SigState,
};

use crate::model::{CheckOutcome, CheckState, PackageResult};
use crate::source::keyring::is_public_npm;
use crate::Code;

/// What the verifier found for `p`, with the policy's pinned registry keys applied.
pub(super) fn of(p: &PackageResult, policy: &Policy) -> PackageEvidence {
    PackageEvidence {
        name: p.name.clone(),
        version: p.version.clone(),
        location: p.location.clone(),
        registry_signature: pin_keys(signature(p), p, policy),
        provenance: provenance(p),
        internal_signatures: internal(p),
        package_repository: p.repository.clone(),
        other_checks: others(p),
        signals: p.signals.clone(),
        own_code: p.source == "workspace",
    }
}

fn message(c: &CheckOutcome) -> String {
    c.message.clone().unwrap_or_default()
}

fn signature(p: &PackageResult) -> SigState {
    let c = &p.checks.registry_signature;
    match (c.state, c.code) {
        (CheckState::Passed, _) => SigState::Verified {
            keyids: p.keyids.clone(),
        },
        (CheckState::Failed, Some(Code::MissingSignature)) => SigState::Missing,
        (CheckState::Failed, code) => SigState::Invalid {
            code: code.unwrap_or(Code::IntegritySignature),
            message: message(c),
        },
        (CheckState::Unavailable, code) | (CheckState::Off, code) => SigState::Unavailable {
            code: code.unwrap_or(Code::NotChecked),
            message: message(c),
        },
        (CheckState::NotApplicable, code) => SigState::Skipped {
            code: code.unwrap_or(Code::NotRegistry),
            reason: message(c),
        },
    }
}

/// A registry whose keys the policy pins: a signature by any other registry key does not count,
/// and a registry that stops publishing keys (a mirror stripping them) does not skip the check.
fn pin_keys(state: SigState, p: &PackageResult, policy: &Policy) -> SigState {
    if let Some(message) = unlisted_registry(policy, p) {
        return SigState::Invalid {
            code: Code::KeyNotPinned,
            message,
        };
    }
    let Some(pinned) = pinned_keys(policy, p.registry.as_deref()) else {
        return state;
    };
    if let SigState::Skipped {
        code: Code::NoRegistryKeys,
        ..
    } = &state
    {
        let message = format!(
            "{}: the policy pins {} for {} but the registry published no signing keys",
            p.id(),
            pinned.join(", "),
            p.registry.as_deref().unwrap_or("its registry")
        );
        return SigState::Invalid {
            code: Code::KeyNotPinned,
            message,
        };
    }
    let SigState::Verified { keyids } = &state else {
        return state;
    };
    // Fingerprints compare without base64 padding (a pin may be written with it). A keyid of
    // this form names its own key: keys documents where it does not are refused when read.
    let unpadded = |id: &str| id.trim_end_matches('=').to_string();
    if keyids
        .iter()
        .any(|k| pinned.iter().any(|pin| unpadded(pin) == unpadded(k)))
    {
        return state;
    }
    let message = format!(
        "{} is signed by {} but the policy pins {} for {}",
        p.id(),
        keyids.join(", "),
        pinned.join(", "),
        p.registry.as_deref().unwrap_or("its registry")
    );
    SigState::Invalid {
        code: Code::KeyNotPinned,
        message,
    }
}

/// A policy that pins keys names the registries it trusts: a registry package from any other
/// (but npm's public registry, whose keys are embedded) is not judged by keys that registry
/// serves itself. A pull request that points `.npmrc` (and the lockfile) at a registry of its
/// own choosing must not move trust there.
fn unlisted_registry(policy: &Policy, p: &PackageResult) -> Option<String> {
    let pins = policy.trust.registries.values();
    if !pins
        .into_iter()
        .any(|k| matches!(k, RegistryKeys::Pinned(_)))
    {
        return None;
    }
    // Whatever the registry answered (keys or none): only packages not checked by design
    // (omitted, not installed) are left alone.
    let by_design = matches!(
        p.checks.registry_signature.code,
        Some(Code::Omitted | Code::NotInstalled)
    );
    if p.source != "registry" || by_design {
        return None;
    }
    let registry = p.registry.as_deref()?;
    // npm's public registry is the one whose embedded keys every run uses, by host (as the
    // keyring decides), whatever the policy lists.
    let public = url::Url::parse(registry).is_ok_and(|u| is_public_npm(&u));
    if public || registry_entry(policy, registry).is_some() {
        return None;
    }
    Some(format!(
        "{}: comes from {registry}, which the policy's trust.registries does not list (it pins keys for {}): add it there with its keys",
        p.id(),
        policy.trust.registries.keys().cloned().collect::<Vec<_>>().join(", ")
    ))
}

fn pinned_keys<'a>(policy: &'a Policy, registry: Option<&str>) -> Option<&'a Vec<String>> {
    match registry_entry(policy, registry?)? {
        RegistryKeys::Pinned(ids) => Some(ids),
        RegistryKeys::Auto => None,
    }
}

/// The policy's `trust.registries` entry for `registry` (URLs compare case-insensitively,
/// without a trailing slash).
fn registry_entry<'a>(policy: &'a Policy, registry: &str) -> Option<&'a RegistryKeys> {
    let normalize = |url: &str| url.trim_end_matches('/').to_ascii_lowercase();
    let registry = normalize(registry);
    policy
        .trust
        .registries
        .iter()
        .find(|(url, _)| normalize(url) == registry)
        .map(|(_, keys)| keys)
}

fn provenance(p: &PackageResult) -> ProvState {
    let c = &p.checks.attestations;
    match (c.state, c.code) {
        (CheckState::Failed, Some(Code::ProvenanceDowngrade)) => ProvState::Downgrade {
            previous: message(c),
        },
        (CheckState::Failed | CheckState::Unavailable, code) => ProvState::Invalid {
            code: code.unwrap_or(Code::AttestationVerify),
            message: message(c),
        },
        (CheckState::Off, _) if p.checks.registry_signature.state == CheckState::Passed => {
            ProvState::NotChecked
        }
        _ => verified_provenance(p).unwrap_or(ProvState::Absent),
    }
}

fn verified_provenance(p: &PackageResult) -> Option<ProvState> {
    if p.provenance.as_deref() != Some("verified") {
        return None;
    }
    let s = p
        .attestations
        .iter()
        .filter(|a| a.kind == "provenance" && a.status == "verified")
        .find_map(|a| a.signer.as_ref())?;
    Some(ProvState::Verified {
        repository: s.source_repository_uri.clone().unwrap_or_default(),
        workflow_ref: s.source_repository_ref.clone().unwrap_or_default(),
        issuer: s.issuer.clone().unwrap_or_default(),
        subject: s.san.clone().unwrap_or_default(),
        log_index: s.log_index.unwrap_or_default(),
    })
}

/// Each internal signature found; failures without a verifying key are named by where they were.
fn internal(p: &PackageResult) -> Vec<InternalSig> {
    p.internal_signatures
        .iter()
        .map(|s| InternalSig {
            fingerprint: s.fingerprint.clone().unwrap_or_else(|| s.location.clone()),
            valid: s.valid,
            code: s
                .code
                .as_deref()
                .map(|c| Code::parse(c).unwrap_or(Code::InternalSignature)),
            identities: s.identities.clone(),
        })
        .collect()
}

/// Integrity, contents and source: their failures fail the package whatever the rule.
fn others(p: &PackageResult) -> Vec<OtherCheck> {
    let checks = [
        ("integrity", &p.checks.integrity),
        ("contents", &p.checks.contents),
        ("source", &p.checks.source),
    ];
    checks
        .into_iter()
        .filter_map(|(name, c)| {
            let state = match c.state {
                CheckState::Passed => OtherState::Passed,
                CheckState::Failed => OtherState::Failed,
                CheckState::Unavailable => OtherState::Unavailable,
                CheckState::NotApplicable | CheckState::Off => return None,
            };
            let message = match state {
                OtherState::Passed => format!("{}: {name} check passed", p.id()),
                _ => message(c),
            };
            Some(OtherCheck {
                check: name.to_string(),
                state,
                code: c.code,
                message,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::unlisted_registry;
    use crate::model::PackageResult;
    use sigverify_policy::{load_str, Format, Policy};

    fn policy(keys: &str) -> Policy {
        let text =
            format!("trust:\n  registries:\n    https://npm.acme.example/:\n      keys: {keys}\n");
        load_str("p.yaml", &text, Format::Yaml).unwrap()
    }

    fn from(registry: &str) -> PackageResult {
        let mut p = PackageResult::new("a", "1.0.0", "node_modules/a", "registry");
        p.registry = Some(registry.to_string());
        p
    }

    #[test]
    fn under_pins_only_listed_registries_and_npms_public_one_are_trusted() {
        let pinned = policy(r#"["SHA256:abc"]"#);
        for trusted in [
            "https://registry.npmjs.org/",
            "http://registry.npmjs.org",
            "https://NPM.acme.example",
        ] {
            assert!(
                unlisted_registry(&pinned, &from(trusted)).is_none(),
                "{trusted}"
            );
        }
        let why = unlisted_registry(&pinned, &from("https://evil.example/")).unwrap();
        assert!(why.contains("does not list"), "{why}");
        // Without a pin the policy trusts registries as npm does.
        assert!(unlisted_registry(&policy("auto"), &from("https://evil.example/")).is_none());
    }
}
