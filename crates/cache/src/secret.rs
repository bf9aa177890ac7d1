//! The secret that authenticates cache entries (HMAC-SHA256). It never lives in the cache:
//! whoever can write the cache folder or the shared Redis can then forge only misses.
//!
//! Where it comes from, in order: `NPM_SIGVERIFY_CACHE_KEY` (the key itself, at least 16
//! characters), `NPM_SIGVERIFY_CACHE_KEY_FILE` (a file holding it, readable by its owner only),
//! and, for the local disk cache only, a key file of this user's own
//! (`<config dir>/npm-sigverify/cache.key`, created with mode 0600). A Redis cache without a
//! configured key stores evidence only, never verdicts.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aws_lc_rs::hmac;

use crate::CacheError;

/// The key in the environment.
pub const KEY_ENV: &str = "NPM_SIGVERIFY_CACHE_KEY";
/// A file holding the key.
pub const KEY_FILE_ENV: &str = "NPM_SIGVERIFY_CACHE_KEY_FILE";
const MIN_KEY_LEN: usize = 16;

/// A cache key. Its `Debug` never shows it.
#[derive(Clone)]
pub struct CacheSecret {
    key: hmac::Key,
}

impl std::fmt::Debug for CacheSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheSecret(***)")
    }
}

impl CacheSecret {
    /// A key from its bytes (at least 16).
    pub fn new(bytes: &[u8]) -> Result<CacheSecret, CacheError> {
        if bytes.len() < MIN_KEY_LEN {
            return Err(CacheError::Key(format!(
                "the cache key is {} bytes; use at least {MIN_KEY_LEN} (e.g. `openssl rand -hex 32`)",
                bytes.len()
            )));
        }
        Ok(CacheSecret {
            key: hmac::Key::new(hmac::HMAC_SHA256, bytes),
        })
    }

    /// A tag computed piece by piece.
    pub(crate) fn context(&self) -> hmac::Context {
        hmac::Context::with_key(&self.key)
    }

    /// True when `tag` is `payload`'s (compared in constant time).
    pub(crate) fn verifies(&self, payload: &[u8], tag: &[u8]) -> bool {
        hmac::verify(&self.key, payload, tag).is_ok()
    }
}

/// The secret for a cache: configured, or (for the local disk cache) this user's own key file.
pub(crate) fn resolve(
    env: &HashMap<String, String>,
    local: bool,
) -> Result<Option<CacheSecret>, CacheError> {
    if let Some(key) = env.get(KEY_ENV).filter(|k| !k.is_empty()) {
        return CacheSecret::new(key.trim().as_bytes()).map(Some);
    }
    if let Some(path) = env.get(KEY_FILE_ENV).filter(|p| !p.is_empty()) {
        return read_key_file(Path::new(path)).map(Some);
    }
    if !local {
        return Ok(None);
    }
    let path = local_key_path(env)?;
    if !path.exists() {
        create_key_file(&path)?;
    }
    read_key_file(&path).map(Some)
}

/// `<config dir>/npm-sigverify/cache.key`: outside the cache folder, so restoring or sharing
/// the cache never brings the key along.
pub fn local_key_path(env: &HashMap<String, String>) -> Result<PathBuf, CacheError> {
    let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = match std::env::consts::OS {
        "windows" => var("APPDATA").ok_or(CacheError::NoCacheDir("APPDATA"))?,
        "macos" => var("HOME")
            .ok_or(CacheError::NoCacheDir("HOME"))?
            .join("Library/Application Support"),
        _ => match var("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) {
            Some(xdg) => xdg,
            None => var("HOME")
                .ok_or(CacheError::NoCacheDir("HOME"))?
                .join(".config"),
        },
    };
    Ok(base.join("npm-sigverify").join("cache.key"))
}

fn read_key_file(path: &Path) -> Result<CacheSecret, CacheError> {
    refuse_shared(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| CacheError::io(path, e))?;
    CacheSecret::new(text.trim().as_bytes())
}

/// A key others can read or write proves nothing: refused, as ssh refuses such private keys.
#[cfg(unix)]
fn refuse_shared(path: &Path) -> Result<(), CacheError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| CacheError::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(CacheError::Key(format!(
            "{} is accessible to other users (mode {:o}): run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_shared(_path: &Path) -> Result<(), CacheError> {
    Ok(())
}

fn create_key_file(path: &Path) -> Result<(), CacheError> {
    let dir = path.parent().expect("the key file has a folder");
    std::fs::create_dir_all(dir).map_err(|e| CacheError::io(dir, e))?;
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|_| CacheError::Key("no randomness for a cache key".into()))?;
    let text = format!("{}\n", hex::encode(bytes));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => std::io::Write::write_all(&mut file, text.as_bytes())
            .map_err(|e| CacheError::io(path, e)),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(CacheError::io(path, e)),
    }
}
