//! The pipeline's entry points and the machinery that runs it (concurrency, deadline, CPU pool,
//! progress, timings).

pub(crate) mod cpu;
pub(crate) mod deadline;
pub mod fetch;
pub mod package;
pub mod progress;
pub(crate) mod registry;
pub mod timing;
pub mod tree;
