//! Which lockfile format a file is, from its name and then its content.

use std::path::Path;

/// A lockfile format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `package-lock.json`, `npm-shrinkwrap.json`, `node_modules/.package-lock.json`.
    Npm,
    /// `pnpm-lock.yaml`.
    Pnpm,
    /// Yarn classic's `yarn.lock` (its own syntax, `# yarn lockfile v1`).
    Yarn,
    /// Yarn Berry's `yarn.lock` (YAML with `__metadata`).
    YarnBerry,
    /// `bun.lock` (JSON with trailing commas).
    Bun,
    /// `bun.lockb` (binary, not read).
    BunBinary,
}

/// The format of `path` with content `bytes`: by file name, else by content (for files given
/// with `--lockfile` under another name).
pub(crate) fn format_of(path: &Path, bytes: &[u8]) -> Format {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let text = std::str::from_utf8(&bytes[..bytes.len().min(4096)]).unwrap_or("");
    match name {
        "pnpm-lock.yaml" => Format::Pnpm,
        "bun.lockb" => Format::BunBinary,
        "bun.lock" => Format::Bun,
        "yarn.lock" if is_berry(text) => Format::YarnBerry,
        "yarn.lock" => Format::Yarn,
        "package-lock.json" | "npm-shrinkwrap.json" | ".package-lock.json" => Format::Npm,
        _ => format_of_content(bytes, text),
    }
}

/// Berry writes `__metadata:` first; classic never does.
fn is_berry(head: &str) -> bool {
    head.lines().any(|l| l.starts_with("__metadata:"))
}

fn format_of_content(bytes: &[u8], head: &str) -> Format {
    if bytes.starts_with(b"#!/usr/bin/env bun") || bytes.contains(&0) {
        return Format::BunBinary;
    }
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        // bun.lock's `workspaces` is an object at the top; npm's is an array in `packages[""]`.
        return match head.contains("\"workspaces\": {") {
            true => Format::Bun,
            false => Format::Npm,
        };
    }
    if is_berry(head) {
        return Format::YarnBerry;
    }
    if head.lines().any(|l| l.starts_with("lockfileVersion:")) {
        return Format::Pnpm;
    }
    Format::Yarn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_then_content() {
        let f = |name: &str, text: &str| format_of(Path::new(name), text.as_bytes());
        assert_eq!(f("pnpm-lock.yaml", ""), Format::Pnpm);
        assert_eq!(f("yarn.lock", "# yarn lockfile v1\n"), Format::Yarn);
        assert_eq!(
            f("yarn.lock", "# x\n\n__metadata:\n  version: 8\n"),
            Format::YarnBerry
        );
        assert_eq!(f("bun.lockb", ""), Format::BunBinary);
        assert_eq!(
            f(
                "lock",
                "{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {\n"
            ),
            Format::Bun
        );
        assert_eq!(
            f("lock", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {}}"),
            Format::Npm
        );
        assert_eq!(f("lock", "lockfileVersion: '9.0'\n"), Format::Pnpm);
        assert_eq!(f("lock", "__metadata:\n  version: 8\n"), Format::YarnBerry);
        assert_eq!(f("lock", "a@^1:\n  version \"1.0.0\"\n"), Format::Yarn);
        assert_eq!(f("lock", "\0\0bun"), Format::BunBinary);
    }
}
