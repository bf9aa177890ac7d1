//! JS-facing mirrors of the core's options and results (`#[napi(object)]`, typed in index.d.ts)
//! and the conversions between them.

use std::path::PathBuf;
use std::time::Duration;

use napi::bindgen_prelude::Unknown;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use sigverify_core::npmrc::ConfigOverrides;
use sigverify_core::run::progress::ProgressSink;
use sigverify_core::source::registry::HttpOptions;
use sigverify_core::{Omit, VerifyError, VerifyOptions};

/// Options of `verifyTree()`.
#[napi(object, object_to_js = false)]
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
    /// How attestations are checked.
    pub provenance: Option<ProvenanceOptions>,
    /// Evidence cache: a folder, `redis://host:port[/db]`, or `off` (default:
    /// `NPM_SIGVERIFY_CACHE`, then the user cache folder).
    pub cache: Option<String>,
    /// Use cached evidence younger than this many seconds without asking the registry
    /// (default: the registry's `Cache-Control: max-age` for the local cache, as npm does;
    /// 3600 for Redis).
    pub cache_max_age: Option<u32>,
    /// Total deadline of the run in milliseconds: packages not verified by then are `invalid`
    /// with `EDEADLINE`.
    pub deadline: Option<u32>,
    /// Called as packages finish, on the main thread between other work:
    /// `{ phase: 'checks' | 'contents', done, total }`.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressCallback>,
    /// A trust file of internal (cosign) keys: internal signatures next to `file:` tarballs
    /// (`<tarball>[.<label>].sig|.sigstore.json`), in the offline store and in `dist.signatures`
    /// are verified with its keys.
    pub trust_file: Option<String>,
}

/// How far a run has come (the argument of `onProgress`).
#[napi(object)]
pub struct Progress {
    /// `checks` (signatures and attestations) or `contents` (installed files).
    #[napi(ts_type = "'checks' | 'contents'")]
    pub phase: String,
    /// Packages finished in this phase.
    pub done: u32,
    /// Packages in this phase.
    pub total: u32,
}

/// The JS `onProgress` function, callable from worker threads (queued to the main thread).
pub type ProgressCallback = ThreadsafeFunction<Progress, Unknown<'static>, Progress, Status, false>;

/// Forwards core progress to the JS callback without waiting for it.
fn progress_sink(callback: ProgressCallback) -> ProgressSink {
    ProgressSink::new(move |p| {
        let progress = Progress {
            phase: p.phase.to_string(),
            done: p.done as u32,
            total: p.total as u32,
        };
        callback.call(progress, ThreadsafeFunctionCallMode::NonBlocking);
    })
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
    /// How attestations are checked.
    pub provenance: Option<ProvenanceOptions>,
    /// An attestations document (`{"attestations":[...]}`, JSON text) to verify instead of the
    /// registry's.
    pub attestations: Option<String>,
    /// A file holding such a document.
    pub attestations_file: Option<String>,
    /// A trust file of internal (cosign) keys: `dist.signatures` entries by its keys are verified.
    pub trust_file: Option<String>,
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

/// Attestation options shared by verifyTree() and verifyPackage().
#[napi(object)]
#[derive(Default, Clone)]
pub struct ProvenanceOptions {
    /// Check attestations (provenance and publish) at all (default true).
    pub attestations: Option<bool>,
    /// Fail packages without verified provenance (default false).
    pub require_provenance: Option<bool>,
    /// The provenance's source repository must be the package.json `repository` (default true).
    pub repository_match: Option<bool>,
    /// Allowed OIDC issuers (patterns with `*`).
    pub allowed_issuers: Option<Vec<String>>,
    /// Allowed source repositories as `github.com/owner/repo` (patterns).
    pub allowed_repositories: Option<Vec<String>>,
    /// Allowed git refs of the provenance build, e.g. `refs/tags/*`.
    pub allowed_workflow_refs: Option<Vec<String>>,
    /// A Sigstore `trusted_root.json` replacing the embedded public-good root.
    pub trusted_root: Option<String>,
}

impl ProvenanceOptions {
    fn into_core(self) -> sigverify_core::check::attestations::ProvenanceOptions {
        let defaults = sigverify_core::check::attestations::ProvenanceOptions::default();
        sigverify_core::check::attestations::ProvenanceOptions {
            enabled: self.attestations.unwrap_or(defaults.enabled),
            require: self.require_provenance.unwrap_or(defaults.require),
            repository_match: self.repository_match.unwrap_or(defaults.repository_match),
            trusted_root: self.trusted_root.map(PathBuf::from),
            allowed_issuers: self.allowed_issuers.unwrap_or_default(),
            allowed_repositories: self.allowed_repositories.unwrap_or_default(),
            allowed_workflow_refs: self.allowed_workflow_refs.unwrap_or_default(),
        }
    }
}

struct Common<'a> {
    cache: &'a Option<String>,
    cache_max_age: Option<u32>,
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
            provenance: Default::default(),
            cache: sigverify_core::cache::CacheSettings {
                spec: self.cache.clone(),
                max_age: self.cache_max_age.map(|s| Duration::from_secs(s.into())),
            },
            deadline: None,
            progress: None,
            trust_file: None,
        }
    }
}

impl VerifyTreeOptions {
    /// Checks and converts the options.
    pub fn into_core(self) -> Result<VerifyOptions, VerifyError> {
        let omit = parse_omit(self.omit.as_deref().unwrap_or_default())?;
        let common = Common {
            cache: &self.cache,
            cache_max_age: self.cache_max_age,
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
            provenance: self.provenance.unwrap_or_default().into_core(),
            trust_file: self.trust_file.map(PathBuf::from),
            deadline: self.deadline.map(|ms| Duration::from_millis(ms.into())),
            progress: self.on_progress.map(progress_sink),
            ..common.into_core(omit)
        })
    }
}

impl VerifyPackageOptions {
    /// Converts the options.
    pub fn into_core(self) -> Result<VerifyOptions, VerifyError> {
        let common = Common {
            cache: &None,
            cache_max_age: None,
            dir: &self.dir,
            lockfile: &None,
            registry: &self.registry,
            offline: &self.offline,
            concurrency: Some(1),
            timeout: self.timeout,
            retries: self.retries,
        };
        Ok(VerifyOptions {
            provenance: self.provenance.clone().unwrap_or_default().into_core(),
            trust_file: self.trust_file.clone().map(PathBuf::from),
            ..common.into_core(Omit::default())
        })
    }

    /// The inline or file attestations document, if any.
    pub fn attestations_document(&self) -> Result<Option<Vec<u8>>, VerifyError> {
        if let Some(text) = &self.attestations {
            return Ok(Some(text.clone().into_bytes()));
        }
        let Some(path) = &self.attestations_file else {
            return Ok(None);
        };
        std::fs::read(path)
            .map(Some)
            .map_err(|e| VerifyError::Usage(format!("cannot read attestations {path}: {e}")))
    }
}

impl FetchOptions {
    /// Converts the options.
    pub fn into_core(self) -> Result<VerifyOptions, VerifyError> {
        let common = Common {
            cache: &None,
            cache_max_age: None,
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
    /// `EOMITTED`, `EINTERNALSIGNATURE`, `EDEADLINE`, the provenance codes).
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
    /// Provenance once attestations were checked.
    #[napi(ts_type = "'verified' | 'absent' | 'invalid'")]
    pub provenance: Option<String>,
    /// Each attestation bundle's verdict.
    pub attestations: Vec<Attestation>,
    /// Each internal (cosign) signature found and its verdict (with `trustFile`).
    pub internal_signatures: Vec<InternalSignature>,
}

/// One internal (cosign) signature and its verdict.
#[napi(object)]
pub struct InternalSignature {
    /// Where it was found.
    #[napi(ts_type = "'sidecar' | 'store' | 'registry'")]
    pub source: String,
    /// The file it was read from, or the keyid of a `dist.signatures` entry.
    pub location: String,
    /// True when a trust-file key, valid at the signing time, made it.
    pub valid: bool,
    /// Hex SHA-256 of the verifying key's SPKI.
    pub fingerprint: Option<String>,
    /// That key's owner in the trust file.
    pub owner: Option<String>,
    /// When the key's validity was checked (RFC 3339).
    pub checked_at: Option<String>,
    /// True when `checkedAt` is a verified timestamp (Rekor or RFC 3161), false when it is now.
    pub timestamped: bool,
    /// Why it does not count (e.g. `EKEYREVOKED`, `ESIGNATURE`, `EKEYNOTTRUSTED`).
    pub code: Option<String>,
    /// Why, in words.
    pub message: Option<String>,
}

/// One attestation bundle's verdict.
#[napi(object)]
pub struct Attestation {
    /// The predicate type (SLSA provenance or npm publish).
    pub predicate_type: String,
    /// What kind of attestation.
    #[napi(ts_type = "'provenance' | 'publish' | 'other'")]
    pub kind: String,
    /// The verdict.
    #[napi(ts_type = "'verified' | 'invalid'")]
    pub status: String,
    /// npm's code when invalid (`EATTESTATIONVERIFY`, `EATTESTATIONSUBJECT`, ...).
    pub code: Option<String>,
    /// Finer detail code (`ESIGNATURE`, `ETLOGINCLUSION`, `EKEYEXPIRED`, ...).
    pub detail: Option<String>,
    /// Why it is invalid.
    pub message: Option<String>,
    /// What a verified provenance proves.
    pub signer: Option<Signer>,
    /// Registry keyid of a verified publish attestation.
    pub keyid: Option<String>,
    /// Rekor log index.
    pub log_index: Option<i64>,
}

/// The facts a verified provenance proves (from the Fulcio certificate and the SLSA predicate).
#[napi(object)]
pub struct Signer {
    /// OIDC issuer.
    pub issuer: Option<String>,
    /// Certificate identity (for GitHub: the workflow URI with its ref).
    pub san: Option<String>,
    /// Source repository URI.
    pub source_repository: Option<String>,
    /// The provider's immutable repository id.
    pub source_repository_id: Option<String>,
    /// Git ref the build ran on.
    pub source_repository_ref: Option<String>,
    /// Commit SHA the build ran on.
    pub commit: Option<String>,
    /// Workflow file path.
    pub workflow_path: Option<String>,
    /// Ref of the workflow file.
    pub workflow_ref: Option<String>,
    /// Event that triggered the build.
    pub build_trigger: Option<String>,
    /// github-hosted or self-hosted runner.
    pub runner_environment: Option<String>,
    /// SLSA builder id.
    pub builder_id: Option<String>,
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
    /// Milliseconds per phase (`load`, `keys`, `checks`, `contents`: internal signatures and
    /// installed files, overlapping `cache`: writing the cache),
    /// `total`, and work summed over packages (`sum.fetch`, `sum.parse`, `sum.verify`,
    /// `sum.attest`, `sum.contents`: packages overlap, so sums can exceed the wall time).
    pub timings: std::collections::HashMap<String, u32>,
    /// The slowest packages, slowest first (at most 20).
    pub slowest: Vec<SlowPackage>,
    /// The evidence cache in use.
    #[napi(ts_type = "'disk' | 'redis' | 'off'")]
    pub cache: String,
    /// Things that did not stop the run but deserve attention.
    pub warnings: Vec<String>,
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
            provenance: p.provenance,
            attestations: p.attestations.into_iter().map(attestation).collect(),
            internal_signatures: p
                .internal_signatures
                .into_iter()
                .map(internal_signature)
                .collect(),
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
            duration_ms: clamp(r.duration_ms),
            timings: r.timings.into_iter().map(|(k, v)| (k, clamp(v))).collect(),
            slowest: r.slowest.into_iter().map(slow_package).collect(),
            cache: r.cache,
            warnings: r.warnings,
        }
    }
}

fn clamp(ms: u64) -> u32 {
    ms.min(u32::MAX as u64) as u32
}

fn slow_package(s: sigverify_core::run::timing::SlowPackage) -> SlowPackage {
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

fn registry_info(r: sigverify_core::model::RegistryInfo) -> RegistryInfo {
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

fn internal_signature(s: sigverify_core::check::internal::InternalSignature) -> InternalSignature {
    InternalSignature {
        source: s.source,
        location: s.location,
        valid: s.valid,
        fingerprint: s.fingerprint,
        owner: s.owner,
        checked_at: s.checked_at,
        timestamped: s.timestamped,
        code: s.code,
        message: s.message,
    }
}

fn attestation(a: sigverify_core::check::attestations::AttestationSummary) -> Attestation {
    Attestation {
        predicate_type: a.predicate_type,
        kind: a.kind,
        status: a.status,
        code: a.code,
        detail: a.detail,
        message: a.message,
        signer: a.signer.map(|f| Signer {
            issuer: f.issuer,
            san: f.san,
            source_repository: f.source_repository_uri,
            source_repository_id: f.source_repository_id,
            source_repository_ref: f.source_repository_ref,
            commit: f.commit_sha,
            workflow_path: f.workflow_path,
            workflow_ref: f.workflow_ref,
            build_trigger: f.build_trigger,
            runner_environment: f.runner_environment,
            builder_id: f.builder_id,
        }),
        keyid: a.keyid,
        log_index: a.log_index.map(|i| i as i64),
    }
}
