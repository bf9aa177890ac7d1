//! How work runs: a CPU pool for parsing and cryptography, bounded concurrency with a total
//! deadline, and progress reporting.

pub(crate) mod cpu;
pub(crate) mod deadline;
pub mod memory;
pub mod progress;
