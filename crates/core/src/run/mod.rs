//! The pipeline's entry points and the machinery that runs it (concurrency, deadline, CPU pool,
//! progress, timings).

pub mod fetch;
pub mod gate;
pub(crate) mod load;
pub mod package;
pub(crate) mod plan;
pub(crate) mod registry;
pub mod timing;
pub mod tree;
