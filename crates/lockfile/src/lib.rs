//! `sigverify-lockfile`: turns a project directory into the flat list of packages to verify,
//! as the package manager that installed it sees them.
//!
//! Formats: npm's lockfiles (v1-v3, `npm-shrinkwrap.json`, the hidden lockfile), pnpm's
//! `pnpm-lock.yaml` (6.0 and 9.0), Yarn classic's and Yarn Berry's `yarn.lock`, and Bun's text
//! `bun.lock` (`bun.lockb` is refused with `EBUNLOCKB`). [`load_tree`] picks the lockfile
//! (npm's precedence among its own files; `packageManager` or the install's markers when
//! several managers' lockfiles exist); [`Tree::manager`] says which was read. Every package
//! is classified by [`Source`]: only [`Source::Registry`] packages carry registry signatures;
//! the others say why with [`Source::skip_reason`].
//!
//! Locations ([`Package::location`]) are real folders wherever they can be known:
//! - npm, Bun's hoisted linker: npm-style `node_modules/a/node_modules/b` paths
//!   ([`Layout::NodeModules`]);
//! - pnpm: the store folders pnpm creates, `node_modules/.pnpm/<escaped id>/node_modules/<name>`
//!   (named by the rules of the pnpm version that installed), with explicit edges
//!   ([`Layout::Explicit`]);
//! - Yarn classic, Yarn Berry's `node-modules` and `pnpm` linkers, pnpm's hoisted linker and
//!   Bun's isolated store record no locations: the installed folders are matched to lockfile
//!   entries by package.json name and version; folders that match nothing are reported in
//!   [`Tree::problems`] (`ENOTINLOCKFILE`), entries without a folder are listed as not
//!   installed;
//! - without `node_modules`, Yarn entries get placeholders `yarn.lock:<name>@<version>`
//!   (classic) or `yarn.lock:<resolution>` (Berry) and explicit edges from the lockfile; Yarn
//!   Plug'n'Play is [`Linker::Pnp`] with nothing installed to look at.
//!
//! Without any lockfile, `node_modules` is walked: nested and scoped folders are read,
//! symlinks are reported as links (never descended), dev/optional/peer flags are computed from
//! the `package.json` declarations like npm's arborist, and an unreadable `package.json` becomes
//! a [`WalkProblem`] in [`Tree::problems`] instead of failing the walk.
//!
//! Registry settings of Yarn and Bun (`.yarnrc.yml`, `.yarnrc`, `bunfig.toml`) are read by
//! [`manager_config`]; credentials stay in [`Secret`], which never prints.
//!
//! Parsing is two-layered: the syntax (serde for JSON, yaml-rust2 events for YAML, a line
//! reader for Yarn classic) fails with line and column, then typed checks report the path (and
//! where known the position) of any value of the wrong shape. Hostile input only ever yields a
//! [`LockfileError`] with a stable `code()`.
//!
//! ```no_run
//! use sigverify_lockfile::{is_omitted, load_tree, Omit};
//! let tree = load_tree(std::path::Path::new(".")).unwrap();
//! let omit = Omit { dev: true, ..Omit::default() };
//! for pkg in tree.packages.iter().filter(|p| !is_omitted(p, &omit)) {
//!     match pkg.source.skip_reason() {
//!         None => println!("verify {}@{}", pkg.name, pkg.version),
//!         Some(why) => println!("skip {}: {why}", pkg.location),
//!     }
//! }
//! ```

// How the modules fit, top down: `load` finds the input (`detect`, `format`), `parse` hands the
// text to the reader of its manager (`npm`, `pnpm`, `yarn`, `bun`, built on the readers in
// `syntax`), and `installed` joins the result with what is on disk. `project` reads the
// package.json files around the lockfile, `config` the managers' registry settings. Shared
// below them all: `model`, `error`, `spec` (where a package comes from), `flags`, `paths`.
mod bun;
mod config;
mod detect;
mod error;
mod file;
mod flags;
mod format;
mod installed;
mod load;
mod model;
mod npm;
mod parse;
mod paths;
mod pnpm;
mod project;
mod spec;
mod syntax;
mod yarn;

pub use config::{
    bun_security_scanner, manager_config, manager_config_with_env, Auth, Registry, RegistryConfig,
    Secret,
};
pub use error::{LockfileError, WalkProblem};
pub use file::{read_regular, read_regular_text, LOCKFILE_LIMIT, MANIFEST_LIMIT};
pub use load::{find_lockfile, load_lockfile, load_tree, project_manager};
pub use model::{
    is_omitted, Input, Layout, Linker, Manager, Omit, Package, Resolver, Source, Tree,
    YARN_PLACEHOLDER,
};
pub use parse::parse_lockfile;
