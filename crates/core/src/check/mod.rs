//! The checks, one module each: registry signature, integrity, attestations, internal
//! signatures, installed contents.

pub mod attestations;
pub(crate) mod contents;
pub(crate) mod disk;
pub mod integrity;
pub mod internal;
pub mod signature;
pub(crate) mod source;
