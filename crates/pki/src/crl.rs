//! Certificate revocation lists: parsing, verification against the issuing CA, and revocation
//! decisions that can respect the signing time.
//!
//! Rules: the leaf's issuer must have a current CRL (like `openssl verify -crl_check`); an
//! intermediate is checked when a CRL of its issuer is given. A CRL counts only when its issuer
//! name is the certificate's issuer and the issuer's key verifies it; it is current when
//! `thisUpdate` is not in the future and `nextUpdate` (if any) has not passed. The revocation
//! time is the earlier of the entry's `revocationDate` and `invalidityDate` (the CA can date a
//! key compromise back).

use crate::cert::{pem_blocks, to_chrono, Cert};
use crate::chain::describe_time;
use crate::error::{material, CertError};
use crate::sigalg;
use chrono::{DateTime, Duration, Utc};
use der::{Decode, Encode};
use sigverify_cosign::trust::SigningTime;
use std::path::Path;
use x509_cert::crl::{CertificateList, RevokedCert};
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::crl::CrlReason;
use x509_cert::ext::pkix::KeyUsages;

const CRL_NUMBER: &str = "2.5.29.20";
const DELTA_CRL: &str = "2.5.29.27";
const ISSUING_DP: &str = "2.5.29.28";
const REASON: &str = "2.5.29.21";
const INVALIDITY_DATE: &str = "2.5.29.24";
/// Clock skew tolerated on `thisUpdate`.
const SKEW_MINUTES: i64 = 5;

/// How a revocation affects signatures made before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RevocationMode {
    /// A revoked certificate fails whatever the signing time (the safe default: a key may have
    /// been stolen before anyone noticed).
    #[default]
    Always,
    /// A signature whose verified timestamp is before the revocation time stays valid.
    SigningTime,
}

/// A parsed CRL.
#[derive(Debug, Clone)]
pub struct Crl {
    der: Vec<u8>,
    parsed: CertificateList,
    source: String,
}

impl Crl {
    /// Every CRL in a PEM text (`X509 CRL` blocks) or one DER CRL.
    pub fn parse_all(bytes: &[u8], source: &str) -> Result<Vec<Crl>, CertError> {
        pem_blocks(bytes, "X509 CRL", source)?
            .into_iter()
            .map(|der| {
                let parsed = CertificateList::from_der(&der)
                    .map_err(|e| material(source, format!("not a DER CRL: {e}")))?;
                Ok(Crl {
                    der,
                    parsed,
                    source: source.to_string(),
                })
            })
            .collect()
    }

    /// Reads the CRLs of a file.
    pub fn load_file(path: &Path) -> Result<Vec<Crl>, CertError> {
        let bytes = std::fs::read(path).map_err(|e| material(path.display(), e))?;
        let crls = Crl::parse_all(&bytes, &path.display().to_string())?;
        if crls.is_empty() {
            return Err(material(path.display(), "holds no CRL"));
        }
        Ok(crls)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// `thisUpdate`.
    pub fn this_update(&self) -> DateTime<Utc> {
        to_chrono(&self.parsed.tbs_cert_list.this_update)
    }

    /// `nextUpdate`, if any.
    pub fn next_update(&self) -> Option<DateTime<Utc>> {
        self.parsed
            .tbs_cert_list
            .next_update
            .as_ref()
            .map(to_chrono)
    }

    /// Serials (hex) listed as revoked.
    pub fn revoked_serials(&self) -> Vec<String> {
        entries(&self.parsed)
            .iter()
            .map(|e| hex::encode(e.serial_number.as_bytes()))
            .collect()
    }

    fn issuer_der(&self) -> Vec<u8> {
        self.parsed
            .tbs_cert_list
            .issuer
            .to_der()
            .unwrap_or_default()
    }

    /// Checks signature, issuer key usage and extensions against `issuer`.
    fn verify(&self, issuer: &Cert) -> Result<(), CertError> {
        let invalid = |why: String| {
            CertError::CrlInvalid(format!(
                "CRL {} of '{}' {why}",
                self.source,
                issuer.tbs().subject
            ))
        };
        let tbs = &self.parsed.tbs_cert_list;
        if tbs.signature != self.parsed.signature_algorithm {
            return Err(invalid("names two signature algorithms".into()));
        }
        let signed = sigalg::signed_part(&self.der).map_err(&invalid)?;
        let signature = self.parsed.signature.as_bytes().unwrap_or_default();
        sigalg::verify_signed(&issuer.spki_der(), &tbs.signature.oid, signed, signature)
            .map_err(|e| invalid(format!("does not verify: {e}")))?;
        if let Some(ku) = issuer.key_usage().map_err(CertError::Chain)? {
            if !ku.0.contains(KeyUsages::CRLSign) {
                return Err(invalid(
                    "is signed by a CA without the cRLSign key usage".into(),
                ));
            }
        }
        for ext in tbs.crl_extensions.iter().flatten() {
            let oid = ext.extn_id.to_string();
            if oid == DELTA_CRL {
                return Err(invalid("is a delta CRL, which is not supported".into()));
            }
            let known = [CRL_NUMBER, ISSUING_DP, "2.5.29.35", "2.5.29.46"];
            if ext.critical && !known.contains(&oid.as_str()) {
                return Err(invalid(format!(
                    "has an unsupported critical extension {oid}"
                )));
            }
        }
        Ok(())
    }

    /// Whether this CRL's scope (issuing distribution point) covers `cert`.
    fn covers(&self, cert: &Cert) -> Result<bool, CertError> {
        let tbs = &self.parsed.tbs_cert_list;
        let Some(ext) = tbs
            .crl_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id.to_string() == ISSUING_DP)
        else {
            return Ok(true);
        };
        let idp = IssuingDistributionPoint::from_der(ext.extn_value.as_bytes()).map_err(|e| {
            CertError::CrlInvalid(format!(
                "CRL {}: bad issuing distribution point: {e}",
                self.source
            ))
        })?;
        if idp.indirect_crl || idp.only_some_reasons.is_some() || idp.only_contains_attribute_certs
        {
            return Err(CertError::CrlInvalid(format!(
                "CRL {} is indirect or partitioned by reason, which is not supported",
                self.source
            )));
        }
        Ok(!(idp.only_contains_user_certs && cert.is_ca()
            || idp.only_contains_ca_certs && !cert.is_ca()))
    }

    /// The effective revocation time and reason of `cert`, if this CRL lists it.
    fn lookup(&self, cert: &Cert) -> Result<Option<(DateTime<Utc>, String)>, CertError> {
        let serial = cert.tbs().serial_number.as_bytes();
        let Some(entry) = entries(&self.parsed)
            .iter()
            .find(|e| e.serial_number.as_bytes() == serial)
        else {
            return Ok(None);
        };
        let (reason, invalidity) = entry_extensions(entry, &self.source)?;
        if reason == Some(CrlReason::RemoveFromCRL) {
            return Ok(None);
        }
        let dated = to_chrono(&entry.revocation_date);
        let at = invalidity.map_or(dated, |i| i.min(dated));
        let reason = reason.map_or("no reason given".to_string(), |r| format!("{r:?}"));
        Ok(Some((at, reason)))
    }
}

fn entries(list: &CertificateList) -> &[RevokedCert] {
    list.tbs_cert_list
        .revoked_certificates
        .as_deref()
        .unwrap_or_default()
}

fn entry_extensions(
    entry: &RevokedCert,
    source: &str,
) -> Result<(Option<CrlReason>, Option<DateTime<Utc>>), CertError> {
    let bad = |why: String| CertError::CrlInvalid(format!("CRL {source}: {why}"));
    let (mut reason, mut invalidity) = (None, None);
    for ext in entry.crl_entry_extensions.iter().flatten() {
        match ext.extn_id.to_string().as_str() {
            REASON => {
                reason = Some(
                    CrlReason::from_der(ext.extn_value.as_bytes())
                        .map_err(|e| bad(format!("bad reason code: {e}")))?,
                )
            }
            INVALIDITY_DATE => {
                let time = der::asn1::GeneralizedTime::from_der(ext.extn_value.as_bytes())
                    .map_err(|e| bad(format!("bad invalidity date: {e}")))?;
                let secs = time.to_unix_duration().as_secs() as i64;
                invalidity = DateTime::from_timestamp(secs, 0);
            }
            other if ext.critical => {
                return Err(bad(format!("unsupported critical entry extension {other}")))
            }
            _ => {}
        }
    }
    Ok((reason, invalidity))
}

/// Checks the revocation status of every certificate of a validated `path` (leaf first).
pub fn check_path(
    path: &[Cert],
    crls: &[Crl],
    mode: RevocationMode,
    time: SigningTime,
    now: DateTime<Utc>,
) -> Result<(), CertError> {
    for index in 0..path.len().saturating_sub(1) {
        check_one(
            &path[index],
            &path[index + 1],
            index == 0,
            crls,
            mode,
            time,
            now,
        )?;
    }
    Ok(())
}

fn check_one(
    cert: &Cert,
    issuer: &Cert,
    required: bool,
    crls: &[Crl],
    mode: RevocationMode,
    time: SigningTime,
    now: DateTime<Utc>,
) -> Result<(), CertError> {
    let issuer_name = cert.issuer_der();
    let mut current = Vec::new();
    let mut stale = None;
    for crl in crls.iter().filter(|c| c.issuer_der() == issuer_name) {
        crl.verify(issuer)?;
        if !crl.covers(cert)? {
            continue;
        }
        match crl.next_update() {
            Some(next) if next <= now => stale = Some(next),
            _ if crl.this_update() > now + Duration::minutes(SKEW_MINUTES) => {}
            _ => current.push(crl),
        }
    }
    if current.is_empty() {
        return match (required, stale) {
            (false, None) => Ok(()),
            (_, Some(next)) => Err(CertError::CrlUnavailable(format!(
                "the CRL of '{}' expired at {} (nextUpdate), so the revocation status of {} is unknown",
                issuer.tbs().subject,
                next.to_rfc3339(),
                cert.describe()
            ))),
            (true, None) => Err(CertError::CrlUnavailable(format!(
                "no CRL of '{}' was given, so the revocation status of {} is unknown",
                issuer.tbs().subject,
                cert.describe()
            ))),
        };
    }
    for crl in current {
        if let Some((at, reason)) = crl.lookup(cert)? {
            let counts = match (mode, time) {
                (RevocationMode::Always, _) => true,
                (RevocationMode::SigningTime, t) => t.instant() >= at,
            };
            if counts {
                return Err(CertError::Revoked {
                    what: cert.describe(),
                    serial: cert.serial_hex(),
                    at: at.to_rfc3339(),
                    reason,
                    when: describe_time(time),
                });
            }
        }
    }
    Ok(())
}
