//! Command-line surface: clap `Args` structs and `run_*` functions returning exit codes
//! (0 valid, 1 verification failure, 2 usage or configuration error).

mod ca_cmd;
mod ca_verify;
mod keygen;
mod keys_cmd;
mod sign_cmd;
mod verify_cmd;

pub use ca_cmd::{run_ca, CaCommand};
pub use ca_verify::CaArgs;

pub use keygen::{
    run_generate_key_pair, run_import_key_pair, GenerateKeyPairArgs, ImportKeyPairArgs,
};
pub use keys_cmd::{run_keys, KeysCommand};
pub use sign_cmd::{run_sign, SignArgs};
pub use verify_cmd::{
    run_verify_blob, run_verify_bundle, verify_blob_command, verify_bundle_command,
    verify_bundle_with, verify_bundle_with_ca, BlobOutcome, VerifyBlobArgs, VerifyBundleArgs,
};

use sigverify_cosign::error::{Coded, Failure};

/// Exit code: verified / done.
pub const EXIT_OK: i32 = 0;
/// Exit code: the signature evidence did not verify.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: bad usage, bad key file, wrong password, unreadable input.
pub const EXIT_CONFIG: i32 = 2;

/// Every cosign-compatible command.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Verify a blob's signature or bundle (cosign verify-blob compatible).
    ///
    /// Like cosign, a signature must have a transparency log entry unless
    /// `--insecure-ignore-tlog` is given; `sign` makes offline signatures without one, so verify
    /// those with `--trust FILE` (a trust file of keys, see `keys add`), which checks the key's
    /// validity window and revocation instead.
    #[command(after_help = VERIFY_BLOB_HELP)]
    VerifyBlob(Box<VerifyBlobArgs>),
    /// Verify a bundle (sigstore-conformance client protocol).
    #[command(after_help = VERIFY_BUNDLE_HELP)]
    VerifyBundle(VerifyBundleArgs),
    /// Generate a cosign key pair (cosign.key encrypted, cosign.pub).
    ///
    /// The password comes from COSIGN_PASSWORD, else a prompt on the terminal.
    #[command(after_help = GENERATE_HELP)]
    GenerateKeyPair(GenerateKeyPairArgs),
    /// Import a PEM private key into cosign's encrypted format.
    #[command(after_help = IMPORT_HELP)]
    ImportKeyPair(ImportKeyPairArgs),
    /// Sign a package tarball (or `--pack` a package directory first).
    ///
    /// Writes `<tarball>.sig` (base64 signature) and `<tarball>.sigstore.json` (a Sigstore
    /// bundle) next to the tarball. The signature is made offline: it has no transparency log
    /// entry, so verify it with `verify-blob --trust FILE` or `verify --trust FILE`.
    #[command(after_help = SIGN_HELP)]
    Sign(SignArgs),
    /// Manage the trust file of internal keys (`keys list|add|rotate|revoke`).
    #[command(subcommand, after_help = KEYS_HELP)]
    Keys(KeysCommand),
    /// A private CA for code-signing certificates (`ca init|issue|renew|revoke|crl|list`).
    ///
    /// Signers get short-lived certificates for their email or URI identity; `sign
    /// --certificate` puts the certificate in the bundle, and `verify-blob --ca-roots` or a
    /// policy's trust.certificateAuthorities verify it, with CRLs and RFC 3161 timestamps.
    #[command(subcommand, after_help = CA_HELP)]
    Ca(CaCommand),
}

const CA_HELP: &str = "\
Examples:
  COSIGN_PASSWORD=... npm-sigverify ca init --name \"Acme Code Signing\" --permit-email acme.example
  COSIGN_PASSWORD=... npm-sigverify ca issue --identity alice@acme.example --public-key alice.pub
  npm-sigverify ca list

Exit codes: 0 done, 1 an identity outside the CA's name constraints, 2 usage error, unreadable
CA folder or key, wrong password.";

const VERIFY_BLOB_HELP: &str = "\
Examples:
  npm-sigverify verify-blob pkg-1.0.0.tgz --trust .sigverify/trust.json \\
    --bundle pkg-1.0.0.tgz.sigstore.json
  npm-sigverify verify-blob pkg-1.0.0.tgz --trust .sigverify/trust.json \\
    --signature pkg-1.0.0.tgz.sig
  npm-sigverify verify-blob artifact.tgz --bundle artifact.tgz.sigstore.json \\
    --certificate-identity-regexp '^https://github.com/acme/' \\
    --certificate-oidc-issuer https://token.actions.githubusercontent.com
  npm-sigverify verify-blob pkg-1.0.0.tgz --bundle pkg-1.0.0.tgz.sigstore.json \\
    --ca-roots ca/root.pem --ca-intermediates ca/intermediate.pem --crl ca/crls.pem \\
    --certificate-identity alice@acme.example --certificate-oidc-issuer https://ca.acme.example
  npm-sigverify verify-blob pkg-1.0.0.tgz --signature pkg.sig --certificate alice.pem \\
    --certificate-chain ca/chain.pem --certificate-identity alice@acme.example

With a private CA (--ca-roots or --certificate-chain) the chain is checked at the signing time a
trusted RFC 3161 timestamp proves (--timestamp-certificate-chain), else at the current time;
revocation with --crl (a certificate revoked after the proven signing time still fails unless
--revocation-at-signing-time). Failures: ECERTCHAIN, ECERTEXPIRED, ECERTNOTYETVALID,
ECERTREVOKED, ECERTEKU, ECERTNAMECONSTRAINT, ECERTIDENTITY, ECRLINVALID, ECRLUNAVAILABLE,
ETIMESTAMP, EBADSIGNATURE.

Exit codes: 0 verified, 1 the signature or bundle does not verify (or its key or certificate is
not trusted, expired or revoked), 2 usage error or unreadable key, artifact, trust file or CA
material.";

const VERIFY_BUNDLE_HELP: &str = "\
Examples:
  npm-sigverify verify-bundle --bundle a.txt.sigstore.json \\
    --certificate-identity https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main \\
    --certificate-oidc-issuer https://token.actions.githubusercontent.com a.txt
  npm-sigverify verify-bundle --bundle release.sigstore.json --key release.pub \\
    sha256:7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069
  npm-sigverify verify-bundle --bundle pkg.tgz.sigstore.json --certificate-chain ca/chain.pem \\
    --certificate-identity alice@acme.example pkg.tgz

The bundle must carry a transparency log entry or an RFC 3161 timestamp; the offline bundles
`sign` writes carry neither: check those with `verify-blob --trust FILE`.

Exit codes: 0 verified, 1 the bundle does not verify, 2 usage error or unreadable input.";

const GENERATE_HELP: &str = "\
Examples:
  npm-sigverify generate-key-pair                  # cosign.key, cosign.pub; asks for a password
  COSIGN_PASSWORD=... npm-sigverify generate-key-pair --output-key-prefix release
  COSIGN_PKCS11_PIN=... npm-sigverify generate-key-pair --output-key-prefix release \\
    --key 'pkcs11:token=release;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so'

Exit codes: 0 written, 2 usage error, files exist (use --force), no password.";

const IMPORT_HELP: &str = "\
Examples:
  npm-sigverify import-key-pair --key release.pem --output-key-prefix release

Exit codes: 0 written, 2 usage error, unreadable or unsupported key, files exist, no password.";

const SIGN_HELP: &str = "\
Examples:
  COSIGN_PASSWORD=... npm-sigverify sign pkg-1.0.0.tgz --key cosign.key
  npm-sigverify sign --pack packages/internal --out dist --key cosign.key
  npm-sigverify sign pkg-1.0.0.tgz --key alice.key --label alice   # one of k-of-n approvals
  npm-sigverify sign pkg-1.0.0.tgz --key alice.key --certificate alice.pem \\
    --certificate-chain ca/chain.pem --timestamp-server-url http://tsa.acme.example/tsr
  COSIGN_PKCS11_PIN=... npm-sigverify sign pkg-1.0.0.tgz --audit-log signing.jsonl \\
    --key 'pkcs11:token=release;object=release?module-path=/usr/lib/softhsm/libsofthsm2.so'
  COSIGN_PASSWORD=... npm-sigverify sign pkg-1.0.0.tgz --key env://RELEASE_KEY

A key file others can read is refused (EKEYPERMISSIONS); keys and PINs are never printed.
Exit codes: 0 signed, 2 usage error, unreadable key, wrong password or PIN, a certificate for
another key or not valid now, unreachable timestamp authority, npm pack failed.";

const KEYS_HELP: &str = "\
Examples:
  npm-sigverify keys add --trust .sigverify/trust.json --key cosign.pub --owner release-bot
  npm-sigverify keys list --trust .sigverify/trust.json
  npm-sigverify keys revoke --trust .sigverify/trust.json --fingerprint 5b1c2d3e --reason \"leaked\"";

/// Runs one command and returns its exit code.
pub fn run(command: &Command) -> i32 {
    match command {
        Command::VerifyBlob(args) => run_verify_blob(args),
        Command::VerifyBundle(args) => run_verify_bundle(args),
        Command::GenerateKeyPair(args) => run_generate_key_pair(args),
        Command::ImportKeyPair(args) => run_import_key_pair(args),
        Command::Sign(args) => run_sign(args),
        Command::Keys(command) => run_keys(command),
        Command::Ca(command) => run_ca(command),
    }
}

/// Appends to the audit log; a signature that cannot be recorded is reported (exit 2).
pub(crate) fn audit(
    log: &std::path::Path,
    entry: &sigverify_cosign::audit::AuditEntry,
) -> Result<(), Reported> {
    sigverify_cosign::audit::append(log, entry).map_err(|e| {
        usage(format!(
            "signed, but the audit log {} could not be written: {e}",
            log.display()
        ))
    })
}

/// A failure on its way to the user, with its exit code.
#[derive(Debug, Clone)]
pub struct Reported {
    /// The failure.
    pub failure: Failure,
    /// Exit code 1 or 2.
    pub exit_code: i32,
}

impl<E: Coded> From<&E> for Reported {
    fn from(error: &E) -> Self {
        Self {
            failure: error.to_failure(),
            exit_code: if error.is_config() {
                EXIT_CONFIG
            } else {
                EXIT_INVALID
            },
        }
    }
}

/// Converts any coded error into a [`Reported`] (for `map_err`).
pub(crate) fn reported<E: Coded>(error: E) -> Reported {
    Reported::from(&error)
}

/// A usage error (exit 2).
pub(crate) fn usage(message: impl Into<String>) -> Reported {
    reported(sigverify_cosign::error::InputError::Usage(message.into()))
}

/// Prints a failure to stderr and returns its exit code.
pub(crate) fn report(reported: &Reported) -> i32 {
    let f = &reported.failure;
    eprintln!("error {}: {}\n  hint: {}", f.code, f.message, f.remediation);
    reported.exit_code
}
