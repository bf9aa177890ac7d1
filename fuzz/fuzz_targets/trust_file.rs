//! The trust file of internal keys (`TrustFile::from_json`): JSON, then every key's PEM
//! (public key or certificate), fingerprint and validity window.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_cosign::TrustFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(file) = TrustFile::from_json(text, "fuzz-trust.json") {
        let _ = file.to_data();
        let _ = file.find_by_prefix("00000000");
        for key in &file.keys {
            let _ = key.key.certificate_window();
        }
    }
});
