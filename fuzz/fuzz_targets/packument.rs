//! Registry documents: a packument (full or abbreviated) and a single version document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_core::source::packument::{parse_packument, parse_version_document};
use std::collections::BTreeSet;

fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = parse_packument(data) {
        let keep: BTreeSet<String> = facts.versions.keys().take(2).cloned().collect();
        let _ = facts.compacted(&keep);
        let _ = facts.release_history();
    }
    let _ = parse_version_document(data);
});
