//! Checks that an installed npm package folder holds exactly the files of its signed tarball.
//!
//! `npm audit signatures` verifies registry metadata only; it never reads `node_modules`.
//! The registry signs `name@version:integrity`, and the integrity pins the tarball bytes, so
//! the installed files can be tied to a signature by:
//!
//! 1. getting the tarball bytes ([`find_cached_tarball`] in npm's cache, or the registry) and
//!    checking them against the signed integrity ([`check_integrity`]);
//! 2. reading them into the manifest of files npm extracts ([`read_tarball`]), following
//!    pacote's and node-tar's extraction rules exactly;
//! 3. comparing the package folder with that manifest ([`compare_package_dir`]), excusing only
//!    what npm itself changes on install (see the [`compare`] module doc).
//!
//! ```no_run
//! use sigverify_content::*;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let integrity = "sha512-...";
//! let cache = default_npm_cache().expect("no home folder");
//! let tarball = find_cached_tarball(&cache, integrity).expect("not cached: fetch it");
//! check_integrity(&tarball, integrity)?; // find_cached_tarball already did; fetched bytes need it
//! let manifest = read_tarball(&tarball)?;
//! let diff = compare_package_dir("node_modules/lodash".as_ref(), &manifest, &CompareOptions::default())?;
//! assert!(diff.is_clean(), "{:?} {:?}", diff.code(), diff);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod bins;
mod cache;
pub mod compare;
mod digest;
mod error;
mod integrity;
mod loadable;
mod shebang;
mod snapshot;
mod tarball;
mod walk;

pub use bins::{bin_map, normalize_bin_target};
pub use cache::{
    cacache_content_path, default_npm_cache, default_npm_cache_from, find_cached_tarball,
};
pub use compare::{compare_package_dir, CompareOptions, ContentDiff};
pub use digest::FileDigest;
pub use error::ContentError;
pub use integrity::{check_integrity, Algorithm, Integrity, IntegrityError, SriHash};
pub use loadable::{entry_points, loadable_additions};
pub use snapshot::{folder_snapshot, WalkSnapshot};
pub use tarball::{
    read_tarball, read_tarball_with_limits, EntryContent, ManifestEntry, PathSkip, SkipReason,
    SkippedEntry, TarError, TarLimits, TarManifest,
};
