//! Lockfile text to [`Tree`]: the parser of each format.

use std::path::Path;

use crate::bun::parse_bun;
use crate::error::LockfileError;
use crate::format::{format_of, Format};
use crate::model::Tree;
use crate::npm::parse_npm;
use crate::pnpm::parse_pnpm;
use crate::project::Context;
use crate::yarn::berry::parse_berry;
use crate::yarn::classic::parse_yarn;

/// Parses lockfile `text` read from `path`. Pure: touches no file, so every
/// [`Package::installed`](crate::Package::installed) is `None` (see [`crate::load_lockfile`] for that).
///
/// The format follows the file name (`pnpm-lock.yaml`, `yarn.lock` with or without
/// `__metadata`, `bun.lock`, `bun.lockb`, npm's names), else the content. For npm the input
/// kind follows the file name too (`npm-shrinkwrap.json`, `.package-lock.json` inside
/// `node_modules`, anything else is a package lock); the root is the folder of the lockfile
/// (of `node_modules` for the hidden lockfile). Yarn lockfiles parsed this way have no
/// edges from the project itself (those are in package.json) and so no dev/optional flags.
pub fn parse_lockfile(path: &Path, text: &str) -> Result<Tree, LockfileError> {
    let format = format_of(path, text.as_bytes());
    parse_format(format, path, text, &Context::default())
}

/// A lockfile with git's merge-conflict markers is refused whatever its format: npm, pnpm and
/// Yarn merge such a file by themselves when they install (pnpm, even with
/// `--frozen-lockfile`, keeps the side before the markers), so what a parser of the text
/// reads is not what they install.
fn refuse_conflict_markers(path: &Path, text: &str) -> Result<(), LockfileError> {
    const MARKERS: [&str; 4] = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"];
    let marker = text.lines().enumerate().find(|(_, line)| {
        MARKERS.iter().any(|m| {
            line.strip_prefix(m)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
        })
    });
    match marker {
        Some((index, line)) => Err(LockfileError::Parse {
            file: path.to_path_buf(),
            line: index + 1,
            column: 1,
            message: format!(
                "a merge-conflict marker ({}): the package manager would merge the conflict by itself and install a side nobody reviewed; resolve the conflict and commit the lockfile again",
                line.split(' ').next().unwrap_or(line)
            ),
        }),
        None => Ok(()),
    }
}

/// Parses `text` as `format`, with what the project around the lockfile says (`ctx`).
pub(crate) fn parse_format(
    format: Format,
    path: &Path,
    text: &str,
    ctx: &Context,
) -> Result<Tree, LockfileError> {
    refuse_conflict_markers(path, text)?;
    match format {
        Format::Npm => parse_npm(path, text, ctx.workspaces.as_ref()),
        Format::Pnpm => parse_pnpm(path, text, &ctx.pnpm),
        Format::Yarn => parse_yarn(path, text, &ctx.importers),
        Format::YarnBerry => parse_berry(path, text, &ctx.importers),
        Format::Bun => parse_bun(path, text),
        Format::BunBinary => Err(LockfileError::BunBinary {
            file: path.to_path_buf(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// npm, pnpm and Yarn merge a conflicted lockfile by themselves when they install: such a
    /// file is refused in every format, naming the line.
    #[test]
    fn merge_conflict_markers_are_refused_in_every_format() {
        let conflicted = "<<<<<<< HEAD\nx\n||||||| base\n=======\ny\n>>>>>>> branch\n";
        for name in [
            "package-lock.json",
            "pnpm-lock.yaml",
            "yarn.lock",
            "bun.lock",
        ] {
            let err = parse_lockfile(Path::new(name), conflicted)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains(&format!("{name}:1:1: a merge-conflict marker (<<<<<<<)")),
                "{err}"
            );
        }
        // Inside a value, or longer runs, are not markers.
        assert!(
            refuse_conflict_markers(Path::new("yarn.lock"), "a \"=======\"\n========\n").is_ok()
        );
    }

    /// pnpm reads its env document and the lockfile after it, nothing more.
    #[test]
    fn a_third_pnpm_document_is_refused() {
        let doc = "lockfileVersion: '9.0'\nimporters:\n  .: {}\n";
        let three = format!("{doc}---\n{doc}---\n{doc}");
        let err = parse_lockfile(Path::new("pnpm-lock.yaml"), &three).unwrap_err();
        assert!(err.to_string().contains("3 YAML documents"), "{err}");
    }
}
