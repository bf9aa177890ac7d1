//! `keys list | add | rotate | revoke` over the trust file.

use super::keygen::write_key_pair;
use super::{report, reported, usage, Reported, EXIT_OK};
use chrono::{DateTime, Utc};
use sigverify_cosign::keys::{load_public_key, KeyAlgorithm, PrivateKey};
use sigverify_cosign::trust::{add_key, revoke_key, rotate_key, KeyStatus, TrustFile};
use std::path::{Path, PathBuf};

/// Trust file management. Every `keys` command names the trust file with `--trust FILE`; a key
/// file is always `--key FILE`, a key already in the trust file always a fingerprint
/// (`--from`, `--fingerprint`: the full hex fingerprint or a unique prefix of 8+ hex digits, as
/// `keys list` prints it).
#[derive(Debug, Clone, clap::Subcommand)]
pub enum KeysCommand {
    /// List keys with age, days to expiry and revoked/expired markers.
    #[command(after_help = LIST_HELP)]
    List {
        /// The trust file.
        #[arg(long, value_name = "FILE")]
        trust: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a public key (creates the trust file if needed).
    #[command(after_help = ADD_HELP)]
    Add {
        /// The trust file.
        #[arg(long, value_name = "FILE")]
        trust: PathBuf,
        /// The public key to trust: a PEM file (SPKI, as `generate-key-pair` writes
        /// `cosign.pub`, or a certificate).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Who holds the private key.
        #[arg(long, value_name = "NAME")]
        owner: String,
        /// Start of validity (RFC 3339, default now).
        #[arg(long, value_name = "TIME")]
        valid_from: Option<DateTime<Utc>>,
        /// End of validity (RFC 3339).
        #[arg(long, value_name = "TIME")]
        valid_until: Option<DateTime<Utc>>,
    },
    /// Replace a key: trust a new key from now and end the old one after the overlap.
    ///
    /// The new key is `--key FILE` (a public key made elsewhere, e.g. by `generate-key-pair` on
    /// the signer's machine), `--key pkcs11:token=...;object=...` (a token key, generated in the
    /// token when the object does not exist yet), or, without `--key`, a key pair generated
    /// here and written to `<output-key-prefix>.key` (encrypted with COSIGN_PASSWORD or a
    /// prompt) and `.pub`.
    #[command(after_help = ROTATE_HELP)]
    Rotate {
        /// The trust file.
        #[arg(long, value_name = "FILE")]
        trust: PathBuf,
        /// The key being replaced: its fingerprint, or a unique prefix of 8+ hex digits.
        #[arg(long, value_name = "FINGERPRINT")]
        from: String,
        /// The new public key (PEM file) or token key (`pkcs11:` URI); default: generate a new
        /// key pair.
        #[arg(long, value_name = "NEW_KEY", conflicts_with = "output_key_prefix")]
        key: Option<String>,
        /// Days the old key stays valid after now.
        #[arg(long, value_name = "DAYS")]
        overlap_days: u32,
        /// Prefix for the generated `<prefix>.key` / `<prefix>.pub` (without --key).
        #[arg(long, value_name = "PREFIX", default_value = "cosign-rotated")]
        output_key_prefix: PathBuf,
        /// Algorithm of the generated key (without --key, or for a new token key).
        #[arg(long, value_enum, default_value = "ecdsa-p256")]
        algorithm: KeyAlgorithm,
        /// Owner of the new key (default: the old key's owner).
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
    },
    /// Revoke a key: its signatures fail from the revocation time on.
    #[command(after_help = REVOKE_HELP)]
    Revoke {
        /// The trust file.
        #[arg(long, value_name = "FILE")]
        trust: PathBuf,
        /// The key to revoke: its fingerprint, or a unique prefix of 8+ hex digits.
        #[arg(
            long,
            value_name = "FINGERPRINT",
            required_unless_present = "positional_fingerprint"
        )]
        fingerprint: Option<String>,
        /// The old spelling `keys revoke FINGERPRINT`, still accepted.
        #[arg(
            value_name = "FINGERPRINT",
            hide = true,
            conflicts_with = "fingerprint"
        )]
        positional_fingerprint: Option<String>,
        /// Why (kept in the trust file and shown in failures).
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Revocation time (RFC 3339, default now; backdate to when the key was compromised).
        #[arg(long, value_name = "TIME")]
        at: Option<DateTime<Utc>>,
    },
}

const LIST_HELP: &str = "\
Examples:
  npm-sigverify keys list --trust .sigverify/trust.json
  npm-sigverify keys list --trust .sigverify/trust.json --json

Exit codes: 0 listed, 2 the trust file is missing or unreadable.";

const ADD_HELP: &str = "\
Examples:
  npm-sigverify keys add --trust .sigverify/trust.json --key cosign.pub --owner release-bot
  npm-sigverify keys add --trust .sigverify/trust.json --key alice.pub --owner alice \\
    --valid-until 2027-01-01T00:00:00Z

Exit codes: 0 added, 2 usage error, unreadable key or trust file, key already present.";

const ROTATE_HELP: &str = "\
Examples:
  COSIGN_PASSWORD=... npm-sigverify keys rotate --trust .sigverify/trust.json \\
    --from 5b1c2d3e --overlap-days 14 --output-key-prefix cosign-2027
  npm-sigverify keys rotate --trust .sigverify/trust.json --from 5b1c2d3e \\
    --key new-release.pub --overlap-days 14
  COSIGN_PKCS11_PIN=... npm-sigverify keys rotate --trust .sigverify/trust.json --from 5b1c2d3e \\
    --key 'pkcs11:token=release;object=release-2027?module-path=/usr/lib/softhsm/libsofthsm2.so' \\
    --overlap-days 14

Exit codes: 0 rotated, 2 usage error, unknown or ambiguous fingerprint, unreadable key or trust
file, existing output files.";

const REVOKE_HELP: &str = "\
Examples:
  npm-sigverify keys revoke --trust .sigverify/trust.json --fingerprint 5b1c2d3e \\
    --reason \"laptop stolen\"
  npm-sigverify keys revoke --trust .sigverify/trust.json --fingerprint 5b1c2d3e \\
    --reason \"key leaked in CI logs\" --at 2026-03-01T12:00:00Z

Exit codes: 0 revoked, 2 usage error, unknown or ambiguous fingerprint, already revoked.";

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
            from,
            key,
            overlap_days,
            output_key_prefix,
            algorithm,
            owner,
        } => {
            let new_key = match key {
                Some(uri) if uri.starts_with("pkcs11:") => NewKey::Token {
                    uri,
                    algorithm: *algorithm,
                },
                Some(path) => NewKey::File(Path::new(path)),
                None => NewKey::Generate {
                    prefix: output_key_prefix,
                    algorithm: *algorithm,
                },
            };
            rotate(trust, from, *overlap_days, new_key, owner.as_deref(), now)
        }
        KeysCommand::Revoke {
            trust,
            fingerprint,
            positional_fingerprint,
            reason,
            at,
        } => match fingerprint.as_ref().or(positional_fingerprint.as_ref()) {
            Some(fingerprint) => revoke(trust, fingerprint, reason, at.unwrap_or(now)),
            None => Err(usage("name the key: --fingerprint FINGERPRINT")),
        },
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

/// Where `keys rotate` gets the new key.
enum NewKey<'a> {
    /// A public key file made elsewhere.
    File(&'a Path),
    /// A key in a PKCS#11 token (generated there when the object does not exist yet).
    Token {
        uri: &'a str,
        algorithm: KeyAlgorithm,
    },
    /// A key pair generated here and written to `<prefix>.key` / `<prefix>.pub`.
    Generate {
        prefix: &'a Path,
        algorithm: KeyAlgorithm,
    },
}

fn rotate(
    path: &Path,
    old_prefix: &str,
    overlap_days: u32,
    new_key: NewKey<'_>,
    owner: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Reported> {
    let mut trust = TrustFile::load(path).map_err(reported)?;
    // Check the old key exists before generating and writing anything.
    trust.find_by_prefix(old_prefix).map_err(reported)?;
    let (public, generated) = match new_key {
        NewKey::File(key_path) => (load_public_key(key_path).map_err(reported)?, None),
        NewKey::Token { uri, algorithm } => (token_key(uri, algorithm)?, None),
        NewKey::Generate { prefix, algorithm } => {
            let private = PrivateKey::generate(algorithm).map_err(reported)?;
            (
                private.public_key().map_err(reported)?,
                Some((private, prefix)),
            )
        }
    };
    let output =
        rotate_key(&mut trust, old_prefix, overlap_days, public, owner, now).map_err(reported)?;
    if let Some((private, prefix)) = generated {
        write_key_pair(&private, prefix, false)?;
    }
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

/// The public key of a token key, generating the key in the token when it is not there yet.
fn token_key(uri: &str, algorithm: KeyAlgorithm) -> Result<sigverify_cosign::PublicKey, Reported> {
    use sigverify_cosign::keys::custody::{Pkcs11Uri, Signer, TokenKey};
    let uri = Pkcs11Uri::parse(uri).map_err(reported)?;
    let key = match TokenKey::open(&uri) {
        Ok(key) => key,
        Err(open_error) => match TokenKey::generate(&uri, algorithm) {
            Ok(key) => {
                println!("Generated the new key in {}", key.describe());
                key
            }
            Err(_) => return Err(reported(open_error)),
        },
    };
    Ok(key.public_key().clone())
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
