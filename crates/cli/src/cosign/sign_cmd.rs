//! `sign TARBALL --key KEY [--certificate CERT]` and `sign --pack DIR --key KEY`.

use super::{audit, report, reported, usage, Reported, EXIT_OK};
use serde::Serialize;
use sigverify_cosign::audit::AuditEntry;
use sigverify_cosign::keys::custody::{KeyRef, Signer};
use sigverify_cosign::keys::read_password;
use sigverify_cosign::sign::{npm_pack, sign_with_signer, SignOutput};
use sigverify_pki::sign::{sign_with_certificate, BundleVersion, CertSignOutput, CertSignRequest};
use sigverify_pki::Cert;
use std::path::{Path, PathBuf};

/// `sign`: writes `TARBALL.sig` and `TARBALL.sigstore.json` (with `--certificate`: only the
/// bundle, which carries the certificate).
#[derive(Debug, Clone, clap::Args)]
pub struct SignArgs {
    /// The tarball to sign (omit with --pack).
    pub tarball: Option<PathBuf>,
    /// The private key: an encrypted cosign key file (readable by its owner only),
    /// `env://NAME` (an encrypted key in a variable) or `pkcs11:token=...;object=...`.
    #[arg(long, value_name = "KEY")]
    pub key: String,
    /// Run `npm pack` in this package directory and sign the tarball it makes.
    #[arg(long, conflicts_with = "tarball")]
    pub pack: Option<PathBuf>,
    /// Where `--pack` writes the tarball (default: a new temporary directory, kept).
    #[arg(long, requires = "pack")]
    pub out: Option<PathBuf>,
    /// Write `<tarball>.<LABEL>.sig` / `.sigstore.json` instead of `<tarball>.sig` /
    /// `.sigstore.json`, so several approvers' signatures sit side by side (k-of-n).
    #[arg(long, value_name = "LABEL")]
    pub label: Option<String>,
    /// The key's certificate (PEM, e.g. from `ca issue`): the bundle carries it.
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
    /// The certificate's CA chain (PEM, intermediates first, root last), checked before signing
    /// and, with `--bundle-version 0.2`, written into the bundle.
    #[arg(long, value_name = "FILE", requires = "certificate")]
    pub certificate_chain: Option<PathBuf>,
    /// Bundle format with a certificate: 0.3 (leaf only) or 0.2 (leaf and intermediates).
    #[arg(long, value_name = "VERSION", default_value = "0.3", value_parser = ["0.3", "0.2"], requires = "certificate")]
    pub bundle_version: String,
    /// An RFC 3161 timestamp authority to prove the signing time (with `--certificate`).
    #[arg(long, value_name = "URL", requires = "certificate")]
    pub timestamp_server_url: Option<String>,
    /// Append this signing to an audit log (JSON lines: key fingerprint, identity, digest).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What either kind of signing wrote.
#[derive(Serialize)]
#[serde(untagged)]
enum Signed {
    Key(SignOutput),
    Certificate(CertSignOutput),
}

/// Runs `sign`.
pub fn run_sign(args: &SignArgs) -> i32 {
    match sign_command(args) {
        Ok(output) => {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&output).unwrap_or_default()
                );
            } else {
                print_signed(&output);
            }
            EXIT_OK
        }
        Err(failure) => report(&failure),
    }
}

fn print_signed(output: &Signed) {
    match output {
        Signed::Key(out) => {
            println!(
                "Signed {} with key {}",
                out.artifact.display(),
                out.fingerprint
            );
            println!("Signature: {}", out.signature_path.display());
            println!(
                "Bundle:    {} (no transparency log entry)",
                out.bundle_path.display()
            );
        }
        Signed::Certificate(out) => {
            println!(
                "Signed {} with the certificate {} of {} (key {})",
                out.artifact.display(),
                out.serial,
                out.identities.join(", "),
                out.fingerprint
            );
            let stamp = match out.timestamped {
                true => "with an RFC 3161 timestamp",
                false => "no timestamp: verified at the current time",
            };
            println!("Bundle:    {} ({stamp})", out.bundle_path.display());
        }
    }
}

fn sign_command(args: &SignArgs) -> Result<Signed, Reported> {
    let tarball = tarball(args)?;
    let key_ref = KeyRef::parse(&args.key).map_err(reported)?;
    let password = || read_password(false);
    let signer = key_ref.open(&password).map_err(reported)?;
    let signed = match &args.certificate {
        None => Signed::Key(
            sign_with_signer(&tarball, signer.as_ref(), args.label.as_deref()).map_err(reported)?,
        ),
        Some(cert) => Signed::Certificate(sign_certificate(args, &tarball, signer.as_ref(), cert)?),
    };
    if let Some(log) = &args.audit_log {
        audit(log, &audit_entry(&signed, signer.as_ref()))?;
    }
    Ok(signed)
}

fn tarball(args: &SignArgs) -> Result<PathBuf, Reported> {
    match (&args.tarball, &args.pack) {
        (Some(path), None) => Ok(path.clone()),
        (None, Some(dir)) => {
            let out = match &args.out {
                Some(out) => out.clone(),
                None => tempfile::Builder::new()
                    .prefix("sigverify-pack-")
                    .tempdir()
                    .map_err(|e| usage(format!("cannot create a temporary directory: {e}")))?
                    .keep(),
            };
            npm_pack(dir, &out).map_err(reported)
        }
        _ => Err(usage("give a TARBALL or --pack DIR")),
    }
}

fn sign_certificate(
    args: &SignArgs,
    tarball: &Path,
    signer: &dyn Signer,
    cert: &Path,
) -> Result<CertSignOutput, Reported> {
    let certificate = Cert::load_file(cert).map_err(reported)?.remove(0);
    let chain = match &args.certificate_chain {
        Some(path) => Cert::load_file(path).map_err(reported)?,
        None => Vec::new(),
    };
    let request = CertSignRequest {
        tarball,
        signer,
        certificate: &certificate,
        chain: &chain,
        label: args.label.as_deref(),
        version: match args.bundle_version.as_str() {
            "0.2" => BundleVersion::V02,
            _ => BundleVersion::V03,
        },
        timestamp_url: args.timestamp_server_url.as_deref(),
    };
    sign_with_certificate(&request).map_err(reported)
}

fn audit_entry(signed: &Signed, signer: &dyn Signer) -> AuditEntry {
    let (artifact, sha256, outputs, identity, serial) = match signed {
        Signed::Key(o) => (
            &o.artifact,
            &o.sha256,
            vec![o.signature_path.clone(), o.bundle_path.clone()],
            None,
            None,
        ),
        Signed::Certificate(o) => (
            &o.artifact,
            &o.sha256,
            vec![o.bundle_path.clone()],
            Some(o.identities.join(", ")),
            Some(o.serial.clone()),
        ),
    };
    AuditEntry {
        time: chrono::Utc::now(),
        action: "sign".into(),
        artifact: artifact.display().to_string(),
        sha256: sha256.clone(),
        key_fingerprint: signer.public_key().fingerprint(),
        key_source: signer.describe(),
        identity,
        certificate_serial: serial,
        outputs: outputs.iter().map(|p| p.display().to_string()).collect(),
    }
}
