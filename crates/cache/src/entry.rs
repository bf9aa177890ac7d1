//! The cached value and its self-checking binary encoding, shared by the
//! disk and Redis backends.
//!
//! Layout: `magic(8) | kind(1) | tag(32) | payload_len u64 LE | payload`,
//! payload = `stored_at i64 | expires_at i64 | key | etag | last_modified | body`
//! (timestamps in Unix milliseconds; strings are `u32 len` + bytes, with
//! `u32::MAX` meaning absent). `kind` 1: the tag is HMAC-SHA256 of the payload under the
//! cache's secret (an authenticated entry); `kind` 0: a plain SHA-256 (a cache without a key:
//! integrity against accidents only). A cache with a secret reads only entries whose tag it can
//! verify; one without reads only unkeyed entries. A value that fails any check is a miss.

use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};

use crate::namespace::VERDICT_TTL;
use crate::secret::CacheSecret;

const MAGIC: &[u8; 8] = b"NSVCACH2";
pub(crate) const HEADER_LEN: usize = 8 + 1 + 32 + 8;
const KEYED: u8 = 1;
const UNKEYED: u8 = 0;
const ABSENT: u32 = u32::MAX;

/// One cached value plus what the caller needs to revalidate it with
/// `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The cached bytes (a packument, a keys document, a verdict...).
    pub body: Vec<u8>,
    /// The `ETag` the origin sent with `body`, if any.
    pub etag: Option<String>,
    /// The `Last-Modified` the origin sent with `body`, if any.
    pub last_modified: Option<String>,
    /// When `body` was fetched or computed.
    pub stored_at: DateTime<Utc>,
    /// True when the entry was read back with a verified tag under the cache's secret: only
    /// then may its content decide anything beyond saving a download.
    pub authenticated: bool,
}

impl Entry {
    /// An entry holding `body`, stamped now, with no validators.
    pub fn new(body: impl Into<Vec<u8>>) -> Entry {
        Entry {
            body: body.into(),
            etag: None,
            last_modified: None,
            stored_at: now_millis(),
            authenticated: false,
        }
    }
}

/// An entry as stored: with the key it belongs to (guards against hash
/// collisions and misplaced files) and its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    pub key: String,
    pub expires_at: DateTime<Utc>,
    pub entry: Entry,
}

/// Why stored bytes were rejected (they are then treated as a miss).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum DecodeError {
    #[error("bad magic")]
    Magic,
    #[error("payload is {actual} bytes, header says {expected}")]
    Length { expected: u64, actual: u64 },
    #[error("checksum mismatch")]
    Checksum,
    #[error("written with another key, or without one")]
    Foreign,
    #[error("field {0} runs past the end")]
    Truncated(&'static str),
    #[error("field {0} is not utf-8 or a valid time")]
    Invalid(&'static str),
}

/// Current time truncated to milliseconds, so an entry equals its decoding.
pub(crate) fn now_millis() -> DateTime<Utc> {
    from_millis(Utc::now().timestamp_millis()).unwrap_or_else(Utc::now)
}

fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

impl Record {
    /// Encodes the record with its tag: keyed under `secret`, else a plain checksum.
    pub fn encode(&self, secret: Option<&CacheSecret>) -> Vec<u8> {
        encode_record(&self.key, self.expires_at, &self.entry, secret)
    }

    /// Checks magic, length and tag (under `secret` when the cache has one), then parses.
    pub fn decode(bytes: &[u8], secret: Option<&CacheSecret>) -> Result<Record, DecodeError> {
        let (mut record, body_at) = parse_checked(bytes, secret)?;
        record.entry.body = bytes[body_at..].to_vec();
        Ok(record)
    }

    /// [`Record::decode`] of a record inside a value whose tag was verified over these very
    /// bytes (an entry of a pack): magic and length are checked, the record's own checksum is
    /// not computed again. Never for bytes read on their own.
    pub fn decode_covered(bytes: &[u8]) -> Result<Record, DecodeError> {
        check_shape(bytes)?;
        let mut reader = Reader(&bytes[HEADER_LEN..]);
        let mut record = parse_fields(&mut reader)?;
        record.entry.body = reader.0.to_vec();
        Ok(record)
    }

    /// [`Record::decode`] of bytes it may keep: the body is the same buffer with the header
    /// and fields removed, not a copy (a pack is megabytes).
    pub fn decode_owned(
        mut bytes: Vec<u8>,
        secret: Option<&CacheSecret>,
    ) -> Result<Record, DecodeError> {
        let (mut record, body_at) = parse_checked(&bytes, secret)?;
        bytes.drain(..body_at);
        record.entry.body = bytes;
        Ok(record)
    }

    /// True once the record's time-to-live has passed, and for a record no writer of this
    /// tool makes: one stored in the future, or kept longer than the longest lifetime any
    /// namespace gives ([`VERDICT_TTL`]). The expiry is the writer's word, so whoever holds the
    /// cache key (a fleet's runner) could otherwise make an entry live for years.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        let slack = chrono::Duration::minutes(5);
        let longest = chrono::Duration::from_std(VERDICT_TTL).unwrap_or(chrono::Duration::MAX);
        self.expires_at <= now
            || self.entry.stored_at > now + slack
            || self.expires_at - self.entry.stored_at > longest + slack
    }
}

/// Encodes a record from its parts: the head (header and the fields before the body) followed
/// by the entry's body.
pub(crate) fn encode_record(
    key: &str,
    expires_at: DateTime<Utc>,
    e: &Entry,
    secret: Option<&CacheSecret>,
) -> Vec<u8> {
    let mut out = encode_head(key, expires_at, e, secret);
    out.extend_from_slice(&e.body);
    out
}

/// A record's bytes before its body (header, then the fields), tagged over the fields and the
/// body: written in front of the body, it makes the record without copying the body.
pub(crate) fn encode_head(
    key: &str,
    expires_at: DateTime<Utc>,
    e: &Entry,
    secret: Option<&CacheSecret>,
) -> Vec<u8> {
    let fields = encode_fields(key, e, expires_at);
    let mut tagger = Tagger::new(secret);
    tagger.update(&fields);
    tagger.update(&e.body);
    let payload_len = (fields.len() + e.body.len()) as u64;
    let mut out = header(tagger.finish(), secret.is_some(), payload_len).to_vec();
    out.extend_from_slice(&fields);
    out
}

/// The payload's fields before the body.
pub(crate) fn encode_fields(key: &str, e: &Entry, expires_at: DateTime<Utc>) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + key.len());
    out.extend_from_slice(&e.stored_at.timestamp_millis().to_le_bytes());
    out.extend_from_slice(&expires_at.timestamp_millis().to_le_bytes());
    put_str(&mut out, Some(key));
    put_str(&mut out, e.etag.as_deref());
    put_str(&mut out, e.last_modified.as_deref());
    out
}

/// A record's header: magic, kind, the payload's tag, the payload's length.
pub(crate) fn header(tag: [u8; 32], keyed: bool, payload_len: u64) -> [u8; HEADER_LEN] {
    let mut out = [0u8; HEADER_LEN];
    out[..8].copy_from_slice(MAGIC);
    out[8] = if keyed { KEYED } else { UNKEYED };
    out[9..41].copy_from_slice(&tag);
    out[41..49].copy_from_slice(&payload_len.to_le_bytes());
    out
}

/// A payload's tag computed piece by piece: the HMAC under the cache's secret, else SHA-256.
pub(crate) enum Tagger {
    Keyed(Box<aws_lc_rs::hmac::Context>),
    Unkeyed(Sha256),
}

impl Tagger {
    pub fn new(secret: Option<&CacheSecret>) -> Tagger {
        match secret {
            Some(secret) => Tagger::Keyed(Box::new(secret.context())),
            None => Tagger::Unkeyed(Sha256::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Tagger::Keyed(context) => context.update(bytes),
            Tagger::Unkeyed(hash) => hash.update(bytes),
        }
    }

    pub fn finish(self) -> [u8; 32] {
        match self {
            Tagger::Keyed(context) => context
                .sign()
                .as_ref()
                .try_into()
                .expect("HMAC-SHA256 tags are 32 bytes"),
            Tagger::Unkeyed(hash) => hash.finalize().into(),
        }
    }
}

/// Checks magic and length.
fn check_shape(bytes: &[u8]) -> Result<(), DecodeError> {
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(DecodeError::Magic);
    }
    let payload = &bytes[HEADER_LEN..];
    let expected = u64::from_le_bytes(bytes[41..49].try_into().expect("8 bytes"));
    if expected != payload.len() as u64 {
        let actual = payload.len() as u64;
        return Err(DecodeError::Length { expected, actual });
    }
    Ok(())
}

/// Checks magic, length and tag; says whether the tag was an HMAC under `secret`.
fn check(bytes: &[u8], secret: Option<&CacheSecret>) -> Result<bool, DecodeError> {
    check_shape(bytes)?;
    let (kind, tag) = (bytes[8], &bytes[9..41]);
    let payload = &bytes[HEADER_LEN..];
    match (kind, secret) {
        (KEYED, Some(secret)) if secret.verifies(payload, tag) => Ok(true),
        (KEYED, Some(_)) => Err(DecodeError::Checksum),
        (UNKEYED, None) if Sha256::digest(payload).as_slice() == tag => Ok(false),
        (UNKEYED, None) => Err(DecodeError::Checksum),
        _ => Err(DecodeError::Foreign),
    }
}

/// The record without its body, after [`check`], and where its body starts in `bytes`.
fn parse_checked(
    bytes: &[u8],
    secret: Option<&CacheSecret>,
) -> Result<(Record, usize), DecodeError> {
    let authenticated = check(bytes, secret)?;
    let mut reader = Reader(&bytes[HEADER_LEN..]);
    let mut record = parse_fields(&mut reader)?;
    record.entry.authenticated = authenticated;
    Ok((record, bytes.len() - reader.0.len()))
}

/// The key a stored value names, read from the first bytes of it alone (the header, then the
/// fields up to the key): what the value is, for statistics. Nothing is checked beyond the
/// magic and the fields' shape; `None` when `head` is too short or not a value.
pub(crate) fn peek_key(head: &[u8]) -> Option<String> {
    if head.len() < HEADER_LEN || &head[..8] != MAGIC {
        return None;
    }
    let mut reader = Reader(&head[HEADER_LEN..]);
    reader.time("stored_at").ok()?;
    reader.time("expires_at").ok()?;
    reader.string("key").ok()?
}

/// The payload's fields before the body (left in the reader); the body is set by the caller.
fn parse_fields(r: &mut Reader<'_>) -> Result<Record, DecodeError> {
    let stored_at = r.time("stored_at")?;
    let expires_at = r.time("expires_at")?;
    let key = r.string("key")?.ok_or(DecodeError::Invalid("key"))?;
    let etag = r.string("etag")?;
    let last_modified = r.string("last_modified")?;
    let entry = Entry {
        body: Vec::new(),
        etag,
        last_modified,
        stored_at,
        authenticated: false,
    };
    Ok(Record {
        key,
        expires_at,
        entry,
    })
}

fn put_str(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        // Strings of 4 GiB cannot reach here: keys and headers are small.
        Some(s) => {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }
        None => out.extend_from_slice(&ABSENT.to_le_bytes()),
    }
}

/// A bounds-checked cursor over the payload.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::Truncated(field));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn time(&mut self, field: &'static str) -> Result<DateTime<Utc>, DecodeError> {
        let raw = self.take(8, field)?;
        let ms = i64::from_le_bytes(raw.try_into().expect("8 bytes"));
        from_millis(ms).ok_or(DecodeError::Invalid(field))
    }

    fn string(&mut self, field: &'static str) -> Result<Option<String>, DecodeError> {
        let raw = self.take(4, field)?;
        let len = u32::from_le_bytes(raw.try_into().expect("4 bytes"));
        if len == ABSENT {
            return Ok(None);
        }
        let bytes = self.take(len as usize, field)?;
        let text = std::str::from_utf8(bytes).map_err(|_| DecodeError::Invalid(field))?;
        Ok(Some(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(byte: u8) -> CacheSecret {
        CacheSecret::new(&[byte; 32]).unwrap()
    }

    /// An expiry is the writer's word: one past the longest lifetime, or an entry dated in the
    /// future, is expired whatever it says (a key holder could make either live for years).
    #[test]
    fn a_lifetime_no_writer_gives_is_expired() {
        let now = now_millis();
        let record = |stored_ago: chrono::Duration, lives: chrono::Duration| {
            let mut record = sample();
            record.entry.stored_at = now - stored_ago;
            record.expires_at = now - stored_ago + lives;
            record
        };
        let (hour, day) = (chrono::Duration::hours(1), chrono::Duration::days(1));
        assert!(!record(hour, day).is_expired(now));
        assert!(!record(day, day * 7).is_expired(now));
        assert!(record(day, hour).is_expired(now));
        assert!(record(day * 30, day * 3650).is_expired(now));
        assert!(record(hour, day * 8).is_expired(now));
        assert!(record(-day, day).is_expired(now));
    }

    fn sample() -> Record {
        let mut entry = Entry::new(b"{\"name\":\"lodash\"}".to_vec());
        entry.etag = Some("\"abc\"".into());
        entry.last_modified = Some("Wed, 21 Oct 2015 07:28:00 GMT".into());
        Record {
            key: "https://registry.npmjs.org/lodash".into(),
            expires_at: entry.stored_at + chrono::Duration::hours(1),
            entry,
        }
    }

    #[test]
    fn the_key_is_read_from_the_front_of_a_value_alone() {
        let bytes = sample().encode(Some(&secret(1)));
        let key_end = HEADER_LEN + 16 + 4 + sample().key.len();
        assert_eq!(peek_key(&bytes), Some(sample().key));
        assert_eq!(peek_key(&bytes[..key_end]), Some(sample().key));
        assert_eq!(peek_key(&bytes[..key_end - 1]), None, "the key cut short");
        assert_eq!(peek_key(&bytes[..HEADER_LEN - 1]), None, "no whole header");
        let mut other = bytes.clone();
        other[0] ^= 1;
        assert_eq!(peek_key(&other), None, "not a value");
    }

    #[test]
    fn round_trip_keeps_every_field_and_says_whether_it_was_authenticated() {
        let record = sample();
        assert_eq!(
            Record::decode(&record.encode(None), None),
            Ok(record.clone())
        );
        let keyed = Record::decode(&record.encode(Some(&secret(1))), Some(&secret(1))).unwrap();
        assert!(keyed.entry.authenticated);
        assert_eq!(keyed.entry.body, record.entry.body);
    }

    #[test]
    fn entries_only_read_under_the_key_they_were_written_with() {
        let record = sample();
        let keyed = record.encode(Some(&secret(1)));
        assert_eq!(
            Record::decode(&keyed, Some(&secret(2))),
            Err(DecodeError::Checksum)
        );
        assert_eq!(Record::decode(&keyed, None), Err(DecodeError::Foreign));
        // A forger without the key writes an unkeyed entry: a keyed cache ignores it.
        assert_eq!(
            Record::decode(&record.encode(None), Some(&secret(1))),
            Err(DecodeError::Foreign)
        );
    }

    #[test]
    fn every_single_byte_flip_is_rejected() {
        for secret in [None, Some(secret(7))] {
            let bytes = sample().encode(secret.as_ref());
            for i in 0..bytes.len() {
                let mut bad = bytes.clone();
                bad[i] ^= 0x01;
                assert!(
                    Record::decode(&bad, secret.as_ref()).is_err(),
                    "flip at {i} accepted"
                );
            }
        }
    }

    #[test]
    fn every_truncation_is_rejected() {
        let bytes = sample().encode(None);
        for len in 0..bytes.len() {
            assert!(
                Record::decode(&bytes[..len], None).is_err(),
                "prefix {len} accepted"
            );
        }
    }

    #[test]
    fn checksummed_but_malformed_payload_is_a_typed_error() {
        // A payload whose key length points past the end, with a valid checksum.
        let mut payload = vec![0u8; 16];
        payload.extend_from_slice(&1000u32.to_le_bytes());
        let mut bytes = MAGIC.to_vec();
        bytes.push(UNKEYED);
        bytes.extend_from_slice(&Sha256::digest(&payload));
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&payload);
        assert_eq!(
            Record::decode(&bytes, None),
            Err(DecodeError::Truncated("key"))
        );
    }
}
