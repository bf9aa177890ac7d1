//! `verify_tree`: the whole pipeline for a project, in order.
//!
//! Network work is async with bounded concurrency (one packument request per package name,
//! shared by all its versions in the tree); parsing and cryptography run on a CPU pool so the
//! async workers (and, in the addon, Node's main thread) never stall. A failure of one package
//! (404, timeout, bad JSON, bad signature) is a result for that package, never an abort.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use sigverify_lockfile::{Linker, Tree};

use crate::cache::verdicts::run_salt;
use crate::cache::EvidenceCache;
use crate::check::contents::{
    check_contents, npm_cache, prepare, Comparisons, ContentContext, Prepared,
};
use crate::check::disk::inventory;
use crate::check::internal::{check_internal, InternalContext};
use crate::check::source::check_sources;
use crate::config::VerifyOptions;
use crate::error::VerifyError;
use crate::model::lines::LockfileLines;
use crate::model::redact::Redactor;
use crate::model::{CheckOutcome, PackageResult, Report, Summary, SCHEMA_VERSION};
use crate::run::judge::RegistryCheck;
use crate::run::load::{load_input, Loaded};
use crate::run::plan::plan;
use crate::run::registry::{run_checks, Shared};
use crate::run::signals::{needs, signal_step};
use crate::run::timing::{slowest, Phases};
use crate::source::evidence::Store;
use crate::source::keyring::Keyring;
use crate::source::tarball::TarballSources;
use crate::work::deadline::Limits;

/// Verifies every package of a project (or lockfile) and decides each with the policy.
pub async fn verify_tree(options: &VerifyOptions) -> Result<Report, VerifyError> {
    let mut phases = Phases::start();
    let limits =
        Limits::new(options.concurrency, options.deadline).with_progress(options.progress.clone());
    // 1. Load the tree, the configuration, the policy and the trust material.
    // Shared with the background walk below (a copy of a 5,000-package tree is not free).
    let tree = Arc::new(load_input(options)?);
    // Started as soon as the project is known: the packs are read and node_modules is walked
    // for folders the lockfile does not account for while the rest loads.
    let cache = open_cache(options, &tree).await;
    let on_disk = start_inventory(&tree, options);
    let config = Loaded::config(options, &tree.root, tree.manager)?;
    let (mut results, checks) = plan(&tree, &config, &options.omit)?;
    // The content index, for the integrities the lockfile pins, and the snapshots of the
    // folders it keeps outcomes for: prepared while the rest loads (the HTTP client's TLS
    // roots, the policy), the keys load and the registry checks run.
    let installed = installed_locations(&tree);
    let pinned = pinned_by_lockfile(&results, &checks);
    let mut prepared = compares_contents(options, &tree).then(|| {
        let wanted = pinned
            .iter()
            .filter(|r| installed.contains(&r.location))
            .filter_map(|r| Some((r.location.clone(), r.compared_integrity()?.to_string())))
            .collect();
        prepare(cache.clone(), tree.root.clone(), wanted, options.rehash)
    });
    let loaded = Loaded::load_with(options, &tree.root, config)?;
    phases.end("load");
    // 2. The cache (verdicts only when nothing depends on the time), then the registries' keys.
    let (signals, history) = needs(&loaded.policy.environment.signals);
    let shared = Shared {
        evidence: loaded.evidence.clone(),
        cache: keep_verdicts(cache, options, &loaded),
        provenance: Arc::new(options.provenance.clone()),
        internal: loaded.internal.clone(),
        signals,
        history,
        tarballs: tarball_sources(&tree, &loaded),
    };
    // 3. Registry signatures, integrity and attestations once the keys are in; meanwhile, from
    // the start of the keys' round trip, the installed files are compared with the tarballs the
    // lockfile pins (taken in step 4 by the packages whose signed integrity is that one: the two
    // stages together keep both cores busy, and the comparison needs no key).
    let keys_then_checks = async {
        let registries = checks.iter().map(|c| &c.registry);
        let keyring =
            Keyring::load(&loaded.evidence, registries, loaded.trusted_root.clone()).await;
        phases.end("keys");
        let checked = run_checks(&shared, &keyring, checks, &limits).await;
        (keyring, checked)
    };
    let compared = (compares_early(options, &tree, &loaded) && !installed.is_empty())
        .then(Arc::<Comparisons>::default);
    let ctx = LocalContext {
        tree: &tree,
        loaded: &loaded,
        options,
        limits: &limits,
        cache: &shared.cache,
        installed: Arc::new(installed),
        patched: Arc::new(patched_locations(&tree)),
    };
    let ((keyring, registry_results), early_took) = match &compared {
        Some(compared) => {
            let early_run = async {
                let started = std::time::Instant::now();
                let prepared = prepared.take();
                compare_contents(pinned, &ctx, prepared, Some(Arc::clone(compared))).await;
                started.elapsed()
            };
            let (checked, took) = tokio::join!(keys_then_checks, early_run);
            (checked, Some(took))
        }
        None => (keys_then_checks.await, None),
    };
    results.extend(registry_results);
    phases.end("checks");
    if let Some(took) = early_took {
        phases.record("contents.early", took);
    }
    // 4. Internal signatures, then the installed files (overlapping the cache writes).
    let flush = async {
        let started = std::time::Instant::now();
        shared.cache.flush().await;
        started.elapsed()
    };
    let finish = check_local(results, &ctx, prepared, compared);
    let (flushed, mut results) = tokio::join!(flush, finish);
    phases.end("contents");
    phases.record("cache", flushed);
    // 5. The tree against the manifests and the disk: lockfile sources, extraneous folders.
    let on_disk = match on_disk {
        // A panic in the walk is re-raised here, as the CPU pool's are.
        Some(walk) => Some(
            walk.await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
        ),
        None => None,
    };
    check_tree(&mut results, &tree, &loaded, on_disk);
    // 6. The incident signals (release age, publisher continuity, pins, scripts, baseline).
    let tarballs = tarball_sources(&tree, &loaded);
    let (mut results, signal_run) = signal_step(
        results,
        &loaded,
        &keyring,
        shared.cache.clone(),
        tarballs,
        &limits,
        Some(&*tree),
    )
    .await?;
    phases.end("signals");
    // 7. Settle each package from its checks, then decide it with the policy.
    settle_all(&mut results, &tree);
    loaded.policy.decide_all(&mut results, Utc::now());
    phases.end("decide");
    // 8. The report, with every secret removed.
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: format!("npm-sigverify {}", env!("CARGO_PKG_VERSION")),
        project: tree.root.display().to_string(),
        input: crate::model::names::input_name(tree.input).to_string(),
        manager: tree.manager.as_str().to_string(),
        input_path: tree.input_path.display().to_string(),
        mode: mode(options).to_string(),
        registries: keyring.describe(),
        policy: loaded.policy.summary(),
        summary: Summary::of(&results),
        exit_code: loaded.policy.exit_code(&results),
        timings: phases.timings(&results),
        slowest: slowest(&results, 20),
        packages: results,
        duration_ms: phases.elapsed().as_millis() as u64,
        cache: shared.cache.kind().to_string(),
        warnings: warnings(&shared, &tree, options)
            .into_iter()
            .chain(signal_run.warnings)
            .collect(),
        baseline: signal_run.baseline,
    };
    Ok(redact(report, &loaded))
}

/// What the reader must know about how far this run went: the cache's state, and contents that
/// were asked for but could not be compared (Plug'n'Play).
fn warnings(shared: &Shared, tree: &Tree, options: &VerifyOptions) -> Vec<String> {
    let mut out: Vec<String> = shared
        .evidence
        .warning()
        .map(str::to_string)
        .into_iter()
        .collect();
    out.extend(shared.cache.warning.iter().cloned());
    if tree.linker == Linker::Pnp && options.contents && !options.lockfile_only {
        out.push(PNP_NOT_COMPARED.to_string());
    }
    if matches!(options.policy, crate::PolicyChoice::Discover) {
        out.extend(unused_policy_file(&options.dir, &tree.root));
    }
    out
}

/// A policy file in the folder the run was asked for (a workspace, `test/`) when the project
/// is verified from a folder above it: the project's policy decides, and that file is not read.
/// Said, so nobody believes a workspace's stricter file applied.
fn unused_policy_file(dir: &std::path::Path, root: &std::path::Path) -> Option<String> {
    let same = |a: &std::path::Path, b: &std::path::Path| {
        std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
    };
    if same(dir, root) {
        return None;
    }
    let file = sigverify_policy::POLICY_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| path.is_file())?;
    Some(format!(
        "{} is not read: the project is verified from {}, whose policy (or npm's defaults) decides; pass --policy {} to use it",
        file.display(),
        root.display(),
        file.display()
    ))
}

async fn open_cache(options: &VerifyOptions, tree: &Tree) -> EvidenceCache {
    EvidenceCache::open(&options.cache, options.offline.is_some())
        .await
        .with_packs(&pack_scope(tree))
}

/// The cache with this run's verdicts kept, when they can be.
fn keep_verdicts(cache: EvidenceCache, options: &VerifyOptions, loaded: &Loaded) -> EvidenceCache {
    // Internal signatures are judged against the time of the run: their verdicts never keep.
    if loaded.internal.is_some() {
        return cache;
    }
    let root = loaded.trusted_root.as_deref().map(String::as_str);
    cache.with_verdicts(run_salt(&options.provenance, root))
}

/// The project a run's cache packs belong to: its folder and the lockfile read.
fn pack_scope(tree: &Tree) -> String {
    let root = std::fs::canonicalize(&tree.root).unwrap_or_else(|_| tree.root.clone());
    format!("tree\0{}\0{}", root.display(), tree.input_path.display())
}

/// Why a Plug'n'Play project's packages have no content check, in each package and the report.
const PNP_NOT_COMPARED: &str = "Yarn Plug'n'Play keeps packages zipped in Yarn's cache (no node_modules): their installed files were not compared with the signed tarballs; use nodeLinker: node-modules (or pnpm) to have them compared";

/// What step 4 reads of the run.
struct LocalContext<'a> {
    tree: &'a Tree,
    loaded: &'a Loaded,
    options: &'a VerifyOptions,
    limits: &'a Limits,
    cache: &'a EvidenceCache,
    /// The locations of the packages on disk.
    installed: Arc<HashSet<String>>,
    /// The packages the project patches, by location, with the patch.
    patched: Arc<HashMap<String, String>>,
}

/// Step 4: internal signatures (when a trust file is configured) and installed contents
/// (taking the comparisons of step 3 that hold for the signed integrity).
async fn check_local(
    mut results: Vec<PackageResult>,
    ctx: &LocalContext<'_>,
    prepared: Option<PreparedIndex>,
    compared: Option<Arc<Comparisons>>,
) -> Vec<PackageResult> {
    let (tree, loaded, options) = (ctx.tree, ctx.loaded, ctx.options);
    if let Some(trust) = &loaded.internal {
        let context = InternalContext {
            trust: Arc::clone(trust),
            root: tree.root.clone(),
            store: options.offline.as_ref().map(Store::open),
            npm_cache: npm_cache(loaded.config.get("cache")),
        };
        results = check_internal(results, context).await;
    }
    if !options.contents || options.lockfile_only {
        let why = match options.lockfile_only {
            true => "the lockfile alone was verified (--lockfile-only)",
            false => "the content check is off (--no-content)",
        };
        for result in &mut results {
            result.checks.contents = CheckOutcome::off(format!("{}: {why}", result.id()));
        }
        return results;
    }
    if tree.linker == Linker::Pnp {
        for result in &mut results {
            result.checks.contents =
                CheckOutcome::off(format!("{}: {PNP_NOT_COMPARED}", result.id()));
        }
        return results;
    }
    compare_contents(results, ctx, prepared, compared).await
}

/// The installed contents of `results` (an installed tree that is not Plug'n'Play), with the
/// content index when the cache can be trusted with it (`prepared` for this run, else opened
/// for the packages no earlier comparison covers).
async fn compare_contents(
    results: Vec<PackageResult>,
    ctx: &LocalContext<'_>,
    prepared: Option<PreparedIndex>,
    compared: Option<Arc<Comparisons>>,
) -> Vec<PackageResult> {
    let tree = ctx.tree;
    let prepared = match prepared {
        // A panic while preparing is re-raised here, as the CPU pool's are.
        Some(handle) => handle
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
        None => {
            let covered = |r: &PackageResult, integrity: &str| {
                compared.as_ref().is_some_and(|c| c.has(r, integrity))
            };
            let wanted: Vec<(String, String)> = results
                .iter()
                .filter(|r| ctx.installed.contains(&r.location))
                .filter_map(|r| {
                    let integrity = r.compared_integrity()?.to_string();
                    (!covered(r, &integrity)).then(|| (r.location.clone(), integrity))
                })
                .collect();
            match wanted.is_empty() {
                true => Prepared::default(),
                false => prepare(
                    ctx.cache.clone(),
                    tree.root.clone(),
                    wanted,
                    ctx.options.rehash,
                )
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic())),
            }
        }
    };
    let context = ContentContext {
        tarballs: tarball_sources(tree, ctx.loaded),
        installed: Arc::clone(&ctx.installed),
        patched: Arc::clone(&ctx.patched),
        index: prepared.index.clone(),
        early: Arc::new(prepared.snapshots),
        compared,
    };
    let results = check_contents(results, context, &ctx.loaded.evidence, ctx.limits).await;
    if let Some(index) = prepared.index {
        index.flush().await;
    }
    results
}

/// The packages the project patches (pnpm's `patchedDependencies`, Yarn's `patch:`), by
/// location, with the patch.
fn patched_locations(tree: &Tree) -> HashMap<String, String> {
    tree.packages
        .iter()
        .filter_map(|p| Some((p.location.clone(), p.patch.clone()?)))
        .collect()
}

/// The locations of the packages on disk.
fn installed_locations(tree: &Tree) -> HashSet<String> {
    tree.packages
        .iter()
        .filter(|p| p.installed == Some(true))
        .map(|p| p.location.clone())
        .collect()
}

/// True when step 3 compares the installed files while the registry checks run: contents are
/// compared, and no internal signature can change a package's integrity before step 4.
fn compares_early(options: &VerifyOptions, tree: &Tree, loaded: &Loaded) -> bool {
    compares_contents(options, tree) && loaded.internal.is_none()
}

/// The packages as step 4 will see them, with the integrity the lockfile pins in place of the
/// signed one (known only after the registry checks): a single sha512, as the registries sign;
/// anything else is compared in step 4.
fn pinned_by_lockfile(decided: &[PackageResult], checks: &[RegistryCheck]) -> Vec<PackageResult> {
    let checked = checks.iter().map(|check| {
        let mut result = check.result.clone();
        result.integrity = result
            .lockfile_integrity
            .clone()
            .filter(|i| i.starts_with("sha512-") && !i.trim().contains(char::is_whitespace));
        result
    });
    decided.iter().cloned().chain(checked).collect()
}

type PreparedIndex = tokio::task::JoinHandle<Prepared>;

/// Starts walking `node_modules` for what the lockfile does not account for (step 5), when
/// the run reads a lockfile of an installed tree: the walk only needs the tree and the disk.
fn start_inventory(
    tree: &Arc<Tree>,
    options: &VerifyOptions,
) -> Option<tokio::task::JoinHandle<Vec<PackageResult>>> {
    let walks = tree.input != sigverify_lockfile::Input::NodeModules
        && !options.lockfile_only
        && tree.root.join("node_modules").is_dir();
    walks.then(|| {
        let tree = Arc::clone(tree);
        tokio::task::spawn_blocking(move || inventory(&tree))
    })
}

/// True when this run compares installed files (asked for, an installed tree, not Plug'n'Play).
fn compares_contents(options: &VerifyOptions, tree: &Tree) -> bool {
    options.contents && !options.lockfile_only && tree.linker != Linker::Pnp
}

/// Where signed tarballs are looked for: npm's cache, then the registry.
fn tarball_sources(tree: &Tree, loaded: &Loaded) -> TarballSources {
    TarballSources {
        root: tree.root.clone(),
        npm_cache: npm_cache(loaded.config.get("cache")),
    }
}

/// Step 5: every entry against the manifests that declare it (lockfile injection), and
/// everything under node_modules against the lockfile (a bare node_modules walk has no
/// lockfile to check).
fn check_tree(
    results: &mut Vec<PackageResult>,
    tree: &Tree,
    loaded: &Loaded,
    on_disk: Option<Vec<PackageResult>>,
) {
    if tree.input == sigverify_lockfile::Input::NodeModules {
        for r in results.iter_mut() {
            let why = format!(
                "{}: no lockfile, the installed folders are the tree",
                r.id()
            );
            r.checks.source = CheckOutcome {
                state: crate::model::CheckState::NotApplicable,
                code: None,
                message: Some(why),
            };
        }
        return;
    }
    let mut unlocked = check_sources(results, tree, &loaded.config);
    if let Some(on_disk) = on_disk {
        // A declared dependency the lockfile lost whose folder is still there is reported once,
        // as the folder nobody checked.
        unlocked.retain(|u| !on_disk.iter().any(|d| d.location == u.location));
        results.extend(on_disk);
    }
    results.extend(unlocked);
}

/// Step 6: every package's status from its checks, sorted, with its lockfile line.
fn settle_all(results: &mut [PackageResult], tree: &Tree) {
    let lines = LockfileLines::read(&tree.input_path.display().to_string());
    for result in results.iter_mut() {
        result.settle();
        result.lockfile_line = lines.line_of(&result.location);
    }
    sort_results(results);
}

/// The report with URL credentials and configured secrets removed from every string.
fn redact(report: Report, loaded: &Loaded) -> Report {
    let redactor = Redactor::new(loaded.config.secrets());
    redactor.value(report)
}

pub(crate) fn mode(options: &VerifyOptions) -> &'static str {
    if options.offline.is_some() {
        "offline"
    } else {
        "online"
    }
}

pub(crate) fn sort_results(results: &mut [PackageResult]) {
    results.sort_by(|a, b| {
        (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
    });
}
