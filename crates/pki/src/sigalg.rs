//! Signatures on certificates and CRLs: the signed bytes exactly as encoded, the algorithm the
//! signer named, the issuer's key.

use const_oid::ObjectIdentifier;
use der::{Decode, Reader};
use sigstore_crypto::{KeyAlgorithm, SigningScheme};
use sigstore_types::{DerPublicKey, HashAlgorithm, SignatureBytes};

const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const RSA_SHA384: &str = "1.2.840.113549.1.1.12";
const RSA_SHA512: &str = "1.2.840.113549.1.1.13";
const ED25519: &str = "1.3.101.112";

/// The first element of a DER SEQUENCE, as encoded (the `tbsCertificate` of a certificate,
/// the `tbsCertList` of a CRL): signatures are over these bytes, never over a re-encoding.
pub(crate) fn signed_part(der: &[u8]) -> Result<&[u8], String> {
    let mut reader = der::SliceReader::new(der).map_err(|e| e.to_string())?;
    der::Header::decode(&mut reader).map_err(|e| format!("not a DER sequence: {e}"))?;
    reader
        .tlv_bytes()
        .map_err(|e| format!("no signed part: {e}"))
}

/// Verifies `signature` (algorithm `algorithm`) over `signed` with the issuer's SPKI.
pub(crate) fn verify_signed(
    issuer_spki: &[u8],
    algorithm: &ObjectIdentifier,
    signed: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let key = DerPublicKey::new(issuer_spki.to_vec());
    let key_algorithm = KeyAlgorithm::from_spki(&key).map_err(|e| format!("issuer key: {e}"))?;
    let scheme = scheme(algorithm, key_algorithm)?;
    sigstore_crypto::verify_signature(&key, signed, &SignatureBytes::from_bytes(signature), scheme)
        .map_err(|_| "the signature does not verify with the issuer's key".to_string())
}

/// The signing scheme for a signature algorithm OID and the key that must have made it.
fn scheme(algorithm: &ObjectIdentifier, key: KeyAlgorithm) -> Result<SigningScheme, String> {
    let (family, hash) = match algorithm.to_string().as_str() {
        ECDSA_SHA256 => ("ecdsa", HashAlgorithm::Sha2256),
        ECDSA_SHA384 => ("ecdsa", HashAlgorithm::Sha2384),
        ECDSA_SHA512 => ("ecdsa", HashAlgorithm::Sha2512),
        RSA_SHA256 => ("rsa", HashAlgorithm::Sha2256),
        RSA_SHA384 => ("rsa", HashAlgorithm::Sha2384),
        RSA_SHA512 => ("rsa", HashAlgorithm::Sha2512),
        ED25519 => ("ed25519", HashAlgorithm::Sha2256),
        other => return Err(format!("unsupported signature algorithm {other}")),
    };
    let fits = matches!(
        (family, key),
        ("ecdsa", KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384)
            | ("rsa", KeyAlgorithm::Rsa)
            | ("ed25519", KeyAlgorithm::Ed25519)
    );
    if !fits {
        return Err(format!(
            "signature algorithm {algorithm} does not fit the issuer's {key:?} key"
        ));
    }
    key.resolve_signing_scheme(hash).map_err(|e| e.to_string())
}

/// Checks that the signature algorithm inside the signed part equals the outer one (RFC 5280
/// 4.1.1.2): a mismatch is a sign of tampering.
pub(crate) fn same_algorithm(
    inner: &spki::AlgorithmIdentifierOwned,
    outer: &spki::AlgorithmIdentifierOwned,
) -> bool {
    inner == outer
}
