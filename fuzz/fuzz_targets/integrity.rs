//! SRI strings (`Integrity::parse`, `check`, `check_integrity`). The input is
//! `<sri string> NUL <bytes>`: the string is parsed, then the bytes are checked against it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_content::{check_integrity, Integrity};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (sri, bytes) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let Ok(sri) = std::str::from_utf8(sri) else {
        return;
    };
    if let Ok(integrity) = Integrity::parse(sri) {
        let _ = integrity.strongest();
        for hash in integrity.strongest_hashes() {
            let _ = hash.hex_digest();
        }
        let _ = integrity.check(bytes);
    }
    let _ = check_integrity(bytes, sri);
});
