//! `ca list`: every issued certificate with its expiry and revocation.

use super::state::CaState;
use crate::error::CertError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;

/// One row of `ca list`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedStatus {
    /// Serial (hex).
    pub serial: String,
    /// Email or URI.
    pub identity: String,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// Hours until expiry (negative when expired).
    pub hours_left: i64,
    /// `valid`, `expired` or `revoked`.
    pub status: &'static str,
    /// Revocation time and reason, when revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
    /// Fingerprint of the certified key.
    pub key_fingerprint: String,
    /// The serial it renewed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renewed_from: Option<String>,
}

/// The issued certificates of the CA in `dir`, oldest first, as of `now`.
pub fn list(dir: &Path, now: DateTime<Utc>) -> Result<Vec<IssuedStatus>, CertError> {
    let state = CaState::load(dir)?;
    Ok(state
        .issued
        .iter()
        .map(|e| IssuedStatus {
            serial: e.serial.clone(),
            identity: e.identity.clone(),
            not_after: e.not_after,
            hours_left: (e.not_after - now).num_hours(),
            status: match (e.revoked_at, now > e.not_after) {
                (Some(_), _) => "revoked",
                (None, true) => "expired",
                (None, false) => "valid",
            },
            revoked: e.revoked_at.map(|at| {
                let reason = e.reason.as_deref().unwrap_or("unspecified");
                format!("{} ({reason})", at.to_rfc3339())
            }),
            key_fingerprint: e.key_fingerprint.clone(),
            renewed_from: e.renewed_from.clone(),
        })
        .collect())
}
