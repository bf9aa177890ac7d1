//! The incident signals: what registry signatures cannot see (a hijacked maintainer account
//! signs like the real one). Each checked registry package gets its publish time and publisher
//! described, then each signal the policy turns on adds findings, which the decide stage turns
//! into failing or advisory checks:
//!
//! | signal | evidence | module |
//! |---|---|---|
//! | release age | verified attestation time, else registry `time` (marked) | [`age`] |
//! | publisher continuity | earlier versions' verified provenance; `_npmUser` | [`continuity`] |
//! | pins | verified provenance against `sigverify.pins.json` | [`pins`] |
//! | new install scripts | this and the previous version's signed tarballs | [`scripts`] |
//! | new dependencies, typosquats | the baseline lockfile, published manifests | [`baseline`] |
//! | publish bursts | registry `time` and `_npmUser` | [`burst`] |
//!
//! Fail closed: a signal that cannot obtain its evidence records `ESIGNALUNAVAILABLE` (an
//! operational failure), never a silent pass.

mod age;
mod baseline;
pub(crate) mod burst;
mod continuity;
mod history;
pub mod pin_update;
pub mod pins;
mod scripts;
mod typosquat;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sigverify_attest::TrustMaterial;
use sigverify_lockfile::Tree;
use sigverify_policy::{SignalFinding, SignalKind, Signals};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use crate::cache::EvidenceCache;
use crate::error::VerifyError;
use crate::model::{BaselineSummary, PackageResult, Publisher};
use crate::source::evidence::Evidence;
use crate::source::keys::KeySet;
use crate::source::tarball::TarballSources;
use crate::Code;

/// A registry's keys and attestation trust material, for earlier versions' evidence.
#[derive(Clone, Default)]
pub(crate) struct Material {
    pub keys: Option<Arc<KeySet>>,
    pub trust: Option<Arc<TrustMaterial>>,
}

/// What the signals of a run need.
pub(crate) struct SignalContext {
    /// The effective settings (policy, environment, overrides).
    pub signals: Signals,
    pub evidence: Evidence,
    pub cache: EvidenceCache,
    pub registries: BTreeMap<Url, Material>,
    pub tarballs: TarballSources,
    pub now: DateTime<Utc>,
    pub concurrency: usize,
    pub deadline: Option<Instant>,
}

impl SignalContext {
    fn material(&self, registry: &Url) -> Option<&Material> {
        self.registries.get(registry)
    }
}

/// What the signals add to the report itself.
#[derive(Debug, Default)]
pub(crate) struct SignalRun {
    pub baseline: Option<BaselineSummary>,
    pub warnings: Vec<String>,
}

/// Describes every checked registry package (publish time, publisher) and runs the signals the
/// settings turn on. `tree` is the verified tree (`None` for one package: no baseline).
pub(crate) async fn run_signals(
    results: Vec<PackageResult>,
    ctx: SignalContext,
    tree: Option<&Tree>,
) -> Result<(Vec<PackageResult>, SignalRun), VerifyError> {
    let mut results = results;
    let mut run = SignalRun::default();
    for result in results.iter_mut().filter(|r| r.source == "registry") {
        result.publish_time = age::publish_time(result);
        result.publisher = publisher(result);
    }
    let s = &ctx.signals;
    if s.is_on(SignalKind::ReleaseAge) {
        for result in results
            .iter_mut()
            .filter(|r| applies(r, s, SignalKind::ReleaseAge))
        {
            result
                .signals
                .extend(age::check(result, s.minimum_release_age, ctx.now));
        }
    }
    if s.is_on(SignalKind::Pins) {
        // One package (verify-package, the Bun scanner) or a gate's served versions are held
        // to the pins of the project folder they run for, as a tree's packages are.
        let root = tree.map_or_else(|| ctx.tarballs.root.clone(), |t| t.root.clone());
        let path = pins::pins_path(s.pins_file.as_ref(), &root);
        if let Some(file) = pins::PinFile::read(&path)? {
            pins::check_all(&mut results, &file, &path);
        }
    }
    if s.is_on(SignalKind::PublishBursts) {
        burst::check_all(&mut results, &s.burst);
    }
    match tree {
        Some(tree) => run.baseline = against_baseline(&mut results, s, tree, &mut run.warnings)?,
        // Asked for by name, a baseline that cannot apply is refused, never silently dropped.
        None if s.baseline_explicit && s.baseline.is_some() => {
            return Err(VerifyError::Usage(
                "--baseline compares a tree's lockfile with an earlier one; one package has no lockfile to compare (use verify)".into(),
            ))
        }
        None => {}
    }
    let results = fetching_signals(results, Arc::new(ctx)).await;
    Ok((results, run))
}

/// True when a registry package with facts is subject to `kind`.
fn applies(result: &PackageResult, signals: &Signals, kind: SignalKind) -> bool {
    let facts = result.packument.as_ref();
    result.source == "registry"
        && facts.is_some_and(|f| f.versions.contains_key(&result.version))
        && signals.action(kind, &result.name) != sigverify_policy::Action::Off
}

/// Who published a checked version, as far as its verified attestations and packument say.
fn publisher(result: &PackageResult) -> Option<Publisher> {
    let version = result
        .packument
        .as_ref()
        .and_then(|f| f.versions.get(&result.version));
    // verified, absent or invalid once attestations were checked.
    let provenance = result.provenance.as_deref().unwrap_or("unchecked");
    Some(Publisher {
        provenance: provenance.to_string(),
        identity: continuity::own_identity(result),
        trusted_publisher: version.and_then(|v| v.trusted_publisher.clone()),
        npm_user: version.and_then(|v| v.npm_user.clone()),
    })
}

/// The baseline diff and its signals, when a baseline is configured. A baseline that cannot be
/// read is an error when given for this run, else a warning (a policy's `HEAD` in a project
/// that is not a git repository).
fn against_baseline(
    results: &mut [PackageResult],
    s: &Signals,
    tree: &Tree,
    warnings: &mut Vec<String>,
) -> Result<Option<BaselineSummary>, VerifyError> {
    let Some(reference) = &s.baseline else {
        return Ok(None);
    };
    let wanted = (
        s.is_on(SignalKind::NewDependencies),
        s.is_on(SignalKind::Typosquats),
    );
    if !s.baseline_explicit && wanted == (false, false) {
        return Ok(None);
    }
    match baseline::load(reference, tree) {
        Ok(versions) => Ok(Some(baseline::apply(
            results, &versions, reference, tree, wanted,
        ))),
        Err(why) if s.baseline_explicit => Err(VerifyError::Usage(format!("--baseline {why}"))),
        Err(why) => {
            warnings.push(format!("the policy's baseline {reference} cannot be read, so new dependencies and typosquats were not checked: {why}"));
            Ok(None)
        }
    }
}

/// Continuity and new install scripts: they fetch evidence, so they run concurrently (bounded),
/// once per distinct `registry name@version`, until the run's deadline.
async fn fetching_signals(
    results: Vec<PackageResult>,
    ctx: Arc<SignalContext>,
) -> Vec<PackageResult> {
    let s = &ctx.signals;
    let wants = |r: &PackageResult| {
        applies(r, s, SignalKind::PublisherContinuity)
            || applies(r, s, SignalKind::NewInstallScripts)
    };
    let mut groups: BTreeMap<(Option<String>, String, String), Vec<PackageResult>> =
        BTreeMap::new();
    let mut done = Vec::new();
    for r in results {
        match wants(&r) {
            true => groups
                .entry((r.registry.clone(), r.name.clone(), r.version.clone()))
                .or_default()
                .push(r),
            false => done.push(r),
        }
    }
    let limit = Arc::new(Semaphore::new(ctx.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (_, group) in groups {
        let (ctx, limit) = (Arc::clone(&ctx), Arc::clone(&limit));
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("never closed");
            let found = within_deadline(&ctx, &group[0], one_version(&ctx, &group[0])).await;
            spread(group, found)
        });
    }
    while let Some(finished) = tasks.join_next().await {
        match finished {
            Ok(group) => done.extend(group),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    done
}

/// What the fetching signals found for one version: findings and its own install scripts.
type Found = (Vec<SignalFinding>, Option<Vec<String>>);

async fn one_version(ctx: &SignalContext, result: &PackageResult) -> Found {
    let s = &ctx.signals;
    let mut findings = Vec::new();
    if applies(result, s, SignalKind::PublisherContinuity) {
        findings.extend(continuity::check(ctx, result).await);
    }
    let mut own = None;
    if applies(result, s, SignalKind::NewInstallScripts) {
        let outcome = scripts::check(ctx, result).await;
        findings.extend(outcome.finding);
        own = outcome.own;
    }
    (findings, own)
}

/// The work, or an operational finding once the run's deadline passes.
async fn within_deadline(
    ctx: &SignalContext,
    result: &PackageResult,
    work: impl std::future::Future<Output = Found>,
) -> Found {
    let Some(at) = ctx.deadline else {
        return work.await;
    };
    if let Ok(found) = tokio::time::timeout_at(at, work).await {
        return found;
    }
    // Recorded under a signal that is on for it, so that the decision counts it.
    let signal = match applies(result, &ctx.signals, SignalKind::PublisherContinuity) {
        true => SignalKind::PublisherContinuity,
        false => SignalKind::NewInstallScripts,
    };
    let finding = SignalFinding {
        signal,
        code: Code::Deadline,
        message: format!(
            "{}: its publisher and install scripts were not compared with earlier versions within the run's deadline",
            result.id()
        ),
        evidence: serde_json::Value::Null,
    };
    (vec![finding], None)
}

/// Every location of a version gets its findings (named by the package).
fn spread(group: Vec<PackageResult>, (findings, own): Found) -> Vec<PackageResult> {
    group
        .into_iter()
        .map(|mut r| {
            r.signals.extend(findings.iter().cloned());
            if r.install_scripts.is_none() {
                r.install_scripts = own.clone();
            }
            r
        })
        .collect()
}

/// The pin file path of a project.
pub fn pins_file(configured: Option<&PathBuf>, root: &std::path::Path) -> PathBuf {
    pins::pins_path(configured, root)
}
