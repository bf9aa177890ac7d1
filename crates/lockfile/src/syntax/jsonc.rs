//! JSON with trailing commas and comments (`bun.lock`), read by serde_json after the extras
//! are blanked out. Blanking (not removing) keeps every line and column where it was, so
//! syntax errors point at the original text.

use std::path::Path;

use serde_json::Value;

use crate::error::{json_syntax_error, LockfileError};

/// Parses JSONC `text`; errors carry the file, line and column. An object that repeats a key
/// is refused: Bun reads the first, serde_json the last, so the two would read different trees.
pub(crate) fn parse_jsonc(file: &Path, text: &str) -> Result<Value, LockfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let cleaned = blank_extras(text);
    serde_json::from_str::<Unique>(&cleaned)
        .map(|unique| unique.0)
        .map_err(|e| json_syntax_error(file, &e))
}

/// A JSON value whose objects repeat no key: read in the same pass that builds it.
struct Unique(Value);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Unique, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Unique, E> {
        Ok(Unique(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Unique, E> {
        Ok(Unique(Value::from(n)))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Unique, E> {
        Ok(Unique(Value::from(n)))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Unique, E> {
        Ok(Unique(Value::from(n)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Unique, E> {
        Ok(Unique(Value::String(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Unique, E> {
        Ok(Unique(Value::String(s)))
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique(Value::Null))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(item)) = seq.next_element::<Unique>()? {
            items.push(item);
        }
        Ok(Unique(Value::Array(items)))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!(
                    "the key {key:?} appears twice in one object (Bun reads the first, other readers the last)"
                )));
            }
            let Unique(value) = map.next_value::<Unique>()?;
            object.insert(key, value);
        }
        Ok(Unique(Value::Object(object)))
    }
}

/// Replaces comments and commas that close nothing (`,` before `}` or `]`) with spaces.
fn blank_extras(text: &str) -> String {
    let mut out: Vec<u8> = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut i = 0;
    // The last comma outside strings and comments, still waiting to see what follows it.
    let mut pending_comma: Option<usize> = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                pending_comma = None;
                i = skip_string(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                blank(&mut out, i, end);
                i = end;
                continue;
            }
            b',' => pending_comma = Some(i),
            b'}' | b']' => {
                if let Some(c) = pending_comma.take() {
                    out[c] = b' ';
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => pending_comma = None,
        }
        i += 1;
    }
    // Only ASCII bytes were replaced by ASCII spaces, so this stays valid UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Blanks `out[start..end]`, keeping newlines (and so line numbers).
fn blank(out: &mut [u8], start: usize, end: usize) {
    for b in &mut out[start..end] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// The index just past the string starting at `start`.
fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bun keeps a repeated key's first value and serde_json its last: refused at any depth.
    #[test]
    fn a_repeated_key_is_refused() {
        let file = Path::new("bun.lock");
        let twice = "{ \"packages\": { \"a\": 1 }, // good\n \"packages\": { \"b\": 2 }, }";
        let err = parse_jsonc(file, twice).unwrap_err().to_string();
        assert!(err.contains("\"packages\" appears twice"), "{err}");
        assert!(err.contains("bun.lock:2:"), "{err}");
        assert!(parse_jsonc(file, "{\"a\": {\"x\": 1, \"x\": 2}}").is_err());
        let distinct = "[{\"x\": 1}, {\"x\": 2, \"y\": [null, true, 1.5, -1, 18446744073709551615, \"\\u00e9\"]}]";
        // The value built while checking is the one serde_json reads.
        let expected: Value = serde_json::from_str(distinct).unwrap();
        assert_eq!(parse_jsonc(file, distinct).unwrap(), expected);
    }

    #[test]
    fn trailing_commas_and_comments() {
        let v = parse_jsonc(
            Path::new("bun.lock"),
            "{\n  // c\n  \"a\": [1, 2,],\n  \"b,\": {\"c\": \"/*x*/\",},\n}",
        )
        .unwrap();
        assert_eq!(v["a"], serde_json::json!([1, 2]));
        assert_eq!(v["b,"]["c"], "/*x*/");
    }

    #[test]
    fn errors_keep_positions() {
        let e = parse_jsonc(Path::new("bun.lock"), "{\n  /* x */ \"a\": 1 2\n}").unwrap_err();
        assert_eq!(e.to_string(), "bun.lock:2:18: expected `,` or `}`");
        assert_eq!(e.code(), "ELOCKFILEPARSE");
    }
}
