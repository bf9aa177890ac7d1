//! Registry key documents: `/-/npm/v1/keys` and the TUF-distributed form, both usages.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_core::source::keys::KeySet;

fuzz_target!(|data: &[u8]| {
    let sets = [
        KeySet::from_keys_document(data),
        KeySet::from_tuf_document(data, "npm:signatures"),
        KeySet::from_tuf_document(data, "npm:attestations"),
    ];
    for set in sets.into_iter().flatten() {
        let _ = set.digest();
        for key in &set.keys {
            let _ = key.fingerprint();
        }
    }
});
