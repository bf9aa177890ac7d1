//! `ca init | issue | renew | revoke | crl | list`: a private CA for code-signing certificates.

use super::{audit, report, reported, Reported, EXIT_OK};
use chrono::{DateTime, Utc};
use sigverify_cosign::keys::custody::{KeyRef, Pkcs11Uri, TokenKey};
use sigverify_cosign::keys::{load_public_key, read_password, PublicKey};
use sigverify_pki::ca::{self, CaOutput, Identity, InitOptions};
use std::path::{Path, PathBuf};

/// The CA commands. The CA lives in `--dir` (default `.sigverify/ca`); its keys are encrypted
/// with COSIGN_PASSWORD (or a prompt), or stay in a PKCS#11 token.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CaCommand {
    /// Create a root and an intermediate CA (name constraints, CRLs) in a new folder.
    #[command(after_help = INIT_HELP)]
    Init(InitArgs),
    /// Issue a short-lived code-signing certificate for an email or URI identity.
    #[command(after_help = ISSUE_HELP)]
    Issue(IssueArgs),
    /// Issue a new certificate for the identity (and key) of an earlier one.
    #[command(after_help = RENEW_HELP)]
    Renew(RenewArgs),
    /// Revoke a certificate and re-sign the CRLs.
    #[command(after_help = REVOKE_HELP)]
    Revoke(RevokeArgs),
    /// Re-sign the CRLs with a fresh nextUpdate (run it before they expire).
    #[command(after_help = CRL_HELP)]
    Crl(CommonArgs),
    /// List the issued certificates: identity, expiry, revocation.
    #[command(after_help = LIST_HELP)]
    List {
        /// The CA folder.
        #[arg(long, value_name = "DIR", default_value = ".sigverify/ca")]
        dir: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Options every signing CA command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// The CA folder.
    #[arg(long, value_name = "DIR", default_value = ".sigverify/ca")]
    pub dir: PathBuf,
    /// Append what the CA signed to this audit log (JSON lines).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `ca init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The CA's name (its certificates' subjects).
    #[arg(long, value_name = "NAME")]
    name: String,
    /// OIDC issuer URL written into every certificate (Fulcio's extension 1.3.6.1.4.1.57264.1.8).
    #[arg(long, value_name = "URL")]
    issuer_url: Option<String>,
    /// Email domain (`acme.example`) or address the intermediate may certify (repeatable).
    #[arg(long, value_name = "DOMAIN")]
    permit_email: Vec<String>,
    /// URI host the intermediate may certify; `.acme.example` means any host below it.
    #[arg(long, value_name = "HOST")]
    permit_uri: Vec<String>,
    /// Root validity in days.
    #[arg(long, value_name = "DAYS", default_value_t = 3650)]
    root_days: u32,
    /// Intermediate validity in days.
    #[arg(long, value_name = "DAYS", default_value_t = 365)]
    intermediate_days: u32,
    /// CRL validity (nextUpdate) in days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    crl_days: u32,
    /// Keep the root key in a token: `pkcs11:token=...;object=...` (generated there if absent).
    #[arg(long, value_name = "PKCS11_URI")]
    root_key: Option<String>,
    /// Keep the intermediate key in a token: `pkcs11:token=...;object=...`.
    #[arg(long, value_name = "PKCS11_URI")]
    intermediate_key: Option<String>,
}

/// `ca issue`.
#[derive(Debug, Clone, clap::Args)]
pub struct IssueArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The identity: an email address (people) or a URI (CI jobs, services).
    #[arg(long, value_name = "EMAIL_OR_URI")]
    identity: String,
    /// The signer's public key: a PEM file (cosign.pub) or `pkcs11:` URI of a token key.
    #[arg(long, value_name = "KEY")]
    public_key: String,
    /// Validity in days (short-lived: renew instead of stretching it).
    #[arg(long, value_name = "DAYS", default_value_t = 1)]
    days: u32,
    /// Also write the certificate here (PEM).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `ca renew`.
#[derive(Debug, Clone, clap::Args)]
pub struct RenewArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The certificate to renew: its serial, or a unique prefix of 6+ hex digits.
    #[arg(long, value_name = "SERIAL")]
    serial: String,
    /// Validity of the new certificate in days.
    #[arg(long, value_name = "DAYS", default_value_t = 1)]
    days: u32,
    /// Certify a new key instead (PEM file or `pkcs11:` URI).
    #[arg(long, value_name = "KEY")]
    public_key: Option<String>,
    /// Also write the certificate here (PEM).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `ca revoke`.
#[derive(Debug, Clone, clap::Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// The certificate: its serial, or a unique prefix of 6+ hex digits.
    #[arg(long, value_name = "SERIAL")]
    serial: String,
    /// CRL reason.
    #[arg(long, default_value = "unspecified", value_parser = clap::builder::PossibleValuesParser::new(ca::REASONS))]
    reason: String,
    /// When the key was (or may have been) compromised (RFC 3339): signatures timestamped
    /// from then on stop counting even where revocation respects the signing time.
    #[arg(long, value_name = "TIME")]
    compromised_at: Option<DateTime<Utc>>,
}

const INIT_HELP: &str = "\
Examples:
  COSIGN_PASSWORD=... npm-sigverify ca init --dir .sigverify/ca --name \"Acme Code Signing\" \\
    --issuer-url https://ca.acme.example --permit-email acme.example --permit-uri .ci.acme.example
  npm-sigverify ca init --name Acme --intermediate-key \\
    'pkcs11:token=ca;object=intermediate?module-path=/usr/lib/softhsm/libsofthsm2.so'

Writes root.pem, intermediate.pem, chain.pem, crls.pem and the encrypted keys (mode 0600).
Exit codes: 0 created, 2 usage error, folder already holds a CA, no password, token error.";

const ISSUE_HELP: &str = "\
Examples:
  COSIGN_PASSWORD=... npm-sigverify ca issue --identity alice@acme.example --public-key alice.pub
  npm-sigverify ca issue --identity https://ci.acme.example/release --days 1 \\
    --public-key 'pkcs11:token=ci;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so' \\
    --out release.pem

Exit codes: 0 issued, 1 the identity is outside the CA's name constraints, 2 usage error,
unreadable key or CA folder, wrong password.";

const RENEW_HELP: &str = "\
Examples:
  npm-sigverify ca renew --serial 3f2a1b --days 1 --out alice.pem

Exit codes: 0 issued, 2 usage error, unknown serial, unreadable CA folder, wrong password.";

const REVOKE_HELP: &str = "\
Examples:
  npm-sigverify ca revoke --serial 3f2a1b --reason keyCompromise \\
    --compromised-at 2026-03-01T12:00:00Z
  npm-sigverify ca revoke --serial 3f2a1b --reason superseded

Exit codes: 0 revoked (CRLs re-signed), 2 usage error, unknown or already revoked serial.";

const CRL_HELP: &str = "\
Examples:
  npm-sigverify ca crl --dir .sigverify/ca

Exit codes: 0 CRLs written, 2 unreadable CA folder, wrong password.";

const LIST_HELP: &str = "\
Examples:
  npm-sigverify ca list --dir .sigverify/ca
  npm-sigverify ca list --json

Exit codes: 0 listed, 2 unreadable CA folder.";

/// Runs a `ca` subcommand.
pub fn run_ca(command: &CaCommand) -> i32 {
    let now = Utc::now();
    let result = match command {
        CaCommand::Init(args) => init(args, now),
        CaCommand::Issue(args) => issue(args, now),
        CaCommand::Renew(args) => renew(args, now),
        CaCommand::Revoke(args) => {
            let c = &args.common;
            let password = || read_password(false);
            ca::revoke(
                &c.dir,
                &args.serial,
                &args.reason,
                args.compromised_at,
                &password,
                now,
            )
            .map_err(reported)
            .and_then(|out| finish(c, "ca-revoke", &out, "Revoked"))
        }
        CaCommand::Crl(c) => {
            let password = || read_password(false);
            ca::crl(&c.dir, &password, now)
                .map_err(reported)
                .and_then(|out| finish(c, "ca-crl", &out, "CRLs signed"))
        }
        CaCommand::List { dir, json } => list(dir, *json, now),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(failure) => report(&failure),
    }
}

fn init(args: &InitArgs, now: DateTime<Utc>) -> Result<(), Reported> {
    let token = |uri: &Option<String>| {
        uri.as_deref()
            .map(Pkcs11Uri::parse)
            .transpose()
            .map_err(reported)
    };
    let options = InitOptions {
        name: args.name.clone(),
        issuer_url: args.issuer_url.clone(),
        permitted_emails: args.permit_email.clone(),
        permitted_uris: args.permit_uri.clone(),
        root_days: args.root_days,
        intermediate_days: args.intermediate_days,
        crl_days: args.crl_days,
        root_token: token(&args.root_key)?,
        intermediate_token: token(&args.intermediate_key)?,
    };
    let password = || read_password(true);
    let out = ca::init(&args.common.dir, &options, &password, now).map_err(reported)?;
    finish(&args.common, "ca-init", &out, "Created the CA")
}

fn issue(args: &IssueArgs, now: DateTime<Utc>) -> Result<(), Reported> {
    let identity = Identity::parse(&args.identity).map_err(reported)?;
    let key = public_key(&args.public_key)?;
    let password = || read_password(false);
    let out = ca::issue(&args.common.dir, &identity, &key, args.days, &password, now)
        .map_err(reported)?;
    copy_out(&args.common.dir, &out, args.out.as_deref())?;
    finish(&args.common, "ca-issue", &out, "Issued")
}

fn renew(args: &RenewArgs, now: DateTime<Utc>) -> Result<(), Reported> {
    let key = args.public_key.as_deref().map(public_key).transpose()?;
    let password = || read_password(false);
    let out = ca::renew(
        &args.common.dir,
        &args.serial,
        args.days,
        key.as_ref(),
        &password,
        now,
    )
    .map_err(reported)?;
    copy_out(&args.common.dir, &out, args.out.as_deref())?;
    finish(&args.common, "ca-renew", &out, "Renewed")
}

/// A public key from a PEM file, or read from a token key (`pkcs11:`).
pub(crate) fn public_key(text: &str) -> Result<PublicKey, Reported> {
    match KeyRef::parse(text).map_err(reported)? {
        KeyRef::Pkcs11(uri) => {
            let key = TokenKey::open(&uri).map_err(reported)?;
            Ok(sigverify_cosign::keys::custody::Signer::public_key(&key).clone())
        }
        _ => load_public_key(Path::new(text)).map_err(reported),
    }
}

fn copy_out(dir: &Path, out: &CaOutput, to: Option<&Path>) -> Result<(), Reported> {
    let (Some(to), Some(entry)) = (to, &out.certificate) else {
        return Ok(());
    };
    std::fs::copy(dir.join(&entry.certificate), to)
        .map(|_| ())
        .map_err(|e| super::usage(format!("cannot write {}: {e}", to.display())))
}

fn finish(common: &CommonArgs, action: &str, out: &CaOutput, verb: &str) -> Result<(), Reported> {
    if let Some(log) = &common.audit_log {
        let artifact = match &out.certificate {
            Some(entry) => common.dir.join(&entry.certificate).display().to_string(),
            None => out
                .files
                .first()
                .map(|f| f.display().to_string())
                .unwrap_or_default(),
        };
        let entry = sigverify_cosign::audit::AuditEntry {
            time: Utc::now(),
            action: action.into(),
            artifact,
            sha256: out.signed_sha256.clone(),
            key_fingerprint: out.signer_fingerprint.clone(),
            key_source: out.signer_source.clone(),
            identity: out.certificate.as_ref().map(|c| c.identity.clone()),
            certificate_serial: out.certificate.as_ref().map(|c| c.serial.clone()),
            outputs: out.files.iter().map(|f| f.display().to_string()).collect(),
        };
        audit(log, &entry)?;
    }
    if common.json {
        println!("{}", serde_json::to_string_pretty(out).unwrap_or_default());
        return Ok(());
    }
    match &out.certificate {
        Some(c) => println!(
            "{verb} certificate {} for {} (valid until {}{})",
            c.serial,
            c.identity,
            c.not_after.to_rfc3339(),
            c.reason
                .as_deref()
                .map(|r| format!(", revoked: {r}"))
                .unwrap_or_default()
        ),
        None => println!("{verb} in {}", common.dir.display()),
    }
    for file in &out.files {
        println!("  wrote {}", file.display());
    }
    Ok(())
}

fn list(dir: &Path, json: bool, now: DateTime<Utc>) -> Result<(), Reported> {
    let rows = ca::list(dir, now).map_err(reported)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "{:<32}  {:<8}  {:<25}  IDENTITY",
        "SERIAL", "STATUS", "NOT AFTER"
    );
    for row in &rows {
        let status = match row.hours_left {
            h if row.status == "valid" && h < 24 => "expiring",
            _ => row.status,
        };
        println!(
            "{:<32}  {:<8}  {:<25}  {}{}",
            row.serial,
            status,
            row.not_after.to_rfc3339(),
            row.identity,
            row.revoked
                .as_deref()
                .map(|r| format!("  (revoked {r})"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
