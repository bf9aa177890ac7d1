//! The report model: one result per package with one typed outcome per check, the policy
//! decision, and the run's totals. Every entry point (CLI, Node binding, hooks, reports) reads
//! these types; nothing re-parses them from JSON.

pub(crate) mod names;
mod report;

pub use report::*;
