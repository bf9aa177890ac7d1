//! Lexical path arithmetic for link targets (no symlink is resolved).

use std::path::{Component, Path, PathBuf};

/// `target` relative to `root`, lexically (`..` where needed), with `/` separators.
pub(crate) fn relative_to(root: &Path, target: &Path) -> String {
    // Absolute first, so that a relative root and an absolute link target compare.
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let root = normalize(&absolute(root));
    let target = normalize(&absolute(target));
    let common = root
        .components()
        .zip(target.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = root.components().count() - common;
    let mut parts: Vec<String> = vec!["..".to_string(); ups];
    parts.extend(
        target
            .components()
            .skip(common)
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// `rel` (a `/`-separated relative path as lockfiles write them) from the folder `base`
/// (relative to the root, `""` for the root itself), folded lexically: `("packages/a",
/// "../b")` -> `packages/b`, `("", "../x")` -> `../x`.
pub(crate) fn join_relative(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Removes `.` and folds `..` without touching the file system (symlinks are not resolved).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::relative_to;
    use std::path::Path;

    #[test]
    fn joined_paths() {
        use super::join_relative;
        assert_eq!(join_relative("", "linked-dir"), "linked-dir");
        assert_eq!(join_relative("packages/a", "../b"), "packages/b");
        assert_eq!(join_relative("packages/a", "../../../x"), "../x");
        assert_eq!(join_relative("", "./a/./b/"), "a/b");
    }

    #[test]
    fn relative_paths() {
        let root = Path::new("/p/app");
        assert_eq!(
            relative_to(root, Path::new("/p/app/node_modules/../packages/a")),
            "packages/a"
        );
        assert_eq!(
            relative_to(root, Path::new("/p/app/./node_modules/../../sib")),
            "../sib"
        );
        assert_eq!(relative_to(root, Path::new("/other/x")), "../../other/x");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            relative_to(Path::new("app"), &cwd.join("app/packages/b")),
            "packages/b"
        );
    }
}
