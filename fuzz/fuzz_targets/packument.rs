//! Registry documents: a packument (full or abbreviated, read whole or only for the kept
//! versions) and a single version document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_core::source::packument::{
    parse_packument, parse_packument_keeping, parse_version_document,
};
use std::collections::BTreeSet;

fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = parse_packument(data) {
        let keep: BTreeSet<String> = facts.versions.keys().take(2).cloned().collect();
        let _ = facts.compacted(&keep);
        let _ = facts.release_history();
    }
    // What a cold run reads: the kept versions in full, the others as the cache keeps them;
    // exactly what a cache entry keeps of the whole document.
    let lazy = parse_packument_keeping(data, |all| all.take(2).map(String::from).collect());
    if let (Ok(full), Ok((lazy, kept))) = (parse_packument(data), lazy) {
        assert_eq!(lazy, full.compacted(&kept));
    }
    let _ = parse_version_document(data);
});
