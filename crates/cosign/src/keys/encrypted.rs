//! cosign's encrypted private key format.
//!
//! A PEM block labelled `ENCRYPTED SIGSTORE PRIVATE KEY` (cosign before 2.0 wrote
//! `ENCRYPTED COSIGN PRIVATE KEY`; both are read) whose contents are JSON:
//!
//! ```json
//! {"kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": "<base64 32 bytes>"},
//!  "cipher": {"name": "nacl/secretbox", "nonce": "<base64 24 bytes>"},
//!  "ciphertext": "<base64 secretbox(PKCS#8 DER of the private key)>"}
//! ```
//!
//! The 32-byte secretbox key is scrypt(password, salt, N, r, p). This is go-tuf's `encrypted`
//! package as cosign uses it; the layout was learnt from sigstore-rs and written anew here.

use super::pem;
use super::private::PrivateKey;
use crate::error::KeyError;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::XSalsa20Poly1305;
use rand_core::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The label cosign 2.x and sigstore clients write.
pub const SIGSTORE_LABEL: &str = "ENCRYPTED SIGSTORE PRIVATE KEY";
/// The label older cosign versions wrote.
pub const COSIGN_LABEL: &str = "ENCRYPTED COSIGN PRIVATE KEY";

const SCRYPT_N: u64 = 32768;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
/// Upper bound on scrypt's N accepted on import: a hostile key file must not make us allocate
/// gigabytes (N=2^20, r=8 is already 1 GiB).
const MAX_LOG_N: u8 = 20;

#[derive(Serialize, Deserialize)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Serialize, Deserialize)]
struct Kdf {
    name: String,
    params: ScryptParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct Cipher {
    name: String,
    nonce: String,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

/// Encrypts `key` with `password` into cosign's PEM format.
pub fn encrypt_private_key(key: &PrivateKey, password: &[u8]) -> Result<String, KeyError> {
    let mut salt = [0u8; 32];
    let mut nonce = [0u8; 24];
    rand_core::OsRng.fill_bytes(&mut salt);
    rand_core::OsRng.fill_bytes(&mut nonce);
    let params = ScryptParams {
        n: SCRYPT_N,
        r: SCRYPT_R,
        p: SCRYPT_P,
    };
    let box_key = derive_key(password, &salt, &params, "new key")?;
    let cipher = XSalsa20Poly1305::new(box_key.as_slice().into());
    let plaintext = key.to_pkcs8_der()?;
    let ciphertext = cipher
        .encrypt(&nonce.into(), plaintext.as_slice())
        .map_err(|_| KeyError::Crypto("secretbox encryption failed".into()))?;
    let envelope = Envelope {
        kdf: Kdf {
            name: "scrypt".into(),
            params,
            salt: STANDARD.encode(salt),
        },
        cipher: Cipher {
            name: "nacl/secretbox".into(),
            nonce: STANDARD.encode(nonce),
        },
        ciphertext: STANDARD.encode(ciphertext),
    };
    let json = serde_json::to_vec(&envelope).map_err(|e| KeyError::Crypto(e.to_string()))?;
    Ok(pem::encode(SIGSTORE_LABEL, &json))
}

/// Decrypts a cosign encrypted private key (either label).
///
/// A failed secretbox authentication is reported as [`KeyError::WrongPassword`]: with a
/// well-formed envelope that is the only realistic cause.
pub fn decrypt_private_key(
    text: &str,
    password: &[u8],
    source_name: &str,
) -> Result<PrivateKey, KeyError> {
    let block = pem::parse_first(text, source_name)?;
    if block.label != SIGSTORE_LABEL && block.label != COSIGN_LABEL {
        return Err(KeyError::Malformed {
            source_name: source_name.to_string(),
            detail: format!(
                "expected an {SIGSTORE_LABEL} or {COSIGN_LABEL} PEM block, found {}",
                block.label
            ),
        });
    }
    let envelope: Envelope =
        serde_json::from_slice(&block.contents).map_err(|e| malformed(source_name, e))?;
    let plaintext = open_envelope(&envelope, password, source_name)?;
    PrivateKey::from_pkcs8_der(&plaintext, source_name)
}

fn open_envelope(
    envelope: &Envelope,
    password: &[u8],
    source_name: &str,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if envelope.kdf.name != "scrypt" {
        return Err(malformed(
            source_name,
            format!("unknown kdf {}", envelope.kdf.name),
        ));
    }
    if envelope.cipher.name != "nacl/secretbox" {
        let name = &envelope.cipher.name;
        return Err(malformed(source_name, format!("unknown cipher {name}")));
    }
    let salt = decode_b64(&envelope.kdf.salt, "salt", source_name)?;
    let nonce = decode_b64(&envelope.cipher.nonce, "nonce", source_name)?;
    let ciphertext = decode_b64(&envelope.ciphertext, "ciphertext", source_name)?;
    let nonce: [u8; 24] = nonce.try_into().map_err(|v: Vec<u8>| {
        malformed(source_name, format!("nonce is {} bytes, not 24", v.len()))
    })?;
    let box_key = derive_key(password, &salt, &envelope.kdf.params, source_name)?;
    let cipher = XSalsa20Poly1305::new(box_key.as_slice().into());
    cipher
        .decrypt(&nonce.into(), ciphertext.as_slice())
        .map(Zeroizing::new)
        .map_err(|_| KeyError::WrongPassword(source_name.to_string()))
}

fn derive_key(
    password: &[u8],
    salt: &[u8],
    params: &ScryptParams,
    source_name: &str,
) -> Result<Zeroizing<[u8; 32]>, KeyError> {
    if !params.n.is_power_of_two() || params.n < 2 {
        return Err(malformed(
            source_name,
            format!("scrypt N={} is not a power of two", params.n),
        ));
    }
    let log_n = params.n.trailing_zeros() as u8;
    if log_n > MAX_LOG_N || params.r == 0 || params.r > 32 || params.p == 0 || params.p > 16 {
        let (n, r, p) = (params.n, params.r, params.p);
        return Err(malformed(
            source_name,
            format!("scrypt parameters N={n} r={r} p={p} out of range"),
        ));
    }
    let scrypt_params = scrypt::Params::new(log_n, params.r, params.p, 32)
        .map_err(|e| malformed(source_name, format!("scrypt parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(password, salt, &scrypt_params, out.as_mut())
        .map_err(|e| KeyError::Crypto(format!("scrypt failed: {e}")))?;
    Ok(out)
}

fn decode_b64(value: &str, field: &str, source_name: &str) -> Result<Vec<u8>, KeyError> {
    STANDARD
        .decode(value)
        .map_err(|e| malformed(source_name, format!("{field} is not base64: {e}")))
}

fn malformed(source_name: &str, detail: impl std::fmt::Display) -> KeyError {
    KeyError::Malformed {
        source_name: source_name.to_string(),
        detail: format!("encrypted key: {detail}"),
    }
}
