//! `verify-blob` and `verify-bundle`.

use super::ca_verify::{print_cert_verified, verify_with_ca, CaArgs, ExpectedIdentity};
use super::{report, reported, usage, Reported, EXIT_INVALID, EXIT_OK};
use sigverify_cosign::bundle::parse_bundle;
use sigverify_cosign::error::InputError;
use sigverify_cosign::keys::load_public_key;
use sigverify_cosign::policy::{GithubClaims, IdentityPolicy, Matcher};
use sigverify_cosign::sigfile::decode_signature;
use sigverify_cosign::trust::{verify_with_trust_file, TrustFile, Verdict};
use sigverify_cosign::trustroot::TrustRootChoice;
use sigverify_cosign::verify::{
    verify_blob, ArtifactInput, Authority, Evidence, Verified, VerifyRequest,
};
use std::path::{Path, PathBuf};

const TLOG_WARNING: &str = "WARNING: --insecure-ignore-tlog: transparency log inclusion is NOT checked. \
A signature that was never logged will be accepted; only use this for offline, key-signed artifacts.";

/// `verify-blob FILE`: cosign verify-blob compatible.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifyBlobArgs {
    /// The artifact to verify.
    pub file: PathBuf,
    /// Public key (PEM SPKI or certificate): ECDSA P-256/P-384, Ed25519, RSA.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Detached signature (base64 DER as cosign writes it, or raw DER).
    #[arg(long)]
    pub signature: Option<PathBuf>,
    /// Sigstore bundle (v0.1-v0.3) or cosign's older --bundle JSON.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    /// Trust file of internal keys: accept only its keys, within their validity.
    #[arg(long, conflicts_with = "key")]
    pub trust: Option<PathBuf>,
    /// Expected certificate identity (exact).
    #[arg(long)]
    pub certificate_identity: Option<String>,
    /// Expected certificate identity (regular expression, unanchored like cosign).
    #[arg(long)]
    pub certificate_identity_regexp: Option<String>,
    /// Expected OIDC issuer (exact).
    #[arg(long)]
    pub certificate_oidc_issuer: Option<String>,
    /// Expected OIDC issuer (regular expression).
    #[arg(long)]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// Expected GitHub workflow repository (`owner/repo`).
    #[arg(long)]
    pub certificate_github_workflow_repository: Option<String>,
    /// Expected GitHub workflow ref.
    #[arg(long)]
    pub certificate_github_workflow_ref: Option<String>,
    /// Expected GitHub workflow commit SHA.
    #[arg(long)]
    pub certificate_github_workflow_sha: Option<String>,
    /// Expected GitHub workflow name.
    #[arg(long)]
    pub certificate_github_workflow_name: Option<String>,
    /// Expected GitHub workflow trigger event.
    #[arg(long)]
    pub certificate_github_workflow_trigger: Option<String>,
    /// Sigstore trusted_root.json (default: embedded public-good root).
    #[arg(long)]
    pub trusted_root: Option<PathBuf>,
    /// Skip transparency log checks (loud warning; needed for offline key signatures).
    #[arg(long)]
    pub insecure_ignore_tlog: bool,
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Certificates from a private CA.
    #[command(flatten, next_help_heading = "Private CA")]
    pub ca: CaArgs,
}

/// `verify-bundle`: the sigstore-conformance client protocol.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VerifyBundleArgs {
    /// Use the embedded Sigstore staging trusted root.
    #[arg(long)]
    pub staging: bool,
    /// The bundle.
    #[arg(long)]
    pub bundle: PathBuf,
    /// Public key for key-signed (managed key) bundles.
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Expected certificate identity (exact).
    #[arg(long)]
    pub certificate_identity: Option<String>,
    /// Expected OIDC issuer (exact).
    #[arg(long)]
    pub certificate_oidc_issuer: Option<String>,
    /// Custom trusted_root.json.
    #[arg(long)]
    pub trusted_root: Option<PathBuf>,
    /// The artifact path, or `sha256:HEX`.
    pub file_or_digest: String,
    /// Certificates from a private CA.
    #[command(flatten, next_help_heading = "Private CA")]
    pub ca: CaArgs,
}

/// The result of `verify-blob`: a plain verification, or a trust-file verdict.
#[derive(Debug, Clone)]
pub enum BlobOutcome {
    /// Verified against `--key` or an identity.
    Verified(Verified),
    /// Checked against `--trust`; may be invalid.
    Trust(Verdict),
    /// Verified with a certificate from a private CA.
    Certificate(sigverify_pki::CertVerified),
}

/// Runs `verify-blob` and returns the exit code.
pub fn run_verify_blob(args: &VerifyBlobArgs) -> i32 {
    if args.insecure_ignore_tlog {
        eprintln!("{TLOG_WARNING}");
    }
    match verify_blob_command(args) {
        Ok(BlobOutcome::Verified(verified)) => print_verified(&verified, args.json),
        Ok(BlobOutcome::Trust(verdict)) => print_verdict(&verdict, args.json),
        Ok(BlobOutcome::Certificate(verified)) => print_cert_verified(&verified, args.json),
        Err(failure) => report(&failure),
    }
}

/// `verify-blob` as a library call.
pub fn verify_blob_command(args: &VerifyBlobArgs) -> Result<BlobOutcome, Reported> {
    if args.ca.active() {
        return verify_blob_with_ca(args).map(BlobOutcome::Certificate);
    }
    refuse_certificate_flags_with_key(args)?;
    let evidence = blob_evidence(args)?;
    let artifact = ArtifactInput::from_path(&args.file).map_err(reported)?;
    let root = TrustRootChoice::from_options(args.trusted_root.as_deref(), false)
        .load()
        .map_err(reported)?;
    if let Some(trust_path) = &args.trust {
        let trust = TrustFile::load(trust_path).map_err(reported)?;
        let verdict =
            verify_with_trust_file(&artifact, &evidence, &trust, chrono::Utc::now(), &root);
        return Ok(BlobOutcome::Trust(verdict));
    }
    let authority = blob_authority(args)?;
    let request = VerifyRequest {
        artifact: &artifact,
        evidence: &evidence,
        authority: &authority,
        trusted_root: &root,
        ignore_tlog: args.insecure_ignore_tlog,
    };
    verify_blob(&request)
        .map(BlobOutcome::Verified)
        .map_err(reported)
}

/// With `--key` or `--trust` a key verifies the signature and no certificate is read: an
/// identity, CRL or certificate flag given with them would be silently unchecked, so a script
/// that relies on one is told instead.
fn refuse_certificate_flags_with_key(args: &VerifyBlobArgs) -> Result<(), Reported> {
    if args.key.is_none() && args.trust.is_none() {
        return Ok(());
    }
    let given = [
        (
            "--certificate-identity",
            args.certificate_identity.is_some(),
        ),
        (
            "--certificate-identity-regexp",
            args.certificate_identity_regexp.is_some(),
        ),
        (
            "--certificate-oidc-issuer",
            args.certificate_oidc_issuer.is_some(),
        ),
        (
            "--certificate-oidc-issuer-regexp",
            args.certificate_oidc_issuer_regexp.is_some(),
        ),
        (
            "--certificate-github-workflow-repository",
            args.certificate_github_workflow_repository.is_some(),
        ),
        (
            "--certificate-github-workflow-ref",
            args.certificate_github_workflow_ref.is_some(),
        ),
        (
            "--certificate-github-workflow-sha",
            args.certificate_github_workflow_sha.is_some(),
        ),
        (
            "--certificate-github-workflow-name",
            args.certificate_github_workflow_name.is_some(),
        ),
        (
            "--certificate-github-workflow-trigger",
            args.certificate_github_workflow_trigger.is_some(),
        ),
        ("--certificate", args.ca.certificate.is_some()),
        ("--ca-intermediates", args.ca.ca_intermediates.is_some()),
        ("--crl", !args.ca.crl.is_empty()),
        (
            "--timestamp-certificate-chain",
            !args.ca.timestamp_certificate_chain.is_empty(),
        ),
        (
            "--revocation-at-signing-time",
            args.ca.revocation_at_signing_time,
        ),
    ];
    let flags: Vec<&str> = given
        .iter()
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect();
    if flags.is_empty() {
        return Ok(());
    }
    let mode = if args.trust.is_some() {
        "--trust"
    } else {
        "--key"
    };
    Err(usage(format!(
        "{} check(s) certificates, which {mode} does not read: drop {} or verify with the certificate's CA (--ca-roots)",
        flags.join(", "),
        if flags.len() == 1 { "it" } else { "them" }
    )))
}

/// `verify-blob` against a private CA: a bundle with its certificate, or `--signature` with
/// `--certificate`.
fn verify_blob_with_ca(args: &VerifyBlobArgs) -> Result<sigverify_pki::CertVerified, Reported> {
    if args.trust.is_some() || args.key.is_some() {
        return Err(usage(
            "--ca-roots/--certificate-chain verify certificates: drop --trust and --key",
        ));
    }
    let expected = expected_identity(
        Matcher::from_options(
            args.certificate_identity.as_deref(),
            args.certificate_identity_regexp.as_deref(),
        ),
        Matcher::from_options(
            args.certificate_oidc_issuer.as_deref(),
            args.certificate_oidc_issuer_regexp.as_deref(),
        ),
    )?;
    let trust = args.ca.trust()?;
    let artifact = ArtifactInput::from_path(&args.file).map_err(reported)?;
    let leaf = args.ca.leaf()?;
    match (blob_evidence(args)?, &leaf) {
        (Evidence::Bundle(bundle), _) => {
            let evidence = sigverify_pki::verify::CertEvidence::Bundle(&bundle);
            verify_with_ca(&artifact, &evidence, &trust, &expected)
        }
        (Evidence::Signature(signature), Some(certificate)) => {
            let evidence = sigverify_pki::verify::CertEvidence::Detached {
                signature: &signature,
                certificate,
                chain: &[],
            };
            verify_with_ca(&artifact, &evidence, &trust, &expected)
        }
        (Evidence::Signature(_), None) => Err(usage(
            "a detached --signature needs --certificate (the signing certificate)",
        )),
    }
}

/// The identity a CA-issued certificate must carry; the issuer extension is optional.
fn expected_identity(
    identity: Result<Option<Matcher>, String>,
    issuer: Result<Option<Matcher>, String>,
) -> Result<ExpectedIdentity, Reported> {
    let Some(identity) = identity.map_err(usage)? else {
        return Err(usage(
            "give --certificate-identity (or -regexp): which signer's certificate counts",
        ));
    };
    Ok(ExpectedIdentity {
        identity,
        issuer: issuer.map_err(usage)?,
    })
}

fn blob_evidence(args: &VerifyBlobArgs) -> Result<Evidence, Reported> {
    match (&args.signature, &args.bundle) {
        (Some(_), Some(_)) => Err(usage("give --signature or --bundle, not both")),
        (None, None) => Err(usage("give --signature SIG or --bundle FILE")),
        (Some(path), None) => {
            let bytes = read(path)?;
            let sig = decode_signature(&bytes, &path.display().to_string()).map_err(reported)?;
            Ok(Evidence::Signature(sig))
        }
        (None, Some(path)) => load_bundle(path),
    }
}

fn blob_authority(args: &VerifyBlobArgs) -> Result<Authority, Reported> {
    if let Some(key) = &args.key {
        return Ok(Authority::Key(load_public_key(key).map_err(reported)?));
    }
    let identity = Matcher::from_options(
        args.certificate_identity.as_deref(),
        args.certificate_identity_regexp.as_deref(),
    )
    .map_err(usage)?;
    let issuer = Matcher::from_options(
        args.certificate_oidc_issuer.as_deref(),
        args.certificate_oidc_issuer_regexp.as_deref(),
    )
    .map_err(usage)?;
    let (Some(identity), Some(issuer)) = (identity, issuer) else {
        return Err(usage(
            "give --key, --trust, or both --certificate-identity[-regexp] and --certificate-oidc-issuer[-regexp]",
        ));
    };
    let github = GithubClaims {
        repository: args.certificate_github_workflow_repository.clone(),
        git_ref: args.certificate_github_workflow_ref.clone(),
        sha: args.certificate_github_workflow_sha.clone(),
        name: args.certificate_github_workflow_name.clone(),
        trigger: args.certificate_github_workflow_trigger.clone(),
    };
    Ok(Authority::Identity(
        IdentityPolicy::new(identity, issuer).with_github(github),
    ))
}

/// Runs `verify-bundle` and returns the exit code.
pub fn run_verify_bundle(args: &VerifyBundleArgs) -> i32 {
    if args.ca.active() {
        return match verify_bundle_with_ca(args) {
            Ok(verified) => print_cert_verified(&verified, false),
            Err(failure) => report(&failure),
        };
    }
    match verify_bundle_command(args) {
        Ok(verified) => print_verified(&verified, false),
        Err(failure) => report(&failure),
    }
}

/// `verify-bundle` against a private CA (`--ca-roots` / `--certificate-chain`).
pub fn verify_bundle_with_ca(
    args: &VerifyBundleArgs,
) -> Result<sigverify_pki::CertVerified, Reported> {
    let expected = expected_identity(
        Ok(args.certificate_identity.clone().map(Matcher::Exact)),
        Ok(args.certificate_oidc_issuer.clone().map(Matcher::Exact)),
    )?;
    let trust = args.ca.trust()?;
    let Evidence::Bundle(bundle) = load_bundle(&args.bundle)? else {
        return Err(usage("--bundle must be a bundle"));
    };
    let artifact = ArtifactInput::from_file_or_digest(&args.file_or_digest).map_err(reported)?;
    let evidence = sigverify_pki::verify::CertEvidence::Bundle(&bundle);
    verify_with_ca(&artifact, &evidence, &trust, &expected)
}

/// `verify-bundle` as a library call: builds the authority from `--key` or the identity pair.
pub fn verify_bundle_command(args: &VerifyBundleArgs) -> Result<Verified, Reported> {
    let authority =
        match (
            &args.key,
            &args.certificate_identity,
            &args.certificate_oidc_issuer,
        ) {
            (Some(key), None, None) => Authority::Key(load_public_key(key).map_err(reported)?),
            (None, Some(identity), Some(issuer)) => Authority::Identity(IdentityPolicy::new(
                Matcher::Exact(identity.clone()),
                Matcher::Exact(issuer.clone()),
            )),
            _ => return Err(usage(
                "give either --key, or both --certificate-identity and --certificate-oidc-issuer",
            )),
        };
    verify_bundle_with(args, &authority)
}

/// The rest of `verify-bundle` once the authority is chosen (tests pass
/// `IdentityPolicy::any()` here for corpus cases that name no identity).
pub fn verify_bundle_with(
    args: &VerifyBundleArgs,
    authority: &Authority,
) -> Result<Verified, Reported> {
    let root = TrustRootChoice::from_options(args.trusted_root.as_deref(), args.staging)
        .load()
        .map_err(reported)?;
    let evidence = load_bundle(&args.bundle)?;
    let artifact = ArtifactInput::from_file_or_digest(&args.file_or_digest).map_err(reported)?;
    let request = VerifyRequest {
        artifact: &artifact,
        evidence: &evidence,
        authority,
        trusted_root: &root,
        ignore_tlog: false,
    };
    verify_blob(&request).map_err(reported)
}

fn load_bundle(path: &Path) -> Result<Evidence, Reported> {
    let bytes = read(path)?;
    let bundle = parse_bundle(&bytes, &path.display().to_string()).map_err(reported)?;
    Ok(Evidence::Bundle(Box::new(bundle)))
}

fn read(path: &Path) -> Result<Vec<u8>, Reported> {
    std::fs::read(path).map_err(|source| {
        reported(InputError::Io {
            path: path.display().to_string(),
            source,
        })
    })
}

fn print_verified(verified: &Verified, json: bool) -> i32 {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(verified).unwrap_or_default()
        );
    } else {
        println!("Verified OK ({})", describe_signer(verified));
    }
    EXIT_OK
}

fn describe_signer(verified: &Verified) -> String {
    match &verified.signer {
        sigverify_cosign::verify::Signer::Key { fingerprint } => format!("key {fingerprint}"),
        sigverify_cosign::verify::Signer::Certificate { identity, issuer } => format!(
            "identity {} from {}",
            identity.as_deref().unwrap_or("?"),
            issuer.as_deref().unwrap_or("?")
        ),
    }
}

fn print_verdict(verdict: &Verdict, json: bool) -> i32 {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(verdict).unwrap_or_default()
        );
    }
    match &verdict.failure {
        None => {
            if !json {
                let owner = verdict.owner.as_deref().unwrap_or("?");
                let fp = verdict.fingerprint.as_deref().unwrap_or("?");
                println!("Verified OK (trusted key {fp}, owner {owner})");
            }
            EXIT_OK
        }
        Some(f) => {
            eprintln!("error {}: {}\n  hint: {}", f.code, f.message, f.remediation);
            EXIT_INVALID
        }
    }
}
