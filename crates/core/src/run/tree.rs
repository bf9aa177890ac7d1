//! The verification pipeline: tree → plan → registry keys → evidence per package → report.
//!
//! Network work is async with bounded concurrency (one packument request per package name, shared
//! by all its versions in the tree); parsing and cryptography run on blocking threads so the
//! async workers (and, in the addon, Node's main thread) never stall. A failure of one package
//! (404, timeout, bad JSON, bad signature) is a result for that package, never an abort.

use std::path::PathBuf;
use std::sync::Arc;

use sigverify_lockfile::{Omit, Package, Tree};

use crate::cache::verdicts::run_salt;
use crate::cache::{CacheSettings, EvidenceCache};
use crate::check::attestations::ProvenanceOptions;
use crate::check::contents::{check_contents, npm_cache, ContentContext};
use crate::check::internal::{check_internal, InternalContext, InternalTrust};
use crate::config::npmrc::{ConfigOverrides, NpmConfig};
use crate::error::VerifyError;
use crate::model::{PackageResult, Report, Status, Summary};
use crate::run::deadline::Limits;
use crate::run::progress::ProgressSink;
use crate::run::registry::{run_checks, Check};
use crate::run::timing::{slowest, Phases};
use crate::source::evidence::{Evidence, Store};
use crate::source::keyring::Keyring;
use crate::source::registry::{HttpOptions, RegistryClient};
use crate::Code;

/// What to verify and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The project folder.
    pub dir: PathBuf,
    /// A lockfile to read instead of looking in `dir`.
    pub lockfile: Option<PathBuf>,
    /// Settings that win over `.npmrc` (e.g. `--registry`).
    pub overrides: ConfigOverrides,
    /// Read evidence from this store and never touch the network.
    pub offline: Option<PathBuf>,
    /// Dependency types to leave out, like `npm --omit`.
    pub omit: Omit,
    /// At most this many registry requests at once.
    pub concurrency: usize,
    /// Timeouts and retries.
    pub http: HttpOptions,
    /// Verify the lockfile alone (shrinkwrap or package-lock), ignoring `node_modules`: for
    /// checks before anything is installed.
    pub lockfile_only: bool,
    /// Compare the files of each installed registry package with its signed tarball.
    pub contents: bool,
    /// How attestations (provenance, publish) are checked.
    pub provenance: ProvenanceOptions,
    /// The evidence cache.
    pub cache: CacheSettings,
    /// Stop after this long: packages not verified by then fail with `EDEADLINE`.
    pub deadline: Option<std::time::Duration>,
    /// Receives progress (packages done per phase).
    pub progress: Option<ProgressSink>,
    /// A trust file of internal (cosign) keys: when set, internal signatures are looked for
    /// (sidecars of `file:` tarballs, the offline store, `dist.signatures`) and verified.
    pub trust_file: Option<PathBuf>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            dir: PathBuf::from("."),
            lockfile: None,
            overrides: ConfigOverrides::default(),
            offline: None,
            omit: Omit::default(),
            concurrency: 32,
            http: HttpOptions::default(),
            lockfile_only: false,
            contents: false,
            provenance: ProvenanceOptions::default(),
            cache: CacheSettings::default(),
            deadline: None,
            progress: None,
            trust_file: None,
        }
    }
}

/// Verifies every package of a project (or lockfile).
pub async fn verify_tree(options: &VerifyOptions) -> Result<Report, VerifyError> {
    let mut phases = Phases::start();
    let limits =
        Limits::new(options.concurrency, options.deadline).with_progress(options.progress.clone());
    let tree = load_input(options)?;
    let config = NpmConfig::load(&tree.root, &options.overrides)?;
    let evidence = make_evidence(options, &config)?;
    let (mut results, checks) = plan(&tree, &config, &options.omit)?;
    let trusted_root = load_trusted_root(&options.provenance)?;
    let internal = load_internal_trust(options, trusted_root.as_deref())?;
    let verdict_salt = run_salt(
        &options.provenance,
        trusted_root.as_deref().map(String::as_str),
    );
    phases.end("load");
    let keyring = Keyring::load(&evidence, checks.iter().map(|c| &c.registry), trusted_root).await;
    let provenance = Arc::new(options.provenance.clone());
    let cache = EvidenceCache::open(&options.cache, options.offline.is_some()).await;
    // Internal signatures are judged against the time of the run: their verdicts never keep.
    let cache = match internal {
        None => cache.with_verdicts(verdict_salt),
        Some(_) => cache,
    };
    phases.end("keys");
    let checked = run_checks(
        &evidence,
        &keyring,
        checks,
        &limits,
        &provenance,
        &cache,
        internal.as_ref(),
    )
    .await;
    phases.end("checks");
    results.extend(checked);
    // Cache writes are disk work: they overlap the internal and content checks.
    let flush = async {
        let started = std::time::Instant::now();
        cache.flush().await;
        started.elapsed()
    };
    let finish = async {
        let mut results = results;
        if let Some(trust) = internal {
            let context = internal_context(trust, &tree, &config, options);
            results = check_internal(results, context).await;
        }
        if options.contents {
            let context = content_context(&tree, &config);
            results = check_contents(results, context, &evidence, &limits).await;
        }
        results
    };
    let (flushed, mut results) = tokio::join!(flush, finish);
    phases.end("contents");
    phases.record("cache", flushed);
    sort_results(&mut results);
    Ok(Report {
        schema_version: 1,
        tool: format!("npm-sigverify {}", env!("CARGO_PKG_VERSION")),
        project: tree.root.display().to_string(),
        input: crate::model::names::input_name(tree.input).to_string(),
        input_path: tree.input_path.display().to_string(),
        mode: mode(options).to_string(),
        registries: keyring.describe(),
        summary: Summary::of(&results),
        timings: phases.timings(&results),
        slowest: slowest(&results, 20),
        packages: results,
        duration_ms: phases.elapsed().as_millis() as u64,
        cache: cache.kind().to_string(),
        warnings: cache.warning.iter().cloned().collect(),
    })
}

/// Loads the trust file of internal keys, when one is configured.
pub(crate) fn load_internal_trust(
    options: &VerifyOptions,
    trusted_root: Option<&String>,
) -> Result<Option<Arc<InternalTrust>>, VerifyError> {
    let Some(path) = &options.trust_file else {
        return Ok(None);
    };
    let trust = InternalTrust::load(path, trusted_root.map(String::as_str))?;
    Ok(Some(Arc::new(trust)))
}

fn internal_context(
    trust: Arc<InternalTrust>,
    tree: &Tree,
    config: &NpmConfig,
    options: &VerifyOptions,
) -> InternalContext {
    InternalContext {
        trust,
        root: tree.root.clone(),
        store: options.offline.as_ref().map(Store::new),
        npm_cache: npm_cache(config.get("cache")),
    }
}

/// Reads `--trusted-root` once and checks it is a usable Sigstore trusted root.
pub(crate) fn load_trusted_root(
    options: &ProvenanceOptions,
) -> Result<Option<Arc<String>>, VerifyError> {
    let Some(path) = &options.trusted_root else {
        return Ok(None);
    };
    let bad = |why: String| VerifyError::TrustedRoot(format!("{}: {why}", path.display()));
    let json = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    sigverify_attest::TrustMaterial::from_trusted_root_json(&json, Vec::new())
        .map_err(|e| bad(e.to_string()))?;
    Ok(Some(Arc::new(json)))
}

fn content_context(tree: &Tree, config: &NpmConfig) -> ContentContext {
    let installed = tree
        .packages
        .iter()
        .filter(|p| p.installed == Some(true))
        .map(|p| (p.location.clone(), p.has_install_script))
        .collect();
    ContentContext {
        root: tree.root.clone(),
        npm_cache: npm_cache(config.get("cache")),
        installed,
    }
}

pub(crate) fn mode(options: &VerifyOptions) -> &'static str {
    if options.offline.is_some() {
        "offline"
    } else {
        "online"
    }
}

pub(crate) fn load_input(options: &VerifyOptions) -> Result<Tree, VerifyError> {
    let mut tree = match (&options.lockfile, options.lockfile_only) {
        (Some(path), _) => sigverify_lockfile::load_lockfile(path)?,
        (None, false) => sigverify_lockfile::load_tree(&options.dir)?,
        (None, true) => sigverify_lockfile::load_lockfile(&project_lockfile(&options.dir)?)?,
    };
    if options.lockfile_only {
        // Before installation nothing is on disk: every entry is to be checked.
        tree.packages.iter_mut().for_each(|p| p.installed = None);
    }
    Ok(tree)
}

/// The project's own lockfile, as npm ci reads it: npm-shrinkwrap.json, else package-lock.json.
fn project_lockfile(dir: &std::path::Path) -> Result<PathBuf, VerifyError> {
    ["npm-shrinkwrap.json", "package-lock.json"]
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            VerifyError::Usage(format!(
                "--lockfile-only: no npm-shrinkwrap.json or package-lock.json in {}",
                dir.display()
            ))
        })
}

pub(crate) fn make_evidence(
    options: &VerifyOptions,
    config: &NpmConfig,
) -> Result<Evidence, VerifyError> {
    Ok(match &options.offline {
        Some(store) => Evidence::Offline(Store::new(store)),
        None => Evidence::Online(RegistryClient::new(config.clone(), options.http.clone())?),
    })
}

/// Splits the tree into results decided without evidence (skips) and registry checks.
fn plan(
    tree: &Tree,
    config: &NpmConfig,
    omit: &Omit,
) -> Result<(Vec<PackageResult>, Vec<Check>), VerifyError> {
    let (mut skipped, mut checks) = (Vec::new(), Vec::new());
    for package in &tree.packages {
        let result = base_result(package);
        if let Some(skip) = skip_of(package, omit) {
            skipped.push(skip(result));
            continue;
        }
        let registry = config.registry_for(&package.name)?;
        checks.push(Check {
            result: PackageResult {
                registry: Some(registry.to_string()),
                ..result
            },
            registry,
            lock_integrity: package.integrity.clone(),
            tarball_integrity: None,
            inline_attestations: None,
        });
    }
    Ok((skipped, checks))
}

type Skip = Box<dyn FnOnce(PackageResult) -> PackageResult>;

/// Why a package needs no evidence: omitted, not installed, or not from a registry.
fn skip_of(package: &Package, omit: &Omit) -> Option<Skip> {
    let skip = |code: Code, why: String| -> Option<Skip> {
        Some(Box::new(move |r: PackageResult| {
            r.fail(Status::Skipped, code, why)
        }))
    };
    if sigverify_lockfile::is_omitted(package, omit) {
        return skip(
            Code::Omitted,
            format!(
                "{} is a {} dependency, omitted",
                id(package),
                dep_type(package)
            ),
        );
    }
    if let Some(reason) = package.source.skip_reason() {
        return skip(Code::NotRegistry, format!("{}: {reason}", id(package)));
    }
    if package.installed == Some(false) {
        return skip(
            Code::NotInstalled,
            format!("{} is in the lockfile but not installed", id(package)),
        );
    }
    None
}

fn id(package: &Package) -> String {
    format!("{}@{}", package.name, package.version)
}

fn dep_type(package: &Package) -> &'static str {
    if package.optional || package.dev_optional && !package.dev {
        "optionalDependencies"
    } else if package.peer {
        "peerDependencies"
    } else if package.dev {
        "devDependencies"
    } else {
        "dependencies"
    }
}

fn base_result(package: &Package) -> PackageResult {
    PackageResult {
        name: package.name.clone(),
        version: package.version.clone(),
        location: package.location.clone(),
        alias: crate::model::names::source_alias(&package.source).map(str::to_string),
        registry: None,
        source: crate::model::names::source_kind(&package.source).to_string(),
        status: Status::Verified,
        code: None,
        message: None,
        remediation: None,
        integrity: None,
        lockfile_integrity: package.integrity.clone(),
        resolved: package.resolved.clone(),
        keyids: Vec::new(),
        dep_type: dep_type(package).to_string(),
        contents: None,
        provenance: None,
        attestations: Vec::new(),
        internal_signatures: Vec::new(),
        timing: Default::default(),
    }
}

pub(crate) fn sort_results(results: &mut [PackageResult]) {
    results.sort_by(|a, b| {
        (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
    });
}
