//! `generate-key-pair` and `import-key-pair`: cosign's `<prefix>.key` / `<prefix>.pub` files.

use super::{report, reported, usage, Reported, EXIT_OK};
use sigverify_cosign::error::KeyError;
use sigverify_cosign::keys::custody::{check_private_key_file, Pkcs11Uri, Signer, TokenKey};
use sigverify_cosign::keys::{
    encrypt_private_key, read_password, KeyAlgorithm, PrivateKey, PublicKey,
};
use std::path::{Path, PathBuf};

/// `generate-key-pair`: writes `<prefix>.key` (encrypted) and `<prefix>.pub`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateKeyPairArgs {
    /// Output file prefix (cosign's default is `cosign`).
    #[arg(long, default_value = "cosign")]
    pub output_key_prefix: PathBuf,
    /// Key algorithm.
    #[arg(long, value_enum, default_value = "ecdsa-p256")]
    pub algorithm: KeyAlgorithm,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// Generate the key inside a PKCS#11 token instead (`pkcs11:token=...;object=NAME`, the
    /// object must not exist yet); only `<prefix>.pub` is written.
    #[arg(long, value_name = "PKCS11_URI")]
    pub key: Option<String>,
}

/// `import-key-pair --key FILE`: encrypts an existing PEM private key in cosign's format.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportKeyPairArgs {
    /// Unencrypted PEM private key (PKCS#8, SEC1 EC or PKCS#1 RSA).
    #[arg(long)]
    pub key: PathBuf,
    /// Output file prefix.
    #[arg(long, default_value = "import-cosign")]
    pub output_key_prefix: PathBuf,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

/// Runs `generate-key-pair`.
pub fn run_generate_key_pair(args: &GenerateKeyPairArgs) -> i32 {
    if let Some(uri) = &args.key {
        return match generate_in_token(uri, args) {
            Ok((public_path, public, where_)) => {
                println!("Private key generated in {where_} (it never leaves the token)");
                println!("Public key written to {}", public_path.display());
                println!("Fingerprint: {}", public.fingerprint());
                EXIT_OK
            }
            Err(failure) => report(&failure),
        };
    }
    let result = PrivateKey::generate(args.algorithm)
        .map_err(reported)
        .and_then(|key| write_key_pair(&key, &args.output_key_prefix, args.force));
    finish(result)
}

/// Generates the key pair in the token and writes its public key to `<prefix>.pub`.
pub(crate) fn generate_in_token(
    uri: &str,
    args: &GenerateKeyPairArgs,
) -> Result<(PathBuf, PublicKey, String), Reported> {
    let uri = Pkcs11Uri::parse(uri).map_err(reported)?;
    let public_path = suffixed(&args.output_key_prefix, ".pub");
    if public_path.exists() && !args.force {
        return Err(usage(format!(
            "{} exists; pass --force to overwrite",
            public_path.display()
        )));
    }
    let key = TokenKey::generate(&uri, args.algorithm).map_err(reported)?;
    let public = key.public_key().clone();
    write_file(&public_path, &public.to_pem(), 0o644)?;
    Ok((public_path, public, key.describe()))
}

/// Runs `import-key-pair`.
pub fn run_import_key_pair(args: &ImportKeyPairArgs) -> i32 {
    // A plain private key others can read is already exposed: refuse it, as ssh does.
    let result = check_private_key_file(&args.key)
        .and_then(|()| sigverify_cosign::keys::read_text(&args.key))
        .and_then(|text| PrivateKey::from_plain_pem(&text, &args.key.display().to_string()))
        .map_err(reported)
        .and_then(|key| write_key_pair(&key, &args.output_key_prefix, args.force));
    finish(result)
}

fn finish(result: Result<(PathBuf, PathBuf, String), Reported>) -> i32 {
    match result {
        Ok((private, public, fingerprint)) => {
            println!("Private key written to {}", private.display());
            println!("Public key written to {}", public.display());
            println!("Fingerprint: {fingerprint}");
            EXIT_OK
        }
        Err(failure) => report(&failure),
    }
}

/// Encrypts `key` with the password from `COSIGN_PASSWORD` or the terminal and writes
/// `<prefix>.key` and `<prefix>.pub`. Returns both paths and the fingerprint.
pub(crate) fn write_key_pair(
    key: &PrivateKey,
    prefix: &Path,
    force: bool,
) -> Result<(PathBuf, PathBuf, String), Reported> {
    let private_path = suffixed(prefix, ".key");
    let public_path = suffixed(prefix, ".pub");
    for path in [&private_path, &public_path] {
        if path.exists() && !force {
            return Err(usage(format!(
                "{} exists; pass --force to overwrite",
                path.display()
            )));
        }
    }
    let password = read_password(true).map_err(reported)?;
    let encrypted = encrypt_private_key(key, password.as_bytes()).map_err(reported)?;
    let public = key.public_key().map_err(reported)?;
    write_file(&private_path, &encrypted, 0o600)?;
    write_file(&public_path, &public.to_pem(), 0o644)?;
    Ok((private_path, public_path, public.fingerprint()))
}

fn suffixed(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn write_file(path: &Path, contents: &str, mode: u32) -> Result<(), Reported> {
    let io = |source| {
        reported(KeyError::Io {
            path: path.display().to_string(),
            source,
        })
    };
    // Created with its final mode: a private key is never readable by others, not even briefly.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    let mut file = options.open(path).map_err(io)?;
    std::io::Write::write_all(&mut file, contents.as_bytes()).map_err(io)?;
    set_mode(path, mode).map_err(io)
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
