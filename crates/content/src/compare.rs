//! Comparing an installed package folder with the manifest of its signed tarball.
//!
//! Everything on disk must be what the tarball holds, byte for byte, except what npm itself
//! changes or creates on install. Those exceptions, each checked against npm 11's code:
//!
//! 1. **`node_modules/` at the top of the package folder** is skipped (unless
//!    [`CompareOptions::ignore_nested_node_modules`] is false): arborist places other packages
//!    there (`@npmcli/arborist/lib/node.js`, `node_modules` children of a node), including
//!    `node_modules/.bin`. Tarball entries under `node_modules/` (bundled dependencies) are
//!    then skipped too and counted in [`ContentDiff::bundled_unchecked`]. A `node_modules`
//!    folder deeper in the package is package content and is compared.
//! 2. **Package bins** may hold the tarball bytes *or* the bytes bin-links' fix-bin writes
//!    (`bin-links/lib/fix-bin.js`: a CRLF at the end of a `#!` first line becomes LF, and the
//!    file goes through a UTF-8 round trip; see `shebang.rs`). fix-bin runs only when the bin
//!    was linked (`link-bin.js`), so both forms are valid. Bins come from the tarball's
//!    `package.json` (`bin`, or `directories.bin`) plus [`CompareOptions::extra_bins`].
//! 3. **File modes are not compared**: pacote forces modes (`#entryMode`: at least 0o666 for
//!    files, executable bits for bins, minus the umask) and fix-bin chmods bins.
//! 4. **Timestamps and owners are not compared**: pacote passes `noMtime: true` and
//!    `preserveOwner: false` to node-tar.
//! 5. **Empty folders are not reported**: pacote's filter drops directory entries, so folders
//!    on disk exist only as parents of files; a folder holds no bytes of its own.
//!
//! Nothing else is excused. npm 7+ writes nothing else into a dependency's folder: reify
//! extracts with pacote and links bins, and only the root project's `package.json` is saved
//! (`reify.js`, `PackageJson.load(tree.path)` for `updatedTrees`); the `_resolved`/`_integrity`
//! fields npm 6 added to installed `package.json` files are gone, and the hidden lockfile lives
//! in the top-level `node_modules/.package-lock.json`, outside any package folder.
//! Files made by the package's own install scripts (node-gyp `build/`, downloaded binaries)
//! are reported in `added`: the caller decides how to judge them.
//!
//! Symbolic links in the folder are reported, never followed (unless
//! [`CompareOptions::follow_symlinks`]): a link where the tarball has a file is `modified`,
//! any other link is `added`. The package folder itself may be a link (pnpm, linked installs).
//! Paths are compared exactly (case-sensitive); on a case-insensitive file system a tarball
//! holding two names differing only in case shows up as a difference.

use crate::digest::{hash_file, with_chunk_buffer};
pub use crate::error::ContentError;
use crate::snapshot::WalkSnapshot;
use crate::tarball::{EntryContent, ManifestEntry, TarManifest};
use crate::walk::{walk, DiskEntry, DiskKind, WalkOptions};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// How to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOptions {
    /// Follow symbolic links inside the package folder (default false: report them).
    pub follow_symlinks: bool,
    /// Skip the package folder's own `node_modules/` (default true, see rule 1).
    pub ignore_nested_node_modules: bool,
    /// More bin targets to treat as bins (e.g. the lockfile's `bin` values), normalised as
    /// npm does.
    pub extra_bins: Vec<String>,
    /// Also take the folder's stat snapshot ([`crate::folder_snapshot`]) during the walk,
    /// before any file is read, into [`ContentDiff::snapshot`] (default false; only with the
    /// default walk: links not followed, the folder's own `node_modules` left out).
    pub snapshot: bool,
}

impl Default for CompareOptions {
    fn default() -> Self {
        Self {
            follow_symlinks: false,
            ignore_nested_node_modules: true,
            extra_bins: Vec::new(),
            snapshot: false,
        }
    }
}

/// The differences between a package folder and its tarball. All lists are sorted and hold
/// `/`-separated paths relative to the package folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentDiff {
    /// In both, but the bytes differ (or the disk holds a link or folder instead of a file).
    pub modified: Vec<String>,
    /// On disk only (files, links, special files; not folders).
    pub added: Vec<String>,
    /// In the tarball only.
    pub removed: Vec<String>,
    /// Tarball files found on disk as regular files and compared (size, then bytes).
    pub checked_files: usize,
    /// Tarball files under `node_modules/` (bundled dependencies) left out by rule 1.
    pub bundled_unchecked: usize,
    /// The folder's stat snapshot as the walk found it, before any file was read (when
    /// [`CompareOptions::snapshot`] asked for it), and whether it is settled.
    pub snapshot: Option<WalkSnapshot>,
}

impl ContentDiff {
    /// True when the folder holds exactly the tarball's files.
    pub fn is_clean(&self) -> bool {
        self.modified.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }

    /// Stable code: `ECONTENTMODIFIED` when a tarball file is changed or missing,
    /// `ECONTENTADDED` when files were only added, `None` when clean.
    pub fn code(&self) -> Option<&'static str> {
        if !self.modified.is_empty() || !self.removed.is_empty() {
            Some("ECONTENTMODIFIED")
        } else if !self.added.is_empty() {
            Some("ECONTENTADDED")
        } else {
            None
        }
    }

    /// What a user can do about a difference.
    pub fn hint(&self) -> Option<&'static str> {
        self.code().map(|code| match code {
            "ECONTENTMODIFIED" => "the installed files are not the signed ones: reinstall from the lockfile (delete node_modules, then npm ci or your manager's frozen install) and find out what changed them",
            _ => "files not in the signed tarball were added, often by the package's install scripts: check what created them",
        })
    }
}

/// A tarball file found on disk with a matching size, still to be hashed.
struct Job<'a> {
    path: &'a str,
    disk: &'a DiskEntry,
    expected: &'a ManifestEntry,
    is_bin: bool,
}

/// Compares the package folder `dir` with `manifest` (see the module doc for the rules).
pub fn compare_package_dir(
    dir: &Path,
    manifest: &TarManifest,
    opts: &CompareOptions,
) -> Result<ContentDiff, ContentError> {
    if !dir.is_dir() {
        return Err(ContentError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let walk_opts = WalkOptions {
        follow_symlinks: opts.follow_symlinks,
        skip_top_node_modules: opts.ignore_nested_node_modules,
        snapshot: opts.snapshot,
    };
    let walked = walk(dir, walk_opts)?;
    let disk = walked.entries;
    let by_path: HashMap<&str, &DiskEntry> = disk.iter().map(|e| (e.rel.as_str(), e)).collect();
    let bins = bin_set(manifest, opts);
    let mut diff = ContentDiff {
        snapshot: walked.snapshot,
        ..ContentDiff::default()
    };
    let mut jobs = Vec::new();
    // 1. Every tarball file: missing, wrong kind, wrong size, or to be hashed.
    for (path, expected) in manifest.files() {
        if opts.ignore_nested_node_modules && path.starts_with("node_modules/") {
            diff.bundled_unchecked += 1;
            continue;
        }
        let is_bin = bins.contains(path.as_str());
        match by_path.get(path.as_str()) {
            None => diff.removed.push(path.clone()),
            Some(disk) => match disk.kind {
                DiskKind::File(size) => {
                    diff.checked_files += 1;
                    if size_fits(size, expected, is_bin) {
                        jobs.push(Job {
                            path,
                            disk,
                            expected,
                            is_bin,
                        });
                    } else {
                        diff.modified.push(path.clone());
                    }
                }
                _ => diff.modified.push(path.clone()),
            },
        }
    }
    // 2. Everything on disk the tarball does not have (folders hold no bytes: rule 5).
    diff.added = disk
        .iter()
        .filter(|e| e.kind != DiskKind::Dir && manifest.get(&e.rel).is_none())
        .map(|e| e.rel.clone())
        .collect();
    // 3. Compare the candidates' bytes in parallel; each file is streamed, never read whole.
    diff.modified.extend(compare_jobs(&jobs, manifest)?);
    diff.modified.sort();
    diff.added.sort();
    diff.removed.sort();
    Ok(diff)
}

fn bin_set(manifest: &TarManifest, opts: &CompareOptions) -> BTreeSet<String> {
    let extra = opts
        .extra_bins
        .iter()
        .filter_map(|b| crate::bins::normalize_bin_target(b));
    manifest.bins().iter().cloned().chain(extra).collect()
}

fn size_fits(size: u64, expected: &ManifestEntry, is_bin: bool) -> bool {
    let fixed = expected.fixed_bin.filter(|_| is_bin);
    size == expected.size || fixed.is_some_and(|(fixed_size, _)| fixed_size == size)
}

/// Compares every job's file with the tarball's; returns the paths whose bytes match neither
/// the tarball's nor, for a bin, its fixed-up form.
fn compare_jobs(jobs: &[Job<'_>], manifest: &TarManifest) -> Result<Vec<String>, ContentError> {
    let verdicts: Vec<Option<String>> = jobs
        .par_iter()
        .map(|job| {
            let path = &job.disk.abs;
            let same = matches(job, manifest).map_err(|e| ContentError::io(path, e))?;
            Ok((!same).then(|| job.path.to_owned()))
        })
        .collect::<Result<_, ContentError>>()?;
    Ok(verdicts.into_iter().flatten().collect())
}

/// Whether the file holds the tarball's bytes (or a bin's fixed-up bytes).
fn matches(job: &Job<'_>, manifest: &TarManifest) -> std::io::Result<bool> {
    let path = &job.disk.abs;
    let fixed = job.expected.fixed_bin.filter(|_| job.is_bin);
    let digest = match &job.expected.content {
        EntryContent::Digest(digest) => Some(*digest),
        // Bytes kept: compared as they are; when they differ (or the range is not in the
        // manifest, which the reader never makes), only a bin's fixed-up form can still match.
        EntryContent::At(_) => match manifest.bytes(job.expected) {
            Some(expected) if file_equals(path, expected, job.disk.kind)? => return Ok(true),
            _ => None,
        },
    };
    if digest.is_none() && fixed.is_none() {
        return Ok(false);
    }
    let (_, actual) = hash_file(path)?;
    Ok(digest == Some(actual) || fixed.is_some_and(|(_, d)| d == actual))
}

/// Whether the file's bytes are exactly `expected`, read in bounded chunks (stops at the first
/// difference). `walked` is what the walk found at the path: a file of another size differs
/// without a read, and the read stops after `expected.len()` bytes instead of reading once
/// more to see the end (a file that grew since the walk has a newer change time, so no later
/// run reuses this comparison through the content index).
fn file_equals(path: &Path, expected: &[u8], walked: DiskKind) -> std::io::Result<bool> {
    if walked != DiskKind::File(expected.len() as u64) {
        return Ok(false);
    }
    let mut file = std::fs::File::open(path)?;
    with_chunk_buffer(|buf| {
        let mut rest = expected;
        while !rest.is_empty() {
            let want = rest.len().min(buf.len());
            let n = match std::io::Read::read(&mut file, &mut buf[..want]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            // Shorter than the walk found it, or different.
            if n == 0 || buf[..n] != rest[..n] {
                return Ok(false);
            }
            rest = &rest[n..];
        }
        Ok(true)
    })
}
