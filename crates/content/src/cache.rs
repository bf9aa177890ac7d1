//! Finding a package tarball in npm's content-addressed cache (cacache).
//!
//! cacache stores content at `<cache>/_cacache/content-v2/<algorithm>/<hex[0..2]>/<hex[2..4]>/<hex[4..]>`
//! (`cacache/lib/content/path.js`), `hex` being the digest of the strongest algorithm of the
//! integrity it was stored with; pacote stores a tarball under the strongest algorithm of the
//! integrity it expects (`pacote/lib/remote.js`, `pickIntegrityAlgorithm`). The bytes found
//! there are always checked against the integrity before they are returned: a cache is a
//! folder anyone with write access can change.

use crate::integrity::Integrity;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The content path cacache uses for one hash, under the npm cache root (e.g. `~/.npm`).
pub fn cacache_content_path(cache_root: &Path, hash: &crate::SriHash) -> PathBuf {
    let hex = hash.hex_digest();
    cache_root
        .join("_cacache")
        .join("content-v2")
        .join(hash.algorithm.name())
        .join(&hex[..2])
        .join(&hex[2..4])
        .join(&hex[4..])
}

/// Reads the tarball with this integrity from the npm cache at `cache_root`, if it is there
/// and its bytes match the integrity. Hashes are tried strongest first.
pub fn find_cached_tarball(cache_root: &Path, integrity: &str) -> Option<Vec<u8>> {
    let parsed = Integrity::parse(integrity).ok()?;
    let mut hashes: Vec<_> = parsed.hashes().iter().collect();
    hashes.sort_by_key(|h| std::cmp::Reverse(h.algorithm));
    hashes.into_iter().find_map(|hash| {
        let bytes = std::fs::read(cacache_content_path(cache_root, hash)).ok()?;
        parsed.check(&bytes).ok().map(|()| bytes)
    })
}

/// The npm cache root as npm computes it: `npm_config_cache` (any case, as npm reads its
/// environment), else `%LocalAppData%\npm-cache` on Windows, else `~/.npm`
/// (`@npmcli/config/lib/definitions/definitions.js`). `.npmrc` files are not read.
pub fn default_npm_cache() -> Option<PathBuf> {
    let vars: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    default_npm_cache_from(&vars)
}

/// [`default_npm_cache`] over an explicit environment (for tests and embedders).
pub fn default_npm_cache_from(vars: &[(OsString, OsString)]) -> Option<PathBuf> {
    let get = |name: &str| {
        let exact = vars.iter().find(|(k, _)| k == name);
        let any_case = || {
            vars.iter()
                .find(|(k, _)| k.to_string_lossy().eq_ignore_ascii_case(name))
        };
        exact
            .or_else(any_case)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let home = || get(if cfg!(windows) { "USERPROFILE" } else { "HOME" }).map(PathBuf::from);
    if let Some(configured) = get("npm_config_cache") {
        return expand_home(PathBuf::from(configured), home);
    }
    if cfg!(windows) {
        if let Some(local) = get("LOCALAPPDATA") {
            return Some(PathBuf::from(local).join("npm-cache"));
        }
        return home().map(|h| h.join("npm-cache"));
    }
    home().map(|h| h.join(".npm"))
}

/// npm expands a leading `~` in path settings to the home folder.
fn expand_home(path: PathBuf, home: impl Fn() -> Option<PathBuf>) -> Option<PathBuf> {
    match path.strip_prefix("~") {
        Ok(rest) => home().map(|h| h.join(rest)),
        Err(_) => Some(path),
    }
}
