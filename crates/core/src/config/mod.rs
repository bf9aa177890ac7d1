//! Where a run's settings come from: `.npmrc` and the options of the entry point.

mod managers;
pub mod npmrc;
mod options;

pub use options::{
    refreshed_trusted_root, CacheSettings, HttpOptions, PolicyChoice, ProvenanceOptions,
    VerifyOptions, DEFAULT_CONCURRENCY,
};
