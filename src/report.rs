//! JS-facing mirrors of the core's report (`#[napi(object)]`, typed in index.d.ts), converted
//! from the typed model field by field.

use std::collections::HashMap;

use napi_derive::napi;
use sigverify_core::model as core;

use crate::package::PackageResult;
use crate::signals::BaselineSummary;

/// Counts per status and per decision.
#[napi(object)]
pub struct Summary {
    /// Every package of the tree.
    pub total: u32,
    /// Verified.
    pub verified: u32,
    /// Invalid.
    pub invalid: u32,
    /// Missing.
    pub missing: u32,
    /// Skipped.
    pub skipped: u32,
    /// Accepted by the policy.
    pub pass: u32,
    /// Accepted with a finding.
    pub warn: u32,
    /// Rejected by the policy.
    pub fail: u32,
}

/// The policy that decided a run.
#[napi(object)]
pub struct PolicySummary {
    /// The policy file (`inline` for an object), absent for npm's defaults.
    pub source: Option<String>,
    /// The selected environment.
    pub environment: String,
    /// enforce (failures fail the run) or warn.
    #[napi(ts_type = "'enforce' | 'warn'")]
    pub mode: String,
    /// Failures tolerated before the run fails.
    pub allowed_failures: u32,
}

/// A registry used by the tree and its keys.
#[napi(object)]
pub struct RegistryInfo {
    /// The registry URL.
    pub url: String,
    /// Where its keys came from.
    #[napi(ts_type = "'embedded' | 'registry' | 'store' | 'none' | 'unavailable'")]
    pub keys_source: String,
    /// The keyids in use.
    pub keyids: Vec<String>,
    /// Why keys are unavailable.
    pub error: Option<String>,
}

/// The report of `verifyTree()` and `verifyPackage()`: the same verdicts as the CLI's `--json`.
#[napi(object)]
pub struct Report {
    /// Version of this shape.
    pub schema_version: u32,
    /// `npm-sigverify <version>`.
    pub tool: String,
    /// The project folder.
    pub project: String,
    /// What was read.
    pub input: String,
    /// The package manager the input belongs to.
    #[napi(ts_type = "'npm' | 'pnpm' | 'yarn' | 'yarn-berry' | 'bun'")]
    pub manager: String,
    /// The file (or folder) that was read.
    pub input_path: String,
    /// Whether evidence came from the network or an offline store.
    #[napi(ts_type = "'online' | 'offline'")]
    pub mode: String,
    /// Registries and their keys.
    pub registries: Vec<RegistryInfo>,
    /// The policy and environment that decided.
    pub policy: PolicySummary,
    /// Totals.
    pub summary: Summary,
    /// One entry per package, sorted by name, version and location.
    pub packages: Vec<PackageResult>,
    /// The exit code the CLI gives for this run: 0 pass, 1 a failure the policy enforces, 3
    /// when every enforced failure is operational (evidence that could not be obtained).
    pub exit_code: i32,
    /// Wall time in milliseconds.
    pub duration_ms: u32,
    /// Milliseconds per phase and work summed over packages (`sum.*`).
    pub timings: HashMap<String, u32>,
    /// The slowest packages, slowest first (at most 20).
    pub slowest: Vec<SlowPackage>,
    /// The evidence cache in use.
    #[napi(ts_type = "'disk' | 'redis' | 'off'")]
    pub cache: String,
    /// Things that did not stop the run but deserve attention.
    pub warnings: Vec<String>,
    /// The tree against its baseline lockfile (with `signals.baseline` or the policy's).
    pub baseline: Option<BaselineSummary>,
}

/// One of the slowest packages of a run (milliseconds).
#[napi(object)]
pub struct SlowPackage {
    /// `name@version`.
    pub package: String,
    /// Where it sits in the tree.
    pub location: String,
    /// All its work.
    pub total_ms: u32,
    /// Packument fetch (shared by the versions of one name).
    pub fetch_ms: u32,
    /// Packument parse.
    pub parse_ms: u32,
    /// Signature checks.
    pub verify_ms: u32,
    /// Attestations.
    pub attest_ms: u32,
    /// Content check.
    pub contents_ms: u32,
}

/// What `fetchStore()` wrote.
#[napi(object)]
pub struct FetchSummary {
    /// Registries whose keys were recorded.
    pub registries: u32,
    /// Packuments written.
    pub packuments: u32,
    /// Documents that could not be fetched: `[what, why]`.
    pub failures: Vec<Vec<String>>,
}

fn clamp(n: u64) -> u32 {
    n.min(u32::MAX as u64) as u32
}

impl From<core::Report> for Report {
    fn from(r: core::Report) -> Self {
        let s = r.summary;
        Report {
            schema_version: r.schema_version,
            tool: r.tool,
            project: r.project,
            input: r.input,
            manager: r.manager,
            input_path: r.input_path,
            mode: r.mode,
            registries: r.registries.into_iter().map(registry_info).collect(),
            policy: PolicySummary {
                source: r.policy.source,
                environment: r.policy.environment,
                mode: r.policy.mode,
                allowed_failures: r.policy.allowed_failures as u32,
            },
            summary: Summary {
                total: s.total as u32,
                verified: s.verified as u32,
                invalid: s.invalid as u32,
                missing: s.missing as u32,
                skipped: s.skipped as u32,
                pass: s.pass as u32,
                warn: s.warn as u32,
                fail: s.fail as u32,
            },
            packages: r.packages.into_iter().map(PackageResult::from).collect(),
            exit_code: r.exit_code,
            duration_ms: clamp(r.duration_ms),
            timings: r.timings.into_iter().map(|(k, v)| (k, clamp(v))).collect(),
            slowest: r.slowest.into_iter().map(slow_package).collect(),
            cache: r.cache,
            warnings: r.warnings,
            baseline: r.baseline.map(BaselineSummary::from),
        }
    }
}

fn slow_package(s: core::SlowPackage) -> SlowPackage {
    SlowPackage {
        package: s.package,
        location: s.location,
        total_ms: clamp(s.total_ms),
        fetch_ms: clamp(s.fetch_ms),
        parse_ms: clamp(s.parse_ms),
        verify_ms: clamp(s.verify_ms),
        attest_ms: clamp(s.attest_ms),
        contents_ms: clamp(s.contents_ms),
    }
}

fn registry_info(r: core::RegistryInfo) -> RegistryInfo {
    RegistryInfo {
        url: r.url,
        keys_source: r.keys_source,
        keyids: r.keyids,
        error: r.error,
    }
}

impl From<sigverify_core::FetchSummary> for FetchSummary {
    fn from(s: sigverify_core::FetchSummary) -> Self {
        FetchSummary {
            registries: s.registries as u32,
            packuments: s.packuments as u32,
            failures: s.failures.into_iter().map(|(a, b)| vec![a, b]).collect(),
        }
    }
}
