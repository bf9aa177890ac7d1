//! YAML text to a small tree of nodes that remember their line and column, for `pnpm-lock.yaml`,
//! Yarn Berry's `yarn.lock` and `.yarnrc.yml`.
//!
//! yaml-rust2's event parser does the syntax; the tree is built here without recursion, with a
//! nesting limit (lockfiles nest a handful of levels; `- - - - …` on one line could otherwise
//! nest a hundred thousand deep and overflow the stack when the tree is dropped) and without
//! aliases (neither pnpm nor Yarn writes them, and expanding them is how a small file becomes a
//! huge tree).

use std::collections::HashSet;
use std::path::Path;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::LockfileError;

/// Deeper than any lockfile or config file nests.
const MAX_DEPTH: usize = 64;

/// One YAML node and where it starts (1-based line and column).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// The content of a node.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// A scalar's text; `plain` when it was not quoted (only then can it be null or a boolean).
    Scalar { text: String, plain: bool },
    /// Items in file order (read by nothing yet: kept so errors and kinds stay exact).
    #[allow(dead_code)]
    Seq(Vec<Node>),
    /// Entries in file order; keys are unique (duplicates are a parse error).
    Map(Vec<(String, Node)>),
}

impl Node {
    /// The text of a scalar (a number stays text: `0.7.34`, `10`).
    pub(crate) fn str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// A plain `true`/`false`.
    pub(crate) fn bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain empty, `~` or `null` scalar.
    pub(crate) fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The entries of a mapping.
    pub(crate) fn map(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` of a mapping (a linear scan: for small mappings).
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.map()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// What kind of node this is, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match &self.value {
            Value::Scalar { .. } if self.is_null() => "null",
            Value::Scalar { .. } => "a scalar",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }
}

/// 1-based line and column.
type Pos = (usize, usize);

fn pos(mark: Marker) -> Pos {
    (mark.line(), mark.col() + 1)
}

enum Frame {
    Seq(Pos, Vec<Node>),
    /// Entries, the key waiting for its value, and the keys seen (a set keeps duplicate checks
    /// linear on a lockfile with tens of thousands of entries).
    Map(
        Pos,
        Vec<(String, Node)>,
        Option<(String, Pos)>,
        HashSet<String>,
    ),
}

/// Parses every document of `text`; errors carry the file, line and column.
pub(crate) fn parse_documents(file: &Path, text: &str) -> Result<Vec<Node>, LockfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut docs = Vec::new();
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| error_at(file, pos(*e.marker()), e.info()))?;
        let node = match event {
            Event::StreamEnd => return Ok(docs),
            Event::Scalar(text, style, _, _) => Node {
                value: Value::Scalar {
                    text,
                    plain: style == TScalarStyle::Plain,
                },
                line: mark.line(),
                column: mark.col() + 1,
            },
            Event::SequenceStart(..) | Event::MappingStart(..) if stack.len() >= MAX_DEPTH => {
                return Err(error_at(file, pos(mark), "nesting too deep"))
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(pos(mark), Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(pos(mark), Vec::new(), None, HashSet::new()));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(frame) => close(frame),
                None => continue,
            },
            Event::Alias(_) => return Err(error_at(file, pos(mark), "aliases are not supported")),
            _ => continue,
        };
        match stack.last_mut() {
            None => docs.push(node),
            Some(frame) => attach(file, frame, node)?,
        }
    }
}

/// Parses a single-document YAML file (the last document when there are several).
pub(crate) fn parse_yaml(file: &Path, text: &str) -> Result<Node, LockfileError> {
    let mut docs = parse_documents(file, text)?;
    docs.pop().ok_or_else(|| LockfileError::Parse {
        file: file.to_path_buf(),
        line: 1,
        column: 1,
        message: "empty document".to_string(),
    })
}

fn close(frame: Frame) -> Node {
    let ((line, column), value) = match frame {
        Frame::Seq(at, items) => (at, Value::Seq(items)),
        Frame::Map(at, entries, _, _) => (at, Value::Map(entries)),
    };
    Node {
        value,
        line,
        column,
    }
}

fn attach(file: &Path, frame: &mut Frame, node: Node) -> Result<(), LockfileError> {
    match frame {
        Frame::Seq(_, items) => items.push(node),
        Frame::Map(start, entries, pending, seen) => match pending.take() {
            Some((key, at)) => {
                if !seen.insert(key.clone()) {
                    let msg = format!("duplicate key {key:?}");
                    return Err(error_at(file, at, &msg));
                }
                entries.push((key, node));
            }
            None => match node.value {
                Value::Scalar { text, .. } => {
                    // A block mapping's start marker lies past its first key; the key is
                    // where a reader looks.
                    if entries.is_empty() {
                        *start = (node.line, node.column);
                    }
                    *pending = Some((text, (node.line, node.column)));
                }
                _ => {
                    let at = (node.line, node.column);
                    return Err(error_at(file, at, "a mapping key must be a scalar"));
                }
            },
        },
    }
    Ok(())
}

fn error_at(file: &Path, (line, column): Pos, message: &str) -> LockfileError {
    LockfileError::Parse {
        file: file.to_path_buf(),
        line,
        column,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Node, LockfileError> {
        parse_yaml(Path::new("f.yaml"), text)
    }

    #[test]
    fn scalars_maps_and_positions() {
        let doc = parse("a: '1.0'\nb:\n  c: true\n  d: [x, \"y\"]\ne:\n").unwrap();
        assert_eq!(doc.get("a").unwrap().str(), Some("1.0"));
        let b = doc.get("b").unwrap();
        assert_eq!(b.get("c").unwrap().bool(), Some(true));
        assert_eq!((b.line, b.column), (3, 3));
        assert!(doc.get("e").unwrap().is_null());
        assert_eq!(b.get("d").unwrap().kind(), "a sequence");
    }

    #[test]
    fn hostile_input_is_an_error() {
        let deep = "- ".repeat(100_000) + "x";
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nesting too deep"));
        let alias = "a: &x [1]\nb: *x\n";
        assert!(parse(alias).unwrap_err().to_string().contains("aliases"));
        let dup = "a: 1\na: 2\n";
        assert_eq!(
            parse(dup).unwrap_err().to_string(),
            "f.yaml:2:1: duplicate key \"a\""
        );
        assert_eq!(parse("a: [1\n").unwrap_err().code(), "ELOCKFILEPARSE");
        let flow = "[".repeat(300);
        assert!(parse(&flow).is_err());
    }
}
