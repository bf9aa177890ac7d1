//! pnpm's dependency paths (`foo@1.0.0(react@18.2.0)`) and the folder names pnpm gives them
//! under `node_modules/.pnpm` (its `depPathToFilename`), version by version.
//!
//! Learned from the `depPathToFilename` of the pnpm 8.15, 9.15, 10.34 and 11.29 bundles and
//! checked against real installs (see `tests/fixtures/pnpm/MANIFEST.md`):
//! - the leading `/` of lockfile v6 keys goes; `file:x` becomes `file+x`;
//! - `\ / : * ? " < > |` (and `#` from pnpm 10) become `+`;
//! - a peer suffix `(a@1)(b@2)` becomes `_a@1_b@2` (the last `)` is dropped);
//! - a name longer than the limit (`virtual-store-dir-max-length`, default 120), or with an
//!   upper-case letter (unless it starts with `file+`), is cut and suffixed with `_<hash>`:
//!   md5 in lower-case base32 (26 characters) up to pnpm 9, the first 32 hex digits of sha256
//!   from pnpm 10. pnpm 11 also hashes names whose escaping is ambiguous and ones that end in
//!   `.` or space (which it turns into `+`).

use md5::{Digest, Md5};
use sha2::Sha256;

/// Which pnpm's naming rules apply, and its folder-name length limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flavor {
    /// pnpm's major version (8 for lockfile v6 unless `.modules.yaml` says otherwise).
    pub(crate) major: u32,
    /// `virtual-store-dir-max-length` (pnpm 8 always used 120).
    pub(crate) max_len: usize,
}

/// The index where a trailing peer/patch suffix `(…)(…)` starts, if any.
pub(crate) fn suffix_start(dep_path: &str) -> Option<usize> {
    if !dep_path.ends_with(')') {
        return None;
    }
    let mut open = 0usize;
    for (i, c) in dep_path.char_indices().rev() {
        match c {
            ')' => open += 1,
            '(' => open = open.checked_sub(1)?,
            _ if open == 0 => return Some(i + c.len_utf8()),
            _ => {}
        }
    }
    None
}

/// `name@version(peers)` without its suffix, and without the leading `/` of lockfile v6.
pub(crate) fn without_suffix(dep_path: &str) -> &str {
    let base = match suffix_start(dep_path) {
        Some(i) => &dep_path[..i],
        None => dep_path,
    };
    base.strip_prefix('/').unwrap_or(base)
}

/// Splits `@s/name@1.0.0` into `("@s/name", "1.0.0")`; `None` for ids without a name
/// (`file:x` keys of lockfile v6).
pub(crate) fn split_name(id: &str) -> Option<(&str, &str)> {
    let at = id.get(1..)?.find('@')? + 1;
    let name = &id[..at];
    (!name.is_empty() && !name.contains(':')).then(|| (name, &id[at + 1..]))
}

/// The folder name pnpm creates for `dep_path` under `node_modules/.pnpm`.
pub(crate) fn dep_path_to_filename(dep_path: &str, flavor: Flavor) -> String {
    let mut name = escape(unescaped(dep_path), flavor.major >= 10);
    if name.contains('(') {
        name = peers_to_underscores(&name);
    }
    let mut hash_input = name.clone();
    let mut force = false;
    if flavor.major >= 11 {
        if ambiguous_escape(dep_path) {
            hash_input = dep_path.to_string();
            force = true;
        }
        let kept = name.trim_end_matches(['.', ' ']).len();
        if kept < name.len() {
            name = format!("{}{}", &name[..kept], "+".repeat(name.len() - kept));
            force = true;
        }
    }
    let upper = name != name.to_lowercase() && !name.starts_with("file+");
    let limit = if flavor.major <= 8 {
        120
    } else {
        flavor.max_len
    };
    if !(force || upper || name.chars().count() > limit) {
        return name;
    }
    let (keep, hash) = match flavor.major {
        ..=8 => (93, md5_base32(&hash_input)),
        9 => (limit.saturating_sub(27), md5_base32(&hash_input)),
        _ => (limit.saturating_sub(33), sha256_short(&hash_input)),
    };
    // JavaScript's substring counts UTF-16 units; names are ASCII in practice, and a char
    // count never splits a character.
    let prefix: String = name.chars().take(keep).collect();
    format!("{prefix}_{hash}")
}

fn unescaped(dep_path: &str) -> String {
    if let Some(rest) = dep_path.strip_prefix("file:") {
        return format!("file+{rest}");
    }
    dep_path.strip_prefix('/').unwrap_or(dep_path).to_string()
}

fn escape(s: String, hash_sign: bool) -> String {
    s.chars()
        .map(|c| match c {
            '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '+',
            '#' if hash_sign => '+',
            c => c,
        })
        .collect()
}

/// `a@1_b@2_c@3` from `a@1(b@2)(c@3)`: the last `)` goes, `)(`, `(` and `)` become `_`.
fn peers_to_underscores(name: &str) -> String {
    let name = name.strip_suffix(')').unwrap_or(name);
    name.replace(")(", "_").replace(['(', ')'], "_")
}

/// pnpm 11: a version with a scheme whose location holds characters that escape to `+`,
/// so that two different sources could share a folder name.
fn ambiguous_escape(dep_path: &str) -> bool {
    let id = dep_path.split('(').next().unwrap_or("");
    let id = id.strip_prefix('/').unwrap_or(id);
    let version = match id.strip_prefix("file:") {
        Some(_) => id,
        None => match split_name(id) {
            Some((_, v)) => v,
            None => return false,
        },
    };
    let Some((scheme, location)) = version.split_once(':') else {
        return false;
    };
    if registry_qualified(scheme, location) {
        return false;
    }
    let location = location.strip_prefix("//").unwrap_or(location);
    location.contains(['+', '\\', ':', '*', '?', '"', '<', '>', '|', '#'])
}

/// `myreg:1.2.3`: a named registry and a semver version (pnpm 11's registry-qualified ids).
fn registry_qualified(scheme: &str, version: &str) -> bool {
    const RESERVED: [&str; 15] = [
        "bitbucket",
        "catalog",
        "custom",
        "file",
        "git",
        "github",
        "gitlab",
        "http",
        "https",
        "jsr",
        "link",
        "npm",
        "runtime",
        "ssh",
        "workspace",
    ];
    let mut chars = scheme.chars();
    let name_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    name_ok && !RESERVED.contains(&scheme) && crate::spec::is_semver(version)
}

fn md5_base32(input: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let digest = Md5::digest(input.as_bytes());
    let mut out = String::with_capacity(26);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in digest {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn sha256_short(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..32].to_string()
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
