//! The CA folder: `ca.json` (what was issued and revoked) next to the certificates, keys and
//! CRLs it names. Written atomically; certificates and CRLs are plain PEM files other tools
//! (openssl, cosign) read directly.

use crate::error::{material, CertError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The state file's name in the CA folder.
pub const STATE_FILE: &str = "ca.json";
/// The only state version this crate reads and writes.
pub const STATE_VERSION: u32 = 1;

/// One CA certificate (root or intermediate) and where its key is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaCertEntry {
    /// Certificate file, relative to the folder.
    pub certificate: String,
    /// The key: a file relative to the folder (cosign encrypted), or a `pkcs11:` URI without
    /// its PIN.
    pub key: String,
    /// CRL this CA signs, relative to the folder.
    pub crl: String,
}

/// One issued signing certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IssuedEntry {
    /// Serial number, lower-case hex.
    pub serial: String,
    /// The email or URI it was issued to.
    pub identity: String,
    /// Start of validity.
    pub not_before: DateTime<Utc>,
    /// End of validity.
    pub not_after: DateTime<Utc>,
    /// Fingerprint of the certified key.
    pub key_fingerprint: String,
    /// Certificate file, relative to the folder.
    pub certificate: String,
    /// The serial this certificate renewed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewed_from: Option<String>,
    /// When the CA revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the key is known or suspected to have been compromised (may precede `revokedAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_since: Option<DateTime<Utc>>,
    /// CRL reason name (`keyCompromise`, `superseded`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `ca.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaState {
    /// Format version (1).
    pub version: u32,
    /// The CA's display name (subject CN of root and intermediate).
    pub name: String,
    /// OIDC issuer URL stamped into every issued certificate (Fulcio's extension), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    /// Email domains (or addresses) the intermediate may certify.
    #[serde(default)]
    pub permitted_emails: Vec<String>,
    /// URI hosts (a leading dot: any host below) the intermediate may certify.
    #[serde(default)]
    pub permitted_uris: Vec<String>,
    /// Days a CRL is valid (its nextUpdate).
    pub crl_days: u32,
    /// The last CRL number used.
    pub crl_number: u64,
    /// The root.
    pub root: CaCertEntry,
    /// The intermediate that issues signing certificates.
    pub intermediate: CaCertEntry,
    /// The root and intermediate in one file, for `--certificate-chain`.
    pub chain: String,
    /// Everything issued, oldest first; entries are never deleted.
    pub issued: Vec<IssuedEntry>,
}

impl CaState {
    /// Reads `ca.json` from `dir`.
    pub fn load(dir: &Path) -> Result<Self, CertError> {
        let path = dir.join(STATE_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            material(
                path.display(),
                format!("{e} (is this a folder made by `ca init`?)"),
            )
        })?;
        let state: CaState =
            serde_json::from_str(&text).map_err(|e| material(path.display(), e))?;
        if state.version != STATE_VERSION {
            return Err(material(
                path.display(),
                format!("version {} is not supported", state.version),
            ));
        }
        Ok(state)
    }

    /// Writes `ca.json` atomically (temporary file, then rename).
    pub fn save(&self, dir: &Path) -> Result<(), CertError> {
        let json = serde_json::to_string_pretty(self).map_err(|e| material(dir.display(), e))?;
        write_atomic(&dir.join(STATE_FILE), format!("{json}\n").as_bytes(), 0o644)
    }

    /// The entry whose serial starts with `prefix` (at least 6 hex digits, unique).
    pub fn find(&self, prefix: &str) -> Result<usize, CertError> {
        let prefix = prefix.to_ascii_lowercase();
        if prefix.len() < 6 {
            return Err(CertError::Usage(format!(
                "serial prefix {prefix:?} is shorter than 6 hex digits"
            )));
        }
        let hits: Vec<usize> = (0..self.issued.len())
            .filter(|&i| self.issued[i].serial.starts_with(&prefix))
            .collect();
        match hits.as_slice() {
            [one] => Ok(*one),
            [] => Err(CertError::Usage(format!(
                "no certificate with serial {prefix} (see `ca list`)"
            ))),
            many => Err(CertError::Usage(format!(
                "serial {prefix} matches {} certificates: give more digits",
                many.len()
            ))),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, with `mode` on unix.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), CertError> {
    let fail = |e: std::io::Error| material(path.display(), e);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(fail)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    set_mode(tmp.path(), mode).map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}
