//! A small CA kept in a folder: `init` (root + intermediate), `issue` (short-lived code-signing
//! certificates), `renew`, `revoke` (CRLs), `crl` (re-sign the CRLs), `list`.
//!
//! Folder layout: `ca.json` (state), `root.pem`, `intermediate.pem`, `chain.pem` (intermediate
//! then root, for `--certificate-chain`), `root.key` / `intermediate.key` (cosign encrypted,
//! mode 0600; or the keys stay in a PKCS#11 token), `root.crl.pem`, `intermediate.crl.pem`,
//! `crls.pem` (both) and `issued/<serial>.pem`.

mod build;
mod issue;
mod keys;
mod list;
mod revocation;
pub mod state;

pub use build::Identity;
pub use issue::{issue, renew};
pub use keys::PasswordFn;
pub use list::{list, IssuedStatus};
pub use revocation::REASONS;

use crate::cert::Cert;
use crate::error::{material, CertError};
use build::{ca_certificate, CaProfile};
use chrono::{DateTime, Duration, Utc};
use keys::RcgenKey;
use rcgen::Issuer;
use serde::Serialize;
use sigverify_cosign::keys::custody::{Pkcs11Uri, Signer};
use state::{write_atomic, CaCertEntry, CaState, IssuedEntry, STATE_VERSION};
use std::path::{Path, PathBuf};

/// Clock skew allowance: certificates start this long before they are made.
const BACKDATE_SECONDS: i64 = 60;

/// What `ca init` creates.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    /// The CA's name (root and intermediate subjects).
    pub name: String,
    /// OIDC issuer URL stamped into issued certificates.
    pub issuer_url: Option<String>,
    /// Email domains or addresses the intermediate may certify (empty: any).
    pub permitted_emails: Vec<String>,
    /// URI hosts the intermediate may certify (empty: any).
    pub permitted_uris: Vec<String>,
    /// Root validity in days.
    pub root_days: u32,
    /// Intermediate validity in days.
    pub intermediate_days: u32,
    /// CRL validity (nextUpdate) in days.
    pub crl_days: u32,
    /// Keep the root key in this token instead of a file.
    pub root_token: Option<Pkcs11Uri>,
    /// Keep the intermediate key in this token instead of a file.
    pub intermediate_token: Option<Pkcs11Uri>,
}

/// What a CA operation produced.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaOutput {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// The certificate issued or revoked, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<IssuedEntry>,
    /// Fingerprint of the CA key that signed.
    pub signer_fingerprint: String,
    /// Where that key lives (redacted).
    pub signer_source: String,
    /// SHA-256 of what was signed (the certificate or CRL DER).
    pub signed_sha256: String,
}

/// Creates the CA in `dir` (which must not hold one yet).
pub fn init(
    dir: &Path,
    options: &InitOptions,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    if dir.join(state::STATE_FILE).exists() {
        return Err(CertError::Usage(format!(
            "{} already holds a CA",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir.join("issued")).map_err(|e| material(dir.display(), e))?;
    let (root_key, root_ref) =
        keys::create(dir, "root.key", options.root_token.as_ref(), password)?;
    let (inter_key, inter_ref) = keys::create(
        dir,
        "intermediate.key",
        options.intermediate_token.as_ref(),
        password,
    )?;
    let start = now - Duration::seconds(BACKDATE_SECONDS);
    let root_end = now + Duration::days(i64::from(options.root_days));
    let root_rcgen = RcgenKey::new(root_key.as_ref())?;
    let root = ca_certificate(
        &profile(options, "Root", 1, start, root_end, false),
        &root_rcgen,
        None,
    )?;
    let issuer = issuer(&root, root_key.as_ref())?;
    let inter_end = root_end.min(now + Duration::days(i64::from(options.intermediate_days)));
    let inter_profile = profile(options, "Intermediate", 0, start, inter_end, true);
    let intermediate = ca_certificate(
        &inter_profile,
        &RcgenKey::new(inter_key.as_ref())?,
        Some(&issuer),
    )?;
    let mut state = new_state(options, root_ref, inter_ref);
    let mut files = write_certs(dir, &root, &intermediate, &state)?;
    files.extend(write_crls(
        dir,
        &mut state,
        &root,
        &intermediate,
        &*root_key,
        &*inter_key,
        now,
    )?);
    state.save(dir)?;
    Ok(output(files, None, root_key.as_ref(), &intermediate))
}

fn profile<'a>(
    options: &'a InitOptions,
    role: &str,
    path_len: u8,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
    constrained: bool,
) -> CaProfile<'a> {
    let none: &[String] = &[];
    CaProfile {
        common_name: format!("{} {role}", options.name),
        organization: &options.name,
        path_len,
        not_before,
        not_after,
        permitted_emails: if constrained {
            &options.permitted_emails
        } else {
            none
        },
        permitted_uris: if constrained {
            &options.permitted_uris
        } else {
            none
        },
    }
}

fn new_state(options: &InitOptions, root_key: String, inter_key: String) -> CaState {
    CaState {
        version: STATE_VERSION,
        name: options.name.clone(),
        issuer_url: options.issuer_url.clone(),
        permitted_emails: options.permitted_emails.clone(),
        permitted_uris: options.permitted_uris.clone(),
        crl_days: options.crl_days,
        crl_number: 0,
        root: CaCertEntry {
            certificate: "root.pem".into(),
            key: root_key,
            crl: "root.crl.pem".into(),
        },
        intermediate: CaCertEntry {
            certificate: "intermediate.pem".into(),
            key: inter_key,
            crl: "intermediate.crl.pem".into(),
        },
        chain: "chain.pem".into(),
        issued: Vec::new(),
    }
}

fn write_certs(
    dir: &Path,
    root: &Cert,
    inter: &Cert,
    state: &CaState,
) -> Result<Vec<PathBuf>, CertError> {
    let files = [
        (&state.root.certificate, root.to_pem()),
        (&state.intermediate.certificate, inter.to_pem()),
        (&state.chain, format!("{}{}", inter.to_pem(), root.to_pem())),
    ];
    let mut written = Vec::new();
    for (name, pem) in files {
        write_atomic(&dir.join(name), pem.as_bytes(), 0o644)?;
        written.push(dir.join(name));
    }
    Ok(written)
}

/// Re-signs both CRLs and `crls.pem` (both in one file, for `--crl`).
fn write_crls(
    dir: &Path,
    state: &mut CaState,
    root: &Cert,
    inter: &Cert,
    root_key: &dyn Signer,
    inter_key: &dyn Signer,
    now: DateTime<Utc>,
) -> Result<Vec<PathBuf>, CertError> {
    let revoked: Vec<IssuedEntry> = state
        .issued
        .iter()
        .filter(|e| e.revoked_at.is_some())
        .cloned()
        .collect();
    let refs: Vec<&IssuedEntry> = revoked.iter().collect();
    let root_file = state.root.crl.clone();
    let inter_file = state.intermediate.crl.clone();
    let a = revocation::write_crl(dir, state, &root_file, root, root_key, &[], now)?;
    let b = revocation::write_crl(dir, state, &inter_file, inter, inter_key, &refs, now)?;
    let both = [&a, &b]
        .iter()
        .map(|p| std::fs::read_to_string(p).map_err(|e| material(p.display(), e)))
        .collect::<Result<Vec<_>, _>>()?
        .concat();
    let all = dir.join("crls.pem");
    write_atomic(&all, both.as_bytes(), 0o644)?;
    Ok(vec![a, b, all])
}

fn issuer<'a>(
    cert: &Cert,
    key: &'a dyn Signer,
) -> Result<Issuer<'static, RcgenKey<'a>>, CertError> {
    Issuer::from_ca_cert_der(&cert.der().to_vec().into(), RcgenKey::new(key)?)
        .map_err(|e| CertError::Usage(format!("cannot use the CA certificate: {e}")))
}

fn output(
    files: Vec<PathBuf>,
    entry: Option<IssuedEntry>,
    key: &dyn Signer,
    signed: &Cert,
) -> CaOutput {
    CaOutput {
        files,
        certificate: entry,
        signer_fingerprint: key.public_key().fingerprint(),
        signer_source: key.describe(),
        signed_sha256: signed.sha256_hex(),
    }
}

/// The CA certificates of a folder: (root, intermediate).
pub fn load_ca_certs(dir: &Path, state: &CaState) -> Result<(Cert, Cert), CertError> {
    let one = |name: &str| -> Result<Cert, CertError> {
        Cert::load_file(&dir.join(name))?
            .into_iter()
            .next()
            .ok_or_else(|| material(name, "empty"))
    };
    Ok((
        one(&state.root.certificate)?,
        one(&state.intermediate.certificate)?,
    ))
}

/// Revokes the certificate whose serial starts with `serial` (now; `invalid_since` dates the
/// compromise back) and re-signs the CRLs.
pub fn revoke(
    dir: &Path,
    serial: &str,
    reason: &str,
    invalid_since: Option<DateTime<Utc>>,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    revocation::reason(reason)?;
    let mut state = CaState::load(dir)?;
    let index = state.find(serial)?;
    let entry = &mut state.issued[index];
    if let Some(at) = entry.revoked_at {
        return Err(CertError::Usage(format!(
            "{} was already revoked at {}",
            entry.serial,
            at.to_rfc3339()
        )));
    }
    entry.revoked_at = Some(now);
    entry.invalid_since = invalid_since.filter(|t| *t < now);
    entry.reason = Some(reason.to_string());
    let revoked = entry.clone();
    let mut out = refresh(dir, &mut state, password, now)?;
    out.certificate = Some(revoked);
    Ok(out)
}

/// Re-signs both CRLs with a fresh nextUpdate (run before the old ones expire).
pub fn crl(
    dir: &Path,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    let mut state = CaState::load(dir)?;
    refresh(dir, &mut state, password, now)
}

fn refresh(
    dir: &Path,
    state: &mut CaState,
    password: PasswordFn<'_>,
    now: DateTime<Utc>,
) -> Result<CaOutput, CertError> {
    let (root, inter) = load_ca_certs(dir, state)?;
    let root_key = keys::open(dir, &state.root.key, password)?;
    let inter_key = keys::open(dir, &state.intermediate.key, password)?;
    let files = write_crls(dir, state, &root, &inter, &*root_key, &*inter_key, now)?;
    state.save(dir)?;
    let crl_der = std::fs::read(dir.join(&state.intermediate.crl)).unwrap_or_default();
    let mut out = output(files, None, inter_key.as_ref(), &inter);
    out.signed_sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&crl_der));
    Ok(out)
}
