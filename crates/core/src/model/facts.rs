//! What verification keeps of a packument: each version's signed facts and declarations, and
//! the release history (parsed from registry JSON in `source/packument.rs`; also the shape of
//! the evidence cache's entries).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sigverify_attest::VersionInfo;

use crate::model::Declared;

/// One `dist.signatures` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySignature {
    /// The keyid of the key that made the signature.
    pub keyid: String,
    /// The base64 DER ECDSA signature.
    pub sig: String,
}

/// What one published version carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionFacts {
    /// `dist.integrity`, or the sha1 SRI built from `dist.shasum` for very old versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity: Option<String>,
    /// `dist.tarball`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tarball: Option<String>,
    /// `dist.signatures`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<RegistrySignature>,
    /// `dist.attestations.url`, when the registry advertises attestations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attestations_url: Option<String>,
    /// `dist.attestations.provenance.predicateType`, when advertised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance_predicate: Option<String>,
    /// The published package.json `repository` field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<serde_json::Value>,
    /// The install-time lifecycle scripts (`preinstall`, `install`, `postinstall`) the published
    /// package.json declares (full packuments only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub install_scripts: Vec<String>,
    /// The dependencies the published package.json declares (the lockfile's claims about them
    /// are never used to judge where a dependency may come from).
    #[serde(default, skip_serializing_if = "Declared::is_empty")]
    pub declared: Declared,
    /// `_npmUser.name`: the account the registry says published the version (unsigned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npm_user: Option<String>,
    /// `_npmUser.trustedPublisher.id` (`github`, `gitlab`): the registry says a trusted
    /// publisher (OIDC) published it (unsigned metadata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_publisher: Option<String>,
}

/// The facts of a packument restricted to what verification needs (this is also what the
/// evidence cache stores: a few hundred bytes per version instead of the whole packument).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackumentFacts {
    /// The package name the document declares.
    pub name: Option<String>,
    /// Version facts, by exact version. The versions kept only for their release history
    /// (most of a packument's) share one value per distinct history ([`SharedHistory`]): a
    /// warm run reads ~90,000 of them, and building a full [`VersionFacts`] for each was most
    /// of the time it spent decoding cached facts.
    #[serde(with = "shared_versions")]
    pub versions: HashMap<String, Arc<VersionFacts>>,
    /// Publish times by version (only in full packuments).
    #[serde(with = "unix_nanos")]
    pub published: HashMap<String, DateTime<Utc>>,
    /// How many maintainers the packument lists; `None` without a `maintainers` array (as in
    /// abbreviated packuments).
    #[serde(default)]
    pub maintainers: Option<usize>,
    /// The digest of [`PackumentFacts::release_history`], once computed (or read back with an
    /// authenticated cache entry): warm runs key every verdict by it, and computing it walks
    /// every version of the packument.
    #[serde(skip)]
    pub(crate) history_digest: HistoryMemo,
}

/// A memoized history digest; never part of what makes two facts equal.
#[derive(Debug, Clone, Default)]
pub(crate) struct HistoryMemo(pub(crate) std::sync::OnceLock<String>);

impl PartialEq for HistoryMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for HistoryMemo {}

impl VersionFacts {
    /// True when only the release history's fact (provenance advertisement) is set: what a
    /// packument's versions outside the kept ones carry.
    pub fn is_history_only(&self) -> bool {
        // Listing every field (no `..`) makes a new field a compile error here until it is
        // classified.
        let VersionFacts {
            integrity,
            tarball,
            signatures,
            attestations_url,
            provenance_predicate: _,
            repository,
            install_scripts,
            declared,
            npm_user,
            trusted_publisher,
        } = self;
        integrity.is_none()
            && tarball.is_none()
            && signatures.is_empty()
            && attestations_url.is_none()
            && repository.is_none()
            && install_scripts.is_empty()
            && declared.is_empty()
            && npm_user.is_none()
            && trusted_publisher.is_none()
    }

    /// Fills what a result reports of its version (integrity, tarball URL, declared
    /// repository) from these facts: a cached verdict never carries them, so a cache entry
    /// cannot change what later checks compare with.
    pub(crate) fn report_into(&self, result: &mut crate::model::PackageResult) {
        result.integrity = self.integrity.clone();
        if result.resolved.is_none() {
            result.resolved = self.tarball.clone();
        }
        result.repository = self
            .repository
            .as_ref()
            .and_then(sigverify_attest::normalize_repository_value);
        result.declared = Some(std::sync::Arc::new(self.declared.clone()));
    }
}

impl PackumentFacts {
    /// A copy for the cache: every detail of the versions in `keep`, and of the others only what
    /// the release history needs (publish times stay, provenance advertisement stays), so an
    /// entry holds a few versions' signatures instead of hundreds.
    pub fn compacted(&self, keep: &BTreeSet<String>) -> PackumentFacts {
        let mut shared = SharedHistory::default();
        let versions = self
            .versions
            .iter()
            .map(|(version, v)| {
                // History-only values are already shared where they were read.
                let facts = if keep.contains(version) || v.is_history_only() {
                    Arc::clone(v)
                } else {
                    shared.share(VersionFacts {
                        provenance_predicate: v.provenance_predicate.clone(),
                        ..VersionFacts::default()
                    })
                };
                (version.clone(), facts)
            })
            .collect();
        PackumentFacts {
            name: self.name.clone(),
            versions,
            published: self.published.clone(),
            maintainers: self.maintainers,
            // The history is the same: every version keeps its publish time and provenance.
            history_digest: self.history_digest.clone(),
        }
    }

    /// Every version's publish time and whether it advertised provenance, for downgrade checks.
    pub fn release_history(&self) -> Vec<VersionInfo> {
        self.versions
            .iter()
            .map(|(version, v)| VersionInfo {
                version: version.clone(),
                published: self.published.get(version).copied(),
                has_provenance: v.provenance_predicate.is_some(),
            })
            .collect()
    }
}

impl PackumentFacts {
    /// Reads a cache entry's `facts` object keeping only the `wanted` versions (their version
    /// facts and publish times), in the same pass: the other versions are skipped, not decoded.
    /// Each kept version reads exactly as a whole read gives it (the same value readers; a
    /// later duplicate key replaces an earlier one, as in a map; the same fields required), so
    /// what verdict keys and verdicts read of a wanted version is the same. Unlike a whole read,
    /// a malformed value of a version that is not wanted goes unnoticed (only its JSON syntax
    /// is checked): callers use this only for entries authenticated under the cache secret,
    /// whose writer is this tool.
    pub(crate) fn wanted_reader(wanted: &BTreeSet<String>) -> wanted::FactsSeed<'_> {
        wanted::FactsSeed(wanted)
    }

    /// [`PackumentFacts::wanted_reader`] over a JSON text.
    #[cfg(test)]
    pub(crate) fn read_wanted(
        text: &str,
        wanted: &BTreeSet<String>,
    ) -> serde_json::Result<PackumentFacts> {
        use serde::de::DeserializeSeed;
        let mut de = serde_json::Deserializer::from_str(text);
        let facts = PackumentFacts::wanted_reader(wanted).deserialize(&mut de)?;
        de.end()?;
        Ok(facts)
    }
}

/// Reading the wanted versions of a cache entry's facts in one pass.
pub(crate) mod wanted {
    use std::borrow::Cow;
    use std::collections::{BTreeSet, HashMap};
    use std::fmt;
    use std::sync::Arc;

    use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor};
    use serde::Deserialize;
    use serde_json::value::RawValue;

    use super::{shared_versions, unix_nanos, HistoryMemo, PackumentFacts};

    /// A map key or field name, unescaped (borrowed when it holds no escape).
    pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct KeyVisitor;
            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a string")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v.to_owned())))
                }
            }
            d.deserialize_str(KeyVisitor)
        }
    }

    /// Stores `value` in `slot`, or fails on a field given twice (as a derived reader does).
    pub(crate) fn once<T, E: serde::de::Error>(
        slot: &mut Option<T>,
        field: &'static str,
        value: T,
    ) -> Result<(), E> {
        match slot.replace(value) {
            Some(_) => Err(E::duplicate_field(field)),
            None => Ok(()),
        }
    }

    /// The seed of [`PackumentFacts::wanted_reader`].
    pub(crate) struct FactsSeed<'w>(pub(super) &'w BTreeSet<String>);

    impl<'de> DeserializeSeed<'de> for FactsSeed<'_> {
        type Value = PackumentFacts;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<PackumentFacts, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for FactsSeed<'_> {
        type Value = PackumentFacts;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("packument facts")
        }

        /// The fields of [`PackumentFacts`] as its derived reader takes them: `name` and
        /// `maintainers` may be missing or null, `versions` and `published` are required,
        /// unknown fields are ignored, a field given twice is an error. A field added to
        /// [`PackumentFacts`] must be added here too.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PackumentFacts, A::Error> {
            let (mut name, mut maintainers) = (None, None);
            let (mut versions, mut published) = (None, None);
            while let Some(Key(field)) = map.next_key::<Key<'de>>()? {
                match field.as_ref() {
                    "name" => once(&mut name, "name", map.next_value::<Option<String>>()?)?,
                    "maintainers" => {
                        let value = map.next_value::<Option<usize>>()?;
                        once(&mut maintainers, "maintainers", value)?
                    }
                    "versions" => {
                        let value = map.next_value_seed(Entries(self.0, version_value))?;
                        once(&mut versions, "versions", value)?
                    }
                    "published" => {
                        let value = map.next_value_seed(Entries(self.0, unix_nanos::read_one))?;
                        once(&mut published, "published", value)?
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(PackumentFacts {
                name: name.flatten(),
                versions: versions.ok_or_else(|| A::Error::missing_field("versions"))?,
                published: published.ok_or_else(|| A::Error::missing_field("published"))?,
                maintainers: maintainers.flatten(),
                history_digest: HistoryMemo::default(),
            })
        }
    }

    fn version_value(raw: &RawValue) -> serde_json::Result<Arc<super::VersionFacts>> {
        shared_versions::read_one(raw).map(Arc::new)
    }

    /// A map of versions keeping the entries whose key is wanted, each value read by `read`
    /// from its raw text; the others are skipped.
    struct Entries<'w, T>(&'w BTreeSet<String>, fn(&RawValue) -> serde_json::Result<T>);

    impl<'de, T> DeserializeSeed<'de> for Entries<'_, T> {
        type Value = HashMap<String, T>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de, T> Visitor<'de> for Entries<'_, T> {
        type Value = HashMap<String, T>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of versions")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = HashMap::with_capacity(self.0.len());
            while let Some(Key(version)) = map.next_key::<Key<'de>>()? {
                if !self.0.contains(version.as_ref()) {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                let raw: &'de RawValue = map.next_value()?;
                let value = (self.1)(raw).map_err(A::Error::custom)?;
                found.insert(version.into_owned(), value);
            }
            Ok(found)
        }
    }
}

/// Hands out one shared value per distinct history-only [`VersionFacts`] (in practice: none, or
/// one provenance predicate), so the hundreds of versions of a packument kept only for their
/// history cost a pointer each; other facts get a value of their own.
#[derive(Default)]
pub(crate) struct SharedHistory(Vec<Arc<VersionFacts>>);

impl SharedHistory {
    pub(crate) fn share(&mut self, facts: VersionFacts) -> Arc<VersionFacts> {
        if !facts.is_history_only() {
            return Arc::new(facts);
        }
        if let Some(same) = self.0.iter().find(|s| ***s == facts) {
            return Arc::clone(same);
        }
        let shared = Arc::new(facts);
        self.0.push(Arc::clone(&shared));
        shared
    }
}

/// The versions map of cache entries, read with [`SharedHistory`]; written as plain facts.
mod shared_versions {
    use std::collections::HashMap;
    use std::fmt;
    use std::sync::Arc;

    use serde::de::{Error as _, MapAccess, Visitor};
    use serde::{Deserializer, Serializer};
    use serde_json::value::RawValue;

    use super::{SharedHistory, VersionFacts};

    pub fn serialize<S: Serializer>(
        versions: &HashMap<String, Arc<VersionFacts>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(versions.iter().map(|(version, v)| (version, &**v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<String, Arc<VersionFacts>>, D::Error> {
        d.deserialize_map(VersionsVisitor)
    }

    struct VersionsVisitor;

    impl<'de> Visitor<'de> for VersionsVisitor {
        type Value = HashMap<String, Arc<VersionFacts>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of versions to their facts")
        }

        /// Each version's facts are first taken as raw text: most are `{}` (a version kept
        /// only for its history, without provenance), which then costs no parse and no
        /// [`VersionFacts`] moved around by value (344 bytes, ~90,000 times on a warm run).
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut versions = HashMap::with_capacity(map.size_hint().unwrap_or(0));
            let mut shared = SharedHistory::default();
            let mut empty: Option<Arc<VersionFacts>> = None;
            while let Some((version, raw)) = map.next_entry::<String, &'de RawValue>()? {
                let facts = match raw.get() {
                    "{}" => Arc::clone(
                        empty.get_or_insert_with(|| shared.share(VersionFacts::default())),
                    ),
                    _ => shared.share(read_one(raw).map_err(A::Error::custom)?),
                };
                versions.insert(version, facts);
            }
            Ok(versions)
        }
    }

    /// One version's facts from its raw value in an entry (`{}`: a version kept only for its
    /// history, without provenance).
    pub(super) fn read_one(raw: &RawValue) -> serde_json::Result<VersionFacts> {
        match raw.get() {
            "{}" => Ok(VersionFacts::default()),
            text => serde_json::from_str(text),
        }
    }
}

/// Publish times in cache entries as integer nanoseconds since the epoch: a warm run reads the
/// publish time of every version of every packument (~90,000 on a 670-package tree), and
/// parsing them as RFC 3339 strings was a tenth of its time. Strings (entries written before,
/// and times outside the nanosecond range) are still read, as chrono reads them.
mod unix_nanos {
    use std::collections::HashMap;
    use std::fmt;

    use chrono::{DateTime, TimeZone, Utc};
    use serde::de::{self, MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        times: &HashMap<String, DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(times.iter().map(|(version, t)| (version, Time(*t))))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HashMap<String, DateTime<Utc>>, D::Error> {
        d.deserialize_map(TimesVisitor)
    }

    struct Time(DateTime<Utc>);

    impl Serialize for Time {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0.timestamp_nanos_opt() {
                Some(nanos) => s.serialize_i64(nanos),
                None => s.serialize_str(&self.0.to_rfc3339()),
            }
        }
    }

    impl<'de> Deserialize<'de> for Time {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(TimeVisitor)
        }
    }

    struct TimesVisitor;

    impl<'de> Visitor<'de> for TimesVisitor {
        type Value = HashMap<String, DateTime<Utc>>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of versions to publish times")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut times = HashMap::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((version, Time(t))) = map.next_entry::<String, Time>()? {
                times.insert(version, t);
            }
            Ok(times)
        }
    }

    /// One publish time from its raw value in an entry.
    pub(super) fn read_one(raw: &serde_json::value::RawValue) -> serde_json::Result<DateTime<Utc>> {
        serde_json::from_str::<Time>(raw.get()).map(|Time(t)| t)
    }

    struct TimeVisitor;

    impl Visitor<'_> for TimeVisitor {
        type Value = Time;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("nanoseconds since the epoch or an RFC 3339 time")
        }

        fn visit_i64<E: de::Error>(self, nanos: i64) -> Result<Time, E> {
            Ok(Time(Utc.timestamp_nanos(nanos)))
        }

        fn visit_u64<E: de::Error>(self, nanos: u64) -> Result<Time, E> {
            let nanos = i64::try_from(nanos).map_err(E::custom)?;
            self.visit_i64(nanos)
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Time, E> {
            text.parse::<DateTime<Utc>>().map(Time).map_err(E::custom)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct Doc(#[serde(with = "super")] HashMap<String, DateTime<Utc>>);

        #[test]
        fn times_round_trip_exactly_and_strings_are_still_read() {
            let exact = "2024-03-01T12:34:56.123456789Z".parse().unwrap();
            let far = "2999-01-01T00:00:00Z".parse().unwrap();
            let doc = Doc(HashMap::from([
                ("1.0.0".into(), exact),
                ("2.0.0".into(), far),
            ]));
            let text = serde_json::to_string(&doc).unwrap();
            assert!(text.contains("1709296496123456789"), "{text}");
            assert_eq!(serde_json::from_str::<Doc>(&text).unwrap(), doc);
            let old =
                r#"{"1.0.0":"2024-03-01T12:34:56.123456789Z","2.0.0":"2999-01-01T00:00:00Z"}"#;
            assert_eq!(serde_json::from_str::<Doc>(old).unwrap(), doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = r#"{"name":"a","published":{},"versions":{
        "1.0.0":{},"1.1.0":{},"1.2.0":{"provenance_predicate":"p"},"1.3.0":{"provenance_predicate":"p"},
        "2.0.0":{"integrity":"sha512-x","provenance_predicate":"p"}}}"#;

    #[test]
    fn history_only_versions_share_one_value_per_distinct_history() {
        let facts: PackumentFacts = serde_json::from_str(ENTRY).unwrap();
        let v = &facts.versions;
        assert!(Arc::ptr_eq(&v["1.0.0"], &v["1.1.0"]));
        assert!(Arc::ptr_eq(&v["1.2.0"], &v["1.3.0"]));
        assert!(!Arc::ptr_eq(&v["1.0.0"], &v["1.2.0"]));
        assert_eq!(v["1.2.0"].provenance_predicate.as_deref(), Some("p"));
        // A version with facts of its own never shares them.
        assert_eq!(v["2.0.0"].integrity.as_deref(), Some("sha512-x"));
        assert!(!v["2.0.0"].is_history_only());
        // Written back as plain facts: the same entry is read again.
        let again: PackumentFacts =
            serde_json::from_str(&serde_json::to_string(&facts).unwrap()).unwrap();
        assert_eq!(again, facts);
    }

    #[test]
    fn the_wanted_versions_read_alone_are_what_the_whole_entry_says_of_them() {
        // Escaped keys, a duplicate key (the later one counts, in both maps), a time as text
        // and as nanoseconds, `{}` and `{ }`.
        let entry = r#"{"name":"a","maintainers":2,
            "versions":{"1.0.0":{"integrity":"sha512-old"},"\u0031.1.0":{},"2.0.0":{ },
                "1.0.0":{"integrity":"sha512-x","provenance_predicate":"p"},"3.0.0":{}},
            "published":{"1.0.0":"2024-01-01T00:00:00Z","1.1.0":1709296496123456789,
                "1.0.0":1709296496000000000,"3.0.0":"2025-01-01T00:00:00Z"}}"#;
        let whole: PackumentFacts = serde_json::from_str(entry).unwrap();
        let wanted: BTreeSet<String> = ["1.0.0", "1.1.0", "2.0.0", "9.9.9"]
            .map(String::from)
            .into();
        let some = PackumentFacts::read_wanted(entry, &wanted).unwrap();
        assert_eq!(
            (&some.name, some.maintainers),
            (&whole.name, whole.maintainers)
        );
        for version in ["1.0.0", "1.1.0", "2.0.0"] {
            assert_eq!(some.versions[version], whole.versions[version], "{version}");
            assert_eq!(some.published.get(version), whole.published.get(version));
        }
        assert_eq!(
            some.versions["1.0.0"].integrity.as_deref(),
            Some("sha512-x")
        );
        assert_eq!(some.published["1.0.0"].timestamp(), 1709296496);
        // Only the wanted versions are read; a wanted version the entry lacks is absent.
        assert_eq!(some.versions.len(), 3);
        assert_eq!(some.published.len(), 2);
        // A malformed value of a wanted version is an error, as in a whole read.
        let bad = entry.replace(r#""2.0.0":{ }"#, r#""2.0.0":{"integrity":7}"#);
        assert!(serde_json::from_str::<PackumentFacts>(&bad).is_err());
        assert!(PackumentFacts::read_wanted(&bad, &wanted).is_err());
        let bad_time = entry.replace(r#""1.1.0":1709296496123456789"#, r#""1.1.0":"soon""#);
        assert!(PackumentFacts::read_wanted(&bad_time, &wanted).is_err());
        // A missing map is an error, as in a whole read.
        assert!(PackumentFacts::read_wanted(r#"{"versions":{}}"#, &wanted).is_err());
    }

    #[test]
    fn compacting_keeps_the_history_of_the_other_versions_in_shared_values() {
        let facts: PackumentFacts = serde_json::from_str(ENTRY).unwrap();
        let compact = facts.compacted(&BTreeSet::new());
        let v = &compact.versions;
        // 2.0.0 keeps only its history: the same value as 1.2.0's (1.2.0 and 1.3.0 still
        // share theirs).
        assert_eq!(v["2.0.0"].integrity, None);
        assert_eq!(*v["2.0.0"], *v["1.2.0"]);
        assert!(Arc::ptr_eq(&v["1.2.0"], &v["1.3.0"]));
        let history: BTreeSet<_> = compact
            .release_history()
            .into_iter()
            .map(|h| (h.version, h.has_provenance))
            .collect();
        let expected: BTreeSet<_> = facts
            .release_history()
            .into_iter()
            .map(|h| (h.version, h.has_provenance))
            .collect();
        assert_eq!(history, expected);
    }
}
