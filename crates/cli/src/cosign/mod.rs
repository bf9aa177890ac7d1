//! Command-line surface: clap `Args` structs and `run_*` functions returning exit codes
//! (0 valid, 1 verification failure, 2 usage or configuration error).

mod keygen;
mod keys_cmd;
mod sign_cmd;
mod verify_cmd;

pub use keygen::{
    run_generate_key_pair, run_import_key_pair, GenerateKeyPairArgs, ImportKeyPairArgs,
};
pub use keys_cmd::{run_keys, KeysCommand};
pub use sign_cmd::{run_sign, SignArgs};
pub use verify_cmd::{
    run_verify_blob, run_verify_bundle, verify_blob_command, verify_bundle_command,
    verify_bundle_with, BlobOutcome, VerifyBlobArgs, VerifyBundleArgs,
};

use sigverify_cosign::error::{Coded, Failure};

/// Exit code: verified / done.
pub const EXIT_OK: i32 = 0;
/// Exit code: the signature evidence did not verify.
pub const EXIT_INVALID: i32 = 1;
/// Exit code: bad usage, bad key file, wrong password, unreadable input.
pub const EXIT_CONFIG: i32 = 2;

/// Every command of the `sigverify-cosign` binary.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Verify a blob's signature or bundle (cosign verify-blob compatible).
    VerifyBlob(Box<VerifyBlobArgs>),
    /// Verify a bundle (sigstore-conformance client protocol).
    VerifyBundle(VerifyBundleArgs),
    /// Generate a cosign key pair (cosign.key encrypted, cosign.pub).
    GenerateKeyPair(GenerateKeyPairArgs),
    /// Import a PEM private key into cosign's encrypted format.
    ImportKeyPair(ImportKeyPairArgs),
    /// Sign a package tarball (or `--pack` a package directory first).
    Sign(SignArgs),
    /// Manage the trust file of internal keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

/// Runs one command and returns its exit code.
pub fn run(command: &Command) -> i32 {
    match command {
        Command::VerifyBlob(args) => run_verify_blob(args),
        Command::VerifyBundle(args) => run_verify_bundle(args),
        Command::GenerateKeyPair(args) => run_generate_key_pair(args),
        Command::ImportKeyPair(args) => run_import_key_pair(args),
        Command::Sign(args) => run_sign(args),
        Command::Keys(command) => run_keys(command),
    }
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
