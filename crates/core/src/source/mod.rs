//! Evidence sources: the registry over HTTP or an offline store, the packuments and keys they
//! serve, parsed into checked types before any cryptography runs.

pub mod evidence;
pub mod keyring;
pub mod keys;
pub(crate) mod lines;
pub mod packument;
pub mod registry;
pub(crate) mod tarball;
