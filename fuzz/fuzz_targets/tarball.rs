//! Package tarballs (gzip or plain tar): `read_tarball` with the default limits, then
//! `read_tarball_with_limits` with tight ones so every limit path runs. A plain tar input is
//! also gzipped and read again: a tarball inflated whole (its files kept as ranges of the
//! unpacked bytes) must give exactly what streaming it (its files hashed) gives.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use sigverify_content::{read_tarball, read_tarball_with_limits, TarLimits, TarManifest};

const TIGHT: TarLimits = TarLimits {
    max_entries: 8,
    max_unpacked_bytes: 16 << 10,
    max_buffered_file: 1 << 10,
};

fuzz_target!(|data: &[u8]| {
    let streamed = read_tarball(data);
    if let Ok(manifest) = &streamed {
        let _ = (manifest.len(), manifest.bins(), manifest.skipped());
    }
    let _ = read_tarball_with_limits(data, &TIGHT);
    // Small enough to be inflated whole once gzipped.
    if !data.starts_with(&[0x1f, 0x8b]) && data.len() <= 1 << 20 {
        let whole = read_tarball(&gzip(data));
        match (&streamed, &whole) {
            (Ok(a), Ok(b)) => assert_same(a, b),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("streamed: {:?}, whole: {:?}", a.is_ok(), b.is_ok()),
        }
    }
});

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("writes to memory");
    encoder.finish().expect("writes to memory")
}

fn assert_same(streamed: &TarManifest, whole: &TarManifest) {
    let paths = |m: &TarManifest| m.files().keys().cloned().collect::<Vec<_>>();
    assert_eq!(paths(streamed), paths(whole));
    for (path, entry) in streamed.files() {
        let other = whole.get(path).expect("same paths");
        assert_eq!(entry.size, other.size, "{path}");
        assert_eq!(entry.fixed_bin, other.fixed_bin, "{path}");
        assert_eq!(streamed.digest(path), whole.digest(path), "{path}");
    }
    assert_eq!(streamed.skipped(), whole.skipped());
    assert_eq!(streamed.bins(), whole.bins());
    assert_eq!(streamed.package_json(), whole.package_json());
}
