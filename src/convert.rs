//! JS-facing mirrors of the core's options and results (`#[napi(object)]`, typed in index.d.ts)
//! and the conversions between them.

use std::path::PathBuf;
use std::time::Duration;

use napi_derive::napi;
use sigverify_core::npmrc::ConfigOverrides;
use sigverify_core::registry::HttpOptions;
use sigverify_core::{Omit, VerifyError, VerifyOptions};

/// Options of `verifyTree()`.
#[napi(object)]
#[derive(Default)]
pub struct VerifyTreeOptions {
    /// The project folder (default: the current working directory).
    pub dir: Option<String>,
    /// A lockfile to read instead of looking in `dir`.
    pub lockfile: Option<String>,
    /// Registry URL for unscoped packages (overrides `.npmrc`).
    pub registry: Option<String>,
    /// Read every piece of evidence from this store and never touch the network.
    pub offline: Option<String>,
    /// Dependency types to leave out, like `npm --omit`.
    #[napi(ts_type = "Array<'dev' | 'optional' | 'peer'>")]
    pub omit: Option<Vec<String>>,
    /// At most this many registry requests at once (default 32).
    pub concurrency: Option<u32>,
    /// Timeout of one registry request in milliseconds (default 30000).
    pub timeout: Option<u32>,
    /// Retries of a failed registry request (default 2).
    pub retries: Option<u32>,
    /// Verify the lockfile alone, ignoring `node_modules` (before anything is installed).
    pub lockfile_only: Option<bool>,
    /// Compare installed files with the signed tarballs (default true when `node_modules` exists).
    pub contents: Option<bool>,
}

/// Options of `verifyPackage()`.
#[napi(object)]
#[derive(Default)]
pub struct VerifyPackageOptions {
    /// An integrity the registry's signed one must equal (as a lockfile would pin it).
    pub integrity: Option<String>,
    /// A local tarball whose sha512 must equal the registry's signed integrity.
    pub tarball: Option<String>,
    /// The folder whose `.npmrc` applies (default: the current working directory).
    pub dir: Option<String>,
    /// Registry URL for unscoped packages (overrides `.npmrc`).
    pub registry: Option<String>,
    /// Read every piece of evidence from this store and never touch the network.
    pub offline: Option<String>,
    /// Timeout of one registry request in milliseconds (default 30000).
    pub timeout: Option<u32>,
    /// Retries of a failed registry request (default 2).
    pub retries: Option<u32>,
}

/// Options of `fetchStore()`.
#[napi(object)]
pub struct FetchOptions {
    /// The store folder to write.
    pub out: String,
    /// The project folder (default: the current working directory).
    pub dir: Option<String>,
    /// A lockfile to read instead of looking in `dir`.
    pub lockfile: Option<String>,
    /// Registry URL for unscoped packages (overrides `.npmrc`).
    pub registry: Option<String>,
    /// At most this many registry requests at once (default 32).
    pub concurrency: Option<u32>,
    /// Timeout of one registry request in milliseconds (default 30000).
    pub timeout: Option<u32>,
    /// Retries of a failed registry request (default 2).
    pub retries: Option<u32>,
}

struct Common<'a> {
    dir: &'a Option<String>,
    lockfile: &'a Option<String>,
    registry: &'a Option<String>,
    offline: &'a Option<String>,
    concurrency: Option<u32>,
    timeout: Option<u32>,
    retries: Option<u32>,
}

impl Common<'_> {
    fn into_core(self, omit: Omit) -> VerifyOptions {
        let defaults = VerifyOptions::default();
        let http = HttpOptions::default();
        VerifyOptions {
            dir: self.dir.as_ref().map(PathBuf::from).unwrap_or(defaults.dir),
            lockfile: self.lockfile.as_ref().map(PathBuf::from),
            overrides: ConfigOverrides {
                registry: self.registry.clone(),
            },
            offline: self.offline.as_ref().map(PathBuf::from),
            omit,
            concurrency: self
                .concurrency
                .map(|c| c as usize)
                .unwrap_or(defaults.concurrency),
            http: HttpOptions {
                timeout: self
                    .timeout
                    .map(|t| Duration::from_millis(t.into()))
                    .unwrap_or(http.timeout),
                retries: self.retries.unwrap_or(http.retries),
                ..http
            },
            lockfile_only: false,
            contents: false,
        }
    }
}

impl VerifyTreeOptions {
    /// Checks and converts the options.
    pub fn into_core(self) -> Result<VerifyOptions, VerifyError> {
        let omit = parse_omit(self.omit.as_deref().unwrap_or_default())?;
        let common = Common {
            dir: &self.dir,
            lockfile: &self.lockfile,
            registry: &self.registry,
            offline: &self.offline,
            concurrency: self.concurrency,
            timeout: self.timeout,
            retries: self.retries,
        };
        let lockfile_only = self.lockfile_only.unwrap_or(false);
        Ok(VerifyOptions {
            lockfile_only,
            contents: self.contents.unwrap_or(true) && !lockfile_only,
            ..common.into_core(omit)
        })
    }
}

impl VerifyPackageOptions {
    /// Converts the options.
    pub fn into_core(self) -> Result<VerifyOptions, VerifyError> {
        let common = Common {
            dir: &self.dir,
            lockfile: &None,
            registry: &self.registry,
            offline: &self.offline,
            concurrency: Some(1),
            timeout: self.timeout,
            retries: self.retries,
        };
        Ok(common.into_core(Omit::default()))
    }
}

impl FetchOptions {
    /// Converts the options.
    pub fn into_core(self) -> Result<VerifyOptions, VerifyError> {
        let common = Common {
            dir: &self.dir,
            lockfile: &self.lockfile,
            registry: &self.registry,
            offline: &None,
            concurrency: self.concurrency,
            timeout: self.timeout,
            retries: self.retries,
        };
        Ok(common.into_core(Omit::default()))
    }
}

fn parse_omit(kinds: &[String]) -> Result<Omit, VerifyError> {
    let mut omit = Omit::default();
    for kind in kinds {
        match kind.as_str() {
            "dev" => omit.dev = true,
            "optional" => omit.optional = true,
            "peer" => omit.peer = true,
            other => {
                let why = format!("omit: '{other}' is not one of dev, optional, peer");
                return Err(VerifyError::Usage(why));
            }
        }
    }
    Ok(omit)
}

/// The verdict on one package.
#[napi(object)]
pub struct PackageResult {
    /// The real package name (for `npm:` aliases, the aliased package).
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it sits in the tree (`node_modules/a/node_modules/b`).
    pub location: String,
    /// The folder name when installed under another name (`npm:` alias).
    pub alias: Option<String>,
    /// The registry that serves it.
    pub registry: Option<String>,
    /// How it was installed.
    #[napi(
        ts_type = "'registry' | 'git' | 'directory' | 'local-tarball' | 'remote-tarball' | 'workspace' | 'bundled'"
    )]
    pub source: String,
    /// The verdict.
    #[napi(ts_type = "'verified' | 'invalid' | 'missing' | 'skipped'")]
    pub status: String,
    /// Why it is not verified: npm's codes (`EINTEGRITYSIGNATURE`, `EMISSINGSIGNATUREKEY`,
    /// `EEXPIREDSIGNATUREKEY`) and ours (`EMISSINGSIGNATURE`, `EINTEGRITYMISMATCH`,
    /// `ENOPACKUMENT`, `EVERSIONNOTFOUND`, `EBADPACKUMENT`, `EREGISTRYUNREACHABLE`,
    /// `EKEYSUNAVAILABLE`, `ENOEVIDENCE`, `ENOREGISTRYKEYS`, `ENOTREGISTRY`, `ENOTINSTALLED`,
    /// `EOMITTED`).
    pub code: Option<String>,
    /// What went wrong, naming the package.
    pub message: Option<String>,
    /// What to do about it.
    pub remediation: Option<String>,
    /// The integrity the registry signed.
    pub integrity: Option<String>,
    /// The integrity the lockfile pins.
    pub lockfile_integrity: Option<String>,
    /// The tarball URL.
    pub resolved: Option<String>,
    /// Keyids whose signatures verified (or the offending keyid).
    pub keyids: Vec<String>,
    /// npm's dependency type.
    #[napi(
        js_name = "type",
        ts_type = "'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies'"
    )]
    pub dep_type: String,
    /// The comparison of the installed files with the signed tarball, when it ran.
    pub contents: Option<ContentsResult>,
}

/// What the comparison of an installed package folder with its signed tarball found.
#[napi(object)]
pub struct ContentsResult {
    /// `verified` (identical), `modified` (files changed, deleted or added), `unchecked`.
    #[napi(ts_type = "'verified' | 'modified' | 'unchecked'")]
    pub status: String,
    /// Files whose bytes differ from the tarball.
    pub modified: Vec<String>,
    /// Files on disk that the tarball does not have.
    pub added: Vec<String>,
    /// Tarball files missing on disk.
    pub removed: Vec<String>,
    /// Files compared.
    pub checked_files: u32,
    /// Why the comparison could not run.
    pub reason: Option<String>,
}

/// Counts per status.
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

/// The report of `verifyTree()`.
#[napi(object)]
pub struct Report {
    /// Version of this shape.
    pub schema_version: u32,
    /// `npm-sigverify <version>`.
    pub tool: String,
    /// The project folder.
    pub project: String,
    /// What was read.
    #[napi(ts_type = "'shrinkwrap' | 'package-lock' | 'hidden-lockfile' | 'node-modules'")]
    pub input: String,
    /// The file (or folder) that was read.
    pub input_path: String,
    /// Whether evidence came from the network or an offline store.
    #[napi(ts_type = "'online' | 'offline'")]
    pub mode: String,
    /// Registries and their keys.
    pub registries: Vec<RegistryInfo>,
    /// Totals.
    pub summary: Summary,
    /// One entry per package, sorted by name, version and location.
    pub packages: Vec<PackageResult>,
    /// Wall time in milliseconds.
    pub duration_ms: u32,
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

impl From<sigverify_core::PackageResult> for PackageResult {
    fn from(p: sigverify_core::PackageResult) -> Self {
        PackageResult {
            name: p.name,
            version: p.version,
            location: p.location,
            alias: p.alias,
            registry: p.registry,
            source: p.source,
            status: p.status.as_str().to_string(),
            code: p.code.map(|c| c.as_str().to_string()),
            message: p.message,
            remediation: p.remediation,
            integrity: p.integrity,
            lockfile_integrity: p.lockfile_integrity,
            resolved: p.resolved,
            keyids: p.keyids,
            dep_type: p.dep_type,
            contents: p.contents.map(|c| ContentsResult {
                status: c.status,
                modified: c.modified,
                added: c.added,
                removed: c.removed,
                checked_files: c.checked_files as u32,
                reason: c.reason,
            }),
        }
    }
}

impl From<sigverify_core::Report> for Report {
    fn from(r: sigverify_core::Report) -> Self {
        let s = r.summary;
        Report {
            schema_version: r.schema_version,
            tool: r.tool,
            project: r.project,
            input: r.input,
            input_path: r.input_path,
            mode: r.mode,
            registries: r.registries.into_iter().map(registry_info).collect(),
            summary: Summary {
                total: s.total as u32,
                verified: s.verified as u32,
                invalid: s.invalid as u32,
                missing: s.missing as u32,
                skipped: s.skipped as u32,
            },
            packages: r.packages.into_iter().map(PackageResult::from).collect(),
            duration_ms: r.duration_ms.min(u32::MAX as u64) as u32,
        }
    }
}

fn registry_info(r: sigverify_core::report::RegistryInfo) -> RegistryInfo {
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
