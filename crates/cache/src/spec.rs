//! Parsing the user's cache choice (`--cache`, `NPM_SIGVERIFY_CACHE`) into a
//! checked [`CacheSpec`], and keeping Redis passwords out of every output.

use crate::CacheError;
use std::collections::HashMap;
use std::path::PathBuf;

/// Environment variable the CLI reads when `--cache` is not given.
pub const CACHE_ENV: &str = "NPM_SIGVERIFY_CACHE";
/// Folder name inside the user's cache folder.
const APP_DIR: &str = "npm-sigverify";

/// Where the cache lives, after parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheSpec {
    /// No cache at all (`off` / `none`).
    Off,
    /// The embedded disk cache rooted at this folder.
    Disk(PathBuf),
    /// A shared Redis server.
    Redis(RedisTarget),
}

/// A checked `redis://` URL. Its `Debug` and `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisTarget {
    url: String,
    redacted: String,
    secrets: Vec<String>,
    db: i64,
}

impl RedisTarget {
    /// Parses and checks `redis[s]://[user][:password@]host[:port][/db]` (`rediss`: TLS).
    pub fn parse(spec: &str) -> Result<RedisTarget, CacheError> {
        let invalid = |reason: String| CacheError::InvalidSpec {
            spec: redact_url_text(spec),
            reason,
        };
        let url = url::Url::parse(spec).map_err(|e| invalid(format!("not a url: {e}")))?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("redis url has no host".into()));
        }
        let db = parse_db(url.path()).map_err(invalid)?;
        let secrets = secrets_of(&url);
        let mut shown = url.clone();
        if url.password().is_some() {
            // set_password only fails for cannot-be-a-base urls, excluded above.
            let _ = shown.set_password(Some("***"));
        }
        Ok(RedisTarget {
            url: spec.to_owned(),
            redacted: shown.to_string(),
            secrets,
            db,
        })
    }

    /// The full URL, password included: only for handing to the driver.
    pub(crate) fn secret_url(&self) -> &str {
        &self.url
    }

    /// The database number selected by the URL path (0 when absent).
    pub fn db(&self) -> i64 {
        self.db
    }

    /// Replaces every occurrence of the password in `text` with `***`.
    pub fn redact(&self, text: &str) -> String {
        redact(text, &self.secrets)
    }
}

impl std::fmt::Display for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl std::fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisTarget({})", self.redacted)
    }
}

fn parse_db(path: &str) -> Result<i64, String> {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() {
        return Ok(0);
    }
    match trimmed.parse::<i64>() {
        Ok(db) if db >= 0 => Ok(db),
        _ => Err(format!("db {trimmed:?} is not a non-negative number")),
    }
}

/// The password as written (percent-encoded) and decoded: both must go.
fn secrets_of(url: &url::Url) -> Vec<String> {
    let Some(raw) = url.password().filter(|p| !p.is_empty()) else {
        return Vec::new();
    };
    let mut out = vec![raw.to_owned()];
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned();
    if decoded != raw && !decoded.is_empty() {
        out.push(decoded);
    }
    // Longest first so a secret that contains another is removed whole.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// Replaces each non-empty secret in `text` with `***`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |acc, s| acc.replace(s.as_str(), "***"))
}

/// Best-effort redaction of a spec that failed to parse as a URL: drop
/// whatever sits between `://` and the last `@`.
fn redact_url_text(spec: &str) -> String {
    match (spec.find("://"), spec.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            format!("{}://***@{}", &spec[..start], &spec[at + 1..])
        }
        _ => spec.to_owned(),
    }
}

impl CacheSpec {
    /// Parses a spec; `None` means the default disk cache of this user.
    pub fn parse(
        spec: Option<&str>,
        env: &HashMap<String, String>,
    ) -> Result<CacheSpec, CacheError> {
        let Some(raw) = spec.map(str::trim) else {
            return default_cache_dir(env).map(CacheSpec::Disk);
        };
        let lower = raw.to_ascii_lowercase();
        match lower.as_str() {
            "" => Err(invalid(raw, "empty spec")),
            "off" | "none" => Ok(CacheSpec::Off),
            _ if lower.starts_with("redis://") || lower.starts_with("rediss://") => {
                RedisTarget::parse(raw).map(CacheSpec::Redis)
            }
            _ if lower.contains("://") => Err(invalid(raw, "unknown scheme")),
            _ => Ok(CacheSpec::Disk(PathBuf::from(raw))),
        }
    }
}

fn invalid(spec: &str, reason: &str) -> CacheError {
    CacheError::InvalidSpec {
        spec: redact_url_text(spec),
        reason: reason.to_owned(),
    }
}

/// The cache spec to use: an explicit `--cache` wins, then a non-empty
/// `NPM_SIGVERIFY_CACHE`, else `None` (the default disk cache).
pub fn spec_from_env(explicit: Option<&str>, env: &HashMap<String, String>) -> Option<String> {
    explicit
        .map(str::to_owned)
        .or_else(|| env.get(CACHE_ENV).filter(|v| !v.trim().is_empty()).cloned())
}

/// This user's cache folder for npm-sigverify on the running OS.
pub fn default_cache_dir(env: &HashMap<String, String>) -> Result<PathBuf, CacheError> {
    default_dir_for(std::env::consts::OS, env)
}

/// [`default_cache_dir`] for a given OS name, so every OS rule is testable anywhere.
pub fn default_dir_for(os: &str, env: &HashMap<String, String>) -> Result<PathBuf, CacheError> {
    let var = |name: &str| env.get(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = match os {
        "windows" => var("LOCALAPPDATA").ok_or(CacheError::NoCacheDir("LOCALAPPDATA"))?,
        "macos" => var("HOME")
            .ok_or(CacheError::NoCacheDir("HOME"))?
            .join("Library/Caches"),
        _ => match var("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
            Some(xdg) => xdg,
            None => var("HOME")
                .ok_or(CacheError::NoCacheDir("HOME"))?
                .join(".cache"),
        },
    };
    Ok(base.join(APP_DIR))
}

#[cfg(test)]
mod tests;
