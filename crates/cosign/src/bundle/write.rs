//! Writing our own key-signed bundles (no log entry: signing here is offline).

use crate::keys::PublicKey;
use sigstore_types::bundle::{
    MessageDigest, MessageSignature, PublicKeyIdentifier, VerificationMaterial,
    VerificationMaterialContent,
};
use sigstore_types::{
    Bundle, DigestBytes, HashAlgorithm, MediaType, SignatureBytes, SignatureContent,
};

/// Builds a v0.3 bundle with a message signature over the artifact's SHA-256, identifying the
/// key by its fingerprint in `publicKey.hint`. It has no transparency-log entry and no
/// timestamp, so it verifies only with the key itself and the no-tlog path
/// (`--insecure-ignore-tlog`, or a trust file, which then checks the key is valid *now*).
pub fn key_bundle(key: &PublicKey, sha256: [u8; 32], signature: &[u8]) -> Bundle {
    let material = VerificationMaterial::new(VerificationMaterialContent::PublicKey(
        PublicKeyIdentifier::new(key.fingerprint()),
    ));
    let content = MessageSignature::new(SignatureBytes::from_bytes(signature)).with_message_digest(
        MessageDigest::new(HashAlgorithm::Sha2256, DigestBytes::new(sha256.to_vec())),
    );
    Bundle::new(
        MediaType::Bundle0_3,
        material,
        SignatureContent::MessageSignature(content),
    )
}
