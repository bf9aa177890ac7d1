//! `ca issue` and `ca renew`: short-lived code-signing certificates from the intermediate.

use super::build::{leaf_certificate, Identity};
use super::keys::{self, PasswordFn};
use super::state::{write_atomic, CaState, IssuedEntry};
use super::{issuer, load_ca_certs, output, CaOutput, BACKDATE_SECONDS};
use crate::cert::Cert;
use crate::chain;
use crate::error::CertError;
use chrono::{DateTime, Duration, Utc};
use sigverify_cosign::keys::PublicKey;
use sigverify_cosign::trust::SigningTime;
use std::path::Path;

/// Issues a signing certificate for `public_key` to `identity`, valid `days` days (never past
/// the intermediate), after checking it validates against this CA (name constraints included).
pub fn issue(
    dir: &Path,
    identity: &Identity,
    public_key: &PublicKey,
    days: u32,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    issue_entry(dir, identity, public_key, days, None, password, now)
}

fn issue_entry(
    dir: &Path,
    identity: &Identity,
    public_key: &PublicKey,
    days: u32,
    renewed_from: Option<String>,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    if days == 0 {
        return Err(CertError::Usage("--days must be at least 1".into()));
    }
    let mut state = CaState::load(dir)?;
    let (root, inter) = load_ca_certs(dir, &state)?;
    let key = keys::open(dir, &state.intermediate.key, password)?;
    let issuer = issuer(&inter, key.as_ref())?;
    let not_before = now - Duration::seconds(BACKDATE_SECONDS);
    let not_after = inter.not_after().min(now + Duration::days(i64::from(days)));
    let leaf = leaf_certificate(
        identity,
        state.issuer_url.as_deref(),
        public_key.spki_der(),
        not_before,
        not_after,
        &issuer,
    )?;
    chain::validate(&leaf, &[inter], &[root], SigningTime::Untimestamped(now))?;
    let file = format!("issued/{}.pem", leaf.serial_hex());
    write_atomic(&dir.join(&file), leaf.to_pem().as_bytes(), 0o644)?;
    let entry = IssuedEntry {
        serial: leaf.serial_hex(),
        identity: identity.as_str().to_string(),
        not_before: leaf.not_before(),
        not_after: leaf.not_after(),
        key_fingerprint: public_key.fingerprint(),
        certificate: file.clone(),
        renewed_from,
        revoked_at: None,
        invalid_since: None,
        reason: None,
    };
    state.issued.push(entry.clone());
    state.save(dir)?;
    Ok(output(
        vec![dir.join(file)],
        Some(entry),
        key.as_ref(),
        &leaf,
    ))
}

/// Issues a new certificate for the identity (and key, unless `new_key` is given) of the
/// certificate whose serial starts with `serial`. The old one stays valid until it expires or
/// is revoked.
pub fn renew(
    dir: &Path,
    serial: &str,
    days: u32,
    new_key: Option<&PublicKey>,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    let state = CaState::load(dir)?;
    let old = state.issued[state.find(serial)?].clone();
    let identity = Identity::parse(&old.identity)?;
    let key = match new_key {
        Some(key) => key.clone(),
        None => Cert::load_file(&dir.join(&old.certificate))?[0].public_key()?,
    };
    issue_entry(dir, &identity, &key, days, Some(old.serial), password, now)
}
