//! The syntax of Yarn classic's `yarn.lock` (not YAML): lines indented by two spaces per
//! level; `key value` pairs; `key1, "key 2":` opening a nested block; `#` comments; strings
//! bare or double-quoted with JSON escapes. Read line by line (the format has no multi-line
//! values), so hostile input cannot recurse or backtrack.

use std::path::Path;

use crate::error::LockfileError;

/// Deeper than `yarn.lock` ever nests (entries, then `dependencies`).
const MAX_DEPTH: usize = 16;

/// One value and where it starts.
#[derive(Debug, Clone)]
pub(crate) struct YNode {
    pub(crate) value: YValue,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// A scalar (booleans and numbers keep their text) or a block of entries.
#[derive(Debug, Clone)]
pub(crate) enum YValue {
    Str(String),
    Block(Vec<YEntry>),
}

/// One entry: the key list (`a@^1, a@^1.1`) and its value.
#[derive(Debug, Clone)]
pub(crate) struct YEntry {
    pub(crate) keys: Vec<String>,
    pub(crate) value: YNode,
}

impl YNode {
    /// The scalar text.
    pub(crate) fn str(&self) -> Option<&str> {
        match &self.value {
            YValue::Str(s) => Some(s),
            YValue::Block(_) => None,
        }
    }

    /// The entries of a block.
    pub(crate) fn block(&self) -> Option<&[YEntry]> {
        match &self.value {
            YValue::Block(entries) => Some(entries),
            YValue::Str(_) => None,
        }
    }

    /// The value of the first entry with `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&YNode> {
        let entries = self.block()?;
        entries
            .iter()
            .find(|e| e.keys.iter().any(|k| k == key))
            .map(|e| &e.value)
    }
}

struct Open {
    entries: Vec<YEntry>,
    keys: Vec<String>,
    line: usize,
    column: usize,
}

/// Parses the whole file into its top-level block.
pub(crate) fn parse_yarn_syntax(file: &Path, text: &str) -> Result<YNode, LockfileError> {
    let err = |line: usize, column: usize, message: String| LockfileError::Parse {
        file: file.to_path_buf(),
        line,
        column,
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut stack: Vec<Open> = vec![Open {
        entries: Vec::new(),
        keys: Vec::new(),
        line: 1,
        column: 1,
    }];
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let spaces = raw.len() - raw.trim_start_matches(' ').len();
        let content = raw[spaces..].trim_end();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if spaces % 2 != 0 {
            return Err(err(line_no, 1, "invalid number of spaces".into()));
        }
        let depth = spaces / 2;
        if depth + 1 > stack.len() {
            return Err(err(line_no, spaces + 1, "unexpected indentation".into()));
        }
        while stack.len() > depth + 1 {
            close(&mut stack);
        }
        let column = spaces + 1;
        let (keys, value) =
            split_line(content).map_err(|(col, m)| err(line_no, column + col, m))?;
        let top = stack.last_mut().expect("the root stays open");
        match value {
            Some(text) => top.entries.push(YEntry {
                keys,
                value: YNode {
                    value: YValue::Str(text),
                    line: line_no,
                    column,
                },
            }),
            None if stack.len() > MAX_DEPTH => {
                return Err(err(line_no, column, "nesting too deep".into()));
            }
            None => stack.push(Open {
                entries: Vec::new(),
                keys,
                line: line_no,
                column,
            }),
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    let root = stack.pop().expect("root");
    let root = YNode {
        value: YValue::Block(root.entries),
        line: 1,
        column: 1,
    };
    match repeated_key(&root) {
        Some((key, node)) => Err(err(
            node.line,
            node.column,
            format!("the key {key:?} appears twice in one block (Yarn reads the last, a reader of the first would check another package)"),
        )),
        None => Ok(root),
    }
}

/// The first key a block repeats (in any of its entries' key lists), at any depth, with the
/// repeating entry's value.
fn repeated_key(node: &YNode) -> Option<(&str, &YNode)> {
    let entries = node.block()?;
    let mut seen = std::collections::HashSet::new();
    for entry in entries {
        if let Some(key) = entry.keys.iter().find(|k| !seen.insert(k.as_str())) {
            return Some((key, &entry.value));
        }
    }
    entries.iter().find_map(|e| repeated_key(&e.value))
}

fn close(stack: &mut Vec<Open>) {
    let done = stack.pop().expect("checked by the caller");
    let parent = stack.last_mut().expect("the root stays open");
    parent.entries.push(YEntry {
        keys: done.keys,
        value: YNode {
            value: YValue::Block(done.entries),
            line: done.line,
            column: done.column,
        },
    });
}

type LineError = (usize, String);

/// `keys value` or `keys:` (a block follows). Columns in errors are 0-based offsets.
fn split_line(content: &str) -> Result<(Vec<String>, Option<String>), LineError> {
    let mut keys = Vec::new();
    let mut rest = content;
    loop {
        let offset = content.len() - rest.len();
        let (key, after) = token(rest).map_err(|m| (offset, m))?;
        keys.push(key);
        let after = after.trim_start_matches(' ');
        match after.strip_prefix(',') {
            Some(more) => rest = more.trim_start_matches(' '),
            None => {
                rest = after;
                break;
            }
        }
    }
    let offset = content.len() - rest.len();
    if let Some(after_colon) = rest.strip_prefix(':') {
        let value = after_colon.trim_start_matches(' ');
        if value.is_empty() {
            return Ok((keys, None));
        }
        rest = value;
    }
    if rest.is_empty() {
        return Err((offset, "expected a value or ':'".into()));
    }
    let offset = content.len() - rest.len();
    let (value, after) = token(rest).map_err(|m| (offset, m))?;
    if !after.trim().is_empty() && !after.trim_start().starts_with('#') {
        let at = content.len() - after.len();
        return Err((at, format!("unexpected {:?}", after.trim())));
    }
    Ok((keys, Some(value)))
}

/// One bare or quoted string; returns it and the rest of the line.
fn token(s: &str) -> Result<(String, &str), String> {
    if s.starts_with('"') {
        return quoted(s);
    }
    let end = s.find([' ', ':', ',']).unwrap_or(s.len());
    if end == 0 {
        return Err(format!(
            "expected a string, found {:?}",
            s.chars().next().unwrap_or(' ')
        ));
    }
    Ok((s[..end].to_string(), &s[end..]))
}

/// A double-quoted string with JSON escapes (what Yarn's `JSON.stringify` writes).
fn quoted(s: &str) -> Result<(String, &str), String> {
    let bytes = s.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => {
                let text: String = serde_json::from_str(&s[..=i]).map_err(|e| e.to_string())?;
                return Ok((text, &s[i + 1..]));
            }
            _ => i += 1,
        }
    }
    Err("unterminated string".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<YNode, LockfileError> {
        parse_yarn_syntax(Path::new("yarn.lock"), text)
    }

    /// Yarn 1 keeps a repeated field's last value: a reader of the first would check another
    /// version than the one installed. Refused at any depth, and for repeated descriptors.
    #[test]
    fn a_repeated_key_is_refused() {
        let fields = "good@*:\n  version \"1.0.0\"\n  resolved \"https://r/good-1.0.0.tgz\"\n  version \"2.0.0\"\n";
        let err = parse(fields).unwrap_err().to_string();
        assert!(
            err.contains("yarn.lock:4:") && err.contains("\"version\" appears twice"),
            "{err}"
        );
        let entries = "a@^1:\n  version \"1.0.0\"\n\nb@^1, a@^1:\n  version \"1.0.1\"\n";
        assert!(parse(entries).is_err());
        let deps = "a@^1:\n  dependencies:\n    b \"^1\"\n    b \"^2\"\n";
        assert!(parse(deps).is_err());
        assert!(parse("a@^1:\n  version \"1.0.0\"\nb@^1:\n  version \"1.0.0\"\n").is_ok());
    }

    #[test]
    fn entries_with_several_keys_and_blocks() {
        let text = "# yarn lockfile v1\n\n\"@s/a@^1.0.0\", \"@s/a@^1.1.0\":\n  version \"1.1.0\"\n  dependencies:\n    b \"^2\"\n\nb@^2:\n  version \"2.0.0\"\n";
        let root = parse(text).unwrap();
        let entries = root.block().unwrap();
        assert_eq!(entries[0].keys, ["@s/a@^1.0.0", "@s/a@^1.1.0"]);
        let a = &entries[0].value;
        assert_eq!(a.get("version").unwrap().str(), Some("1.1.0"));
        assert_eq!(
            a.get("dependencies").unwrap().get("b").unwrap().str(),
            Some("^2")
        );
        assert_eq!((entries[1].value.line, entries[1].value.column), (8, 1));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a@1:\n   version \"1\"\n").unwrap_err();
        assert_eq!(e.to_string(), "yarn.lock:2:1: invalid number of spaces");
        let e = parse("a@1:\n  version \"1\n").unwrap_err();
        assert_eq!(e.to_string(), "yarn.lock:2:11: unterminated string");
        let e = parse("a@1:\n    version \"1\"\n").unwrap_err();
        assert_eq!(e.code(), "ELOCKFILEPARSE");
        let deep: String = (0..40)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect();
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nesting too deep"));
    }
}
