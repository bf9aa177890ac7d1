//! Where npm writes a tarball entry: pacote's extraction options applied to node-tar's checks.
//!
//! npm 11 extracts with `tar.x({ strip: 1, filter, ... })` (`pacote/lib/fetcher.js`,
//! `#tarxOptions`), and node-tar 7 (`tar/dist/commonjs/unpack.js`, `[CHECKPATH]` and
//! `[STRIPABSOLUTEPATH]`) then, in this order:
//! 1. (filter, before anything else) renames a `.gitignore` file to `.npmignore`, unless a
//!    `.npmignore` with that exact raw path came earlier, in which case it drops the entry;
//! 2. splits the raw path on `/` and drops the first component, whatever it is (`package`,
//!    `node`, or `.` for a `./package/x` path, which therefore lands in `package/x`);
//! 3. skips paths deeper than 1024 components;
//! 4. strips absolute roots (`/`, `C:`, `C:\`) and skips any path with a `..` component,
//!    splitting on both `/` and `\` for that test on every platform;
//! 5. resolves the rest against the package folder (`.` and empty components vanish) and
//!    skips a file that would land on the folder itself.
//!
//! On Windows node-tar also turns `\` into `/` and encodes `|<>?:` as U+F07C... (winchars);
//! this module does the same under `cfg(windows)`. Letter case is kept as written.

/// What happens to one entry path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Extracted at this `/`-separated path relative to the package folder.
    At(String),
    /// Not extracted by npm, for this reason.
    Skipped(PathSkip),
    /// A path form this crate does not model (UNC and device roots): fail closed.
    Unsupported,
}

/// Why npm does not extract an entry (path-related reasons only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSkip {
    /// A `..` component (node-tar: `TAR_ENTRY_ERROR path contains '..'`).
    ParentDir,
    /// More than 1024 components (node-tar: `path excessively deep`).
    TooDeep,
    /// Nothing is left after stripping the first component (a file at the tarball root).
    NoPathAfterStrip,
}

/// node-tar's default `maxDepth`.
const MAX_DEPTH: usize = 1024;

/// Where node-tar writes the entry whose raw path (after the `.gitignore` rename) is `raw`.
pub(crate) fn place(raw: &str) -> Placement {
    let raw = windows_separators(raw);
    // Step 2: `strip: 1`.
    let Some((_, stripped)) = raw.split_once('/') else {
        return Placement::Skipped(PathSkip::NoPathAfterStrip);
    };
    if stripped.split('/').count() > MAX_DEPTH {
        return Placement::Skipped(PathSkip::TooDeep);
    }
    let Some(relative) = strip_roots(stripped) else {
        return Placement::Unsupported;
    };
    if relative.split(['/', '\\']).any(|part| part == "..") {
        return Placement::Skipped(PathSkip::ParentDir);
    }
    let resolved = resolve(relative);
    if resolved.is_empty() {
        return Placement::Skipped(PathSkip::NoPathAfterStrip);
    }
    Placement::At(encode_windows_chars(resolved))
}

/// Mirrors node-tar's `stripAbsolutePath` (which uses Windows path rules on every platform);
/// `None` for UNC (`\\server\share`) and device (`//?/`) roots, which it strips differently.
fn strip_roots(mut path: &str) -> Option<&str> {
    loop {
        let bytes = path.as_bytes();
        let is_sep = |i: usize| matches!(bytes.get(i), Some(b'/' | b'\\'));
        if path.starts_with("//?/") || (bytes.first() == Some(&b'\\') && is_sep(1)) {
            return None;
        }
        let root_len = match bytes {
            [b'/' | b'\\', ..] => 1,
            [letter, b':', ..] if letter.is_ascii_alphabetic() => 2 + usize::from(is_sep(2)),
            _ => return Some(path),
        };
        path = &path[root_len..];
    }
}

/// `path.resolve(cwd, p)` relative to cwd: empty and `.` components disappear.
fn resolve(path: &str) -> String {
    let separators: &[char] = if cfg!(windows) { &['/', '\\'] } else { &['/'] };
    let parts: Vec<&str> = path
        .split(separators)
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    parts.join("/")
}

/// node-tar's `normalizeWindowsPath`: a no-op except on Windows.
fn windows_separators(raw: &str) -> std::borrow::Cow<'_, str> {
    if cfg!(windows) {
        raw.replace('\\', "/").into()
    } else {
        raw.into()
    }
}

/// node-tar's `winchars.encode`, applied on Windows only.
fn encode_windows_chars(path: String) -> String {
    if !cfg!(windows) {
        return path;
    }
    path.chars()
        .map(|c| match c {
            '|' | '<' | '>' | '?' | ':' => char::from_u32(0xf000 + c as u32).unwrap_or(c),
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(p: &str) -> Placement {
        Placement::At(p.to_owned())
    }

    #[test]
    fn strips_the_first_component_whatever_it_is() {
        assert_eq!(place("package/index.js"), at("index.js"));
        assert_eq!(place("node/lib/a.js"), at("lib/a.js"));
        assert_eq!(place("./package/index.js"), at("package/index.js"));
        assert_eq!(place("package/./lib//a.js"), at("lib/a.js"));
    }

    #[test]
    fn skips_what_node_tar_skips() {
        assert_eq!(
            place("README"),
            Placement::Skipped(PathSkip::NoPathAfterStrip)
        );
        assert_eq!(
            place("package/"),
            Placement::Skipped(PathSkip::NoPathAfterStrip)
        );
        assert_eq!(
            place("package/../evil"),
            Placement::Skipped(PathSkip::ParentDir)
        );
        assert_eq!(
            place("package/a\\..\\b"),
            Placement::Skipped(PathSkip::ParentDir)
        );
        let deep = format!("package/{}", vec!["d"; MAX_DEPTH + 1].join("/"));
        assert_eq!(place(&deep), Placement::Skipped(PathSkip::TooDeep));
    }

    #[test]
    fn strips_absolute_roots_like_node_tar() {
        assert_eq!(place("package//etc/passwd"), at("etc/passwd"));
        assert_eq!(place("package/C:/x.js"), at("x.js"));
        assert_eq!(place("package/c:x.js"), at("x.js"));
        assert_eq!(
            place("package/\\\\server\\share\\x"),
            Placement::Unsupported
        );
    }
}
