//! npm registry signing keys: parsing `/-/npm/v1/keys` and the TUF form, and key fingerprints.
//!
//! npm's keyid is the OpenSSH SHA256 fingerprint of the key: `SHA256:` + unpadded base64 of
//! sha256 over the SSH wire blob `string "ecdsa-sha2-nistp256" || string "nistp256" || string Q`.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The DER prefix of every P-256 SubjectPublicKeyInfo with an uncompressed point:
/// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0x04 || X || Y) }.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Embedded npm public-registry keys (the Sigstore TUF target npm itself uses), with validity.
const EMBEDDED_NPM_KEYS: &str = include_str!("../../trust/npm-registry-keys.tuf.json");

/// One registry signing key: an ECDSA P-256 public key with its npm keyid and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryKey {
    /// The keyid signatures refer to (`SHA256:...`).
    pub keyid: String,
    /// The SubjectPublicKeyInfo DER as served by the registry.
    pub spki_der: Vec<u8>,
    /// The uncompressed EC point (65 bytes) taken from the SPKI.
    pub point: Vec<u8>,
    /// Signatures on versions published at or after this instant are rejected.
    pub expires: Option<DateTime<Utc>>,
}

/// The signing keys of one registry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    /// The keys, in the order the registry lists them.
    pub keys: Vec<RegistryKey>,
}

/// Why a key document could not be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeysError {
    /// The document is not JSON of the expected shape.
    #[error("malformed keys document: {0}")]
    Malformed(String),
    /// A key is not base64.
    #[error("key {keyid}: not base64")]
    NotBase64 { keyid: String },
    /// A key is not an EC P-256 SubjectPublicKeyInfo.
    #[error("key {keyid}: not an ECDSA P-256 public key ({len} bytes of SPKI)")]
    NotP256 { keyid: String, len: usize },
    /// A key's expiry is not an RFC 3339 timestamp.
    #[error("key {keyid}: bad expiry '{value}'")]
    BadExpiry { keyid: String, value: String },
    /// A keyid in npm's fingerprint form that is not the fingerprint of the key it labels: a
    /// keys document passing another key off under a trusted (pinned) keyid.
    #[error("key {keyid}: the key under this keyid has the fingerprint {actual}; a keyid of the form SHA256:... must be its key's fingerprint")]
    NotItsFingerprint { keyid: String, actual: String },
}

#[derive(Deserialize)]
struct KeysDoc {
    keys: Vec<WireKey>,
}

#[derive(Deserialize)]
struct WireKey {
    keyid: String,
    key: String,
    expires: Option<String>,
}

#[derive(Deserialize)]
struct TufDoc {
    keys: Vec<TufKey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TufKey {
    key_id: String,
    key_usage: String,
    public_key: TufPublicKey,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TufPublicKey {
    raw_bytes: String,
    valid_for: TufValidity,
}

#[derive(Deserialize)]
struct TufValidity {
    end: Option<String>,
}

impl KeySet {
    /// A digest of every key (keyid, key bytes, expiry): a verdict cached under one set of keys
    /// is never reused under another (a rotation or an expiry change invalidates it).
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for key in &self.keys {
            let expires = key.expires.map(|t| t.to_rfc3339()).unwrap_or_default();
            for part in [key.keyid.as_bytes(), &key.spki_der, expires.as_bytes()] {
                hasher.update((part.len() as u64).to_be_bytes());
                hasher.update(part);
            }
        }
        hex::encode(hasher.finalize())
    }

    /// Parses a registry's `/-/npm/v1/keys` response.
    pub fn from_keys_document(bytes: &[u8]) -> Result<KeySet, KeysError> {
        let doc: KeysDoc =
            serde_json::from_slice(bytes).map_err(|e| KeysError::Malformed(e.to_string()))?;
        let keys = doc
            .keys
            .into_iter()
            .map(|k| RegistryKey::from_base64(k.keyid, &k.key, k.expires.as_deref()))
            .collect::<Result<_, _>>()?;
        Ok(KeySet { keys })
    }

    /// The set as a registry's `/-/npm/v1/keys` response (what `fetch` records for the public
    /// registry, whose keys are embedded, so a store read for a mirror of it has them too).
    pub fn to_keys_document(&self) -> Vec<u8> {
        let keys: Vec<serde_json::Value> = self
            .keys
            .iter()
            .map(|k| {
                serde_json::json!({
                    "expires": k.expires.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
                    "keyid": k.keyid,
                    "keytype": "ecdsa-sha2-nistp256",
                    "scheme": "ecdsa-sha2-nistp256",
                    "key": STANDARD.encode(&k.spki_der),
                })
            })
            .collect();
        serde_json::to_vec_pretty(&serde_json::json!({ "keys": keys })).expect("keys serialize")
    }

    /// Parses the TUF-distributed form (`keyId`, `keyUsage`, `publicKey.validFor`), keeping the
    /// keys for the given usage (`npm:signatures` or `npm:attestations`). Like npm, the end of
    /// `validFor` becomes the expiry.
    pub fn from_tuf_document(bytes: &[u8], usage: &str) -> Result<KeySet, KeysError> {
        let doc: TufDoc =
            serde_json::from_slice(bytes).map_err(|e| KeysError::Malformed(e.to_string()))?;
        let keys = doc
            .keys
            .into_iter()
            .filter(|k| k.key_usage == usage)
            .map(|k| {
                let end = k.public_key.valid_for.end;
                RegistryKey::from_base64(k.key_id, &k.public_key.raw_bytes, end.as_deref())
            })
            .collect::<Result<_, _>>()?;
        Ok(KeySet { keys })
    }

    /// The keys of the public npm registry, embedded in the binary (npm reads the same keys from
    /// Sigstore's TUF repository), for registry signatures.
    pub fn embedded_npm() -> KeySet {
        KeySet::from_tuf_document(EMBEDDED_NPM_KEYS.as_bytes(), "npm:signatures")
            .expect("embedded npm keys are valid")
    }

    /// The public npm registry's attestation keys (the `npm:attestations` TUF usage).
    pub fn embedded_npm_attestations() -> KeySet {
        KeySet::from_tuf_document(EMBEDDED_NPM_KEYS.as_bytes(), "npm:attestations")
            .expect("embedded npm keys are valid")
    }

    /// The key with this keyid, if the registry publishes one.
    pub fn find(&self, keyid: &str) -> Option<&RegistryKey> {
        self.keys.iter().find(|k| k.keyid == keyid)
    }

    /// True when the registry publishes no keys (npm then skips signature checks).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// True when any key can expire (a publish time is then needed to judge signatures).
    pub fn has_expiring_key(&self) -> bool {
        self.keys.iter().any(|k| k.expires.is_some())
    }
}

impl RegistryKey {
    /// Builds a key from its base64 SPKI DER, checking it is an uncompressed P-256 key.
    pub fn from_base64(
        keyid: String,
        key_b64: &str,
        expires: Option<&str>,
    ) -> Result<RegistryKey, KeysError> {
        let spki_der = STANDARD
            .decode(key_b64.trim())
            .map_err(|_| KeysError::NotBase64 {
                keyid: keyid.clone(),
            })?;
        if spki_der.len() != 91 || spki_der[..26] != P256_SPKI_PREFIX || spki_der[26] != 0x04 {
            let len = spki_der.len();
            return Err(KeysError::NotP256 { keyid, len });
        }
        let expires = expires.map(|v| parse_time(&keyid, v)).transpose()?;
        let point = spki_der[26..].to_vec();
        // npm's keyids are the keys' OpenSSH fingerprints, and policies pin keys by them: a label
        // of that form must name this very key, or a mirror could serve its own key under a
        // pinned keyid. (Labels of other forms are names, never compared with pins.)
        if keyid.starts_with("SHA256:") {
            let actual = ssh_fingerprint(&point);
            if keyid.trim_end_matches('=') != actual {
                return Err(KeysError::NotItsFingerprint { keyid, actual });
            }
        }
        Ok(RegistryKey {
            keyid,
            spki_der,
            point,
            expires,
        })
    }

    /// The OpenSSH SHA256 fingerprint of this key, which npm uses as keyid.
    pub fn fingerprint(&self) -> String {
        ssh_fingerprint(&self.point)
    }
}

fn parse_time(keyid: &str, value: &str) -> Result<DateTime<Utc>, KeysError> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| KeysError::BadExpiry {
            keyid: keyid.to_string(),
            value: value.to_string(),
        })
}

/// `SHA256:` + unpadded base64 of sha256 over the SSH wire blob of a P-256 point.
pub fn ssh_fingerprint(point: &[u8]) -> String {
    let mut blob = Vec::with_capacity(4 + 19 + 4 + 8 + 4 + point.len());
    for part in [b"ecdsa-sha2-nistp256".as_slice(), b"nistp256", point] {
        blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
        blob.extend_from_slice(part);
    }
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(&blob)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keys_document_reads_back_as_the_same_keys() {
        let keys = KeySet::embedded_npm();
        let again = KeySet::from_keys_document(&keys.to_keys_document()).unwrap();
        assert_eq!(again, keys);
        assert_eq!(again.digest(), keys.digest());
    }

    #[test]
    fn embedded_keys_are_npm_keys_with_expiry() {
        let keys = KeySet::embedded_npm();
        assert_eq!(keys.keys.len(), 2);
        let old = keys
            .find("SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA")
            .unwrap();
        assert_eq!(
            old.expires.unwrap().to_rfc3339(),
            "2025-01-29T00:00:00+00:00"
        );
        let new = keys
            .find("SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U")
            .unwrap();
        assert_eq!(new.expires, None);
        for k in &keys.keys {
            assert_eq!(k.fingerprint(), k.keyid);
        }
    }

    #[test]
    fn rejects_non_p256_and_garbage() {
        let err = RegistryKey::from_base64("k".into(), "!!!", None).unwrap_err();
        assert!(matches!(err, KeysError::NotBase64 { .. }));
        let err = RegistryKey::from_base64("k".into(), "AAAA", None).unwrap_err();
        assert!(matches!(err, KeysError::NotP256 { len: 3, .. }));
        assert!(KeySet::from_keys_document(b"{\"keys\":1}").is_err());
    }

    #[test]
    fn a_fingerprint_keyid_must_be_the_fingerprint_of_its_key() {
        let npm = KeySet::embedded_npm();
        let (old, new) = (&npm.keys[0], &npm.keys[1]);
        let key = STANDARD.encode(&new.spki_der);
        // The current key served under the old key's keyid (a mirror's own key under a pinned
        // keyid fails the same way).
        let err = RegistryKey::from_base64(old.keyid.clone(), &key, None).unwrap_err();
        assert!(
            matches!(&err, KeysError::NotItsFingerprint { actual, .. } if *actual == new.keyid),
            "{err}"
        );
        let document = format!(r#"{{"keys":[{{"keyid":"{}","key":"{key}"}}]}}"#, old.keyid);
        assert!(KeySet::from_keys_document(document.as_bytes()).is_err());
        // Its own fingerprint, padded or not, and a label of another form are accepted.
        for keyid in [new.keyid.clone(), format!("{}=", new.keyid), "key-1".into()] {
            assert!(RegistryKey::from_base64(keyid, &key, None).is_ok());
        }
    }
}
