//! The signing audit log: one JSON object per line, appended for every signature made, so that
//! what a key signed can be listed after it is revoked.
//!
//! Each line holds the time, the action, the artifact and its SHA-256, the key's fingerprint and
//! where it lives (redacted: a PKCS#11 URI without its PIN), and the certificate identity when a
//! certificate was used. Never a key, a password or a PIN.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One audit record.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// When the signature was made.
    pub time: DateTime<Utc>,
    /// `sign`, `ca-issue`, `ca-renew`, `ca-revoke`, `ca-init`, `ca-crl`.
    pub action: String,
    /// What was signed (a file path, or a description such as `certificate 0a1b...`).
    pub artifact: String,
    /// Hex SHA-256 of the signed bytes.
    pub sha256: String,
    /// Fingerprint (hex SHA-256 of the SPKI) of the signing key.
    pub key_fingerprint: String,
    /// Where the key lives (file, `env://NAME`, redacted `pkcs11:` URI).
    pub key_source: String,
    /// The certificate identity (email or URI SAN), when a certificate was used or issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The certificate serial (hex), when one was used or issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_serial: Option<String>,
    /// Files written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
}

/// Appends `entry` as one line to the log at `path` (created private, mode 0600). A single
/// `write` of the whole line with `O_APPEND`, so concurrent signers do not interleave.
pub fn append(path: &Path, entry: &AuditEntry) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(&line)?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_append_one_line_each() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.jsonl");
        let entry = AuditEntry {
            time: Utc::now(),
            action: "sign".into(),
            artifact: "a.tgz".into(),
            sha256: "00".repeat(32),
            key_fingerprint: "ab".repeat(32),
            key_source: "pkcs11:token=t;object=o".into(),
            identity: None,
            certificate_serial: None,
            outputs: vec!["a.tgz.sigstore.json".into()],
        };
        append(&log, &entry).unwrap();
        append(&log, &entry).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["keyFingerprint"], "ab".repeat(32));
        assert!(lines[0].get("identity").is_none());
    }
}
