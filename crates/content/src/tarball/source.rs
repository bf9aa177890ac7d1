//! The decompressed side of a tarball: gzip when it starts with the gzip magic, plain tar
//! otherwise, with gzip failures recorded so they can be told apart from tar ones.

use flate2::read::MultiGzDecoder;
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// How many more decompressed bytes the tar layer may read. The reader sets it at each entry
/// to that entry's size plus an allowance for the headers after it: tar-rs holds long-name and
/// PAX entries in memory whole, and this is what bounds them.
#[derive(Clone)]
pub(super) struct Budget(Rc<Cell<u64>>);

impl Budget {
    pub(super) fn new(bytes: u64) -> Self {
        Self(Rc::new(Cell::new(bytes)))
    }

    pub(super) fn set(&self, bytes: u64) {
        self.0.set(bytes);
    }

    pub(super) fn is_spent(&self) -> bool {
        self.0.get() == 0
    }
}

/// The decompressed byte stream, remembering a gzip failure so it can be told from a tar one.
pub(super) struct Source<'a> {
    total: usize,
    gzip: Option<MultiGzDecoder<&'a [u8]>>,
    plain: &'a [u8],
    /// The rest of the whole stream, when it was inflated at once
    /// ([`inflate_whole`](super::inflate::inflate_whole)).
    inflated: Option<&'a [u8]>,
    failure: Option<(u64, io::ErrorKind, String)>,
    budget: Budget,
}

impl<'a> Source<'a> {
    /// node-tar sniffs the gzip magic and accepts plain tar too; so does this. `inflated`: the
    /// whole unpacked stream of `bytes`, when it was inflated at once.
    pub(super) fn new(bytes: &'a [u8], inflated: Option<&'a [u8]>, budget: Budget) -> Self {
        let gzip = (inflated.is_none() && bytes.starts_with(&[0x1f, 0x8b]))
            .then(|| MultiGzDecoder::new(bytes));
        Self {
            total: bytes.len(),
            gzip,
            plain: bytes,
            inflated,
            failure: None,
            budget,
        }
    }

    pub(super) fn gzip_failure(&self) -> Option<(u64, io::Error)> {
        let (offset, kind, msg) = self.failure.as_ref()?;
        Some((*offset, io::Error::new(*kind, msg.clone())))
    }
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.budget.0.get();
        if left == 0 && !buf.is_empty() {
            return Err(io::Error::other(
                "tar headers exceed the buffered size limit",
            ));
        }
        let len = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.read_decompressed(&mut buf[..len])?;
        self.budget.set(left - n as u64);
        Ok(n)
    }
}

impl Source<'_> {
    fn read_decompressed(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(inflated) = self.inflated.as_mut() {
            return inflated.read(buf);
        }
        let Some(gz) = self.gzip.as_mut() else {
            return self.plain.read(buf);
        };
        gz.read(buf).inspect_err(|e| {
            let offset = (self.total - gz.get_ref().len()) as u64;
            self.failure
                .get_or_insert((offset, e.kind(), e.to_string()));
        })
    }
}
