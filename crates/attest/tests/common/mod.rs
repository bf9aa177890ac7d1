//! Shared test helpers: the corpus inside the project, registry keys, trust material.
#![allow(dead_code)]

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha512};
use sigverify_attest::{
    verify_attestations, AttestationResult, RegistryKey, Subject, TrustMaterial,
};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The recorded test vectors copied into the project.
pub const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../__test__/fixtures/corpus"
);

pub fn corpus_path(rel: &str) -> PathBuf {
    PathBuf::from(CORPUS).join(rel)
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(corpus_path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

pub fn read_json(rel: &str) -> Value {
    serde_json::from_slice(&read(rel)).unwrap_or_else(|e| panic!("parse {rel}: {e}"))
}

/// Parse a `/-/npm/v1/keys` document (what the lead's core crate does for real).
pub fn registry_keys(rel: &str) -> Vec<RegistryKey> {
    let doc = read_json(rel);
    doc["keys"]
        .as_array()
        .expect("keys array")
        .iter()
        .map(|k| RegistryKey {
            keyid: k["keyid"].as_str().unwrap().to_string(),
            spki_der: base64::engine::general_purpose::STANDARD
                .decode(k["key"].as_str().unwrap())
                .unwrap(),
            expires: k["expires"]
                .as_str()
                .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        })
        .collect()
}

pub const KEYS_2025: &str = "registry-keys/npm-keys-2025.json";

/// Public-good trust with the 2025 key set, built once per test binary.
pub fn trust() -> &'static TrustMaterial {
    static TRUST: OnceLock<TrustMaterial> = OnceLock::new();
    TRUST.get_or_init(|| TrustMaterial::public_good(registry_keys(KEYS_2025)).unwrap())
}

pub fn sha512(bytes: &[u8]) -> [u8; 64] {
    Sha512::digest(bytes).into()
}

pub fn integrity_of(digest: &[u8; 64]) -> String {
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// gundam-visor@1.0.1: bundle v0.2, #0 publish (registry key), #1 provenance SLSA v1.
pub const GUNDAM: &str = "attestations/slsa-verifier/cli-npm-gha/gundam-visor-cli-v1-tag.tgz.json";
/// The real gundam-visor@1.0.1 tarball.
pub const GUNDAM_TGZ: &str = "attestations/slsa-verifier/cli-npm-gha/gundam-visor-cli-v1-tag.tgz";
/// Index of the publish bundle in the gundam-visor document.
pub const PUBLISH: usize = 0;
/// Index of the provenance bundle in the gundam-visor document.
pub const PROVENANCE: usize = 1;

pub fn gundam_integrity() -> String {
    integrity_of(&sha512(&read(GUNDAM_TGZ)))
}

pub fn verify_doc(
    doc: &Value,
    subject: &Subject<'_>,
    trust: &TrustMaterial,
) -> Vec<AttestationResult> {
    verify_attestations(&serde_json::to_vec(doc).unwrap(), subject, trust).unwrap()
}

pub fn gundam_subject(integrity: &str) -> Subject<'_> {
    Subject {
        name: "gundam-visor",
        version: "1.0.1",
        integrity,
        tarball_sha512: None,
    }
}
