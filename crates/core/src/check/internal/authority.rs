//! Internal signatures made with certificates from the policy's private CAs: the bundle must
//! verify against one `trust.certificateAuthorities` entry (chain at the proven signing time,
//! CRLs) and its certificate must match an identity bound to that CA (`trust.identities` with
//! `ca:`). The verdict names the identities it matched, which approvals count.

use chrono::{DateTime, Utc};
use sigverify_cosign::bundle::Bundle;
use sigverify_cosign::{ArtifactInput, Coded};
use sigverify_pki::verify::{verify_certificate, CaFiles, CaTrust, CertEvidence, CertVerified};
use sigverify_pki::{CertError, RevocationMode};
use sigverify_policy::{CaIdentity, Revocation, SubjectMatch, Trust};

use crate::error::VerifyError;
use crate::model::InternalSignature;

/// One CA of the policy, loaded, with the identities bound to it.
pub(crate) struct Authority {
    name: String,
    trust: CaTrust,
    identities: Vec<(String, CaIdentity)>,
}

/// Loads every `trust.certificateAuthorities` entry of the policy (its files must be usable).
pub(crate) fn load_authorities(policy: &Trust) -> Result<Vec<Authority>, VerifyError> {
    policy
        .certificate_authorities
        .iter()
        .map(|(name, ca)| {
            let files = CaFiles {
                roots: ca.roots.clone(),
                intermediates: ca.intermediates.clone(),
                crls: ca.crls.clone(),
                timestamp_authorities: ca.timestamp_authorities.clone(),
                revocation: match ca.revocation {
                    Revocation::Always => RevocationMode::Always,
                    Revocation::SigningTime => RevocationMode::SigningTime,
                },
            };
            let trust = CaTrust::load(name, &files).map_err(|e| {
                VerifyError::CaMaterial(format!("certificate authority '{name}': {e}"))
            })?;
            let identities = policy
                .ca_identities
                .iter()
                .filter(|(_, id)| id.ca == *name)
                .map(|(n, id)| (n.clone(), id.clone()))
                .collect();
            Ok(Authority {
                name: name.clone(),
                trust,
                identities,
            })
        })
        .collect()
}

/// Judges a bundle that carries a certificate against the policy's CAs.
pub(crate) fn judge_certificate(
    authorities: &[Authority],
    artifact: &ArtifactInput,
    bundle: &Bundle,
    source: &str,
    location: String,
    now: DateTime<Utc>,
) -> InternalSignature {
    if authorities.is_empty() {
        let why = format!(
            "{location} is signed with a certificate, but the policy trusts no certificate authority (trust.certificateAuthorities)"
        );
        return InternalSignature::failed(source, location, "ECERTCHAIN", why);
    }
    let mut errors = Vec::new();
    for authority in authorities {
        match verify_certificate(
            artifact,
            &CertEvidence::Bundle(bundle),
            &authority.trust,
            now,
        ) {
            Ok(verified) => match matched(authority, &verified) {
                Ok(names) => return valid(source, location, authority, verified, names),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(e),
        }
    }
    // The most telling failure: one from the CA that issued it (expired, revoked, wrong
    // identity) rather than "does not chain" from the others.
    let error = errors
        .iter()
        .find(|e| e.code() != "ECERTCHAIN")
        .or(errors.first());
    let (code, why) = match error {
        Some(e) => (e.code(), format!("{location}: {e}")),
        None => (
            "ECERTCHAIN",
            format!("{location}: no certificate authority matched"),
        ),
    };
    let mut failed = InternalSignature::failed(source, location, code, why);
    failed.fingerprint = leaf_fingerprint(bundle);
    failed
}

fn valid(
    source: &str,
    location: String,
    authority: &Authority,
    verified: CertVerified,
    identities: Vec<String>,
) -> InternalSignature {
    InternalSignature {
        source: source.into(),
        location,
        valid: true,
        fingerprint: Some(verified.fingerprint),
        owner: Some(format!(
            "{} (certificate {} from CA {})",
            verified.identities.join(", "),
            verified.serial,
            authority.name
        )),
        checked_at: verified.checked_at.first().map(|t| t.to_rfc3339()),
        timestamped: verified.timestamped,
        code: None,
        message: None,
        identities,
    }
}

/// The names of the CA's identities the certificate satisfies; none is an identity mismatch.
fn matched(authority: &Authority, verified: &CertVerified) -> Result<Vec<String>, CertError> {
    let names: Vec<String> = authority
        .identities
        .iter()
        .filter(|(_, id)| identity_matches(id, verified))
        .map(|(name, _)| name.clone())
        .collect();
    if names.is_empty() {
        let bound: Vec<&str> = authority
            .identities
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        return Err(CertError::Identity(format!(
            "the certificate of {} (issuer {}) from CA '{}' matches none of the policy's identities for that CA ({})",
            verified.identities.join(", "),
            verified.oidc_issuer.as_deref().unwrap_or("none"),
            authority.name,
            if bound.is_empty() { "none defined".to_string() } else { bound.join(", ") }
        )));
    }
    Ok(names)
}

fn identity_matches(id: &CaIdentity, verified: &CertVerified) -> bool {
    let subject_ok = verified.identities.iter().any(|s| match &id.subject {
        SubjectMatch::Exact(expected) => s == expected,
        SubjectMatch::Regex(re) => re.is_match(s),
        SubjectMatch::Any => false,
    });
    let issuer_ok = id
        .issuer
        .as_deref()
        .is_none_or(|expected| verified.oidc_issuer.as_deref() == Some(expected));
    subject_ok && issuer_ok
}

fn leaf_fingerprint(bundle: &Bundle) -> Option<String> {
    let certs = sigverify_pki::verify::bundle_certificates(bundle).ok()?;
    Some(certs.first()?.public_key().ok()?.fingerprint())
}
