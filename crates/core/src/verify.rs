//! The verification pipeline: tree → plan → registry keys → evidence per package → report.
//!
//! Network work is async with bounded concurrency (one packument request per package name, shared
//! by all its versions in the tree); parsing and cryptography run on blocking threads so the
//! async workers (and, in the addon, Node's main thread) never stall. A failure of one package
//! (404, timeout, bad JSON, bad signature) is a result for that package, never an abort.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use sigverify_lockfile::{Omit, Package, Tree};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use crate::codes::Code;
use crate::contents::{check_contents, npm_cache, ContentContext};
use crate::error::VerifyError;
use crate::evidence::{Evidence, EvidenceError, Store};
use crate::integrity;
use crate::keyring::{Keyring, RegistryKeys};
use crate::npmrc::{ConfigOverrides, NpmConfig};
use crate::packument::{parse_packument, PackumentFacts};
use crate::registry::{HttpOptions, RegistryClient};
use crate::report::{PackageResult, Report, Status, Summary};
use crate::signature::{verify_registry_signatures, SignatureVerdict, SignedVersion};

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
        }
    }
}

/// A registry package to check, with its result pre-filled from the lockfile.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub result: PackageResult,
    pub registry: Url,
    pub lock_integrity: Option<String>,
    /// sha512 SRI of a local tarball to hold against the registry's integrity.
    pub tarball_integrity: Option<String>,
}

/// Verifies every package of a project (or lockfile).
pub async fn verify_tree(options: &VerifyOptions) -> Result<Report, VerifyError> {
    let started = Instant::now();
    let tree = load_input(options)?;
    let config = NpmConfig::load(&tree.root, &options.overrides)?;
    let evidence = make_evidence(options, &config)?;
    let (mut results, checks) = plan(&tree, &config, &options.omit)?;
    let keyring = Keyring::load(&evidence, checks.iter().map(|c| &c.registry)).await;
    let mut checked = run_checks(&evidence, &keyring, checks, options.concurrency).await;
    if options.contents {
        let context = content_context(&tree, &config);
        checked = check_contents(checked, context, &evidence, options.concurrency).await;
    }
    results.extend(checked);
    sort_results(&mut results);
    Ok(Report {
        schema_version: 1,
        tool: format!("npm-sigverify {}", env!("CARGO_PKG_VERSION")),
        project: tree.root.display().to_string(),
        input: crate::tree::input_name(tree.input).to_string(),
        input_path: tree.input_path.display().to_string(),
        mode: mode(options).to_string(),
        registries: keyring.describe(),
        summary: Summary::of(&results),
        packages: results,
        duration_ms: started.elapsed().as_millis() as u64,
    })
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
        alias: crate::tree::source_alias(&package.source).map(str::to_string),
        registry: None,
        source: crate::tree::source_kind(&package.source).to_string(),
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
    }
}

/// Checks packages against their registries, one packument request per (registry, name).
pub(crate) async fn run_checks(
    evidence: &Evidence,
    keyring: &Keyring,
    checks: Vec<Check>,
    concurrency: usize,
) -> Vec<PackageResult> {
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    let mut results = Vec::new();
    for ((registry, name), group) in group_checks(checks) {
        let keys = match keyring.get(&registry) {
            RegistryKeys::Keys { set, .. } => Arc::clone(set),
            other => {
                results.extend(group.into_iter().map(|c| judge_without_keys(c, other)));
                continue;
            }
        };
        let (evidence, limit) = (evidence.clone(), Arc::clone(&limit));
        tasks.spawn(async move {
            let full = keys.has_expiring_key();
            let fetched = {
                let _permit = limit.acquire().await.expect("semaphore is never closed");
                evidence.packument(&registry, &name, full).await
            };
            let judge = move || judge_group(fetched, group, &keys);
            tokio::task::spawn_blocking(judge)
                .await
                .expect("judging never panics")
        });
    }
    while let Some(done) = tasks.join_next().await {
        results.extend(done.expect("check tasks never panic"));
    }
    results
}

fn group_checks(checks: Vec<Check>) -> BTreeMap<(Url, String), Vec<Check>> {
    let mut groups: BTreeMap<(Url, String), Vec<Check>> = BTreeMap::new();
    for check in checks {
        let key = (check.registry.clone(), check.result.name.clone());
        groups.entry(key).or_default().push(check);
    }
    groups
}

fn judge_without_keys(check: Check, keys: &RegistryKeys) -> PackageResult {
    let id = format!("{}@{}", check.result.name, check.result.version);
    match keys {
        RegistryKeys::Unavailable(why) => check.result.fail(
            Status::Invalid,
            Code::KeysUnavailable,
            format!("{id}: cannot verify, the registry's signing keys are unavailable: {why}"),
        ),
        _ => check.result.fail(
            Status::Skipped,
            Code::NoRegistryKeys,
            format!(
                "{id}: the registry {} publishes no signing keys",
                check.registry
            ),
        ),
    }
}

fn judge_group(
    fetched: Result<Option<Vec<u8>>, EvidenceError>,
    group: Vec<Check>,
    keys: &crate::keys::KeySet,
) -> Vec<PackageResult> {
    let facts = match fetched {
        Ok(Some(bytes)) => parse_packument(&bytes).map_err(|e| (Code::BadPackument, e.to_string())),
        Ok(None) => Err((
            Code::NoPackument,
            "the registry answered 404 for its packument".into(),
        )),
        Err(e) => Err((evidence_code(&e), e.to_string())),
    };
    group
        .into_iter()
        .map(|check| match &facts {
            Ok(facts) => judge_one(facts, check, keys),
            Err((code, why)) => {
                let id = format!("{}@{}", check.result.name, check.result.version);
                check
                    .result
                    .fail(Status::Invalid, *code, format!("{id}: {why}"))
            }
        })
        .collect()
}

fn evidence_code(e: &EvidenceError) -> Code {
    match e {
        EvidenceError::Fetch(_) => Code::RegistryUnreachable,
        EvidenceError::NotInStore(_) | EvidenceError::Io { .. } => Code::NoEvidence,
    }
}

/// Judges one version: its signatures first (as npm), then the lockfile's and tarball's integrity.
pub(crate) fn judge_one(
    facts: &PackumentFacts,
    check: Check,
    keys: &crate::keys::KeySet,
) -> PackageResult {
    let (name, version) = (check.result.name.clone(), check.result.version.clone());
    let id = format!("{name}@{version}");
    let Some(facts_v) = facts.versions.get(&version) else {
        let why = format!("{id}: the registry does not list version {version}");
        return check
            .result
            .fail(Status::Invalid, Code::VersionNotFound, why);
    };
    let Some(integrity) = facts_v.integrity.clone() else {
        let why = format!("{id}: the registry gives no dist.integrity to verify");
        return check.result.fail(Status::Invalid, Code::BadPackument, why);
    };
    let mut result = check.result;
    result.integrity = Some(integrity.clone());
    if result.resolved.is_none() {
        result.resolved = facts_v.tarball.clone();
    }
    let signed = SignedVersion {
        name: &name,
        version: &version,
        integrity: &integrity,
        published: facts.published.get(&version).copied(),
    };
    match verify_registry_signatures(&signed, &facts_v.signatures, keys) {
        SignatureVerdict::Missing => result.fail(
            Status::Missing,
            Code::MissingSignature,
            format!(
                "{id} has a missing registry signature but the registry is providing signing keys"
            ),
        ),
        SignatureVerdict::Invalid {
            code,
            keyid,
            message,
        } => {
            result.keyids = vec![keyid];
            result.fail(Status::Invalid, code, message)
        }
        SignatureVerdict::Verified { keyids, .. } => {
            result.keyids = keyids;
            check_integrity(
                result,
                &integrity,
                check.lock_integrity,
                check.tarball_integrity,
            )
        }
    }
}

fn check_integrity(
    result: PackageResult,
    signed: &str,
    lockfile: Option<String>,
    tarball: Option<String>,
) -> PackageResult {
    let id = format!("{}@{}", result.name, result.version);
    if let Some(lock) = lockfile.filter(|l| integrity::conflicts(l, signed)) {
        let why =
            format!("{id}: the lockfile pins integrity {lock} but the registry signed {signed}");
        return result.fail(Status::Invalid, Code::IntegrityMismatch, why);
    }
    if let Some(tarball) = tarball.filter(|t| integrity::conflicts(t, signed)) {
        let why = format!("{id}: the tarball hashes to {tarball} but the registry signed {signed}");
        return result.fail(Status::Invalid, Code::IntegrityMismatch, why);
    }
    result
}

pub(crate) fn sort_results(results: &mut [PackageResult]) {
    results.sort_by(|a, b| {
        (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
    });
}
