//! Reading the gzip + tar layers entry by entry. A tarball inflated whole keeps its unpacked
//! bytes, and each file is the range of them its body occupies; a streamed one has its file
//! bodies hashed as they go by.

use super::inflate::inflate_whole;
use super::path::{place, Placement};
use super::source::{Budget, Source};
use super::{
    EntryContent, ManifestEntry, SkipReason, SkippedEntry, TarError, TarLimits, TarManifest,
};
use crate::digest::{with_chunk_buffer, FileDigest, FileHasher};
use crate::shebang::{fix_bin_bytes, is_windows_hashbang};
use std::collections::HashSet;
use std::io::{self, Read};

/// Reads a package tarball (gzip-compressed or plain tar) with the default [`TarLimits`].
pub fn read_tarball(bytes: &[u8]) -> Result<TarManifest, TarError> {
    read_tarball_with_limits(bytes, &TarLimits::default())
}

/// Reads a package tarball into the manifest of files npm would extract from it.
pub fn read_tarball_with_limits(bytes: &[u8], limits: &TarLimits) -> Result<TarManifest, TarError> {
    let budget = Budget::new(header_allowance(limits));
    let inflated = inflate_whole(bytes);
    let source = Source::new(bytes, inflated.as_deref(), budget.clone());
    let mut archive = tar::Archive::new(source);
    let mut builder = Builder::new(*limits, budget.clone(), inflated.as_deref());
    let mut result = builder.read_all(&mut archive);
    if result.is_err() && budget.is_spent() {
        result = Err(TarError::Limit {
            what: "buffered header size",
            limit: limits.max_buffered_file,
        });
    }
    budget.set(u64::MAX);
    let mut source = archive.into_inner();
    // Finish the gzip stream: the tar end marker can come before a corrupt or truncated tail
    // (bad CRC), which npm's zlib would reject; and when the tar layer failed, a corrupt gzip
    // underneath (caught only at its CRC) is the real cause to report.
    // Bounded, so a gzip bomb behind a broken tar costs no more than the unpacked limit.
    let drained = io::copy(
        &mut (&mut source).take(limits.max_unpacked_bytes),
        &mut io::sink(),
    );
    if let (Ok(()), Err(e)) = (&result, drained) {
        let entry = builder.count;
        result = Err(TarError::Tar { entry, source: e });
    }
    match (result, source.gzip_failure()) {
        (Err(_), Some((offset, source))) => Err(TarError::Gzip { offset, source }),
        (Err(e), None) => Err(e),
        (Ok(()), _) => {
            let manifest = builder.finish()?;
            Ok(TarManifest {
                unpacked: std::sync::Arc::new(inflated.unwrap_or_default()),
                ..manifest
            })
        }
    }
}

/// What tar-rs may read after an entry's body: padding, the next header blocks (or the end
/// marker) and up to `max_buffered_file` bytes of long-name, PAX or sparse headers.
fn header_allowance(limits: &TarLimits) -> u64 {
    limits.max_buffered_file.saturating_add(4 * 512)
}

/// Accumulates the manifest while entries stream by.
struct Builder<'a> {
    limits: TarLimits,
    /// The whole unpacked stream, when it was inflated at once.
    whole: Option<&'a [u8]>,
    budget: Budget,
    manifest: TarManifest,
    count: usize,
    unpacked: u64,
    /// Raw paths of `.npmignore` files seen so far (pacote's `sawIgnores`).
    saw_npmignore: HashSet<String>,
    package_json: Option<Vec<u8>>,
}

impl<'a> Builder<'a> {
    fn new(limits: TarLimits, budget: Budget, whole: Option<&'a [u8]>) -> Self {
        Self {
            limits,
            whole,
            budget,
            manifest: TarManifest::default(),
            count: 0,
            unpacked: 0,
            saw_npmignore: HashSet::new(),
            package_json: None,
        }
    }

    fn read_all<R: Read>(&mut self, archive: &mut tar::Archive<R>) -> Result<(), TarError> {
        let tar_err = |entry, source| TarError::Tar { entry, source };
        let entries = archive.entries().map_err(|e| tar_err(0, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| tar_err(self.count, e))?;
            self.add(entry)?;
        }
        Ok(())
    }

    fn add<R: Read>(&mut self, mut entry: tar::Entry<'_, R>) -> Result<(), TarError> {
        self.count += 1;
        let allowance = header_allowance(&self.limits);
        self.budget.set(entry.size().saturating_add(allowance));
        self.check_limits(entry.size())?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let flag = entry.header().entry_type().as_byte();
        let skip = match flag {
            b'0' | b'\0' | b'7' => return self.add_file(raw, &mut entry),
            // Directories only matter as parents; PAX global headers carry no file.
            b'5' | b'D' | b'g' => return Ok(()),
            // node-tar reads an old GNU `N` entry as the path of the next one; tar-rs does not.
            b'N' => return Err(ambiguous(raw, "old GNU long-path entry")),
            b'1' => SkipReason::HardLink,
            b'2' => SkipReason::SymbolicLink,
            other => SkipReason::NotAFile(other),
        };
        self.manifest.skipped.push(SkippedEntry {
            raw_path: raw,
            reason: skip,
        });
        Ok(())
    }

    fn check_limits(&mut self, size: u64) -> Result<(), TarError> {
        self.unpacked = self.unpacked.saturating_add(size);
        if self.count > self.limits.max_entries {
            let limit = self.limits.max_entries as u64;
            return Err(TarError::Limit {
                what: "entry count",
                limit,
            });
        }
        if self.unpacked > self.limits.max_unpacked_bytes {
            let limit = self.limits.max_unpacked_bytes;
            return Err(TarError::Limit {
                what: "unpacked size",
                limit,
            });
        }
        Ok(())
    }

    fn add_file<R: Read>(
        &mut self,
        raw: String,
        entry: &mut tar::Entry<'_, R>,
    ) -> Result<(), TarError> {
        check_unambiguous_file(&raw, entry)?;
        if raw.ends_with('/') {
            return Ok(()); // node-tar: a type-0 entry named `x/` is an old-style directory.
        }
        let Some(renamed) = self.rename_gitignore(raw.clone()) else {
            let reason = SkipReason::ShadowedGitignore;
            self.manifest.skipped.push(SkippedEntry {
                raw_path: raw,
                reason,
            });
            return Ok(());
        };
        let path = match place(&renamed) {
            Placement::At(path) => path,
            Placement::Skipped(why) => {
                let reason = SkipReason::Path(why);
                self.manifest.skipped.push(SkippedEntry {
                    raw_path: raw,
                    reason,
                });
                return Ok(());
            }
            Placement::Unsupported => return Err(ambiguous(raw, "UNC or device path root")),
        };
        let keep = path == "package.json";
        let index = self.count - 1;
        let body = match self.whole {
            Some(whole) => self.locate_body(whole, entry, keep),
            None => self.hash_body(entry, keep),
        };
        let (file, bytes) = body.map_err(|source| TarError::Tar {
            entry: index,
            source,
        })?;
        if file.size != entry.size() {
            let msg = format!(
                "entry body is {} bytes, header says {}",
                file.size,
                entry.size()
            );
            let source = io::Error::new(io::ErrorKind::UnexpectedEof, msg);
            return Err(TarError::Tar {
                entry: index,
                source,
            });
        }
        if keep {
            self.package_json = bytes;
        }
        // Last entry wins, as node-tar overwrites an earlier file at the same path.
        self.manifest.files.insert(path, file);
        Ok(())
    }

    /// pacote's filter: `.gitignore` becomes `.npmignore`, or is dropped when a `.npmignore`
    /// with that raw path came first. `None` means dropped.
    fn rename_gitignore(&mut self, raw: String) -> Option<String> {
        let base = raw.rsplit('/').next().unwrap_or_default();
        if base == ".npmignore" {
            self.saw_npmignore.insert(raw.clone());
            return Some(raw);
        }
        if base != ".gitignore" {
            return Some(raw);
        }
        let renamed = format!("{}.npmignore", &raw[..raw.len() - ".gitignore".len()]);
        (!self.saw_npmignore.contains(&renamed)).then_some(renamed)
    }

    /// Where an entry's body lies in the unpacked stream; with its bytes when asked, and its
    /// bin fix-up when one could apply. tar-rs then skips the body (reading it past).
    fn locate_body<R: Read>(
        &self,
        unpacked: &[u8],
        entry: &tar::Entry<'_, R>,
        keep: bool,
    ) -> io::Result<(ManifestEntry, Option<Vec<u8>>)> {
        let size = entry.size();
        let start = usize::try_from(entry.raw_file_position()).unwrap_or(usize::MAX);
        let body = usize::try_from(size)
            .ok()
            .and_then(|len| Some(start..start.checked_add(len)?))
            .filter(|range| range.end <= unpacked.len());
        let Some(range) = body else {
            let msg = format!("entry body of {size} bytes runs past the end of the archive");
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, msg));
        };
        let bytes = &unpacked[range.clone()];
        let small = size <= self.limits.max_buffered_file;
        let head = &bytes[..bytes.len().min(2048)];
        let fixed = (small && is_windows_hashbang(head))
            .then(|| fix_bin_bytes(bytes))
            .flatten()
            .map(|f| (f.len() as u64, FileDigest::of(&f)));
        let file = ManifestEntry {
            size,
            content: EntryContent::At(range),
            fixed_bin: fixed,
        };
        Ok((file, (small && keep).then(|| bytes.to_vec())))
    }

    /// Hashes an entry body; keeps the bytes when asked or when a bin fix-up could apply.
    fn hash_body<R: Read>(
        &self,
        entry: &mut tar::Entry<'_, R>,
        keep: bool,
    ) -> io::Result<(ManifestEntry, Option<Vec<u8>>)> {
        let size = entry.size();
        let mut head = Vec::with_capacity(2048);
        entry.by_ref().take(2048).read_to_end(&mut head)?;
        let small = size <= self.limits.max_buffered_file;
        if small && (keep || is_windows_hashbang(&head)) {
            let mut all = head;
            entry.read_to_end(&mut all)?;
            let digest = FileDigest::of(&all);
            let fixed = fix_bin_bytes(&all).map(|f| (f.len() as u64, FileDigest::of(&f)));
            let file = ManifestEntry {
                size: all.len() as u64,
                content: EntryContent::Digest(digest),
                fixed_bin: fixed,
            };
            return Ok((file, Some(all)));
        }
        let (size, digest) = stream_rest(&head, entry)?;
        Ok((
            ManifestEntry {
                size,
                content: EntryContent::Digest(digest),
                fixed_bin: None,
            },
            None,
        ))
    }

    fn finish(mut self) -> Result<TarManifest, TarError> {
        check_conflicts(&self.manifest)?;
        if let Some(json) = self.package_json.take() {
            self.manifest.bins =
                crate::bins::bin_targets(&json, self.manifest.files.keys().map(String::as_str));
            self.manifest.package_json = Some(json);
        }
        Ok(self.manifest)
    }
}

/// Hashes `head` followed by the rest of `reader`, in fixed-size chunks.
fn stream_rest<R: Read>(head: &[u8], reader: &mut R) -> io::Result<(u64, FileDigest)> {
    let mut hasher = FileHasher::new();
    hasher.update(head);
    let mut total = head.len() as u64;
    with_chunk_buffer(|buf| loop {
        let n = reader.read(buf)?;
        if n == 0 {
            return Ok((total, hasher.finalize()));
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    })
}

/// Refuses file entries that node-tar and tar-rs would read differently.
fn check_unambiguous_file<R: Read>(raw: &str, entry: &tar::Entry<'_, R>) -> Result<(), TarError> {
    if raw.ends_with('/') && entry.size() > 0 {
        // node-tar forces such an entry's size to 0 and parses its body as headers.
        return Err(ambiguous(
            raw.to_owned(),
            "old-style directory entry with a body",
        ));
    }
    let link = entry.header().link_name_bytes();
    if link.is_some_and(|l| !l.is_empty()) {
        // node-tar drops a file entry that names a link target ("linkpath forbidden").
        return Err(ambiguous(raw.to_owned(), "file entry with a link target"));
    }
    Ok(())
}

/// A file `a` and a file under `a/` cannot both exist on disk.
fn check_conflicts(manifest: &TarManifest) -> Result<(), TarError> {
    for path in manifest.files.keys() {
        let prefix = format!("{path}/");
        let next = manifest.files.range(prefix.clone()..).next();
        if next.is_some_and(|(other, _)| other.starts_with(&prefix)) {
            return Err(TarError::PathConflict { path: path.clone() });
        }
    }
    Ok(())
}

fn ambiguous(path: String, reason: &'static str) -> TarError {
    TarError::Ambiguous { path, reason }
}
