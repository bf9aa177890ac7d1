//! The report model: one result per package with one typed outcome per check, the evidence
//! behind them, the policy decision, and the run's totals. Every entry point (CLI, Node binding,
//! hooks, reports) reads these types; nothing re-parses them from JSON.

mod declared;
mod document;
mod evidence;
pub mod facts;
pub(crate) mod lines;
pub(crate) mod names;
pub mod redact;
mod report;
mod result;
mod signals;
mod timing;

pub use declared::Declared;
pub use document::BUCKETS;
pub use evidence::{AttestationSummary, ContentsResult, InternalSignature};
pub use report::{PolicySummary, RegistryInfo, Report, Summary, SCHEMA_VERSION};
pub use result::{CheckOutcome, CheckState, Checks, PackageResult, Status};
pub use signals::{
    BaselineChange, BaselineSummary, PublishTime, Publisher, PublisherIdentity, VersionChange,
};
pub use timing::{PackageTiming, SlowPackage};
