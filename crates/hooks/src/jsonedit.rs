//! A span-level view of a JSON document, so that edits keep the user's formatting: indentation,
//! key order, line endings and everything we do not touch stay byte for byte.
//!
//! The text is always validated with serde_json first; the scanner here only locates things.

use crate::error::ManifestError;

/// One `"key": value` member of an object, as byte offsets into the text.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// The decoded key.
    pub key: String,
    /// Offset of the key's opening quote.
    pub key_start: usize,
    /// Offset just past the key's closing quote.
    pub key_end: usize,
    /// Offset of the first byte of the value.
    pub value_start: usize,
    /// Offset just past the value.
    pub value_end: usize,
}

/// An object: its braces and members.
#[derive(Debug, Clone)]
pub(crate) struct Object {
    /// Offset of `{`.
    pub open: usize,
    /// Offset of `}`.
    pub close: usize,
    /// Members in document order.
    pub members: Vec<Member>,
}

impl Object {
    /// The last member with this key (JSON.parse and serde_json keep the last duplicate too).
    pub fn find(&self, key: &str) -> Option<(usize, &Member)> {
        self.members
            .iter()
            .enumerate()
            .rev()
            .find(|(_, m)| m.key == key)
    }
}

fn malformed(at: usize) -> ManifestError {
    ManifestError::Malformed(format!("unexpected structure at byte {at}"))
}

fn skip_ws(text: &[u8], mut pos: usize) -> usize {
    while pos < text.len() && matches!(text[pos], b' ' | b'\t' | b'\r' | b'\n') {
        pos += 1;
    }
    pos
}

/// Offset just past the string starting at `pos` (which must be `"`).
fn string_end(text: &[u8], pos: usize) -> Result<usize, ManifestError> {
    let mut i = pos + 1;
    while i < text.len() {
        match text[i] {
            b'\\' => i += 2,
            b'"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(malformed(pos))
}

/// Offset just past the value starting at `pos`.
fn value_end(text: &[u8], pos: usize) -> Result<usize, ManifestError> {
    match text.get(pos) {
        Some(b'"') => string_end(text, pos),
        Some(b'{') | Some(b'[') => container_end(text, pos),
        Some(_) => {
            let len = text[pos..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n'))
                .unwrap_or(text.len() - pos);
            Ok(pos + len)
        }
        None => Err(malformed(pos)),
    }
}

fn container_end(text: &[u8], pos: usize) -> Result<usize, ManifestError> {
    let mut depth = 0usize;
    let mut i = pos;
    while i < text.len() {
        match text[i] {
            b'"' => i = string_end(text, i)?,
            b'{' | b'[' => (depth, i) = (depth + 1, i + 1),
            b'}' | b']' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err(malformed(pos))
}

/// Reads the object whose `{` is at `open`.
pub(crate) fn object_at(text: &str, open: usize) -> Result<Object, ManifestError> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'{') {
        return Err(malformed(open));
    }
    let mut members = Vec::new();
    let mut pos = skip_ws(bytes, open + 1);
    if bytes.get(pos) == Some(&b'}') {
        return Ok(Object {
            open,
            close: pos,
            members,
        });
    }
    loop {
        let member = member_at(text, pos)?;
        pos = skip_ws(bytes, member.value_end);
        members.push(member);
        match bytes.get(pos) {
            Some(b',') => pos = skip_ws(bytes, pos + 1),
            Some(b'}') => {
                return Ok(Object {
                    open,
                    close: pos,
                    members,
                })
            }
            _ => return Err(malformed(pos)),
        }
    }
}

fn member_at(text: &str, key_start: usize) -> Result<Member, ManifestError> {
    let bytes = text.as_bytes();
    if bytes.get(key_start) != Some(&b'"') {
        return Err(malformed(key_start));
    }
    let key_end = string_end(bytes, key_start)?;
    let key: String = serde_json::from_str(&text[key_start..key_end])
        .map_err(|e| ManifestError::Malformed(e.to_string()))?;
    let colon = skip_ws(bytes, key_end);
    if bytes.get(colon) != Some(&b':') {
        return Err(malformed(colon));
    }
    let value_start = skip_ws(bytes, colon + 1);
    let value_end = value_end(bytes, value_start)?;
    Ok(Member {
        key,
        key_start,
        key_end,
        value_start,
        value_end,
    })
}

/// The document's root object.
pub(crate) fn root(text: &str) -> Result<Object, ManifestError> {
    object_at(text, skip_ws(text.as_bytes(), 0))
}

/// How the document is laid out, learnt from its root object.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// `"\n"` or `"\r\n"`; empty for a one-line document.
    pub newline: String,
    /// One level of indentation (`"  "`, `"\t"`, ...); empty for a one-line document.
    pub indent: String,
    /// What sits between a key and its value (`": "`, `":"`).
    pub separator: String,
}

impl Layout {
    /// Learns the layout from the first member of the root object.
    pub fn of(text: &str, root: &Object) -> Layout {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let Some(first) = root.members.first() else {
            return Layout {
                newline: newline.into(),
                indent: "  ".into(),
                separator: ": ".into(),
            };
        };
        let before = &text[root.open + 1..first.key_start];
        let (newline, indent) = match before.rfind('\n') {
            Some(i) => (newline.to_string(), before[i + 1..].to_string()),
            None => (String::new(), String::new()),
        };
        let separator = text[first.key_end..first.value_start].to_string();
        Layout {
            newline,
            indent,
            separator,
        }
    }

    fn line(&self, depth: usize) -> String {
        format!("{}{}", self.newline, self.indent.repeat(depth))
    }
}

/// Appends `"key": value_json` to `object` (at nesting `depth`, the root being 0).
pub(crate) fn insert(
    text: &str,
    object: &Object,
    depth: usize,
    layout: &Layout,
    key: &str,
    value_json: &str,
) -> String {
    let key_json = serde_json::to_string(key).expect("a string serialises");
    let member = format!("{key_json}{}{value_json}", layout.separator);
    match object.members.last() {
        // Copy the whitespace in front of the last member: the object's own style.
        Some(last) => {
            let prev_end = object
                .members
                .len()
                .checked_sub(2)
                .map_or(object.open + 1, |i| object.members[i].value_end);
            let gap = &text[prev_end..last.key_start];
            let lead = gap.rfind(',').map_or(gap, |i| &gap[i + 1..]);
            splice(
                text,
                last.value_end,
                last.value_end,
                &format!(",{lead}{member}"),
            )
        }
        None => {
            let body = format!("{}{member}{}", layout.line(depth + 1), layout.line(depth));
            splice(text, object.open + 1, object.close, &body)
        }
    }
}

/// Replaces the value of `member` with `value_json`.
pub(crate) fn replace(text: &str, member: &Member, value_json: &str) -> String {
    splice(text, member.value_start, member.value_end, value_json)
}

/// Removes the member at `index` of `object`, with its comma.
pub(crate) fn remove(text: &str, object: &Object, index: usize) -> String {
    let members = &object.members;
    match (index, members.len()) {
        (_, 1) => splice(text, object.open + 1, object.close, ""),
        (i, n) if i + 1 < n => splice(text, members[i].key_start, members[i + 1].key_start, ""),
        (i, _) => splice(text, members[i - 1].value_end, members[i].value_end, ""),
    }
}

fn splice(text: &str, from: usize, to: usize, with: &str) -> String {
    format!("{}{with}{}", &text[..from], &text[to..])
}
