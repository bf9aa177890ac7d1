//! JS-facing options (`#[napi(object)]`, typed in index.d.ts) and their conversion into the
//! core's options.

use std::path::PathBuf;
use std::time::Duration;

use napi::bindgen_prelude::Unknown;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;
use napi_derive::napi;
use sigverify_core::config::{CacheSettings, HttpOptions};
use sigverify_core::npmrc::ConfigOverrides;
use sigverify_core::work::progress::ProgressSink;
use sigverify_core::{Omit, PolicyChoice, VerifyError, VerifyOptions};

use crate::signals::SignalOptions;
use crate::strict::Keys;

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
    /// At most this many registry requests at once (default 16).
    pub concurrency: Option<u32>,
    /// Timeout of one registry request in milliseconds (default 30000).
    pub timeout: Option<u32>,
    /// Retries of a failed registry request (default 2).
    pub retries: Option<u32>,
    /// Verify the lockfile alone, ignoring `node_modules` (before anything is installed).
    pub lockfile_only: Option<bool>,
    /// Compare installed files with the signed tarballs (default true when `node_modules` exists).
    pub contents: Option<bool>,
    /// Compare every installed folder in full, ignoring the content index kept by earlier runs
    /// (default false: a folder whose stat snapshot is unchanged is not re-hashed).
    pub rehash: Option<bool>,
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
    /// are verified with its keys (default: the policy's `trust.internalKeys`).
    pub trust_file: Option<String>,
    /// The trust policy: a file path, a policy object (the same document as a policy file), or
    /// `false` for npm's defaults. Default: the project's own policy file, as the CLI finds it.
    #[napi(ts_type = "string | Record<string, unknown> | false")]
    pub policy: Option<serde_json::Value>,
    /// The policy environment (default: `NPM_SIGVERIFY_ENV`, then `NODE_ENV`, then the policy's
    /// default).
    pub env: Option<String>,
    /// The incident signals (release age, publisher continuity, pins, new install scripts, new
    /// dependencies against a baseline, typosquats, publish bursts), over the policy's.
    pub signals: Option<SignalOptions>,
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
    /// The trust policy: a file path, a policy object, or `false` for npm's defaults (default:
    /// the policy file of `dir`, as the CLI finds it).
    #[napi(ts_type = "string | Record<string, unknown> | false")]
    pub policy: Option<serde_json::Value>,
    /// The policy environment (default: `NPM_SIGVERIFY_ENV`, then `NODE_ENV`, then the policy's
    /// default).
    pub env: Option<String>,
    /// The incident signals, over the policy's (a baseline needs a tree: see `verifyTree`).
    pub signals: Option<SignalOptions>,
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
    /// At most this many registry requests at once (default 16).
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
    fn into_core(self) -> sigverify_core::config::ProvenanceOptions {
        let defaults = sigverify_core::config::ProvenanceOptions::default();
        sigverify_core::config::ProvenanceOptions {
            enabled: self.attestations.unwrap_or(defaults.enabled),
            require: self.require_provenance.unwrap_or(defaults.require),
            repository_match: self.repository_match.unwrap_or(defaults.repository_match),
            trusted_root: self.trusted_root.map(PathBuf::from),
            allowed_issuers: self.allowed_issuers.unwrap_or_default(),
            allowed_repositories: self.allowed_repositories.unwrap_or_default(),
            allowed_workflow_refs: self.allowed_workflow_refs.unwrap_or_default(),
            ..defaults
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
            dir: self
                .dir
                .as_ref()
                .map(PathBuf::from)
                .unwrap_or(defaults.dir.clone()),
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
            cache: CacheSettings {
                spec: self.cache.clone(),
                max_age: self.cache_max_age.map(|s| Duration::from_secs(s.into())),
            },
            ..defaults
        }
    }
}

/// The policy option: a path, a policy object (inline), `false` (npm's defaults), or absent
/// (the project's own).
fn policy_choice(value: Option<&serde_json::Value>) -> Result<PolicyChoice, VerifyError> {
    use serde_json::Value;
    Ok(match value {
        None | Some(Value::Null) => PolicyChoice::Discover,
        Some(Value::Bool(false)) => PolicyChoice::Defaults,
        Some(Value::String(path)) => PolicyChoice::File(PathBuf::from(path)),
        Some(object @ Value::Object(_)) => PolicyChoice::Inline(object.to_string()),
        Some(other) => {
            let why =
                format!("policy: expected a file path, a policy object or false, got {other}");
            return Err(VerifyError::Usage(why));
        }
    })
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
            rehash: self.rehash.unwrap_or(false),
            provenance: self.provenance.unwrap_or_default().into_core(),
            trust_file: self.trust_file.map(PathBuf::from),
            deadline: self.deadline.map(|ms| Duration::from_millis(ms.into())),
            progress: self.on_progress.map(progress_sink),
            policy: policy_choice(self.policy.as_ref())?,
            environment: self.env,
            signals: self.signals.unwrap_or_default().into_core()?,
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
            policy: policy_choice(self.policy.as_ref())?,
            environment: self.env.clone(),
            signals: self.signals.clone().unwrap_or_default().into_core()?,
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

const PROVENANCE_KEYS: &[&str] = &[
    "attestations",
    "requireProvenance",
    "repositoryMatch",
    "allowedIssuers",
    "allowedRepositories",
    "allowedWorkflowRefs",
    "trustedRoot",
];

const SIGNAL_KEYS: &[&str] = &[
    "minReleaseAge",
    "publisherContinuity",
    "continuityHistory",
    "pins",
    "pinsFile",
    "newInstallScripts",
    "newDependencies",
    "typosquats",
    "publishBursts",
    "baseline",
];

impl Keys for VerifyTreeOptions {
    const NAME: &'static str = "verifyTree() options";
    const KEYS: &'static [&'static str] = &[
        "dir",
        "lockfile",
        "registry",
        "offline",
        "omit",
        "concurrency",
        "timeout",
        "retries",
        "lockfileOnly",
        "contents",
        "rehash",
        "provenance",
        "cache",
        "cacheMaxAge",
        "deadline",
        "onProgress",
        "trustFile",
        "policy",
        "env",
        "signals",
    ];
    const NESTED: &'static [(&'static str, &'static [&'static str])] =
        &[("provenance", PROVENANCE_KEYS), ("signals", SIGNAL_KEYS)];
}

impl Keys for VerifyPackageOptions {
    const NAME: &'static str = "verifyPackage() options";
    const KEYS: &'static [&'static str] = &[
        "integrity",
        "tarball",
        "dir",
        "registry",
        "offline",
        "timeout",
        "retries",
        "provenance",
        "attestations",
        "attestationsFile",
        "trustFile",
        "policy",
        "env",
        "signals",
    ];
    const NESTED: &'static [(&'static str, &'static [&'static str])] =
        &[("provenance", PROVENANCE_KEYS), ("signals", SIGNAL_KEYS)];
}
