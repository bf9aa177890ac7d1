//! Inflating a whole gzip member at once with libdeflate: about twice zlib-rs's speed on the
//! tarballs of a real tree (648 tarballs, 106 MB unpacked: 140 -> 75 ms), which a cold run
//! inflates every one of. It needs the unpacked size up front (the gzip trailer's) and room for
//! all of it, so only tarballs up to [`WHOLE_MAX`] unpacked take this path; anything else
//! (bigger, several members, trailing bytes, any error) streams through flate2, which then
//! decides, and reports, exactly as before.

use std::cell::RefCell;
use std::ptr::NonNull;

use libdeflate_sys::{
    libdeflate_alloc_decompressor, libdeflate_decompressor, libdeflate_free_decompressor,
    libdeflate_gzip_decompress_ex, libdeflate_result_LIBDEFLATE_SUCCESS,
};

/// Tarballs up to this size unpacked are inflated at once (79% of a real tree's bytes, all its
/// tarballs but one: its largest, 23 MB unpacked, streams). Bounds the memory one tarball
/// takes. 4 MiB kept 64% of the bytes and was ~20 ms slower on a cold run with the same peak;
/// 32 MiB was no faster (the largest tarball became the run's tail) and took ~15 MB more.
pub(super) const WHOLE_MAX: usize = 8 << 20;

/// The unpacked bytes of `gz` when it is exactly one valid gzip member (CRC and size checked,
/// nothing after it) of at most [`WHOLE_MAX`] bytes; `None` otherwise.
pub(super) fn inflate_whole(gz: &[u8]) -> Option<Vec<u8>> {
    const HEADER_AND_TRAILER: usize = 18;
    if gz.len() < HEADER_AND_TRAILER || !gz.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    // The trailer's ISIZE: the size modulo 2^32, checked again by the decompressor.
    let size = u32::from_le_bytes(gz[gz.len() - 4..].try_into().ok()?) as usize;
    if size > WHOLE_MAX {
        return None;
    }
    // Not zeroed first: a zeroed request (calloc) is served from fresh pages, a page fault per
    // 4 KiB written (about a third of a cold run's faults), where plain capacity reuses freed
    // memory.
    let mut out = Vec::with_capacity(size);
    let (used_in, used_out) =
        DECOMPRESSOR.with(|d| d.borrow_mut().as_mut()?.inflate(gz, &mut out))?;
    // One member that ends the input, of exactly the announced size.
    (used_in == gz.len() && used_out == size).then_some(out)
}

thread_local! {
    /// One decompressor per thread (it holds ~10 KB of tables), made on first use.
    static DECOMPRESSOR: RefCell<Option<Decompressor>> = RefCell::new(Decompressor::new());
}

/// An owned libdeflate decompressor.
struct Decompressor(NonNull<libdeflate_decompressor>);

impl Decompressor {
    fn new() -> Option<Decompressor> {
        // SAFETY: no preconditions; a null result (out of memory) is handled.
        NonNull::new(unsafe { libdeflate_alloc_decompressor() }).map(Decompressor)
    }

    /// Inflates the gzip member at the start of `gz` into the spare capacity of the empty
    /// `out` (no zeroing first); (input bytes used, output bytes written) on success, with
    /// `out` holding exactly the written bytes.
    fn inflate(&mut self, gz: &[u8], out: &mut Vec<u8>) -> Option<(usize, usize)> {
        out.clear();
        let room = out.spare_capacity_mut();
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: the input is a live slice; the output is `room`, the vector's allocated and
        // unused capacity, which libdeflate fills front to back, never past its length, and
        // reads only where it has already written (back-references); the decompressor is this
        // value's own and not shared (`&mut self`), and the two counters are live locals.
        let result = unsafe {
            libdeflate_gzip_decompress_ex(
                self.0.as_ptr(),
                gz.as_ptr().cast(),
                gz.len(),
                room.as_mut_ptr().cast(),
                room.len(),
                &mut used_in,
                &mut used_out,
            )
        };
        if result != libdeflate_result_LIBDEFLATE_SUCCESS || used_out > room.len() {
            return None;
        }
        // SAFETY: on success libdeflate initialized the first `used_out` bytes of the capacity
        // (checked to be within it just above).
        unsafe { out.set_len(used_out) };
        Some((used_in, used_out))
    }
}

impl Drop for Decompressor {
    fn drop(&mut self) {
        // SAFETY: allocated by libdeflate_alloc_decompressor, freed once.
        unsafe { libdeflate_free_decompressor(self.0.as_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn one_member_is_inflated_whole() {
        let data = b"hello tarball ".repeat(1000);
        assert_eq!(inflate_whole(&gzip(&data)), Some(data.clone()));
        assert_eq!(inflate_whole(&gzip(b"")), Some(Vec::new()));
    }

    #[test]
    fn anything_unusual_is_left_to_the_streaming_reader() {
        let data = b"hello tarball ".repeat(1000);
        let gz = gzip(&data);
        let mut two = gz.clone();
        two.extend_from_slice(&gzip(b"more"));
        assert_eq!(inflate_whole(&two), None, "two members");
        let mut trailing = gz.clone();
        trailing.extend_from_slice(&gz[gz.len() - 8..]);
        assert_eq!(inflate_whole(&trailing), None, "bytes after the member");
        let mut bad_crc = gz.clone();
        let at = bad_crc.len() - 8;
        bad_crc[at] ^= 1;
        assert_eq!(inflate_whole(&bad_crc), None, "a wrong CRC");
        let mut wrong_size = gz.clone();
        let at = wrong_size.len() - 4;
        wrong_size[at] ^= 1;
        assert_eq!(
            inflate_whole(&wrong_size),
            None,
            "a wrong size in the trailer"
        );
        assert_eq!(inflate_whole(&gz[..gz.len() - 1]), None, "truncated");
        let big = vec![7u8; WHOLE_MAX + 1];
        assert_eq!(inflate_whole(&gzip(&big)), None, "over the size kept whole");
        assert_eq!(inflate_whole(&data), None, "not gzip");
    }
}
