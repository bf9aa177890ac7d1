//! A package tarball read into a manifest of the files npm extracts from it.
//!
//! Only regular files are extracted (`File`, `OldFile`, `ContiguousFile`): pacote's filter
//! drops hard and symbolic links (`/Link$/`), directories (created as parents only) and every
//! other type. Paths follow [`path`](self::path)'s rules; a later entry for the same path
//! replaces an earlier one, as node-tar overwrites it.
//!
//! Where this reader and npm could disagree on a hostile archive, the disagreement can only
//! show up as a reported difference, never hide one: the manifest describes the signed tarball,
//! and the folder on disk is compared with it. Ambiguous forms that npm and the `tar` crate
//! would read differently are refused ([`TarError::Ambiguous`]).

mod inflate;
mod path;
mod reader;
mod source;

pub use path::PathSkip;
pub use reader::{read_tarball, read_tarball_with_limits};

use crate::digest::FileDigest;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

/// One regular file npm extracts from the tarball.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Size in bytes.
    pub size: u64,
    /// Where its bytes are, or their digest.
    pub content: EntryContent,
    /// Size and digest after npm's bin fix-up (CRLF shebang line → LF), when it would apply.
    /// Only accepted for files that are package bins (see [`TarManifest::bins`]).
    pub fixed_bin: Option<(u64, FileDigest)>,
}

/// What a file's bytes must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryContent {
    /// These bytes of the unpacked tarball the manifest holds ([`TarManifest::bytes`]): a
    /// tarball inflated whole is kept with its manifest, and installed files are compared with
    /// it byte for byte (hashing both sides cost more than the comparison).
    At(Range<usize>),
    /// The BLAKE3 digest of the bytes (a tarball streamed because it is large or unusual).
    Digest(FileDigest),
}

/// An entry npm does not extract, kept so a caller can see what was left out and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// The raw path as written in the tarball (lossily decoded as UTF-8, as node-tar does).
    pub raw_path: String,
    /// Why npm does not extract it.
    pub reason: SkipReason,
}

/// Why an entry is not extracted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// A hard link (type `1`): pacote's filter drops it.
    HardLink,
    /// A symbolic link (type `2`): pacote's filter drops it.
    SymbolicLink,
    /// Another non-file type (device, FIFO, sparse, vendor types) with this type flag byte.
    NotAFile(u8),
    /// A `.gitignore` dropped because a `.npmignore` with the same raw path came first.
    ShadowedGitignore,
    /// The path is refused or empty (see [`PathSkip`]).
    Path(PathSkip),
}

/// Limits on what reading a tarball may cost; exceeding one is a [`TarError::Limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TarLimits {
    /// Maximum number of tar entries of any type.
    pub max_entries: usize,
    /// Maximum total of uncompressed entry sizes.
    pub max_unpacked_bytes: u64,
    /// Largest file held in memory whole, to compute its bin fix-up or parse `package.json`.
    pub max_buffered_file: u64,
}

impl Default for TarLimits {
    /// 1,000,000 entries, 8 GiB unpacked, 64 MiB buffered: far above real npm packages.
    fn default() -> Self {
        Self {
            max_entries: 1_000_000,
            max_unpacked_bytes: 8 << 30,
            max_buffered_file: 64 << 20,
        }
    }
}

/// Why a tarball could not be read. Every hostile input ends here, never in a panic.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// The gzip layer is corrupt or truncated.
    #[error("corrupt gzip stream after {offset} compressed bytes: {source}")]
    Gzip {
        /// Compressed bytes consumed before the failure.
        offset: u64,
        /// The decoder's error.
        source: std::io::Error,
    },
    /// The tar layer is corrupt or truncated (bad checksum, short entry, bad header).
    #[error("corrupt tar archive at entry {entry}: {source}")]
    Tar {
        /// Zero-based index of the entry being read.
        entry: usize,
        /// The tar reader's error.
        source: std::io::Error,
    },
    /// An entry form npm and this reader would interpret differently.
    #[error("ambiguous tar entry {path:?}: {reason}")]
    Ambiguous {
        /// The raw entry path.
        path: String,
        /// What is ambiguous.
        reason: &'static str,
    },
    /// A file and a folder would have the same path (`a` and `a/b`).
    #[error("tarball has both a file and a folder at {path:?}")]
    PathConflict {
        /// The conflicting path.
        path: String,
    },
    /// A limit of [`TarLimits`] was exceeded.
    #[error("tarball exceeds the {what} limit of {limit}")]
    Limit {
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: u64,
    },
}

impl TarError {
    /// Stable code of the failure.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Gzip { .. } => "ETARGZIP",
            Self::Tar { .. } => "ETARFORMAT",
            Self::Ambiguous { .. } | Self::PathConflict { .. } => "ETARAMBIGUOUS",
            Self::Limit { .. } => "ETARLIMIT",
        }
    }

    /// What a user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Gzip { .. } | Self::Tar { .. } => {
                "check the tarball's integrity first; a tarball that passes integrity but does not unpack is a broken publish"
            }
            Self::Ambiguous { .. } | Self::PathConflict { .. } => {
                "the published tarball is built so that tools may unpack it differently; inspect it by hand"
            }
            Self::Limit { .. } => "raise TarLimits if this package is really this large",
        }
    }
}

/// The files npm extracts from one tarball, by `/`-separated path relative to the package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TarManifest {
    pub(crate) files: BTreeMap<String, ManifestEntry>,
    pub(crate) skipped: Vec<SkippedEntry>,
    pub(crate) bins: BTreeSet<String>,
    pub(crate) package_json: Option<Vec<u8>>,
    /// The unpacked tarball, when it was inflated whole ([`EntryContent::At`] ranges into it).
    pub(crate) unpacked: Arc<Vec<u8>>,
}

impl TarManifest {
    /// The bytes of an [`EntryContent::At`] file; `None` for a digest-only entry.
    pub fn bytes(&self, entry: &ManifestEntry) -> Option<&[u8]> {
        match &entry.content {
            EntryContent::At(range) => self.unpacked.get(range.clone()),
            EntryContent::Digest(_) => None,
        }
    }

    /// The BLAKE3 digest of the file at `path`, whichever way its content is kept.
    pub fn digest(&self, path: &str) -> Option<FileDigest> {
        let entry = self.files.get(path)?;
        match &entry.content {
            EntryContent::Digest(digest) => Some(*digest),
            EntryContent::At(_) => self.bytes(entry).map(FileDigest::of),
        }
    }

    /// All extracted files, sorted by path.
    pub fn files(&self) -> &BTreeMap<String, ManifestEntry> {
        &self.files
    }

    /// One file by its path relative to the package folder.
    pub fn get(&self, path: &str) -> Option<&ManifestEntry> {
        self.files.get(path)
    }

    /// Entries npm does not extract, in tarball order.
    pub fn skipped(&self) -> &[SkippedEntry] {
        &self.skipped
    }

    /// Package bin targets from the tarball's `package.json`, normalised as npm does.
    pub fn bins(&self) -> &BTreeSet<String> {
        &self.bins
    }

    /// The bytes of the tarball's `package.json` (the signed manifest), when it has one.
    pub fn package_json(&self) -> Option<&[u8]> {
        self.package_json.as_deref()
    }

    /// The files under `prefix/` (a bundled dependency inside this tarball, such as
    /// `node_modules/x`), re-rooted at that folder. Bins and `package.json` are those of the
    /// enclosing package only, so the subtree has none.
    pub fn subtree(&self, prefix: &str) -> TarManifest {
        let prefix = format!("{}/", prefix.trim_end_matches('/'));
        let files = self
            .files
            .iter()
            .filter_map(|(path, entry)| {
                Some((path.strip_prefix(&prefix)?.to_string(), entry.clone()))
            })
            .collect();
        TarManifest {
            files,
            unpacked: self.unpacked.clone(),
            ..TarManifest::default()
        }
    }

    /// Number of extracted files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when nothing would be extracted.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
