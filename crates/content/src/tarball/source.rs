//! The decompressed side of a tarball: gzip when it starts with the gzip magic, plain tar
//! otherwise, with gzip failures recorded so they can be told apart from tar ones.

use flate2::read::MultiGzDecoder;
use std::io::{self, Read};

/// The decompressed byte stream, remembering a gzip failure so it can be told from a tar one.
pub(super) struct Source<'a> {
    total: usize,
    gzip: Option<MultiGzDecoder<&'a [u8]>>,
    plain: &'a [u8],
    failure: Option<(u64, io::ErrorKind, String)>,
}

impl<'a> Source<'a> {
    /// node-tar sniffs the gzip magic and accepts plain tar too; so does this.
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        let gzip = bytes
            .starts_with(&[0x1f, 0x8b])
            .then(|| MultiGzDecoder::new(bytes));
        Self {
            total: bytes.len(),
            gzip,
            plain: bytes,
            failure: None,
        }
    }

    pub(super) fn gzip_failure(&self) -> Option<(u64, io::Error)> {
        let (offset, kind, msg) = self.failure.as_ref()?;
        Some((*offset, io::Error::new(*kind, msg.clone())))
    }
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
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
