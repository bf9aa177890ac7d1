//! Error types, one enum per stage, each variant with a stable code and a remediation hint.
//!
//! Every failure the crate reports carries three things: a stable `code` string (npm's
//! vocabulary where it exists, our own `E...` codes otherwise), a lower-case message with the
//! names and numbers in it, and a remediation hint for the person reading it.

use serde::Serialize;

/// A failure that can be reported with a stable code and a remediation hint.
pub trait Coded: std::error::Error {
    /// Stable machine-readable code, e.g. `EWRONGPASSWORD`.
    fn code(&self) -> &'static str;
    /// One sentence telling the user what to do about it.
    fn remediation(&self) -> &'static str;
    /// True when the failure is a usage or configuration problem (exit code 2) rather than a
    /// verification failure (exit code 1).
    fn is_config(&self) -> bool {
        false
    }
    /// Converts the error into the plain data shape used in reports and the JS API.
    fn to_failure(&self) -> Failure {
        Failure {
            code: self.code().to_string(),
            message: self.to_string(),
            remediation: self.remediation().to_string(),
        }
    }
}

/// A failure as plain data: what every verdict and command reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Stable code such as `ESIGNATURE`.
    pub code: String,
    /// Lower-case human message.
    pub message: String,
    /// What to do about it.
    pub remediation: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.code, self.message, self.remediation)
    }
}

/// Errors reading, decoding, decrypting or encoding key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The password does not open the encrypted private key.
    #[error("wrong password: the encrypted private key in {0} could not be decrypted")]
    WrongPassword(String),
    /// The PEM or DER structure is not a key we can read.
    #[error("malformed key in {source_name}: {detail}")]
    Malformed {
        /// File name or description of the input.
        source_name: String,
        /// What was wrong.
        detail: String,
    },
    /// A well-formed key of an algorithm we do not support.
    #[error("unsupported key type in {source_name}: {detail}")]
    Unsupported {
        /// File name or description of the input.
        source_name: String,
        /// The algorithm or curve found.
        detail: String,
    },
    /// No password could be obtained.
    #[error("no password: {0}")]
    NoPassword(String),
    /// Reading or writing a key file failed.
    #[error("cannot access key file {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Generating or encrypting a key failed.
    #[error("key generation or encryption failed: {0}")]
    Crypto(String),
    /// A private key file that other users can read (ssh refuses these too).
    #[error("private key file {path} is readable by group or others (mode {mode:04o})")]
    Permissions {
        /// The key file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// A PKCS#11 token, its module, its login or a key object could not be used. The message
    /// never contains the PIN.
    #[error("pkcs#11: {0}")]
    Token(String),
    /// An `env://NAME` key whose variable is unset or does not hold an encrypted key.
    #[error("key from the environment: {0}")]
    Environment(String),
}

impl Coded for KeyError {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongPassword(_) => "EWRONGPASSWORD",
            Self::Malformed { .. } => "EKEYFORMAT",
            Self::Unsupported { .. } => "EKEYUNSUPPORTED",
            Self::NoPassword(_) => "ENOPASSWORD",
            Self::Io { .. } => "EKEYREAD",
            Self::Crypto(_) => "EKEYCRYPTO",
            Self::Permissions { .. } => "EKEYPERMISSIONS",
            Self::Token(_) => "EPKCS11",
            Self::Environment(_) => "EKEYENV",
        }
    }
    fn remediation(&self) -> &'static str {
        match self {
            Self::WrongPassword(_) => "check COSIGN_PASSWORD or the password typed at the prompt",
            Self::Malformed { .. } => {
                "pass a PEM public key (SPKI) or a cosign encrypted private key"
            }
            Self::Unsupported { .. } => "use an ECDSA P-256/P-384, Ed25519 or RSA key",
            Self::NoPassword(_) => "set COSIGN_PASSWORD or run the command on a terminal",
            Self::Io { .. } => "check that the key file exists and is readable",
            Self::Crypto(_) => "retry; if it persists, report the message",
            Self::Permissions { .. } => {
                "make the key file private to its owner (chmod 600 FILE), or keep the key in a token (--key pkcs11:...)"
            }
            Self::Token(_) => {
                "check the pkcs11: URI (token, object), the module (module-path or COSIGN_PKCS11_MODULE_PATH) and the PIN (pin-source, pin-value or COSIGN_PKCS11_PIN)"
            }
            Self::Environment(_) => {
                "put an encrypted cosign private key (ENCRYPTED SIGSTORE PRIVATE KEY PEM) in the variable and its password in COSIGN_PASSWORD"
            }
        }
    }
    fn is_config(&self) -> bool {
        true
    }
}

/// Errors in a signature or bundle input before any cryptography runs.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The detached signature is neither base64 DER nor raw DER.
    #[error("malformed signature in {source_name}: {detail}")]
    Signature {
        /// Where the signature came from.
        source_name: String,
        /// What was wrong.
        detail: String,
    },
    /// The bundle is not a Sigstore bundle nor cosign's older bundle JSON.
    #[error("malformed bundle in {source_name}: {detail}")]
    Bundle {
        /// Where the bundle came from.
        source_name: String,
        /// What was wrong.
        detail: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The trusted root could not be loaded.
    #[error("invalid trusted root {source_name}: {detail}")]
    TrustedRoot {
        /// Where the trusted root came from.
        source_name: String,
        /// What was wrong.
        detail: String,
    },
    /// Options that do not make sense together, or a missing option.
    #[error("usage: {0}")]
    Usage(String),
}

impl Coded for InputError {
    fn code(&self) -> &'static str {
        match self {
            Self::Signature { .. } => "ESIGFORMAT",
            Self::Bundle { .. } => "EBUNDLE",
            Self::Io { .. } => "EREAD",
            Self::TrustedRoot { .. } => "ETRUSTEDROOT",
            Self::Usage(_) => "EUSAGE",
        }
    }
    fn remediation(&self) -> &'static str {
        match self {
            Self::Signature { .. } => {
                "pass the .sig file written by `cosign sign-blob` (base64 DER)"
            }
            Self::Bundle { .. } => {
                "pass a Sigstore bundle (.sigstore.json) or a cosign --bundle file"
            }
            Self::Io { .. } => "check the path and its permissions",
            Self::TrustedRoot { .. } => "pass a Sigstore trusted_root.json or omit --trusted-root",
            Self::Usage(_) => "see --help for the accepted options",
        }
    }
    fn is_config(&self) -> bool {
        // A bundle or signature that fails to parse is hostile or broken evidence: the
        // verification failed (exit 1), it is not a usage mistake.
        !matches!(self, Self::Signature { .. } | Self::Bundle { .. })
    }
}
