//! Hostile tarballs: each must end in a manifest or a typed error, never in a crash, a hang
//! or memory out of proportion to the limits.

use sigverify_content::{read_tarball, read_tarball_with_limits, TarError, TarLimits};

/// A GNU long-name entry (`L`) of `name_len` bytes before a one-byte file.
fn long_name_tar(name_len: usize) -> Vec<u8> {
    let name = format!("package/{}", "a".repeat(name_len - 8));
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(1);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    builder
        .append_data(&mut header, &name, &b"x"[..])
        .expect("tar::Builder writes a GNU long name");
    builder.into_inner().expect("finish tar")
}

/// tar-rs reads a long-name or PAX entry into memory whole before yielding the entry it names:
/// a gzip bomb of one such entry held gigabytes. Its size now counts against
/// `max_buffered_file`, the limit on what is held in memory at once.
#[test]
fn oversized_long_name_is_a_limit_error_not_a_buffer() {
    let limits = TarLimits {
        max_buffered_file: 4096,
        ..TarLimits::default()
    };
    let err = read_tarball_with_limits(&long_name_tar(64 << 10), &limits).unwrap_err();
    assert!(matches!(err, TarError::Limit { .. }), "{err:?}");
    assert_eq!(err.code(), "ETARLIMIT");
    // A long name within the limit is still read, as npm reads it.
    let manifest = read_tarball_with_limits(&long_name_tar(300), &limits).unwrap();
    assert_eq!(manifest.len(), 1);
    assert_eq!(read_tarball(&long_name_tar(300)).unwrap().len(), 1);
    // File bodies are streamed, not buffered: a body larger than the limit is fine.
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(1 << 20);
    header.set_mode(0o644);
    let body = vec![b'x'; 1 << 20];
    builder
        .append_data(&mut header, "package/big", &body[..])
        .unwrap();
    let tar = builder.into_inner().unwrap();
    let manifest = read_tarball_with_limits(&tar, &limits).unwrap();
    assert_eq!(manifest.get("big").map(|e| e.size), Some(1 << 20));
}
