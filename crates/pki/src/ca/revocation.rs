//! CRLs the CA signs: the intermediate's (every revoked signing certificate) and the root's
//! (empty: intermediates are replaced by re-running `ca init`, not revoked one by one).

use super::keys::RcgenKey;
use super::state::{write_atomic, CaState, IssuedEntry};
use crate::cert::Cert;
use crate::error::CertError;
use chrono::{DateTime, Duration, Utc};
use rcgen::{
    CertificateRevocationListParams, Issuer, KeyIdMethod, RevokedCertParams, SerialNumber,
};
use sigverify_cosign::keys::custody::Signer;
use std::path::{Path, PathBuf};

/// CRL reasons accepted by `ca revoke --reason`, as RFC 5280 names them.
pub const REASONS: &[&str] = &[
    "unspecified",
    "keyCompromise",
    "affiliationChanged",
    "superseded",
    "cessationOfOperation",
    "privilegeWithdrawn",
];

/// The rcgen reason for a name of [`REASONS`].
pub(crate) fn reason(name: &str) -> Result<rcgen::RevocationReason, CertError> {
    use rcgen::RevocationReason as R;
    Ok(match name {
        "unspecified" => R::Unspecified,
        "keyCompromise" => R::KeyCompromise,
        "affiliationChanged" => R::AffiliationChanged,
        "superseded" => R::Superseded,
        "cessationOfOperation" => R::CessationOfOperation,
        "privilegeWithdrawn" => R::PrivilegeWithdrawn,
        other => {
            return Err(CertError::Usage(format!(
                "unknown revocation reason '{other}' (use one of {})",
                REASONS.join(", ")
            )))
        }
    })
}

/// Signs and writes one CRL of `ca_cert` listing `revoked`, numbered after the state's last.
pub(crate) fn write_crl(
    dir: &Path,
    state: &mut CaState,
    file: &str,
    ca_cert: &Cert,
    signer: &dyn Signer,
    revoked: &[&IssuedEntry],
    now: DateTime<Utc>,
) -> Result<PathBuf, CertError> {
    let key = RcgenKey::new(signer)?;
    let issuer = Issuer::from_ca_cert_der(&ca_cert.der().to_vec().into(), key)
        .map_err(|e| CertError::Usage(format!("cannot use the CA certificate: {e}")))?;
    state.crl_number += 1;
    let params = CertificateRevocationListParams {
        this_update: super::build::to_time(now - Duration::minutes(1))?,
        next_update: super::build::to_time(now + Duration::days(i64::from(state.crl_days)))?,
        crl_number: SerialNumber::from(state.crl_number),
        issuing_distribution_point: None,
        revoked_certs: revoked
            .iter()
            .map(|entry| revoked_params(entry))
            .collect::<Result<_, _>>()?,
        key_identifier_method: KeyIdMethod::Sha256,
    };
    let crl = params
        .signed_by(&issuer)
        .map_err(|e| CertError::Usage(format!("cannot sign the CRL: {e}")))?;
    let pem = crl
        .pem()
        .map_err(|e| CertError::Usage(format!("cannot encode the CRL: {e}")))?;
    let path = dir.join(file);
    write_atomic(&path, pem.as_bytes(), 0o644)?;
    Ok(path)
}

fn revoked_params(entry: &IssuedEntry) -> Result<RevokedCertParams, CertError> {
    let serial = hex::decode(&entry.serial)
        .map_err(|e| CertError::Usage(format!("bad serial {} in ca.json: {e}", entry.serial)))?;
    let revoked_at = entry.revoked_at.unwrap_or_default();
    Ok(RevokedCertParams {
        serial_number: SerialNumber::from_slice(&serial),
        revocation_time: super::build::to_time(revoked_at)?,
        reason_code: entry.reason.as_deref().map(reason).transpose()?,
        invalidity_date: entry.invalid_since.map(super::build::to_time).transpose()?,
    })
}
