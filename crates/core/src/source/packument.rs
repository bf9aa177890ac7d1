//! The parts of a packument (registry package document) that verification needs.
//!
//! Registry JSON is parsed into these checked types before any cryptography runs; fields we do
//! not need are skipped by serde without being kept.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use memchr::memmem::Finder;
use serde::Deserialize;

use crate::model::facts::SharedHistory;
pub use crate::model::facts::{PackumentFacts, RegistrySignature, VersionFacts};
pub use crate::model::Declared;

/// Why a packument could not be used.
#[derive(Debug, thiserror::Error)]
#[error("malformed packument: {0}")]
pub struct PackumentError(pub String);

#[derive(Deserialize)]
struct WirePackument {
    name: Option<String>,
    #[serde(default)]
    versions: HashMap<String, WireVersion>,
    #[serde(default)]
    time: PublishTimes,
    /// Kept loose: only an array's length is used, anything else means "not listed".
    #[serde(default)]
    maintainers: Option<serde_json::Value>,
}

/// A version document as it appears in `versions[v]` (or served alone at `/<name>/<version>`).
#[derive(Deserialize)]
pub struct WireVersion {
    #[serde(default)]
    dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "peerDependenciesMeta")]
    peer_dependencies_meta: Option<serde_json::Value>,
    #[serde(default, rename = "bundleDependencies")]
    bundle_dependencies: Option<serde_json::Value>,
    #[serde(default, rename = "bundledDependencies")]
    bundled_dependencies: Option<serde_json::Value>,
    /// With `name` (a string `bin` is linked under it) and `directories`: the commands npm links.
    #[serde(default)]
    bin: Option<serde_json::Value>,
    #[serde(default)]
    name: Option<serde_json::Value>,
    #[serde(default)]
    directories: Option<serde_json::Value>,
    #[serde(default)]
    dist: Option<WireDist>,
    #[serde(default)]
    repository: Option<serde_json::Value>,
    /// Kept loose: a malformed `scripts` field must not reject the packument.
    #[serde(default)]
    scripts: Option<serde_json::Value>,
    /// Kept loose too: only `name` and `trustedPublisher.id` are read.
    #[serde(default, rename = "_npmUser")]
    npm_user: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireDist {
    integrity: Option<String>,
    shasum: Option<String>,
    tarball: Option<String>,
    #[serde(default)]
    signatures: Vec<RegistrySignature>,
    attestations: Option<WireAttestations>,
}

#[derive(Deserialize)]
struct WireAttestations {
    url: Option<String>,
    provenance: Option<WireProvenance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProvenance {
    predicate_type: Option<String>,
}

/// Parses a packument (full or abbreviated).
pub fn parse_packument(bytes: &[u8]) -> Result<PackumentFacts, PackumentError> {
    let wire: WirePackument =
        serde_json::from_slice(bytes).map_err(|e| PackumentError(e.to_string()))?;
    let versions = wire
        .versions
        .into_iter()
        .map(|(v, doc)| (v, Arc::new(doc.into_facts())))
        .collect();
    Ok(PackumentFacts {
        name: wire.name,
        versions,
        published: wire.time.0,
        maintainers: maintainer_count(wire.maintainers.as_ref()),
        history_digest: Default::default(),
    })
}

/// A packument whose version documents are kept as raw JSON, read in full only for the
/// versions a run keeps.
#[derive(Deserialize)]
struct LazyPackument<'a> {
    name: Option<String>,
    #[serde(default, borrow)]
    versions: HashMap<String, &'a serde_json::value::RawValue>,
    #[serde(default)]
    time: PublishTimes,
    #[serde(default)]
    maintainers: Option<serde_json::Value>,
}

/// What the release history needs of a version outside the kept ones.
#[derive(Deserialize)]
struct HistoryVersion {
    #[serde(default)]
    dist: Option<HistoryDist>,
}

#[derive(Deserialize)]
struct HistoryDist {
    attestations: Option<WireAttestations>,
}

/// Parses a packument keeping every detail of the versions `keep` picks from all version
/// names, and of the others only what the release history needs (publish times, provenance
/// advertisement): the facts a cache entry keeps ([`PackumentFacts::compacted`]), without
/// building the dependency maps, scripts and signatures of hundreds of versions a run never
/// looks at. Returns the kept set too (restricted to the versions the document has).
pub fn parse_packument_keeping(
    bytes: &[u8],
    keep: impl FnOnce(&mut dyn Iterator<Item = &str>) -> BTreeSet<String>,
) -> Result<(PackumentFacts, BTreeSet<String>), PackumentError> {
    let wire: LazyPackument =
        serde_json::from_slice(bytes).map_err(|e| PackumentError(e.to_string()))?;
    let mut keep = keep(&mut wire.versions.keys().map(String::as_str));
    keep.retain(|v| wire.versions.contains_key(v));
    let mut versions = HashMap::with_capacity(wire.versions.len());
    let mut shared = SharedHistory::default();
    for (version, raw) in wire.versions {
        let facts = if keep.contains(&version) {
            let doc: WireVersion =
                serde_json::from_str(raw.get()).map_err(|e| PackumentError(e.to_string()))?;
            Arc::new(doc.into_facts())
        } else {
            shared.share(history_facts(raw.get()))
        };
        versions.insert(version, facts);
    }
    let facts = PackumentFacts {
        name: wire.name,
        versions,
        published: wire.time.0,
        maintainers: maintainer_count(wire.maintainers.as_ref()),
        history_digest: Default::default(),
    };
    Ok((facts, keep))
}

/// The release-history facts of a version document (a malformed one advertises nothing).
fn history_facts(raw: &str) -> VersionFacts {
    // Most versions advertise no attestations; parsing each of them again cost as much as
    // scanning the whole packument once. A document that cannot name the key is not parsed.
    if !may_name_attestations(raw) {
        return VersionFacts::default();
    }
    let provenance_predicate = serde_json::from_str::<HistoryVersion>(raw)
        .ok()
        .and_then(|v| v.dist?.attestations?.provenance?.predicate_type);
    VersionFacts {
        provenance_predicate,
        ..VersionFacts::default()
    }
}

/// False only when no object key of the JSON text `raw` can be `attestations`: the word is
/// not in it, and there is no `\u` escape, the only escape that can spell a letter.
fn may_name_attestations(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    ATTESTATIONS.find(bytes).is_some() || UNICODE_ESCAPE.find(bytes).is_some()
}

/// The searchers of [`may_name_attestations`], built once: building them for each version
/// cost a fifth of the search itself (a cold run asks ~90,000 times).
static ATTESTATIONS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("attestations"));
static UNICODE_ESCAPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(br"\u"));

/// A packument's `time` object read as the publish times it holds: each string value that is
/// an RFC 3339 time, by key. Any other value (an `unpublished` object, a number) or a string
/// that is not a time gives no entry, and a later duplicate key replaces an earlier one, as in
/// a map of JSON values. Read straight from the document: no JSON value or string is built
/// per entry (a cold run reads ~100,000 of them).
#[derive(Default)]
struct PublishTimes(HashMap<String, DateTime<Utc>>);

impl<'de> Deserialize<'de> for PublishTimes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Times;
        impl<'de> serde::de::Visitor<'de> for Times {
            type Value = PublishTimes;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of publish times")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PublishTimes, A::Error> {
                let mut times = HashMap::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key::<String>()? {
                    match map.next_value::<TimeValue>()?.0 {
                        Some(time) => times.insert(key, time),
                        None => times.remove(&key),
                    };
                }
                Ok(PublishTimes(times))
            }
        }
        deserializer.deserialize_map(Times)
    }
}

/// One value of `time`: the time when it is a string holding one, else nothing (any JSON value
/// is accepted, as a map of JSON values accepts it).
struct TimeValue(Option<DateTime<Utc>>);

impl<'de> Deserialize<'de> for TimeValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Value;
        impl<'de> serde::de::Visitor<'de> for Value {
            type Value = TimeValue;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_str<E>(self, v: &str) -> Result<TimeValue, E> {
                Ok(TimeValue(parse_time(v)))
            }

            fn visit_bool<E>(self, _: bool) -> Result<TimeValue, E> {
                Ok(TimeValue(None))
            }

            fn visit_i64<E>(self, _: i64) -> Result<TimeValue, E> {
                Ok(TimeValue(None))
            }

            fn visit_u64<E>(self, _: u64) -> Result<TimeValue, E> {
                Ok(TimeValue(None))
            }

            fn visit_f64<E>(self, _: f64) -> Result<TimeValue, E> {
                Ok(TimeValue(None))
            }

            fn visit_unit<E>(self) -> Result<TimeValue, E> {
                Ok(TimeValue(None))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<TimeValue, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(TimeValue(None))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TimeValue, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(TimeValue(None))
            }
        }
        deserializer.deserialize_any(Value)
    }
}

fn maintainer_count(maintainers: Option<&serde_json::Value>) -> Option<usize> {
    maintainers
        .and_then(serde_json::Value::as_array)
        .map(Vec::len)
}

/// Parses a single version document (`/<name>/<version>`).
pub fn parse_version_document(bytes: &[u8]) -> Result<VersionFacts, PackumentError> {
    let wire: WireVersion =
        serde_json::from_slice(bytes).map_err(|e| PackumentError(e.to_string()))?;
    Ok(wire.into_facts())
}

impl WireVersion {
    /// The dependency declarations and bins, read like a package.json.
    fn declared(&mut self) -> Declared {
        let mut manifest = serde_json::Map::new();
        let fields = [
            ("dependencies", self.dependencies.take()),
            ("optionalDependencies", self.optional_dependencies.take()),
            ("peerDependencies", self.peer_dependencies.take()),
            ("peerDependenciesMeta", self.peer_dependencies_meta.take()),
            ("bundleDependencies", self.bundle_dependencies.take()),
            ("bundledDependencies", self.bundled_dependencies.take()),
            ("bin", self.bin.take()),
            ("name", self.name.take()),
            ("directories", self.directories.take()),
        ];
        for (key, value) in fields {
            if let Some(value) = value {
                manifest.insert(key.to_string(), value);
            }
        }
        Declared::from_manifest(&serde_json::Value::Object(manifest))
    }

    fn into_facts(mut self) -> VersionFacts {
        let declared = self.declared();
        let install_scripts = install_scripts(self.scripts.as_ref());
        let (npm_user, trusted_publisher) = publisher(self.npm_user.as_ref());
        let Some(dist) = self.dist else {
            return VersionFacts {
                repository: self.repository,
                install_scripts,
                declared,
                npm_user,
                trusted_publisher,
                ..VersionFacts::default()
            };
        };
        let integrity = dist
            .integrity
            .or_else(|| dist.shasum.as_deref().and_then(sha1_sri));
        let (attestations_url, provenance_predicate) = match dist.attestations {
            Some(a) => (a.url, a.provenance.and_then(|p| p.predicate_type)),
            None => (None, None),
        };
        VersionFacts {
            integrity,
            tarball: dist.tarball,
            signatures: dist.signatures,
            attestations_url,
            provenance_predicate,
            repository: self.repository,
            install_scripts,
            declared,
            npm_user,
            trusted_publisher,
        }
    }
}

/// `_npmUser.name` and `_npmUser.trustedPublisher.id` (an object without an id still says a
/// trusted publisher published it).
fn publisher(user: Option<&serde_json::Value>) -> (Option<String>, Option<String>) {
    let Some(user) = user else {
        return (None, None);
    };
    let name = user["name"].as_str().map(str::to_string);
    let trusted = match &user["trustedPublisher"] {
        serde_json::Value::Object(tp) => Some(
            tp.get("id")
                .and_then(|id| id.as_str())
                .unwrap_or("trusted publisher")
                .to_string(),
        ),
        _ => None,
    };
    (name, trusted)
}

/// The install-time lifecycle scripts a package.json `scripts` object declares.
fn install_scripts(scripts: Option<&serde_json::Value>) -> Vec<String> {
    let Some(scripts) = scripts.and_then(serde_json::Value::as_object) else {
        return Vec::new();
    };
    ["preinstall", "install", "postinstall"]
        .into_iter()
        .filter(|name| scripts.get(*name).is_some_and(|s| !s.is_null()))
        .map(str::to_string)
        .collect()
}

/// `sha1-<base64>` from a hex `shasum`, as ssri does for versions without `integrity`.
fn sha1_sri(shasum: &str) -> Option<String> {
    let bytes = hex::decode(shasum.trim()).ok()?;
    (bytes.len() == 20).then(|| format!("sha1-{}", STANDARD.encode(bytes)))
}

fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shasum_becomes_sha1_sri() {
        let doc = br#"{"name":"a","versions":{"1.0.0":{"dist":{"shasum":"6795e5c564c3bffaae8454cf0b3df370c3d6911c"}}}}"#;
        let facts = parse_packument(doc).unwrap();
        let v = &facts.versions["1.0.0"];
        assert_eq!(
            v.integrity.as_deref(),
            Some("sha1-Z5XlxWTDv/quhFTPCz3zcMPWkRw=")
        );
    }

    /// The history facts of every version of `doc`, keeping none whole.
    fn history_of(doc: &str) -> HashMap<String, Option<String>> {
        let (facts, _) = parse_packument_keeping(doc.as_bytes(), |_| BTreeSet::new()).unwrap();
        facts
            .versions
            .into_iter()
            .map(|(v, f)| (v, f.provenance_predicate.clone()))
            .collect()
    }

    #[test]
    fn history_facts_see_attestations_however_the_key_is_spelled() {
        let doc = r#"{"name":"a","versions":{
            "1.0.0":{"dist":{"integrity":"sha512-x"}},
            "1.0.1":{"dist":{"attestations":{"provenance":{"predicateType":"p1"}}}},
            "1.0.2":{"dist":{"attest\u0061tions":{"provenance":{"predicateType":"p2"}}}},
            "1.0.3":{"description":"attestations","dist":{}},
            "1.0.4":{"description":"\u00e9","dist":{}}}}"#;
        let history = history_of(doc);
        assert_eq!(history["1.0.0"], None);
        assert_eq!(history["1.0.1"].as_deref(), Some("p1"));
        assert_eq!(history["1.0.2"].as_deref(), Some("p2"));
        assert_eq!(history["1.0.3"], None);
        assert_eq!(history["1.0.4"], None);
    }

    #[test]
    fn the_key_test_only_rules_out_what_cannot_name_the_key() {
        assert!(!may_name_attestations(r#"{"dist":{"integrity":"x"}}"#));
        assert!(!may_name_attestations(r#"{"a":"\n\"\\"}"#));
        assert!(may_name_attestations(r#"{"attestations":1}"#));
        assert!(may_name_attestations(r#"{"\u0061ttestations":1}"#));
        assert!(may_name_attestations(r#"{"d":"\u00e9"}"#));
    }

    /// What `time` gave before it was read straight into times: a map of JSON values, then the
    /// string values that parse as times.
    fn times_as_values(doc: &[u8]) -> HashMap<String, DateTime<Utc>> {
        #[derive(Deserialize)]
        struct Doc {
            #[serde(default)]
            time: HashMap<String, serde_json::Value>,
        }
        let doc: Doc = serde_json::from_slice(doc).unwrap();
        let time = doc.time.iter();
        time.filter_map(|(v, t)| Some((v.clone(), parse_time(t.as_str()?)?)))
            .collect()
    }

    #[test]
    fn publish_times_are_what_a_map_of_values_gives() {
        let doc = br#"{"name":"a","time":{"modified":"2024-01-02T03:04:05.678Z",
            "1.0.0":"2020-01-01T00:00:00.000Z","1.0.1":{"unpublished":{"time":"2020-01-01T00:00:00Z"}},
            "1.0.2":"not a time","1.0.3":"2021-01-01T00:00:00Z","1.0.3":null,
            "1.0.4":5,"1.0.4":"2022-02-02T00:00:00+02:00","1.0.5":[1,{"a":[]}],"1.0.6":true,
            "1.0.7":-1.5e3,"\u0031.0.8":"2023-03-03T00:00:00Z","1.0.9":"2023-03-03T00:00:00\u005a"}}"#;
        let expected = times_as_values(doc);
        let mut keys: Vec<_> = expected.keys().cloned().collect();
        keys.sort();
        assert_eq!(keys, ["1.0.0", "1.0.4", "1.0.8", "1.0.9", "modified"]);
        assert_eq!(parse_packument(doc).unwrap().published, expected);
        let lazy = parse_packument_keeping(doc, |_| BTreeSet::new()).unwrap().0;
        assert_eq!(lazy.published, expected);
        // A `time` that is not an object (or not JSON) still rejects the document.
        for bad in [
            r#"{"time":null}"#,
            r#"{"time":"x"}"#,
            r#"{"time":[1]}"#,
            r#"{"time":{"a":}}"#,
        ] {
            assert!(parse_packument(bad.as_bytes()).is_err(), "{bad}");
            let lazy = parse_packument_keeping(bad.as_bytes(), |_| BTreeSet::new());
            assert!(lazy.is_err(), "{bad}");
        }
    }

    #[test]
    fn truncated_json_is_an_error() {
        assert!(parse_packument(br#"{"name":"a","versions":{"#).is_err());
        assert!(parse_packument(br#"{"versions":{"1.0.0":{"dist":{"signatures":"x"}}}}"#).is_err());
    }
}
