//! Trust file operations: add, rotate, revoke, and the per-key status shown by `keys list`.

use super::file::{TrustFile, TrustFileError, TrustedKey, TrustedKeyEntry};
use crate::keys::PublicKey;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Days before expiry from which `keys list` warns.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// Adds a key; refuses a fingerprint that is already present (entries are never replaced).
pub fn add_key(
    trust: &mut TrustFile,
    key: PublicKey,
    owner: &str,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
) -> Result<String, TrustFileError> {
    let fingerprint = key.fingerprint();
    if trust
        .keys
        .iter()
        .any(|k| k.entry.fingerprint == fingerprint)
    {
        return Err(TrustFileError::Lookup(format!(
            "{fingerprint} is already in the trust file"
        )));
    }
    if valid_until.is_some_and(|until| until <= valid_from) {
        return Err(TrustFileError::Lookup(format!(
            "{fingerprint}: validUntil must be after validFrom"
        )));
    }
    let entry = TrustedKeyEntry {
        fingerprint: fingerprint.clone(),
        algorithm: key.algorithm(),
        owner: owner.to_string(),
        public_key: key.to_pem(),
        valid_from,
        valid_until,
        revoked_at: None,
        revocation_reason: None,
    };
    trust.keys.push(TrustedKey { entry, key });
    Ok(fingerprint)
}

/// What a rotation changed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotateOutput {
    /// The rotated-out key.
    pub old_fingerprint: String,
    /// Its new end of validity.
    pub old_valid_until: DateTime<Utc>,
    /// The new key, valid from `now`.
    pub new_fingerprint: String,
}

/// Rotates: adds `new_key` valid from `now` and ends the old key (found by fingerprint
/// prefix) at `now + overlap_days`, never extending an earlier end and never removing it.
pub fn rotate_key(
    trust: &mut TrustFile,
    old_prefix: &str,
    overlap_days: u32,
    new_key: PublicKey,
    owner: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RotateOutput, TrustFileError> {
    let old = trust.find_by_prefix(old_prefix)?;
    let owner = owner
        .map(str::to_string)
        .unwrap_or_else(|| trust.keys[old].entry.owner.clone());
    let new_fingerprint = add_key(trust, new_key, &owner, now, None)?;
    let end = now + Duration::days(i64::from(overlap_days));
    let entry = &mut trust.keys[old].entry;
    let old_valid_until = entry.valid_until.map_or(end, |existing| existing.min(end));
    entry.valid_until = Some(old_valid_until);
    Ok(RotateOutput {
        old_fingerprint: entry.fingerprint.clone(),
        old_valid_until,
        new_fingerprint,
    })
}

/// Revokes the key named by a fingerprint prefix at `at`.
pub fn revoke_key(
    trust: &mut TrustFile,
    prefix: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<String, TrustFileError> {
    let index = trust.find_by_prefix(prefix)?;
    let entry = &mut trust.keys[index].entry;
    if let Some(existing) = entry.revoked_at {
        return Err(TrustFileError::Lookup(format!(
            "{} was already revoked at {}",
            entry.fingerprint,
            existing.to_rfc3339()
        )));
    }
    entry.revoked_at = Some(at);
    entry.revocation_reason = Some(reason.to_string());
    Ok(entry.fingerprint.clone())
}

/// One row of `keys list`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyStatus {
    /// Fingerprint.
    pub fingerprint: String,
    /// Algorithm name.
    pub algorithm: String,
    /// Owner.
    pub owner: String,
    /// Whole days since `validFrom` (negative when it starts in the future).
    pub age_days: i64,
    /// Whole days until `validUntil` (or the certificate's notAfter), if it ends.
    pub days_to_expiry: Option<i64>,
    /// Ends within [`EXPIRY_WARNING_DAYS`] and is not yet expired or revoked.
    pub expiring_soon: bool,
    /// Past its end of validity.
    pub expired: bool,
    /// Revoked (at any time, including a future revocation date already recorded).
    pub revoked: bool,
    /// Revocation reason.
    pub revocation_reason: Option<String>,
}

impl KeyStatus {
    /// Computes the status of `key` at `now`.
    pub fn of(key: &TrustedKey, now: DateTime<Utc>) -> Self {
        let entry = &key.entry;
        let cert_end = key.key.certificate_window().map(|w| w.not_after);
        let end = match (entry.valid_until, cert_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let days_to_expiry = end.map(|e| (e - now).num_days());
        let expired = end.is_some_and(|e| now >= e);
        let revoked = entry.revoked_at.is_some();
        Self {
            fingerprint: entry.fingerprint.clone(),
            algorithm: entry.algorithm.to_string(),
            owner: entry.owner.clone(),
            age_days: (now - entry.valid_from).num_days(),
            days_to_expiry,
            expiring_soon: !expired
                && !revoked
                && days_to_expiry.is_some_and(|d| d < EXPIRY_WARNING_DAYS),
            expired,
            revoked,
            revocation_reason: entry.revocation_reason.clone(),
        }
    }
}
