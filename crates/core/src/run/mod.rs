//! The pipeline's entry points and the machinery that runs it (concurrency, deadline, CPU pool,
//! progress, timings).

pub mod fetch;
mod fetch_history;
pub mod gate;
mod judge;
pub(crate) mod load;
pub use load::check_trusted_root;
pub mod package;
pub mod pin;
pub(crate) mod plan;
pub(crate) mod registry;
mod signals;
pub mod timing;
pub mod tree;
