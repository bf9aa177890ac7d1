//! The cryptographic layer, delegated to `sigstore-verify`: DSSE signature, Fulcio chain at
//! the log time plus SCT (keyless), Rekor entry consistency with the envelope, SET, inclusion
//! proof and checkpoint, RFC 3161 timestamps when present.

use crate::error::AttestationError;
use sigstore_verify::types::{ArtifactDigest, Bundle, DerPublicKey, HashAlgorithm};
use sigstore_verify::{
    PublicKeyVerificationPolicy, VerificationPolicy, VerificationResult, Verifier,
};

/// How the bundle's signature is checked.
pub(crate) enum Signer<'a> {
    /// Fulcio certificate in the bundle (provenance).
    Keyless,
    /// A registry key chosen by the DSSE keyid (publish attestation).
    RegistryKey(&'a [u8]),
}

/// Run every Sigstore check on `bundle`, binding its statement subject to `digest`.
///
/// Keyless bundles are verified with no identity constraint here on purpose: npm applies
/// none, and this crate's own identity policy runs afterwards on the extracted facts.
pub(crate) fn verify_bundle(
    verifier: &Verifier,
    bundle: &Bundle,
    digest: ArtifactDigest,
    signer: Signer<'_>,
) -> Result<VerificationResult, AttestationError> {
    let result = match signer {
        Signer::Keyless => verifier.verify(digest, bundle, &VerificationPolicy::any_identity()),
        Signer::RegistryKey(spki) => {
            let policy = PublicKeyVerificationPolicy::new(DerPublicKey::new(spki.to_vec()));
            verifier.verify(digest, bundle, &policy)
        }
    };
    result.map_err(AttestationError::Crypto)
}

/// The artifact digest for an npm package: the tarball sha512.
pub(crate) fn sha512_artifact(sha512: [u8; 64]) -> ArtifactDigest {
    ArtifactDigest::new(HashAlgorithm::Sha2512, sha512.to_vec())
        .expect("a 64-byte value is a valid sha512 digest")
}

#[cfg(test)]
#[path = "crypto_tests.rs"]
mod tests;
