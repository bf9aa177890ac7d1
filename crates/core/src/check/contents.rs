//! Installed contents: the files under each verified package's `node_modules` folder must be
//! exactly the files of the tarball whose integrity the registry signed.
//!
//! The tarball comes from npm's content-addressed cache (looked up by the signed integrity) or,
//! online, from the registry; its bytes are checked against the signed integrity before use.
//! What npm itself changes on install is excused by `sigverify-content` (see its `compare`
//! module). Files added to a package that has install scripts are reported but do not fail it:
//! build steps (node-gyp and friends) legitimately create them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::run::deadline::{Deadlined, Limits};
use crate::run::progress::PhaseProgress;
use sigverify_content::{
    check_integrity, compare_package_dir, find_cached_tarball, read_tarball, CompareOptions,
};
use tokio::sync::Semaphore;
use url::Url;

use crate::model::{ContentsResult, PackageResult, Status};
use crate::source::evidence::Evidence;
use crate::Code;

/// What the content check needs to know about the installation.
#[derive(Debug, Clone)]
pub(crate) struct ContentContext {
    /// The project folder (package locations are relative to it).
    pub root: PathBuf,
    /// npm's cache folder, if known.
    pub npm_cache: Option<PathBuf>,
    /// Locations that are on disk, with whether the package has install scripts.
    pub installed: HashMap<String, bool>,
}

/// Compares every verified, installed registry package with its signed tarball.
pub(crate) async fn check_contents(
    results: Vec<PackageResult>,
    context: ContentContext,
    evidence: &Evidence,
    limits: &Limits,
) -> Vec<PackageResult> {
    let limit = Arc::new(Semaphore::new(limits.concurrency.max(1)));
    let context = Arc::new(context);
    let mut tasks = Deadlined::new();
    let mut done = Vec::with_capacity(results.len());
    let eligible = |r: &PackageResult| {
        r.status == Status::Verified && context.installed.contains_key(&r.location)
    };
    let total = results.iter().filter(|r| eligible(r)).count();
    let mut progress = PhaseProgress::start(limits.progress.as_ref(), "contents", total);
    for result in results {
        if !eligible(&result) {
            done.push(result);
            continue;
        }
        let (evidence, limit, context) =
            (evidence.clone(), Arc::clone(&limit), Arc::clone(&context));
        tasks.spawn(vec![result.clone()], async move {
            let (tarball, started) = {
                let _permit = limit.acquire().await.expect("semaphore is never closed");
                let started = Instant::now();
                (obtain_tarball(&result, &context, &evidence).await, started)
            };
            let judge = move || {
                let mut result = judge_contents(result, tarball, &context);
                result.timing.contents = started.elapsed();
                result
            };
            vec![crate::run::cpu::on_cpu_pool(judge).await]
        });
    }
    done.extend(tasks.collect(limits, &mut progress).await);
    done
}

/// The signed tarball's bytes, from npm's cache or the registry, checked against the integrity.
async fn obtain_tarball(
    result: &PackageResult,
    context: &ContentContext,
    evidence: &Evidence,
) -> Result<Vec<u8>, String> {
    let integrity = result.integrity.as_deref().ok_or("no signed integrity")?;
    if result.source == "local-tarball" {
        return local_tarball(result, context, integrity);
    }
    if let Some(bytes) = context
        .npm_cache
        .as_deref()
        .and_then(|c| find_cached_tarball(c, integrity))
    {
        return Ok(bytes);
    }
    let url = result
        .resolved
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .ok_or("tarball not in npm's cache and no tarball URL")?;
    let bytes = match evidence.tarball(&url).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(format!("tarball not in npm's cache and {url} answered 404")),
        Err(e) => return Err(format!("tarball not in npm's cache and {e}")),
    };
    check_integrity(&bytes, integrity)
        .map_err(|e| format!("the tarball from {url} does not match the signed integrity: {e}"))?;
    Ok(bytes)
}

/// A `file:` tarball (verified by its internal signatures), re-read and checked against the
/// integrity those signatures were checked over.
fn local_tarball(
    result: &PackageResult,
    context: &ContentContext,
    integrity: &str,
) -> Result<Vec<u8>, String> {
    let path = crate::check::internal::local_tarball_path(result, &context.root)
        .ok_or("no tarball path in the lockfile")?;
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    check_integrity(&bytes, integrity)
        .map_err(|e| format!("{} changed during the run: {e}", path.display()))?;
    Ok(bytes)
}

fn judge_contents(
    mut result: PackageResult,
    tarball: Result<Vec<u8>, String>,
    context: &ContentContext,
) -> PackageResult {
    let dir = context.root.join(&result.location);
    let has_scripts = context
        .installed
        .get(&result.location)
        .copied()
        .unwrap_or(false);
    let diff = tarball.and_then(|bytes| {
        let manifest = read_tarball(&bytes).map_err(|e| format!("unreadable tarball: {e}"))?;
        compare_package_dir(&dir, &manifest, &CompareOptions::default()).map_err(|e| e.to_string())
    });
    let diff = match diff {
        Ok(diff) => diff,
        Err(reason) => {
            result.contents = Some(unchecked(reason));
            return result;
        }
    };
    let changed = !diff.modified.is_empty() || !diff.removed.is_empty();
    let added_fails = !diff.added.is_empty() && !has_scripts;
    result.contents = Some(ContentsResult {
        status: if diff.is_clean() {
            "verified"
        } else {
            "modified"
        }
        .into(),
        modified: diff.modified,
        added: diff.added,
        removed: diff.removed,
        checked_files: diff.checked_files,
        reason: None,
    });
    match (changed, added_fails) {
        (true, _) => fail(result, Code::ContentModified),
        (false, true) => fail(result, Code::ContentAdded),
        _ => result,
    }
}

fn unchecked(reason: String) -> ContentsResult {
    ContentsResult {
        status: "unchecked".into(),
        modified: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
        checked_files: 0,
        reason: Some(reason),
    }
}

fn fail(result: PackageResult, code: Code) -> PackageResult {
    let contents = result.contents.as_ref().expect("set before failing");
    let mut parts = Vec::new();
    for (what, files) in [
        ("modified", &contents.modified),
        ("removed", &contents.removed),
        ("added", &contents.added),
    ] {
        if !files.is_empty() {
            parts.push(format!("{what}: {}", list(files)));
        }
    }
    let why = format!(
        "{}@{}: the installed files at {} differ from the signed tarball ({})",
        result.name,
        result.version,
        result.location,
        parts.join("; ")
    );
    result.fail(Status::Invalid, code, why)
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
