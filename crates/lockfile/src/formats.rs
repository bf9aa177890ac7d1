//! Which lockfile format a file is, from its name and then its content, and the parser for it.

use std::path::Path;

use crate::error::LockfileError;
use crate::model::Tree;
use crate::pnpm::{parse_pnpm, PnpmInstall};
use crate::workspace::Workspaces;

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

/// What the project around a lockfile says, for formats that need it.
#[derive(Debug, Default)]
pub(crate) struct Context {
    /// The root package.json's workspaces (npm lockfiles that do not record them).
    pub(crate) workspaces: Option<Workspaces>,
    /// `node_modules/.modules.yaml` of a pnpm install.
    pub(crate) pnpm: PnpmInstall,
    /// The root project and its workspaces, from their package.json files (Yarn lockfiles
    /// do not record what the project itself depends on, or not whether it is dev-only).
    pub(crate) importers: Vec<crate::locked::Importer>,
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

/// Parses `text` as `format`.
pub(crate) fn parse_format(
    format: Format,
    path: &Path,
    text: &str,
    ctx: &Context,
) -> Result<Tree, LockfileError> {
    match format {
        Format::Npm => crate::parse::parse_with(path, text, ctx.workspaces.as_ref()),
        Format::Pnpm => parse_pnpm(path, text, &ctx.pnpm),
        Format::Yarn => crate::yarn::parse_yarn(path, text, &ctx.importers),
        Format::YarnBerry => crate::berry::parse_berry(path, text, &ctx.importers),
        Format::Bun => crate::bun::parse_bun(path, text),
        Format::BunBinary => Err(LockfileError::BunBinary {
            file: path.to_path_buf(),
        }),
    }
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
