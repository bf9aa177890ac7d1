//! `sigverify-lockfile`: turns a project directory into the flat list of packages to verify,
//! exactly as npm sees them.
//!
//! Inputs, first found wins (npm's precedence): `npm-shrinkwrap.json`, `package-lock.json`,
//! `node_modules/.package-lock.json`, else a walk of `node_modules`. Lockfile versions 1
//! (nested `dependencies`), 2 and 3 (`packages` keyed by location) are read. Every package is
//! classified by [`Source`]: only [`Source::Registry`] packages carry registry signatures; the
//! others say why with [`Source::skip_reason`].
//!
//! Without any lockfile, `node_modules` is walked: nested and scoped folders are read,
//! symlinks are reported as links (never descended), dev/optional/peer flags are computed from
//! the `package.json` declarations like npm's arborist, and an unreadable `package.json` becomes
//! a [`WalkProblem`] in [`Tree::problems`] instead of failing the walk.
//!
//! Parsing is two-layered: serde reads the JSON into loose borrowed values (so only syntax can
//! fail there, with line and column), then typed checks report the JSON path of any value of
//! the wrong shape. Hostile input only ever yields a [`LockfileError`] with a stable `code()`.
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

mod berry;
mod bun;
mod check;
mod config;
mod config_bun;
mod config_yarn;
mod detect;
mod error;
mod flags;
mod formats;
mod installed;
mod jsonc;
mod load;
mod locked;
mod manifest;
mod model;
mod packages;
mod parse;
mod paths;
mod pnpm;
mod pnpm_entry;
mod pnpm_path;
mod project;
mod raw;
mod schema;
mod spec;
mod store;
mod v1;
mod walk;
mod workspace;
mod yaml;
mod yaml_check;
mod yarn;
mod yarn_syntax;

pub use config::{manager_config, manager_config_with_env, Auth, Registry, RegistryConfig, Secret};
pub use error::{LockfileError, WalkProblem};
pub use load::{load_lockfile, load_tree};
pub use model::{is_omitted, Input, Layout, Linker, Manager, Omit, Package, Source, Tree};
pub use parse::parse_lockfile;
