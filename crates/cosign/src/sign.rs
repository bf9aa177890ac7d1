//! Signing package tarballs with a cosign key: `.sig` (base64 DER) and a v0.3 bundle.

use crate::bundle::key_bundle;
use crate::error::{Coded, KeyError};
use crate::keys::custody::{load_private_key_checked, Signer};
use crate::keys::PrivateKey;
use crate::sigfile::encode_signature;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `sign` wrote.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOutput {
    /// The signed tarball.
    pub artifact: PathBuf,
    /// `<artifact>.sig`: base64 DER signature, as `cosign sign-blob` writes it.
    pub signature_path: PathBuf,
    /// `<artifact>.sigstore.json`: v0.3 bundle, no log entry.
    pub bundle_path: PathBuf,
    /// Hex SHA-256 of the tarball.
    pub sha256: String,
    /// Fingerprint of the signing key.
    pub fingerprint: String,
    /// The signature, base64.
    pub signature: String,
}

/// Errors while signing.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key could not be loaded or used.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Reading the tarball or writing outputs failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A label that would not be found next to the tarball (dots, slashes or empty).
    #[error("invalid label '{0}': use letters, digits, '-' and '_' only")]
    Label(String),
    /// The file is a DSSE pre-authentication encoding (`DSSEv1 ...`): a signature over it would
    /// be a valid signature of the envelope it encodes (a VSA, an attestation) by this key.
    #[error("{path} is a DSSE pre-authentication encoding (it starts with \"DSSEv1 \"), not a package: its signature would stand for a signed attestation")]
    DssePreimage {
        /// The path.
        path: String,
    },
    /// `npm pack` failed or printed something unexpected.
    #[error("npm pack failed in {dir}: {detail}")]
    Pack {
        /// The package directory.
        dir: String,
        /// What happened.
        detail: String,
    },
}

impl Coded for SignError {
    fn code(&self) -> &'static str {
        match self {
            Self::Key(e) => e.code(),
            Self::Io { .. } => "EIO",
            Self::Pack { .. } => "ENPMPACK",
            Self::Label(_) | Self::DssePreimage { .. } => "EUSAGE",
        }
    }
    fn remediation(&self) -> &'static str {
        match self {
            Self::Key(e) => e.remediation(),
            Self::Io { .. } => "check the paths and permissions",
            Self::Pack { .. } => {
                "run `npm pack` in the package directory by hand to see the problem"
            }
            Self::Label(_) => {
                "name the signer with letters, digits, '-' and '_', e.g. --label alice"
            }
            Self::DssePreimage { .. } => {
                "sign the package tarball itself; keep release keys and VSA keys apart"
            }
        }
    }
    fn is_config(&self) -> bool {
        true
    }
}

/// Signs the tarball at `path` with the cosign encrypted key at `key_path` (refused when group
/// or others can read it). With a `label` the outputs are `<tarball>.<label>.sig` /
/// `.sigstore.json`, so that several approvers' signatures sit side by side (k-of-n policies).
pub fn sign_package(
    path: &Path,
    key_path: &Path,
    password: &[u8],
    label: Option<&str>,
) -> Result<SignOutput, SignError> {
    let password = || {
        Ok(zeroize::Zeroizing::new(
            String::from_utf8_lossy(password).into_owned(),
        ))
    };
    let key = load_private_key_checked(key_path, &password)?;
    sign_with_key(path, &key, label)
}

/// Signs the tarball at `path` with an already decrypted key; writes `.sig` and
/// `.sigstore.json` (or `.<label>.sig` and `.<label>.sigstore.json`) next to it.
pub fn sign_with_key(
    path: &Path,
    key: &PrivateKey,
    label: Option<&str>,
) -> Result<SignOutput, SignError> {
    let signer = BorrowedKey {
        public: key.public_key()?,
        key,
    };
    sign_with_signer(path, &signer, label)
}

/// A decrypted key the caller keeps, as a [`Signer`].
struct BorrowedKey<'a> {
    key: &'a PrivateKey,
    public: crate::keys::PublicKey,
}

impl Signer for BorrowedKey<'_> {
    fn public_key(&self) -> &crate::keys::PublicKey {
        &self.public
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.key.sign(message)
    }
    fn describe(&self) -> String {
        "key in memory".into()
    }
}

/// Signs the tarball at `path` with any [`Signer`] (a key file, `env://`, a PKCS#11 token);
/// writes `.sig` and `.sigstore.json` (or `.<label>.sig` / `.<label>.sigstore.json`).
pub fn sign_with_signer(
    path: &Path,
    signer: &dyn Signer,
    label: Option<&str>,
) -> Result<SignOutput, SignError> {
    check_label(label)?;
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |source| SignError::Io { path: p, source }
    };
    let bytes = std::fs::read(path).map_err(io(path))?;
    if bytes.starts_with(crate::dsse::PAE_PREFIX) {
        let path = path.display().to_string();
        return Err(SignError::DssePreimage { path });
    }
    let sha256: [u8; 32] = Sha256::digest(&bytes).into();
    let signature = signer.sign(&bytes)?;
    let public = signer.public_key();
    let bundle = key_bundle(public, sha256, &signature);
    let bundle_json = bundle
        .to_json()
        .map_err(|e| SignError::Key(KeyError::Crypto(format!("bundle encoding failed: {e}"))))?;
    let infix = label.map(|l| format!(".{l}")).unwrap_or_default();
    let signature_path = with_suffix(path, &format!("{infix}.sig"));
    let bundle_path = with_suffix(path, &format!("{infix}.sigstore.json"));
    let encoded = encode_signature(&signature);
    std::fs::write(&signature_path, &encoded).map_err(io(&signature_path))?;
    std::fs::write(&bundle_path, bundle_json).map_err(io(&bundle_path))?;
    Ok(SignOutput {
        artifact: path.to_path_buf(),
        signature_path,
        bundle_path,
        sha256: hex::encode(sha256),
        fingerprint: public.fingerprint(),
        signature: encoded,
    })
}

/// Refuses a label that would not be found next to the tarball.
pub fn check_label(label: Option<&str>) -> Result<(), SignError> {
    match label.filter(|l| !is_valid_label(l)) {
        Some(bad) => Err(SignError::Label(bad.to_string())),
        None => Ok(()),
    }
}

/// Labels end up between the tarball name and `.sig`: no dots or path separators.
fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Runs `npm pack --json --pack-destination OUT` in `dir` and returns the tarball path.
pub fn npm_pack(dir: &Path, out_dir: &Path) -> Result<PathBuf, SignError> {
    let fail = |detail: String| SignError::Pack {
        dir: dir.display().to_string(),
        detail,
    };
    // npm runs inside `dir`, so a relative destination must be resolved against ours first.
    let out_dir =
        std::path::absolute(out_dir).map_err(|e| fail(format!("bad output directory: {e}")))?;
    let output = Command::new("npm")
        .arg("pack")
        .arg("--json")
        .arg("--pack-destination")
        .arg(&out_dir)
        .current_dir(dir)
        .output()
        .map_err(|e| fail(format!("cannot run npm: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(format!("exit {}: {}", output.status, stderr.trim())));
    }
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| fail(format!("unexpected npm pack output: {e}")))?;
    let filename = parsed
        .get(0)
        .and_then(|entry| entry.get("filename"))
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| fail("npm pack --json printed no filename".into()))?;
    // npm reports scoped names as `@scope/name-1.0.0.tgz` but writes `scope-name-1.0.0.tgz`.
    let file = filename.trim_start_matches('@').replace('/', "-");
    Ok(out_dir.join(file))
}

/// `path` with `suffix` appended to its file name.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}
