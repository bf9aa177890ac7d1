//! npm-sigverify core: proves that the packages of a Node project are the ones their
//! publishers' registry signed, with npm's semantics, online or from an offline evidence store.
//!
//! No napi types here: the Node binding (`src/` at the repository root) and the CLI
//! (`crates/cli`) are thin layers over [`verify_tree`], [`verify_package`] and [`fetch_store`].

pub mod cached;
mod checks;
pub mod codes;
mod contents;
mod cpu;
mod deadline;
pub mod error;
pub mod evidence;
pub mod fetch;
pub mod integrity;
pub mod internal;
pub mod keyring;
pub mod keys;
pub mod npmrc;
pub mod package;
pub mod packument;
pub mod progress;
pub mod provenance;
pub mod registry;
pub mod report;
pub mod risk;
pub mod signature;
pub mod timing;
pub mod tree;
mod verdicts;
pub mod verify;

pub use codes::Code;
pub use error::VerifyError;
pub use fetch::{fetch_store, FetchSummary};
pub use package::{verify_package, PackageSpec};
pub use report::{PackageResult, Report, Status, Summary};
pub use sigverify_lockfile::Omit;
pub use verify::{verify_tree, VerifyOptions};
