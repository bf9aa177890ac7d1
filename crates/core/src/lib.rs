//! npm-sigverify core: proves that the packages of a Node project are the ones their
//! publishers' registry signed, with npm's semantics, online or from an offline evidence store.
//!
//! No napi types here: the Node binding (`src/` at the repository root) and the CLI
//! (`crates/cli`) are thin layers over [`verify_tree`], [`verify_package`] and [`fetch_store`].

pub mod cache;
pub mod check;
pub mod config;
pub mod decide;
pub mod error;
pub mod model;
pub mod risk;
pub mod run;
pub mod signals;
pub mod source;
pub mod work;

pub use config::npmrc;
pub use config::{PolicyChoice, VerifyOptions};
pub use error::VerifyError;
pub use model::{PackageResult, Report, Status, Summary};
pub use run::fetch::{fetch_store, FetchSummary};
pub use run::gate::Gate;
pub use run::package::{verify_package, PackageSpec};
pub use run::pin::{pin_tree, PinRun};
pub use run::tree::verify_tree;
pub use sigverify_codes::{Code, Kind};
pub use sigverify_lockfile::Omit;
