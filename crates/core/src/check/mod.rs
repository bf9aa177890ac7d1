//! The checks, one module each: registry signature, integrity, attestations, internal
//! signatures, installed contents.

pub mod attestations;
pub(crate) mod contents;
pub mod integrity;
pub mod internal;
pub mod signature;
