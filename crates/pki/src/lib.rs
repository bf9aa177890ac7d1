//! `sigverify-pki`: an internal PKI for signing npm packages with certificates instead of bare
//! keys, and for verifying such signatures the way cosign verifies certificates from a private
//! CA (`--certificate-chain`, `--ca-roots`, `--ca-intermediates`), plus CRLs.
//!
//! - [`ca`]: a CA kept in a folder: root and intermediate (name constraints, key usages), short
//!   lived code-signing certificates for an email or URI identity with a Fulcio-like issuer
//!   extension, renewal, revocation (CRLs signed by the issuing CA) and a listing.
//! - [`chain`]: RFC 5280 path validation at a given instant (signatures, validity, basic
//!   constraints, key usage, code-signing EKU, name constraints for email, URI, DNS, IP and
//!   directory names), written here because webpki refuses email and URI constraints.
//! - [`crl`]: CRL checks with the revocation date compared to the signing time when the policy
//!   allows it.
//! - [`timestamp`]: RFC 3161 tokens (requested from a TSA when signing, verified against
//!   configured TSA chains) that prove when a signature was made.
//! - [`verify`]: the pipeline for a bundle (or a detached signature) carrying a certificate.
//! - [`sign`]: signing a tarball with a key and its certificate into a cosign-compatible bundle.

pub mod ca;
pub mod cert;
pub mod chain;
pub mod crl;
pub mod error;
mod names;
mod sigalg;
pub mod sign;
pub mod timestamp;
pub mod verify;

pub use cert::Cert;
pub use error::CertError;
pub use verify::{CaTrust, CertVerified, RevocationMode};
