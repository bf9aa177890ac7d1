//! JSON with trailing commas and comments (`bun.lock`), read by serde_json after the extras
//! are blanked out. Blanking (not removing) keeps every line and column where it was, so
//! syntax errors point at the original text.

use std::path::Path;

use serde_json::Value;

use crate::error::{json_syntax_error, LockfileError};

/// Parses JSONC `text`; errors carry the file, line and column.
pub(crate) fn parse_jsonc(file: &Path, text: &str) -> Result<Value, LockfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let cleaned = blank_extras(text);
    serde_json::from_str(&cleaned).map_err(|e| json_syntax_error(file, &e))
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
