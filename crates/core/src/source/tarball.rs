//! The tarball of a package, for the content check and internal signatures: from npm's
//! content-addressed cache (looked up by the integrity), a local `file:` tarball, or its
//! `resolved` URL (the registry, or the host of a remote tarball); its bytes are always checked
//! against the expected integrity (the signed one, else the lockfile's pin for tarballs outside
//! any registry) before use.

use std::path::{Path, PathBuf};

use sigverify_content::{check_integrity, find_cached_tarball};
use url::Url;

use crate::model::PackageResult;
use crate::source::evidence::Evidence;
use crate::Code;

/// Where tarballs are looked for.
#[derive(Debug, Clone)]
pub(crate) struct TarballSources {
    /// The project folder (`file:` paths are relative to it).
    pub root: PathBuf,
    /// npm's cache folder, if known.
    pub npm_cache: Option<PathBuf>,
}

impl TarballSources {
    /// The tarball of `result`, checked against `integrity`. The error is
    /// `ETARBALLUNAVAILABLE` when no tarball could be had (with what was tried), or
    /// `ETARBALLMISMATCH` when the bytes served are not the signed ones.
    pub async fn obtain(
        &self,
        result: &PackageResult,
        integrity: &str,
        evidence: &Evidence,
    ) -> Result<Vec<u8>, (Code, String)> {
        match self.cached(integrity) {
            Some(bytes) => Ok(bytes),
            None => self.fetched(result, integrity, evidence).await,
        }
    }

    /// The tarball of `result` from npm's cache, found by `integrity` alone (and checked against
    /// it). npm caches `file:` tarballs too, so a vendored tarball removed since the install is
    /// still found there.
    pub fn cached(&self, integrity: &str) -> Option<Vec<u8>> {
        self.npm_cache
            .as_deref()
            .and_then(|cache| find_cached_tarball(cache, integrity))
    }

    /// The tarball of `result` from where the result says it is (a `file:` path, or its
    /// `resolved` URL), checked against `integrity`; errors as [`TarballSources::obtain`].
    pub async fn fetched(
        &self,
        result: &PackageResult,
        integrity: &str,
        evidence: &Evidence,
    ) -> Result<Vec<u8>, (Code, String)> {
        let unavailable = |why: String| (Code::TarballUnavailable, why);
        if result.source == "local-tarball" {
            return self.local(result, integrity);
        }
        let url = result
            .resolved
            .as_deref()
            .and_then(|u| Url::parse(u).ok())
            .ok_or_else(|| {
                unavailable("it is not in npm's cache and the lockfile names no tarball URL".into())
            })?;
        let shown = crate::model::redact::url(url.as_str());
        let bytes = match evidence.tarball(&url).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Err(unavailable(format!(
                    "it is not in npm's cache and {shown} answered 404"
                )))
            }
            Err(e) => return Err(unavailable(format!("it is not in npm's cache and {e}"))),
        };
        check_integrity(&bytes, integrity).map_err(|e| {
            let expected = match result.compared_with_lockfile_pin() {
                true => "the one the lockfile pins",
                false => "the signed one",
            };
            let why = format!("the tarball served by {shown} is not {expected}: {e}");
            (Code::TarballMismatch, why)
        })?;
        Ok(bytes)
    }

    /// A `file:` tarball, checked against the integrity its internal signatures were checked
    /// over, else the one the lockfile pins.
    fn local(&self, result: &PackageResult, integrity: &str) -> Result<Vec<u8>, (Code, String)> {
        let unavailable = |why: String| (Code::TarballUnavailable, why);
        let path = local_tarball_path(result, &self.root)
            .ok_or_else(|| unavailable("the lockfile names no tarball path".into()))?;
        let bytes = std::fs::read(&path)
            .map_err(|e| unavailable(format!("cannot read {}: {e}", path.display())))?;
        check_integrity(&bytes, integrity).map_err(|e| {
            let why = match result.integrity {
                // Internal signatures were checked over this file earlier in the run.
                Some(_) => format!("{} changed during the run: {e}", path.display()),
                None => format!(
                    "{} is not the tarball the lockfile pins (reinstall to see npm refuse it): {e}",
                    path.display()
                ),
            };
            (Code::TarballMismatch, why)
        })?;
        Ok(bytes)
    }
}

/// The tarball of a `file:` dependency, relative to the project root as npm records it.
pub(crate) fn local_tarball_path(result: &PackageResult, root: &Path) -> Option<PathBuf> {
    let resolved = result.resolved.as_deref()?;
    let path = resolved.strip_prefix("file:").unwrap_or(resolved);
    Some(root.join(path))
}
