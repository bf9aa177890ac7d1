//! Key validity over time: was the key trusted when the signature was made?

use super::file::TrustedKey;
use crate::error::Coded;
use chrono::{DateTime, Utc};

/// When the signature is taken to have been made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningTime {
    /// A verified timestamp (Rekor integrated time or RFC 3161 token).
    Timestamped(DateTime<Utc>),
    /// No timestamp: the key must be valid at verification time (`now`).
    Untimestamped(DateTime<Utc>),
}

impl SigningTime {
    /// The instant checked.
    pub fn instant(self) -> DateTime<Utc> {
        match self {
            Self::Timestamped(t) | Self::Untimestamped(t) => t,
        }
    }
    fn describe(self) -> String {
        match self {
            Self::Timestamped(t) => format!("signed at {} (verified timestamp)", t.to_rfc3339()),
            Self::Untimestamped(t) => {
                format!("no signing timestamp, checked at {}", t.to_rfc3339())
            }
        }
    }
}

/// A key that verified the signature was not valid at the signing time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidityError {
    /// No trusted key made the signature.
    #[error("key not trusted: {0}")]
    NotTrusted(String),
    /// Revoked at or before the signing time.
    #[error("key {fingerprint} was revoked at {revoked_at} ({reason}); {when}")]
    Revoked {
        /// The key.
        fingerprint: String,
        /// Revocation time (RFC 3339).
        revoked_at: String,
        /// Stated reason.
        reason: String,
        /// Signing-time description.
        when: String,
    },
    /// The signing time is before the key (or its certificate) became valid.
    #[error("{what} {fingerprint} is not valid before {valid_from}; {when}")]
    NotYetValid {
        /// `key` or `certificate of key`.
        what: &'static str,
        /// The key.
        fingerprint: String,
        /// Start of validity (RFC 3339).
        valid_from: String,
        /// Signing-time description.
        when: String,
    },
    /// The signing time is at/after the key's `validUntil` (or its certificate's notAfter).
    #[error("{what} {fingerprint} expired at {valid_until}; {when}")]
    Expired {
        /// `key` or `certificate of key`.
        what: &'static str,
        /// The key.
        fingerprint: String,
        /// End of validity (RFC 3339).
        valid_until: String,
        /// Signing-time description.
        when: String,
    },
}

impl Coded for ValidityError {
    fn code(&self) -> &'static str {
        match self {
            Self::NotTrusted(_) => "EKEYNOTTRUSTED",
            Self::Revoked { .. } => "EKEYREVOKED",
            Self::NotYetValid { .. } => "EKEYNOTYETVALID",
            Self::Expired { .. } => "EKEYEXPIRED",
        }
    }
    fn remediation(&self) -> &'static str {
        match self {
            Self::NotTrusted(_) => {
                "add the signer's key to the trust file (`keys add`) if it is really yours"
            }
            Self::Revoked { .. } => {
                "do not install: the key was revoked; re-sign with a current key"
            }
            Self::NotYetValid { .. } => {
                "the signature predates the key's validity: check the trust file's validFrom"
            }
            Self::Expired { .. } => "re-sign the package with the current key (see `keys rotate`)",
        }
    }
}

/// Checks one key's validity window, revocation and certificate window at `time`.
pub fn check_validity(key: &TrustedKey, time: SigningTime) -> Result<(), ValidityError> {
    let entry = &key.entry;
    let t = time.instant();
    let fingerprint = entry.fingerprint.clone();
    if let Some(revoked_at) = entry.revoked_at.filter(|r| t >= *r) {
        return Err(ValidityError::Revoked {
            fingerprint,
            revoked_at: revoked_at.to_rfc3339(),
            reason: entry
                .revocation_reason
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
            when: time.describe(),
        });
    }
    check_window(
        "key",
        &fingerprint,
        entry.valid_from,
        entry.valid_until,
        time,
    )?;
    if let Some(window) = key.key.certificate_window() {
        // notAfter is inclusive in X.509; our validUntil is exclusive, so add one second.
        let end = window.not_after + chrono::Duration::seconds(1);
        check_window(
            "certificate of key",
            &fingerprint,
            window.not_before,
            Some(end),
            time,
        )?;
    }
    Ok(())
}

fn check_window(
    what: &'static str,
    fingerprint: &str,
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    time: SigningTime,
) -> Result<(), ValidityError> {
    let t = time.instant();
    if t < from {
        return Err(ValidityError::NotYetValid {
            what,
            fingerprint: fingerprint.to_string(),
            valid_from: from.to_rfc3339(),
            when: time.describe(),
        });
    }
    if let Some(until) = until.filter(|u| t >= *u) {
        return Err(ValidityError::Expired {
            what,
            fingerprint: fingerprint.to_string(),
            valid_until: until.to_rfc3339(),
            when: time.describe(),
        });
    }
    Ok(())
}
