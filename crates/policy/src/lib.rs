//! Trust policy of npm-sigverify: who may sign what, per scope, with exceptions and environments.
//!
//! The crate reads a policy file ([`discover`]), selects an environment
//! ([`select_environment`]) and turns each package's verification evidence into a
//! [`Decision`] ([`decide`]); [`exit_code`] sums a run up. It knows nothing about registries or
//! cryptography: its input is what the verifier found.
//!
//! Without a policy, use `Policy::default()` with the environment from
//! `select_environment(&Policy::default(), None, &env)`: every package then gets npm's rules
//! (registry signatures must verify where the registry has keys; missing or invalid fail;
//! skipped passes; invalid provenance fails).
//!
//! YAML is read with yaml-rust2's event parser (it keeps line and column of every node), JSON is
//! syntax-checked by serde_json and then read by the same parser, so both formats report
//! semantic errors as `file:line:column: key: message`.

mod checks;
mod convert;
mod decision;
mod discover;
mod environment;
mod error;
mod evidence;
mod exception;
mod model;
mod node;
mod outcome;
mod pattern;
mod recommended;
mod signals;

pub use decision::{decide, exit_code, Decision, ExceptionUse};
pub use discover::{
    discover, document_json, load_file, load_str, Format, LoadedPolicy, PACKAGE_JSON_KEY,
    POLICY_FILES,
};
pub use environment::{select_environment, Environment};
pub use error::{PolicyError, Position};
pub use evidence::{InternalSig, OtherCheck, OtherState, PackageEvidence, ProvState, SigState};
pub use exception::Exception;
pub use model::{
    Approvals, CaIdentity, CertificateAuthority, EnvironmentSpec, EvidenceKind, Identity, Mode,
    Policy, ProvenanceConstraints, RegistryKeys, Revocation, Rule, SubjectMatch, Trust,
};
pub use outcome::{CheckResult, Outcome};
pub use pattern::{normalize_repository, Glob, PackagePattern, PatternClass};
pub use recommended::recommended_policy;
pub use signals::{
    describe_duration, parse_duration, Action, BurstRule, SignalFinding, SignalKind,
    SignalOverrides, SignalSetting, Signals, DEFAULT_HISTORY,
};
