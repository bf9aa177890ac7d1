//! Keys over time: the trust file of internal keys, validity and revocation checks, and the
//! key management operations (add, rotate, revoke).

mod file;
mod manage;
mod validity;
mod verdict;

pub use file::{
    TrustFile, TrustFileData, TrustFileError, TrustedKey, TrustedKeyEntry, TRUST_FILE_VERSION,
};
pub use manage::{add_key, revoke_key, rotate_key, KeyStatus, RotateOutput};
pub use validity::{check_validity, SigningTime, ValidityError};
pub use verdict::{verify_with_trust_file, Verdict};
