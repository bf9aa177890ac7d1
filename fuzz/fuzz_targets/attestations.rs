//! npm attestation documents (`/-/npm/v1/attestations/<name>@<version>`) through
//! `verify_attestations`, with the embedded public-good root and npm's attestation keys.
//! Garbage must come back as a `DocumentError` or as per-bundle verdicts, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigverify_attest::{verify_attestations, RegistryKey, Subject, TrustMaterial};
use sigverify_core::source::keys::KeySet;
use std::sync::LazyLock;

static TRUST: LazyLock<TrustMaterial> = LazyLock::new(|| {
    let keys = KeySet::embedded_npm_attestations()
        .keys
        .into_iter()
        .map(|k| RegistryKey {
            keyid: k.keyid,
            spki_der: k.spki_der,
            expires: k.expires,
        })
        .collect();
    TrustMaterial::public_good(keys).expect("embedded trust material")
});

/// The package of the `sigstore@1.0.0` seed, so mutated real documents pass the subject checks.
const SUBJECT: Subject<'static> = Subject {
    name: "sigstore",
    version: "1.0.0",
    integrity: "sha512-e+qfbn/zf1+rCza/BhIA//Awmf0v1pa5HQS8Xk8iXrn9bgytytVLqYD0P7NSqZ6IELTgq+tcDvLPkQjNHyWLNg==",
    tarball_sha512: None,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(results) = verify_attestations(data, &SUBJECT, &TRUST) {
        for result in &results {
            let _ = result.is_verified();
        }
    }
});
