//! Where a run's settings come from: `.npmrc` and the options of the entry point.

pub mod npmrc;
