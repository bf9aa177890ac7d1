//! Installed contents: the files under each installed package's folder must be exactly the
//! files of the tarball whose integrity was signed (by the registry, or by internal signatures
//! for `file:` tarballs). Bundled dependencies are compared with the part of their parent's
//! tarball they came from.
//!
//! Failing closed: a tarball that cannot be obtained is `ETARBALLUNAVAILABLE` (operational),
//! never a pass. What npm itself changes on install is excused by `sigverify-content` (see its
//! `compare` module). Files added to a package whose signed manifest has install scripts are
//! reported but do not fail it (build steps create them), unless they change what Node loads
//! (`ECONTENTLOADABLE`, see `sigverify_content::loadable_additions`).

mod index;

pub(crate) use index::ContentIndex;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use sigverify_content::{compare_package_dir, read_tarball, CompareOptions, TarManifest};
use tokio::sync::Semaphore;

use crate::model::{CheckOutcome, CheckState, ContentsResult, PackageResult};
use crate::source::evidence::Evidence;
use crate::source::tarball::TarballSources;
use crate::work::deadline::{Deadlined, Limits};
use crate::work::progress::PhaseProgress;
use crate::Code;

/// What the content check needs to know about the installation.
#[derive(Debug, Clone)]
pub(crate) struct ContentContext {
    /// Where tarballs come from.
    pub tarballs: TarballSources,
    /// Locations that exist on disk.
    pub installed: HashSet<String>,
    /// The content index, when the cache can be trusted with it.
    pub index: Option<Arc<ContentIndex>>,
    /// Snapshots of the installed folders taken while the registry checks ran (see
    /// [`early_snapshots`]), by location; a folder missing here is snapshotted when compared.
    pub early: Arc<HashMap<String, Option<String>>>,
}

/// Takes the stat snapshot of every installed folder at `locations` under `root` on the CPU
/// pool, for the content index to use later: started before the registry checks, the statting
/// of a warm run (~15,000 entries on a 670-package tree) overlaps them. A snapshot only says
/// what the folder was at some moment; whether that moment comes before the registry checks
/// or after them changes nothing of what it proves, and a folder that changes after it is
/// seen by the snapshot taken after its comparison, as before.
pub(crate) fn early_snapshots(
    root: PathBuf,
    locations: Vec<String>,
) -> tokio::task::JoinHandle<HashMap<String, Option<String>>> {
    tokio::spawn(crate::work::cpu::on_cpu_pool(move || {
        use rayon::prelude::*;
        locations
            .into_par_iter()
            .map(|location| {
                let snapshot = ContentIndex::snapshot(&root.join(&location));
                (location, snapshot)
            })
            .collect()
    }))
}

/// A tarball and the packages compared with it: its owner, then bundled dependencies inside it.
struct Job {
    owner: PackageResult,
    integrity: String,
    bundled: Vec<PackageResult>,
}

/// Compares every installed package that has a signed tarball with it.
pub(crate) async fn check_contents(
    results: Vec<PackageResult>,
    context: ContentContext,
    evidence: &Evidence,
    limits: &Limits,
) -> Vec<PackageResult> {
    let (jobs, mut done) = plan(results, &context);
    let total = jobs.iter().map(|j| 1 + j.bundled.len()).sum();
    let mut progress = PhaseProgress::start(limits.progress.as_ref(), "contents", total);
    let limit = Arc::new(Semaphore::new(limits.concurrency.max(1)));
    let context = Arc::new(context);
    let mut tasks = Deadlined::new(|r, late| r.checks.contents = late);
    for job in jobs {
        let if_late = std::iter::once(job.owner.clone())
            .chain(job.bundled.iter().cloned())
            .collect();
        let (evidence, limit, context) =
            (evidence.clone(), Arc::clone(&limit), Arc::clone(&context));
        tasks.spawn(if_late, async move {
            let started = Instant::now();
            let indexed = context.index.clone().filter(|_| job.bundled.is_empty());
            let dir = context.tarballs.root.join(&job.owner.location);
            let before = match (&indexed, context.early.get(&job.owner.location)) {
                (Some(_), Some(early)) => early.clone(),
                (Some(_), None) => snapshot(&dir).await,
                (None, _) => None,
            };
            let mut job = job;
            if let (Some(index), Some(snap)) = (&indexed, &before) {
                if !index.rehash() && index.reuse(&mut job.owner, &job.integrity, snap) {
                    job.owner.timing.contents = started.elapsed();
                    return vec![job.owner];
                }
            }
            let tarball = {
                let _permit = limit.acquire().await.expect("semaphore is never closed");
                context
                    .tarballs
                    .obtain(&job.owner, &job.integrity, &evidence)
                    .await
            };
            let root = context.tarballs.root.clone();
            let integrity = job.integrity.clone();
            let judge = move || judge_job(job, tarball, &root, started);
            let results = crate::work::cpu::on_cpu_pool(judge).await;
            if let (Some(index), Some(before)) = (indexed, before) {
                if let Some(after) = snapshot(&dir).await {
                    index.record(&results[0], &integrity, &before, &after);
                }
            }
            results
        });
    }
    done.extend(tasks.collect(limits, &mut progress).await);
    done
}

/// A folder's stat snapshot, taken off the async threads.
async fn snapshot(dir: &Path) -> Option<String> {
    let dir = dir.to_path_buf();
    crate::work::cpu::on_cpu_pool(move || ContentIndex::snapshot(&dir)).await
}

/// Splits the results into jobs (one per tarball) and results whose content check is decided
/// without a tarball.
fn plan(results: Vec<PackageResult>, context: &ContentContext) -> (Vec<Job>, Vec<PackageResult>) {
    let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
    let mut bundled = Vec::new();
    let mut done = Vec::new();
    for mut result in results {
        if !context.installed.contains(&result.location) {
            result.checks.contents = CheckOutcome {
                state: CheckState::NotApplicable,
                code: None,
                message: Some(format!("{}: not on disk", result.id())),
            };
            done.push(result);
            continue;
        }
        match result.source.as_str() {
            "bundled" => bundled.push(result),
            "registry" | "local-tarball" => match result.integrity.clone() {
                Some(integrity) => {
                    let key = result.location.clone();
                    jobs.insert(
                        key,
                        Job {
                            owner: result,
                            integrity,
                            bundled: Vec::new(),
                        },
                    );
                }
                None => {
                    let why = format!(
                        "{}: not compared, no signed integrity is known (see its other checks)",
                        result.id()
                    );
                    result.checks.contents = CheckOutcome::off(why);
                    done.push(result);
                }
            },
            _ => {
                let why = format!(
                    "{}: {} package, no signed tarball to compare with",
                    result.id(),
                    result.source
                );
                result.checks.contents = CheckOutcome::not_applicable(Code::NotRegistry, why);
                done.push(result);
            }
        }
    }
    for result in bundled {
        match bundle_owner(&result.location, &jobs) {
            Some(owner) => jobs
                .get_mut(&owner)
                .expect("found above")
                .bundled
                .push(result),
            None => done.push(orphan_bundle(result)),
        }
    }
    (jobs.into_values().collect(), done)
}

/// The nearest enclosing location that has a job of its own (the package whose tarball the
/// bundled dependency came in).
fn bundle_owner(location: &str, jobs: &BTreeMap<String, Job>) -> Option<String> {
    let mut at = location;
    while let Some(i) = at.rfind("/node_modules/") {
        at = &at[..i];
        if jobs.contains_key(at) {
            return Some(at.to_string());
        }
    }
    None
}

/// A bundled package whose parent has no signed tarball here: nothing vouches for its bytes.
fn orphan_bundle(mut result: PackageResult) -> PackageResult {
    let why = format!(
        "{}: bundled, but no enclosing package with a signed tarball carries it",
        result.id()
    );
    result.checks.contents = CheckOutcome::failed(Code::ContentModified, why);
    result
}

fn judge_job(
    job: Job,
    tarball: Result<Vec<u8>, (Code, String)>,
    root: &Path,
    started: Instant,
) -> Vec<PackageResult> {
    // A signed tarball that does not parse is still the signed bytes: a tarball npm could not
    // extract either, reported as unavailable for the comparison.
    let manifest = tarball.and_then(|bytes| {
        read_tarball(&bytes)
            .map_err(|e| (Code::TarballUnavailable, format!("unreadable tarball: {e}")))
    });
    let mut results = Vec::with_capacity(1 + job.bundled.len());
    let owner_location = job.owner.location.clone();
    match manifest {
        Err((code, why)) => {
            for result in std::iter::once(job.owner).chain(job.bundled) {
                results.push(no_tarball(result, code, &why));
            }
        }
        Ok(manifest) => {
            let scripts = install_scripts(&manifest);
            results.push(judge(job.owner, &manifest, root, Some(scripts)));
            for result in job.bundled {
                let prefix = result.location[owner_location.len() + 1..].to_string();
                let sub = manifest.subtree(&prefix);
                results.push(judge(result, &sub, root, None));
            }
        }
    }
    for result in &mut results {
        result.timing.contents = started.elapsed();
    }
    results
}

fn no_tarball(mut result: PackageResult, code: Code, why: &str) -> PackageResult {
    let message = match code {
        Code::TarballMismatch => format!("{}: {why}", result.id()),
        _ => format!(
            "{}: the signed tarball could not be obtained: {why}",
            result.id()
        ),
    };
    result.checks.contents = CheckOutcome::failed(code, message);
    result
}

/// Compares one folder with its manifest. `scripts`: the install scripts the signed
/// `package.json` declares (`None` for a bundled subtree, whose own scripts npm never runs).
fn judge(
    mut result: PackageResult,
    manifest: &TarManifest,
    root: &Path,
    scripts: Option<Vec<String>>,
) -> PackageResult {
    let dir: PathBuf = root.join(&result.location);
    let has_scripts = scripts.as_ref().is_some_and(|s| !s.is_empty());
    if let Ok(target) = std::fs::read_link(&dir) {
        // npm extracts registry packages into folders; a link makes the checked files and the
        // loaded ones two different things (the target can change after the check).
        let why = format!(
            "{}: {} is a link to {}, where npm installs a folder",
            result.id(),
            result.location,
            target.display()
        );
        result.checks.contents = CheckOutcome::failed(Code::ContentModified, why);
        return result;
    }
    result.install_scripts = scripts;
    let diff = match compare_package_dir(&dir, manifest, &CompareOptions::default()) {
        Ok(diff) => diff,
        Err(e) => {
            let why = format!(
                "{}: the installed folder {} cannot be compared: {e}",
                result.id(),
                result.location
            );
            result.checks.contents = CheckOutcome::failed(Code::ContentModified, why);
            return result;
        }
    };
    let loadable = sigverify_content::loadable_additions(&diff.added, manifest);
    let code = if !diff.modified.is_empty() || !diff.removed.is_empty() {
        Some(Code::ContentModified)
    } else if !loadable.is_empty() {
        Some(Code::ContentLoadable)
    } else if !diff.added.is_empty() && !has_scripts {
        Some(Code::ContentAdded)
    } else {
        None
    };
    let contents = ContentsResult {
        modified: diff.modified,
        added: diff.added,
        loadable,
        removed: diff.removed,
        checked_files: diff.checked_files,
    };
    result.checks.contents = match code {
        Some(code) => CheckOutcome::failed(code, describe(&result, &contents)),
        None => CheckOutcome::passed(),
    };
    result.contents = Some(contents);
    result
}

/// The install scripts a signed `package.json` declares: `preinstall`, `install`, `postinstall`,
/// and npm's implicit `node-gyp rebuild` for a `binding.gyp` without install or preinstall.
pub(crate) fn install_scripts(manifest: &TarManifest) -> Vec<String> {
    let json: serde_json::Value = manifest
        .package_json()
        .and_then(|b| serde_json::from_slice(b).ok())
        .unwrap_or_default();
    let scripts = &json["scripts"];
    let mut found: Vec<String> = ["preinstall", "install", "postinstall"]
        .into_iter()
        .filter(|name| {
            scripts[*name]
                .as_str()
                .is_some_and(|s| !s.trim().is_empty())
        })
        .map(str::to_string)
        .collect();
    let gyp = manifest.get("binding.gyp").is_some();
    if gyp && !found.iter().any(|s| s == "install" || s == "preinstall") {
        found.push("install (node-gyp rebuild)".to_string());
    }
    found
}

fn describe(result: &PackageResult, contents: &ContentsResult) -> String {
    let mut parts = Vec::new();
    for (what, files) in [
        ("modified", &contents.modified),
        ("removed", &contents.removed),
        ("changing what Node loads", &contents.loadable),
        ("added", &contents.added),
    ] {
        if !files.is_empty() {
            parts.push(format!("{what}: {}", list(files)));
        }
    }
    format!(
        "{}: the installed files at {} differ from the signed tarball ({})",
        result.id(),
        result.location,
        parts.join("; ")
    )
}

fn list(files: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut text = files
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        text.push_str(&format!(" and {} more", files.len() - SHOWN));
    }
    text
}

/// npm's cache folder: `.npmrc`/env `cache` setting, else npm's default (`~/.npm`).
pub(crate) fn npm_cache(config_cache: Option<&str>) -> Option<PathBuf> {
    match config_cache {
        Some(dir) => Some(Path::new(dir).to_path_buf()),
        None => sigverify_content::default_npm_cache(),
    }
}
