//! `sigverify-cosign`: a cosign-compatible signer and verifier for internal npm package
//! tarballs, with a trust file of keys that rotate and get revoked over time.
//!
//! - [`verify::verify_blob`]: cosign `verify-blob` semantics for keys (P-256, P-384, Ed25519,
//!   RSA) and keyless identities, over detached signatures, Sigstore bundles v0.1-v0.3
//!   (message signature and DSSE) and cosign's older `--bundle` JSON. Bundle cryptography
//!   (certificate chain, SCT, SET, inclusion proof, checkpoint, RFC 3161) is done by the
//!   `sigstore-verify` crate, fully offline; identity regexps, GitHub claims, the legacy
//!   bundle format and key validity over time are done here.
//! - [`sign::sign_package`]: signs a tarball with a cosign encrypted key, writing `.sig` and a
//!   v0.3 `.sigstore.json` bundle (offline: no log entry).
//! - [`trust`]: the JSON trust file of internal keys and [`trust::verify_with_trust_file`].
//!
//! Key fingerprint everywhere: lower-case hex SHA-256 of the key's SPKI DER.

pub mod audit;
pub mod bundle;
pub mod dsse;
pub mod sign;
pub mod trust;

pub mod error;
pub mod keys;
pub mod policy;
pub mod sigfile;

pub mod trustroot;
pub mod verify;

pub use error::{Coded, Failure, InputError, KeyError};
pub use keys::{KeyAlgorithm, PrivateKey, PublicKey};
pub use policy::{GithubClaims, IdentityPolicy, Matcher};

pub use sign::{sign_package, SignOutput};
pub use trust::{verify_with_trust_file, TrustFile, Verdict};
pub use verify::{
    verify_blob, ArtifactInput, Authority, Evidence, Verified, VerifyError, VerifyRequest,
};
