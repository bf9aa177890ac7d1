//! Raw signature checks per algorithm, in the encodings cosign and openssl produce.

use super::signature::{KeyAlgorithm, Message, SignatureMismatch};
use sha2::{Digest, Sha256, Sha384};

fn sha256_of(message: Message<'_>) -> [u8; 32] {
    match message {
        Message::Bytes(bytes) => Sha256::digest(bytes).into(),
        Message::Sha256(digest) => *digest,
    }
}

pub(super) fn verify_p256(
    key: &p256::ecdsa::VerifyingKey,
    message: Message<'_>,
    signature: &[u8],
) -> Result<(), SignatureMismatch> {
    use p256::ecdsa::signature::hazmat::PrehashVerifier;
    let sig = p256::ecdsa::Signature::from_der(signature)
        .map_err(|_| SignatureMismatch::Encoding(KeyAlgorithm::EcdsaP256))?;
    key.verify_prehash(&sha256_of(message), &sig)
        .map_err(|_| SignatureMismatch::Invalid(KeyAlgorithm::EcdsaP256))
}

pub(super) fn verify_p384(
    key: &p384::ecdsa::VerifyingKey,
    message: Message<'_>,
    signature: &[u8],
) -> Result<(), SignatureMismatch> {
    use p384::ecdsa::signature::hazmat::PrehashVerifier;
    let sig = p384::ecdsa::Signature::from_der(signature)
        .map_err(|_| SignatureMismatch::Encoding(KeyAlgorithm::EcdsaP384))?;
    // cosign signs blobs with SHA-256 whatever the curve; Sigstore's newer default for P-384
    // is SHA-384. Both are accepted (only possible when the bytes are at hand).
    if key.verify_prehash(&sha256_of(message), &sig).is_ok() {
        return Ok(());
    }
    match message {
        Message::Bytes(bytes) => key
            .verify_prehash(&Sha384::digest(bytes), &sig)
            .map_err(|_| SignatureMismatch::Invalid(KeyAlgorithm::EcdsaP384)),
        Message::Sha256(_) => Err(SignatureMismatch::Invalid(KeyAlgorithm::EcdsaP384)),
    }
}

pub(super) fn verify_ed25519(
    key: &ed25519_dalek::VerifyingKey,
    message: Message<'_>,
    signature: &[u8],
) -> Result<(), SignatureMismatch> {
    let Message::Bytes(bytes) = message else {
        return Err(SignatureMismatch::NeedsBytes);
    };
    let sig = ed25519_dalek::Signature::from_slice(signature)
        .map_err(|_| SignatureMismatch::Encoding(KeyAlgorithm::Ed25519))?;
    key.verify_strict(bytes, &sig)
        .map_err(|_| SignatureMismatch::Invalid(KeyAlgorithm::Ed25519))
}

pub(super) fn verify_rsa(
    key: &rsa::RsaPublicKey,
    message: Message<'_>,
    signature: &[u8],
) -> Result<(), SignatureMismatch> {
    let digest = sha256_of(message);
    key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
        .map_err(|_| SignatureMismatch::Invalid(KeyAlgorithm::Rsa))
}
