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

/// Parses `text` as `format`, with what the project around the lockfile says (`ctx`).
pub(crate) fn parse_format(
    format: Format,
    path: &Path,
    text: &str,
    ctx: &Context,
) -> Result<Tree, LockfileError> {
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
