//! `keys list | add | rotate | revoke` over the trust file.

use super::keygen::write_key_pair;
use super::{report, reported, usage, Reported, EXIT_OK};
use chrono::{DateTime, Utc};
use sigverify_cosign::keys::{load_public_key, KeyAlgorithm, PrivateKey};
use sigverify_cosign::trust::{add_key, revoke_key, rotate_key, KeyStatus, TrustFile};
use std::path::{Path, PathBuf};

/// Trust file management.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum KeysCommand {
    /// List keys with age, days to expiry and revoked/expired markers.
    List {
        /// The trust file.
        #[arg(long)]
        trust: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a public key (creates the trust file if needed).
    Add {
        /// The trust file.
        #[arg(long)]
        trust: PathBuf,
        /// PEM public key or certificate.
        #[arg(long)]
        key: PathBuf,
        /// Who holds the private key.
        #[arg(long)]
        owner: String,
        /// Start of validity (RFC 3339, default now).
        #[arg(long)]
        valid_from: Option<DateTime<Utc>>,
        /// End of validity (RFC 3339).
        #[arg(long)]
        valid_until: Option<DateTime<Utc>>,
    },
    /// Generate a new key pair, trust it from now, end the old key after the overlap.
    Rotate {
        /// The trust file.
        #[arg(long)]
        trust: PathBuf,
        /// Fingerprint prefix (8+ hex digits) of the key being replaced.
        #[arg(long)]
        key: String,
        /// Days the old key stays valid after now.
        #[arg(long)]
        overlap_days: u32,
        /// Prefix for the new `<prefix>.key` / `<prefix>.pub`.
        #[arg(long, default_value = "cosign-rotated")]
        output_key_prefix: PathBuf,
        /// Algorithm of the new key.
        #[arg(long, value_enum, default_value = "ecdsa-p256")]
        algorithm: KeyAlgorithm,
        /// Owner of the new key (default: the old key's owner).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Revoke a key: its signatures fail from the revocation time on.
    Revoke {
        /// Fingerprint prefix (8+ hex digits).
        fingerprint: String,
        /// The trust file.
        #[arg(long)]
        trust: PathBuf,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Revocation time (RFC 3339, default now; backdate to when the key was compromised).
        #[arg(long)]
        at: Option<DateTime<Utc>>,
    },
}

/// Runs a `keys` subcommand.
pub fn run_keys(command: &KeysCommand) -> i32 {
    let now = Utc::now();
    let result = match command {
        KeysCommand::List { trust, json } => list(trust, *json, now),
        KeysCommand::Add {
            trust,
            key,
            owner,
            valid_from,
            valid_until,
        } => add(trust, key, owner, valid_from.unwrap_or(now), *valid_until),
        KeysCommand::Rotate {
            trust,
            key,
            overlap_days,
            output_key_prefix,
            algorithm,
            owner,
        } => rotate(
            trust,
            key,
            *overlap_days,
            output_key_prefix,
            *algorithm,
            owner.as_deref(),
            now,
        ),
        KeysCommand::Revoke {
            fingerprint,
            trust,
            reason,
            at,
        } => revoke(trust, fingerprint, reason, at.unwrap_or(now)),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(failure) => report(&failure),
    }
}

fn list(path: &Path, json: bool, now: DateTime<Utc>) -> Result<(), Reported> {
    let trust = TrustFile::load(path).map_err(reported)?;
    let rows: Vec<KeyStatus> = trust.keys.iter().map(|k| KeyStatus::of(k, now)).collect();
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(|e| usage(e.to_string()))?
        );
        return Ok(());
    }
    println!(
        "{:<64}  {:<10}  {:>5}  {:>7}  {:<8}  OWNER",
        "FINGERPRINT", "ALGORITHM", "AGE", "EXPIRES", "STATUS"
    );
    for row in &rows {
        let expires = row
            .days_to_expiry
            .map_or("never".to_string(), |d| format!("{d}d"));
        println!(
            "{:<64}  {:<10}  {:>4}d  {:>7}  {:<8}  {}",
            row.fingerprint,
            row.algorithm,
            row.age_days,
            expires,
            status(row),
            row.owner
        );
        if row.expiring_soon {
            eprintln!(
                "warning: key {} expires in {} days",
                row.fingerprint,
                row.days_to_expiry.unwrap_or(0)
            );
        }
    }
    Ok(())
}

fn status(row: &KeyStatus) -> &'static str {
    match (row.revoked, row.expired, row.expiring_soon) {
        (true, _, _) => "REVOKED",
        (_, true, _) => "EXPIRED",
        (_, _, true) => "EXPIRING",
        _ => "ok",
    }
}

fn add(
    path: &Path,
    key_path: &Path,
    owner: &str,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
) -> Result<(), Reported> {
    let mut trust = TrustFile::load_or_empty(path).map_err(reported)?;
    let key = load_public_key(key_path).map_err(reported)?;
    let fingerprint = add_key(&mut trust, key, owner, valid_from, valid_until).map_err(reported)?;
    trust.save(path).map_err(reported)?;
    println!("Added key {fingerprint} ({owner}) to {}", path.display());
    Ok(())
}

fn rotate(
    path: &Path,
    old_prefix: &str,
    overlap_days: u32,
    prefix: &Path,
    algorithm: KeyAlgorithm,
    owner: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Reported> {
    let mut trust = TrustFile::load(path).map_err(reported)?;
    // Check the old key exists before generating and writing anything.
    trust.find_by_prefix(old_prefix).map_err(reported)?;
    let new_key = PrivateKey::generate(algorithm).map_err(reported)?;
    let public = new_key.public_key().map_err(reported)?;
    let output =
        rotate_key(&mut trust, old_prefix, overlap_days, public, owner, now).map_err(reported)?;
    write_key_pair(&new_key, prefix, false)?;
    trust.save(path).map_err(reported)?;
    println!(
        "New key {} valid from {}",
        output.new_fingerprint,
        now.to_rfc3339()
    );
    println!(
        "Old key {} valid until {}",
        output.old_fingerprint,
        output.old_valid_until.to_rfc3339()
    );
    Ok(())
}

fn revoke(path: &Path, prefix: &str, reason: &str, at: DateTime<Utc>) -> Result<(), Reported> {
    let mut trust = TrustFile::load(path).map_err(reported)?;
    let fingerprint = revoke_key(&mut trust, prefix, reason, at).map_err(reported)?;
    trust.save(path).map_err(reported)?;
    println!(
        "Revoked key {fingerprint} at {} ({reason})",
        at.to_rfc3339()
    );
    Ok(())
}
