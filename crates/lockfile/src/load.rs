//! Finding and reading a project's input from disk.

use std::fs;
use std::path::Path;

use crate::detect::{choose, Choice};
use crate::error::{io_error, LockfileError};
use crate::format::{format_of, Format};
use crate::installed::bundled::add_bundled;
use crate::installed::mark_installed;
use crate::installed::matching::{match_store, match_walk};
use crate::installed::walk::walk_node_modules;
use crate::model::{Linker, Manager, Source, Tree};
use crate::npm::{input_kind, root_of};
use crate::parse::parse_format;
use crate::project::{berry_linker, context, Context};

/// Reads the package list of the project in `dir`.
///
/// The lockfile present decides (`npm-shrinkwrap.json`, `package-lock.json`,
/// `pnpm-lock.yaml`, `yarn.lock`, `bun.lock`; npm's precedence among its own files is kept).
/// When several managers' lockfiles exist, package.json `packageManager` decides, else the
/// install markers in `node_modules` (`.pnpm`/`.modules.yaml`, `.yarn-integrity`,
/// `.yarn-state.yml`, `.bun`, `.package-lock.json`), else it fails with
/// `EAMBIGUOUSLOCKFILE`. Without any lockfile: `node_modules/.package-lock.json`, else a
/// walk of `node_modules`, else `ENOLOCKFILE`.
pub fn load_tree(dir: &Path) -> Result<Tree, LockfileError> {
    if !dir.is_dir() {
        return Err(LockfileError::ProjectNotFound {
            path: dir.to_path_buf(),
        });
    }
    match choose(dir)? {
        Choice::Lockfile(path) => load_lockfile(&path),
        Choice::Walk if dir.join("node_modules").is_dir() => walk_node_modules(dir),
        Choice::Walk => Err(LockfileError::NoLockfile {
            dir: dir.to_path_buf(),
        }),
    }
}

/// The lockfile of the project in `dir`, chosen as [`load_tree`] chooses it (`--lockfile-only`
/// reads it before anything is installed); `ENOLOCKFILE` when there is none.
pub fn find_lockfile(dir: &Path) -> Result<std::path::PathBuf, LockfileError> {
    match choose(dir)? {
        Choice::Lockfile(path) => Ok(path),
        Choice::Walk => Err(LockfileError::NoLockfile {
            dir: dir.to_path_buf(),
        }),
    }
}

/// The package manager of the project in `dir`, as [`load_tree`] would choose its lockfile,
/// without reading the tree (npm when there is no lockfile): whose registry settings apply to a
/// single package verified in that project.
pub fn project_manager(dir: &Path) -> Result<Manager, LockfileError> {
    let path = match choose(dir)? {
        Choice::Lockfile(path) => path,
        Choice::Walk => return Ok(Manager::Npm),
    };
    let head = read_head(&path)?;
    Ok(match format_of(&path, &head) {
        Format::Npm => Manager::Npm,
        Format::Pnpm => Manager::Pnpm,
        Format::Yarn => Manager::Yarn,
        Format::YarnBerry => Manager::YarnBerry,
        Format::Bun | Format::BunBinary => Manager::Bun,
    })
}

/// The first 4 KiB of a file (all [`format_of`] reads).
fn read_head(path: &Path) -> Result<Vec<u8>, LockfileError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    fs::File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|source| io_error(path, source))?;
    Ok(head)
}

/// Reads the lockfile at `path` (any format, any file name, for `--lockfile`: the format
/// follows the name, else the content) and matches it with what is installed next to it.
pub fn load_lockfile(path: &Path) -> Result<Tree, LockfileError> {
    let bytes = crate::file::read_regular(path, crate::file::LOCKFILE_LIMIT)
        .map_err(|source| io_error(path, source))?;
    let format = format_of(path, &bytes);
    if format == Format::BunBinary {
        return Err(LockfileError::BunBinary {
            file: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| LockfileError::Parse {
        file: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
    })?;
    let root = match format {
        Format::Npm => root_of(path, input_kind(path)),
        _ => path.parent().unwrap_or(Path::new("")).to_path_buf(),
    };
    let ctx = context(&root, format);
    let tree = parse_format(format, path, &text, &ctx)?;
    with_install(tree, format, &ctx)
}

/// Joins the lockfile with the install beside it, per manager.
fn with_install(tree: Tree, format: Format, ctx: &Context) -> Result<Tree, LockfileError> {
    let mut tree = matched_install(tree, format, ctx)?;
    // npm's lockfiles list bundled packages; the others' do not.
    if format != Format::Npm {
        add_bundled(&mut tree);
    }
    Ok(tree)
}

/// The tree with its entries' installed locations.
fn matched_install(mut tree: Tree, format: Format, ctx: &Context) -> Result<Tree, LockfileError> {
    let node_modules = tree.root.join("node_modules").is_dir();
    match format {
        Format::Yarn if node_modules => return match_walk(tree),
        Format::Pnpm if node_modules && ctx.pnpm.hoisted => return match_walk(tree),
        Format::Bun if tree.root.join("node_modules/.bun").is_dir() => {
            let isolated = match_store(tree.clone(), ".bun")?;
            if holds_the_installed_registry_packages(&isolated, "node_modules/.bun/") {
                return Ok(isolated);
            }
            // A `.bun` folder beside hoisted packages is no isolated install (a restored
            // node_modules can add an empty one): read the tree as hoisted, with its checks
            // (a deleted nested package that makes its parent load another version).
        }
        Format::YarnBerry => {
            let pnp = berry_linker(&tree.root) == "pnp" || tree.root.join(".pnp.cjs").is_file();
            if pnp && !tree.root.join("node_modules/.yarn-state.yml").is_file() {
                // Plug'n'Play: packages stay zipped in Yarn's cache; nothing to look at here.
                tree.linker = Linker::Pnp;
                return Ok(tree);
            }
            if tree.root.join("node_modules/.store").is_dir() {
                return match_store(tree, ".store");
            }
            if node_modules {
                return match_walk(tree);
            }
        }
        _ => {}
    }
    mark_installed(&mut tree);
    Ok(tree)
}

/// True when every registry package installed in `tree` (matched against a store) is in the
/// store at `store`: what an isolated install looks like.
fn holds_the_installed_registry_packages(tree: &Tree, store: &str) -> bool {
    tree.packages
        .iter()
        .filter(|p| matches!(p.source, Source::Registry { .. }) && p.installed == Some(true))
        .all(|p| p.location.starts_with(store))
}
