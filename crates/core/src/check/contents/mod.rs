//! Installed contents: the files under each installed package's folder must be exactly the
//! files of the tarball whose integrity was signed (by the registry, or by internal signatures
//! for `file:` tarballs), and for remote and `file:` tarballs no signature covers, of the
//! tarball the lockfile pins. Bundled dependencies are compared with the part of their parent's
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
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sigverify_content::{compare_package_dir, read_tarball, CompareOptions, TarManifest};
use tokio::sync::Semaphore;

use crate::cache::EvidenceCache;
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
    pub installed: Arc<HashSet<String>>,
    /// The content index, when the cache can be trusted with it.
    pub index: Option<Arc<ContentIndex>>,
    /// Snapshots of the installed folders taken while the registry checks ran (see
    /// [`prepare`]), by location; a folder missing here is snapshotted when compared.
    pub early: Arc<HashMap<String, Option<String>>>,
    /// Packages the project patches (pnpm's `patchedDependencies`, Yarn's `patch:`), by
    /// location, with the patch: their files differ from the tarball by it.
    pub patched: Arc<HashMap<String, String>>,
    /// Comparisons already made in this run: a job whose tarball and folders are the same takes
    /// their outcome instead of comparing again, and each job compared adds its own.
    pub compared: Option<Arc<Comparisons>>,
}

/// Comparisons made in one run, by the folder of the tarball's owner.
///
/// A run compares the installed files while the registry checks are still running, with the
/// integrity the lockfile pins (step 3 of `verify_tree`); the comparisons are then taken by the
/// packages whose signed integrity turns out to be that same one, and only the others are
/// compared again. An outcome depends on nothing but the tarball (named by its integrity, and
/// checked against it, and where it came from) and the folders compared, which is what
/// [`Comparisons::take`] matches.
#[derive(Debug, Default)]
pub(crate) struct Comparisons(Mutex<HashMap<String, Compared>>);

/// What one job compared, and how each of its packages came out.
#[derive(Debug)]
struct Compared {
    integrity: String,
    /// Where the tarball came from when not from npm's cache by its integrity (`source` and
    /// `resolved` of the owner: a registry fills in a URL a lockfile does not name); `None`
    /// when the outcome did not depend on it (npm's cache, the content index).
    source: Option<(String, Option<String>)>,
    /// The owner's location, then its bundled dependencies', in the job's order.
    members: Vec<String>,
    /// What the content check decided of each member, by location.
    outcomes: HashMap<String, ContentOutcome>,
}

impl Compared {
    /// True when a job of `owner` with `integrity` compares the same tarball.
    fn same_inputs(&self, owner: &PackageResult, integrity: &str) -> bool {
        self.integrity == integrity
            && self
                .source
                .as_ref()
                .is_none_or(|source| *source == tarball_source(owner))
    }
}

/// What, besides its integrity, decides where a package's tarball comes from.
fn tarball_source(owner: &PackageResult) -> (String, Option<String>) {
    (owner.source.clone(), owner.resolved.clone())
}

/// The fields of a package result the content check decides.
#[derive(Debug)]
struct ContentOutcome {
    check: CheckOutcome,
    contents: Option<ContentsResult>,
    install_scripts: Option<Vec<String>>,
    took: std::time::Duration,
}

impl ContentOutcome {
    fn of(result: &PackageResult) -> ContentOutcome {
        ContentOutcome {
            check: result.checks.contents.clone(),
            contents: result.contents.clone(),
            install_scripts: result.install_scripts.clone(),
            took: result.timing.contents,
        }
    }

    fn apply(self, result: &mut PackageResult) {
        result.checks.contents = self.check;
        result.contents = self.contents;
        result.install_scripts = self.install_scripts;
        result.timing.contents = self.took;
    }
}

impl Comparisons {
    /// True when a comparison of the tarball of `integrity` with the folder at `location` is
    /// waiting to be taken.
    pub fn has(&self, owner: &PackageResult, integrity: &str) -> bool {
        self.lock()
            .get(&owner.location)
            .is_some_and(|c| c.same_inputs(owner, integrity))
    }

    /// Keeps a job's outcome; `from_source`: whether its tarball came from the owner's `file:`
    /// path or URL (or was looked for there in vain).
    fn record(
        &self,
        job_integrity: &str,
        members: Vec<String>,
        results: &[PackageResult],
        from_source: bool,
    ) {
        let compared = Compared {
            integrity: job_integrity.to_string(),
            source: from_source.then(|| tarball_source(&results[0])),
            outcomes: results
                .iter()
                .map(|r| (r.location.clone(), ContentOutcome::of(r)))
                .collect(),
            members,
        };
        let owner = compared.members[0].clone();
        self.lock().insert(owner, compared);
    }

    /// Gives the job's packages the content outcome of an earlier comparison of the same
    /// tarball with the same folders, if there was one (it is taken: used once); says whether.
    fn take(&self, job: &mut Job) -> bool {
        let mut map = self.lock();
        let same = map.get(&job.owner.location).is_some_and(|c| {
            c.same_inputs(&job.owner, &job.integrity) && c.members == job.members()
        });
        if !same {
            return false;
        }
        let mut outcomes = map
            .remove(&job.owner.location)
            .expect("found above")
            .outcomes;
        // Every member is reported by a recorded job; one missing would be compared again.
        if job.members().iter().any(|m| !outcomes.contains_key(m)) {
            return false;
        }
        for result in std::iter::once(&mut job.owner).chain(&mut job.bundled) {
            let outcome = outcomes.remove(&result.location).expect("checked above");
            outcome.apply(result);
        }
        true
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Compared>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The content index of a run, opened for the (location, integrity) pairs it expects, and the
/// stat snapshots of the folders it keeps an outcome for (by location).
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub index: Option<Arc<ContentIndex>>,
    pub snapshots: HashMap<String, Option<String>>,
}

/// Opens the content index for `wanted` (none when the cache cannot be trusted with it) and
/// snapshots the folders it keeps an outcome for, together on the CPU pool, in the background:
/// a run starts this as soon as its lockfile is read, so the statting of a warm run (~15,000
/// entries on a 670-package tree) overlaps the registry checks, and a cold run (nothing kept)
/// stats nothing twice. A snapshot only says what a folder was at some moment; a folder that
/// changes after it has a different one the next run.
pub(crate) fn prepare(
    cache: EvidenceCache,
    root: PathBuf,
    wanted: Vec<(String, String)>,
    rehash: bool,
) -> tokio::task::JoinHandle<Prepared> {
    tokio::spawn(async move {
        let Some(index) = ContentIndex::open(&cache, &root, &wanted, rehash).await else {
            return Prepared::default();
        };
        let kept: Vec<String> = wanted
            .into_iter()
            .filter(|(location, integrity)| index.keeps(location, integrity))
            .map(|(location, _)| location)
            .collect();
        let snapshots = crate::work::cpu::on_cpu_pool(move || {
            use rayon::prelude::*;
            kept.into_par_iter()
                .map(|location| {
                    let snapshot = ContentIndex::snapshot(&root.join(&location));
                    (location, snapshot)
                })
                .collect()
        })
        .await;
        Prepared {
            index: Some(Arc::new(index)),
            snapshots,
        }
    })
}

/// A tarball and the packages compared with it: its owner, then bundled dependencies inside it.
#[derive(Debug)]
struct Job {
    owner: PackageResult,
    integrity: String,
    bundled: Vec<PackageResult>,
}

impl Job {
    /// The folders compared: the owner's location, then the bundled dependencies'.
    fn members(&self) -> Vec<String> {
        std::iter::once(&self.owner)
            .chain(&self.bundled)
            .map(|r| r.location.clone())
            .collect()
    }
}

/// Compares every installed package that has a signed tarball with it.
pub(crate) async fn check_contents(
    results: Vec<PackageResult>,
    context: ContentContext,
    evidence: &Evidence,
    limits: &Limits,
) -> Vec<PackageResult> {
    let (planned, mut done) = plan(results, &context);
    let (mut jobs, mut taken) = (Vec::with_capacity(planned.len()), 0);
    for mut job in planned {
        // Compared earlier in the run, or vouched for by the index with a snapshot already
        // taken: no task of its own.
        let taken_earlier = context.compared.as_ref().is_some_and(|c| c.take(&mut job));
        taken += usize::from(taken_earlier);
        if taken_earlier || reuse_kept(&mut job, &context) {
            done.push(job.owner);
            done.extend(job.bundled);
        } else {
            jobs.push(job);
        }
    }
    if jobs.is_empty() && taken > 0 {
        // Everything was compared earlier in the run: no phase to report.
        return done;
    }
    let total = jobs.iter().map(|j| 1 + j.bundled.len()).sum();
    let mut progress = PhaseProgress::start(limits.progress.as_ref(), "contents", total);
    let permits = Arc::new(TarballPermits::new(limits.concurrency));
    let context = Arc::new(context);
    let mut tasks = Deadlined::new(|r, late| r.checks.contents = late);
    for job in jobs {
        let if_late = std::iter::once(job.owner.clone())
            .chain(job.bundled.iter().cloned())
            .collect();
        let (evidence, permits, context) =
            (evidence.clone(), Arc::clone(&permits), Arc::clone(&context));
        tasks.spawn(if_late, async move {
            let (integrity, members) = (job.integrity.clone(), job.members());
            let (results, from_source) = compare_job(job, &context, &evidence, &permits).await;
            if let Some(compared) = &context.compared {
                compared.record(&integrity, members, &results, from_source);
            }
            results
        });
    }
    done.extend(tasks.collect(limits, &mut progress).await);
    done
}

/// Gives the job the outcome kept by the content index, when its folder's snapshot is already
/// taken and unchanged (recorded as compared in this run); says whether.
fn reuse_kept(job: &mut Job, context: &ContentContext) -> bool {
    let (Some(index), Some(Some(snapshot))) = (
        context.index.as_ref().filter(|_| job.bundled.is_empty()),
        context.early.get(&job.owner.location),
    ) else {
        return false;
    };
    if !index.keeps(&job.owner.location, &job.integrity)
        || !index.reuse(&mut job.owner, &job.integrity, snapshot)
    {
        return false;
    }
    if let Some(compared) = &context.compared {
        let owner = std::slice::from_ref(&job.owner);
        compared.record(&job.integrity, job.members(), owner, false);
    }
    true
}

/// One job: the kept outcome when the content index vouches for the unchanged folder, else
/// the tarball obtained and compared with the folders (and the clean outcome indexed). Says
/// whether the tarball was looked for at the owner's path or URL (not in npm's cache).
async fn compare_job(
    mut job: Job,
    context: &ContentContext,
    evidence: &Evidence,
    permits: &TarballPermits,
) -> (Vec<PackageResult>, bool) {
    let started = Instant::now();
    let indexed = context.index.clone().filter(|_| job.bundled.is_empty());
    let dir = context.tarballs.root.join(&job.owner.location);
    // A folder is snapshotted before its comparison only when the index keeps an outcome for
    // it; otherwise the comparison's own walk takes the snapshot the outcome is kept with.
    let kept = indexed
        .as_ref()
        .filter(|index| index.keeps(&job.owner.location, &job.integrity));
    let before = match (kept, context.early.get(&job.owner.location)) {
        (Some(_), Some(early)) => early.clone(),
        (Some(_), None) => snapshot(&dir).await,
        (None, _) => None,
    };
    if let (Some(index), Some(snap)) = (kept, &before) {
        if index.reuse(&mut job.owner, &job.integrity, snap) {
            job.owner.timing.contents = started.elapsed();
            return (vec![job.owner], false);
        }
    }
    // Held until the tarball is judged (see `TarballPermits`).
    let reading = permits.judging().await;
    let cached = context.tarballs.cached(&job.integrity);
    let from_source = cached.is_none();
    let (tarball, _judging) = match cached {
        Some(bytes) => (Ok(bytes), reading),
        None => {
            // Not from npm's cache: fetched under its own permit, not holding a judging one
            // while the network answers.
            drop(reading);
            let fetching = permits.fetching().await;
            let tarballs = &context.tarballs;
            let fetched = tarballs.fetched(&job.owner, &job.integrity, evidence).await;
            let judging = permits.judging().await;
            drop(fetching);
            (fetched, judging)
        }
    };
    let root = context.tarballs.root.clone();
    let integrity = job.integrity.clone();
    let snapshot_owner = indexed.is_some();
    let judge = move || judge_job(job, tarball, &root, started, snapshot_owner);
    let (results, walked) = crate::work::cpu::on_cpu_pool(judge).await;
    // The walk's snapshot is settled: a write after the walk, while the files were read or
    // later, gives the folder another snapshot, so this one vouches for what was read.
    if let (Some(index), Some(walked)) = (indexed, walked) {
        index.record(&results[0], &integrity, &walked);
    }
    (results, from_source)
}

/// Bounds the tarballs a content check holds in memory. A tarball is held from the moment it
/// is read (npm's cache) or fetched until it is judged, and judging runs on the CPU pool, which
/// is what a cold run waits for: up to `concurrency` tarballs being fetched (or fetched and
/// waiting), and two per CPU pool thread read and waiting or being judged. (One permit of
/// `concurrency` for both let that many tarballs read from npm's cache wait for the pool; on
/// the bench tree neither the time nor the peak changed measurably, but large tarballs waiting
/// at once no longer add up.)
struct TarballPermits {
    fetching: Semaphore,
    judging: Semaphore,
}

impl TarballPermits {
    fn new(concurrency: usize) -> TarballPermits {
        TarballPermits {
            fetching: Semaphore::new(concurrency.max(1)),
            judging: Semaphore::new(2 * rayon::current_num_threads().max(1)),
        }
    }

    async fn fetching(&self) -> tokio::sync::SemaphorePermit<'_> {
        let permit = self.fetching.acquire().await;
        permit.expect("the semaphore is never closed")
    }

    async fn judging(&self) -> tokio::sync::SemaphorePermit<'_> {
        let permit = self.judging.acquire().await;
        permit.expect("the semaphore is never closed")
    }
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
        // Decided before the comparison (a missing folder that makes Node load another one).
        if result.checks.contents.state == CheckState::Failed {
            done.push(result);
            continue;
        }
        if let Some(patch) = context.patched.get(&result.location) {
            // Applying the patch before comparing is not done yet: said, not failed (the
            // project's own patch is not tampering) and not passed.
            let why = format!(
                "{}: not compared, the project patches it ({patch}): its files differ from {} by that patch, which is not applied here",
                result.id(),
                result.compared_tarball()
            );
            result.checks.contents = CheckOutcome::off(why);
            done.push(result);
            continue;
        }
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
            "registry" | "local-tarball" | "remote-tarball" => {
                match result.compared_integrity().map(str::to_string) {
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
                        let why = match result.source.as_str() {
                            "registry" => format!(
                            "{}: not compared, no signed integrity is known (see its other checks)",
                            result.id()
                        ),
                            _ => format!(
                                "{}: not compared, the lockfile pins no integrity for this tarball",
                                result.id()
                            ),
                        };
                        result.checks.contents = CheckOutcome::off(why);
                        done.push(result);
                    }
                }
            }
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

/// Judges a job's packages on its tarball; with the owner's folder snapshot as its comparison
/// walked it (when `snapshot_owner`, the folder was compared and the snapshot is settled).
fn judge_job(
    job: Job,
    tarball: Result<Vec<u8>, (Code, String)>,
    root: &Path,
    started: Instant,
    snapshot_owner: bool,
) -> (Vec<PackageResult>, Option<String>) {
    // A signed tarball that does not parse is still the signed bytes: a tarball npm could not
    // extract either, reported as unavailable for the comparison.
    let manifest = tarball.and_then(|bytes| {
        read_tarball(&bytes)
            .map_err(|e| (Code::TarballUnavailable, format!("unreadable tarball: {e}")))
    });
    let mut results = Vec::with_capacity(1 + job.bundled.len());
    let mut walked = None;
    let owner_location = job.owner.location.clone();
    match manifest {
        Err((code, why)) => {
            for result in std::iter::once(job.owner).chain(job.bundled) {
                results.push(no_tarball(result, code, &why));
            }
        }
        Ok(manifest) => {
            let scripts = install_scripts(&manifest);
            let (owner, snapshot) =
                judge(job.owner, &manifest, root, Some(scripts), snapshot_owner);
            results.push(owner);
            walked = snapshot;
            for result in job.bundled {
                let prefix = result.location[owner_location.len() + 1..].to_string();
                let sub = manifest.subtree(&prefix);
                results.push(judge(result, &sub, root, None, false).0);
            }
        }
    }
    for result in &mut results {
        result.timing.contents = started.elapsed();
    }
    (results, walked)
}

fn no_tarball(mut result: PackageResult, code: Code, why: &str) -> PackageResult {
    let message = match code {
        Code::TarballMismatch => format!("{}: {why}", result.id()),
        _ => format!(
            "{}: {} could not be obtained: {why}",
            result.id(),
            result.compared_tarball()
        ),
    };
    result.checks.contents = CheckOutcome::failed(code, message);
    result
}

/// Compares one folder with its manifest. `scripts`: the install scripts the signed
/// `package.json` declares (`None` for a bundled subtree, whose own scripts npm never runs).
/// With the folder's stat snapshot taken by the comparison's walk, when `snapshot` asks and the
/// snapshot is settled (see [`sigverify_content::WalkSnapshot::settled`]).
fn judge(
    mut result: PackageResult,
    manifest: &TarManifest,
    root: &Path,
    scripts: Option<Vec<String>>,
    snapshot: bool,
) -> (PackageResult, Option<String>) {
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
        return (result, None);
    }
    result.install_scripts = scripts;
    let options = CompareOptions {
        snapshot,
        ..CompareOptions::default()
    };
    let mut diff = match compare_package_dir(&dir, manifest, &options) {
        Ok(diff) => diff,
        Err(e) => {
            let why = format!(
                "{}: the installed folder {} cannot be compared: {e}",
                result.id(),
                result.location
            );
            result.checks.contents = CheckOutcome::failed(Code::ContentModified, why);
            return (result, None);
        }
    };
    let walked = diff.snapshot.take().filter(|s| s.settled).map(|s| s.digest);
    if result.is_tarball_outside_registry() {
        // Bun records where a tarball package came from in a top-level `.bun-tag` (never for
        // registry packages); Node never loads a file of that name.
        diff.added.retain(|file| file != BUN_TAG);
    }
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
    (result, walked)
}

/// The file Bun writes into the folder of a package installed from a tarball URL or path.
const BUN_TAG: &str = ".bun-tag";

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
        "{}: the installed files at {} differ from {} ({})",
        result.id(),
        result.location,
        result.compared_tarball(),
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

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "node_modules/a";
    const BUNDLED: &str = "node_modules/a/node_modules/b";

    fn job(integrity: &str, bundled: &[&str]) -> Job {
        Job {
            owner: PackageResult::new("a", "1.0.0", OWNER, "registry"),
            integrity: integrity.to_string(),
            bundled: bundled
                .iter()
                .map(|l| PackageResult::new("b", "1.0.0", l, "bundled"))
                .collect(),
        }
    }

    /// What comparing `job` found: the owner's files modified, the bundled one clean.
    fn compared(job: &Job) -> Vec<PackageResult> {
        let mut owner = job.owner.clone();
        owner.checks.contents = CheckOutcome::failed(Code::ContentModified, "index.js".into());
        owner.contents = Some(ContentsResult {
            modified: vec!["index.js".into()],
            ..ContentsResult::default()
        });
        owner.install_scripts = Some(vec!["postinstall".into()]);
        let bundled = job.bundled.iter().cloned().map(|mut b| {
            b.checks.contents = CheckOutcome::passed();
            b
        });
        std::iter::once(owner).chain(bundled).collect()
    }

    #[test]
    fn a_comparison_is_taken_only_for_the_same_tarball_and_the_same_folders() {
        let comparisons = Comparisons::default();
        let early = job("sha512-pinned", &[BUNDLED]);
        comparisons.record("sha512-pinned", early.members(), &compared(&early), true);

        let mut signed_other = job("sha512-signed", &[BUNDLED]);
        assert!(
            !comparisons.take(&mut signed_other),
            "another integrity is another tarball"
        );
        let mut other_folders = job("sha512-pinned", &[]);
        assert!(
            !comparisons.take(&mut other_folders),
            "another set of folders"
        );
        assert_eq!(other_folders.owner.checks.contents, CheckOutcome::default());

        let mut other_url = job("sha512-pinned", &[BUNDLED]);
        other_url.owner.resolved = Some("https://registry.example/a/-/a-1.0.0.tgz".into());
        assert!(
            !comparisons.take(&mut other_url),
            "the tarball looked for elsewhere"
        );

        let mut same = job("sha512-pinned", &[BUNDLED]);
        same.owner.checks.registry_signature = CheckOutcome::passed();
        assert!(comparisons.take(&mut same), "same tarball, same folders");
        assert_eq!(same.owner.checks.contents.code, Some(Code::ContentModified));
        assert_eq!(same.owner.contents.as_ref().unwrap().modified, ["index.js"]);
        assert_eq!(same.owner.install_scripts, Some(vec!["postinstall".into()]));
        assert_eq!(
            same.owner.checks.registry_signature,
            CheckOutcome::passed(),
            "only the content check's fields are taken"
        );
        assert_eq!(same.bundled[0].location, BUNDLED);
        assert_eq!(same.bundled[0].checks.contents, CheckOutcome::passed());

        let mut again = job("sha512-pinned", &[BUNDLED]);
        assert!(!comparisons.take(&mut again), "a comparison is taken once");

        // From npm's cache (by the integrity alone), the owner's URL did not matter.
        comparisons.record("sha512-pinned", early.members(), &compared(&early), false);
        let mut registry_url = job("sha512-pinned", &[BUNDLED]);
        registry_url.owner.resolved = Some("https://registry.example/a/-/a-1.0.0.tgz".into());
        assert!(comparisons.has(&registry_url.owner, "sha512-pinned"));
        assert!(comparisons.take(&mut registry_url));
    }
}
