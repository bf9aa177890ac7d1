//! Package tarballs (gzip or plain tar): `read_tarball` with the default limits, then
//! `read_tarball_with_limits` with tight ones so every limit path runs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_content::{read_tarball, read_tarball_with_limits, TarLimits};

const TIGHT: TarLimits = TarLimits {
    max_entries: 8,
    max_unpacked_bytes: 16 << 10,
    max_buffered_file: 1 << 10,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(manifest) = read_tarball(data) {
        let _ = (manifest.len(), manifest.bins(), manifest.skipped());
    }
    let _ = read_tarball_with_limits(data, &TIGHT);
});
