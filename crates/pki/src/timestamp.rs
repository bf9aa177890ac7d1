//! RFC 3161 timestamps: requested from a TSA when signing (over the signature bytes, as Sigstore
//! does), verified against configured TSA certificate chains when verifying. A verified token is
//! the proof of *when* a signature was made, so a short-lived certificate can be checked at that
//! time instead of now.

use crate::cert::Cert;
use crate::error::{material, CertError};
use chrono::{DateTime, Utc};
use sigstore_types::{Bundle, DerCertificate, SignatureBytes, TimestampToken, TsaAuthority};
use std::path::Path;

/// Longest wait for a TSA answer.
const TSA_TIMEOUT_SECS: u64 = 30;

/// Reads a TSA chain file as cosign's `--timestamp-certificate-chain`: PEM, the TSA's signing
/// certificate first, its root last.
pub fn load_authority(path: &Path) -> Result<TsaAuthority, CertError> {
    let certs = Cert::load_file(path)?;
    authority(certs, &path.display().to_string())
}

/// Builds an authority from a chain (leaf first, root last; at least two certificates).
pub fn authority(certs: Vec<Cert>, source: &str) -> Result<TsaAuthority, CertError> {
    if certs.len() < 2 {
        return Err(material(
            source,
            "a TSA chain needs the TSA certificate and its root (leaf first, root last)",
        ));
    }
    let der = |c: &Cert| DerCertificate::new(c.der().to_vec());
    let leaf = der(&certs[0]);
    let root = der(&certs[certs.len() - 1]);
    let intermediates = certs[1..certs.len() - 1].iter().map(der).collect();
    Ok(TsaAuthority::new(leaf, intermediates, root, None))
}

/// The verified times of the bundle's RFC 3161 tokens over `signature`.
///
/// With no authority configured, tokens are not used (the signature is checked at the
/// verification time, the stricter choice). With authorities, every token must verify with one
/// of them: a token that does not is a forged or foreign time claim (ETIMESTAMP).
pub fn verified_times(
    bundle: &Bundle,
    signature: &[u8],
    authorities: &[TsaAuthority],
) -> Result<Vec<DateTime<Utc>>, CertError> {
    let tokens = &bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps;
    if authorities.is_empty() {
        return Ok(Vec::new());
    }
    let signature = SignatureBytes::from_bytes(signature);
    tokens
        .iter()
        .enumerate()
        .map(|(index, token)| verify_token(&token.signed_timestamp, &signature, authorities, index))
        .collect()
}

fn verify_token(
    token: &TimestampToken,
    signature: &SignatureBytes,
    authorities: &[TsaAuthority],
    index: usize,
) -> Result<DateTime<Utc>, CertError> {
    let mut last = String::new();
    for authority in authorities {
        match sigstore_tsa::verify_timestamp_for_authority(token, signature, authority) {
            Ok(time) => {
                return DateTime::from_timestamp(time.as_second(), 0)
                    .ok_or_else(|| CertError::Timestamp("timestamp out of range".into()))
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(CertError::Timestamp(format!(
        "RFC 3161 timestamp #{index} does not verify with any of the {} configured timestamp authorities ({last})",
        authorities.len()
    )))
}

/// Asks the TSA at `url` for a token over the SHA-256 of `signature`; returns the DER
/// `TimeStampResp` (nonce and imprint checked). Runs on its own thread and runtime, so it can be
/// called from synchronous code inside or outside a tokio runtime.
pub fn request(url: &str, signature: &[u8]) -> Result<Vec<u8>, CertError> {
    let fail = |detail: String| CertError::Tsa {
        url: url.to_string(),
        detail,
    };
    let (url_owned, signature) = (url.to_string(), SignatureBytes::from_bytes(signature));
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async move {
            let http = sigstore_tsa::reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(TSA_TIMEOUT_SECS))
                .build()
                .map_err(|e| e.to_string())?;
            let client = sigstore_tsa::TimestampClient::builder(url_owned)
                .with_http_client(http)
                .build()
                .map_err(|e| e.to_string())?;
            client
                .timestamp_signature(&signature)
                .await
                .map_err(|e| e.to_string())
        })
    });
    let token = worker
        .join()
        .map_err(|_| fail("the request thread panicked".into()))?
        .map_err(fail)?;
    Ok(token.as_bytes().to_vec())
}
