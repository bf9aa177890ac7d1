//! The layout of a pack's body (see [`crate::Pack`]): `NSVPACK1`, then per entry `key_len u32 |
//! key | expires_at i64 (Unix ms) | record_len u64 | record`, all little-endian. Kept apart from
//! the pack's reading and writing so the disk backend can count a pack's entries (statistics)
//! without depending on the pack.

use std::collections::HashSet;
use std::ops::Range;

/// What a pack's body starts with.
pub(crate) const PACK_MAGIC: &[u8; 8] = b"NSVPACK1";
/// What the cache key of every pack starts with (then the scope).
pub(crate) const PACK_KEY_PREFIX: &str = "pack1:";

/// Where one entry sits in a pack's body.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The whole frame (copied as is when the entry is carried into the next pack).
    pub whole: Range<usize>,
    /// The entry's record (its unkeyed encoding).
    pub record: Range<usize>,
    /// The entry's expiry, Unix milliseconds.
    pub expires_ms: i64,
}

/// Appends the frame of one entry to a pack's body.
pub(crate) fn push_frame(out: &mut Vec<u8>, key: &str, expires_ms: i64, record: &[u8]) {
    out.extend_from_slice(&(key.len() as u32).to_le_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(&expires_ms.to_le_bytes());
    out.extend_from_slice(&(record.len() as u64).to_le_bytes());
    out.extend_from_slice(record);
}

/// The entries a pack's body holds (a key given twice is one entry, as a lookup sees it);
/// `None` when the body is not a well-formed pack.
pub(crate) fn count_entries(body: &[u8]) -> Option<u64> {
    let mut keys = HashSet::new();
    for_each_frame(body, |key, _| {
        keys.insert(key);
    })?;
    Some(keys.len() as u64)
}

/// Calls `visit` with each frame of a pack's body, in order; `None` when the body does not
/// start with the pack's magic or a frame is malformed.
pub(crate) fn for_each_frame<'a>(
    body: &'a [u8],
    mut visit: impl FnMut(&'a str, Frame),
) -> Option<()> {
    if !body.starts_with(PACK_MAGIC) {
        return None;
    }
    let mut at = PACK_MAGIC.len();
    while at < body.len() {
        let start = at;
        let key_len = read_u32(body, &mut at)? as usize;
        let key = std::str::from_utf8(take(body, &mut at, key_len)?).ok()?;
        let expires_ms = i64::from_le_bytes(take(body, &mut at, 8)?.try_into().ok()?);
        let record_len = usize::try_from(read_u64(body, &mut at)?).ok()?;
        let record_start = at;
        take(body, &mut at, record_len)?;
        let frame = Frame {
            whole: start..at,
            record: record_start..at,
            expires_ms,
        };
        visit(key, frame);
    }
    Some(())
}

fn take<'a>(body: &'a [u8], at: &mut usize, n: usize) -> Option<&'a [u8]> {
    let end = at.checked_add(n).filter(|&end| end <= body.len())?;
    let bytes = &body[*at..end];
    *at = end;
    Some(bytes)
}

fn read_u32(body: &[u8], at: &mut usize) -> Option<u32> {
    Some(u32::from_le_bytes(take(body, at, 4)?.try_into().ok()?))
}

fn read_u64(body: &[u8], at: &mut usize) -> Option<u64> {
    Some(u64::from_le_bytes(take(body, at, 8)?.try_into().ok()?))
}
