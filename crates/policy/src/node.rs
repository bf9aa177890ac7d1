//! A YAML/JSON document as a tree of nodes that remember where they start.
//!
//! serde's derive loses positions, so the file is read with yaml-rust2's event parser into this
//! small tree and the policy is built from it by hand (see `convert`). JSON files go through the
//! same parser (JSON is a subset of YAML 1.2) after serde_json has checked that they are strict
//! JSON, so both formats report semantic errors with the same line and column.

use crate::error::{PolicyError, Position};
use std::collections::HashSet;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One node of the document.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where the node starts.
    pub pos: Position,
}

/// The content of a node.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// A scalar; `quoted` is true for quoted and block scalars, which are always strings.
    Scalar { text: String, quoted: bool },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// One key of a mapping.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The key text.
    pub key: String,
    /// Where the key starts.
    pub key_pos: Position,
    /// The value.
    pub value: Node,
}

/// Deepest nesting of sequences and mappings accepted (serde_json's limit for JSON): the tree
/// is dropped and converted recursively, so depth must stay bounded.
const MAX_DEPTH: usize = 128;

/// A container being filled while events arrive.
enum Frame {
    Seq(Position, Vec<Node>),
    /// Entries, the key waiting for its value, and the keys seen (duplicate checks stay linear
    /// on a package.json with thousands of dependencies).
    Map(
        Position,
        Vec<Entry>,
        Option<(String, Position)>,
        HashSet<String>,
    ),
}

/// Collects parser events into a tree; the first structural error wins.
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    error: Option<(Position, String)>,
}

fn position(mark: Marker) -> Position {
    // yaml-rust2 markers count columns from 0 and lines from 1.
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl Builder {
    fn fail(&mut self, pos: Position, message: String) {
        self.error.get_or_insert((pos, message));
    }

    /// Attaches a finished node to the container on top of the stack (or makes it the root).
    fn attach(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, _, pending, seen)) => match pending.take() {
                Some((key, key_pos)) => {
                    if !seen.insert(key.clone()) {
                        let msg = format!("duplicate key '{key}'");
                        self.fail(key_pos, msg);
                    } else if let Some(Frame::Map(_, entries, _, _)) = self.stack.last_mut() {
                        entries.push(Entry {
                            key,
                            key_pos,
                            value: node,
                        });
                    }
                }
                None => match node.value {
                    Value::Scalar { text, .. } => *pending = Some((text, node.pos)),
                    _ => self.fail(node.pos, "mapping keys must be plain strings".into()),
                },
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = position(mark);
        match ev {
            Event::Scalar(text, style, _, _) => {
                let quoted = style != TScalarStyle::Plain;
                self.attach(Node {
                    value: Value::Scalar { text, quoted },
                    pos,
                });
            }
            Event::SequenceStart(..) => self.stack.push(Frame::Seq(pos, Vec::new())),
            Event::MappingStart(..) => {
                let frame = Frame::Map(pos, Vec::new(), None, HashSet::new());
                self.stack.push(frame)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Frame::Seq(p, items)) => Node {
                        value: Value::Seq(items),
                        pos: p,
                    },
                    Some(Frame::Map(p, entries, _, _)) => {
                        // Block mappings get a start marker past their first key; the first key
                        // is where a reader looks.
                        let pos = entries.first().map_or(p, |e| e.key_pos);
                        Node {
                            value: Value::Map(entries),
                            pos,
                        }
                    }
                    None => return,
                };
                self.attach(node);
            }
            // Anchors and aliases would let one node stand in several places; a policy should
            // read the same way top to bottom, so they are refused.
            Event::Alias(_) => self.fail(pos, "aliases are not supported in policies".into()),
            _ => {}
        }
    }
}

/// Parses YAML text into a node tree. `file` is the name used in error messages.
pub(crate) fn parse_yaml(file: &str, text: &str) -> Result<Node, PolicyError> {
    let mut builder = Builder {
        stack: Vec::new(),
        root: None,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    // Event by event rather than `Parser::load`, which recurses once per nesting level: a
    // hostile `- - - - …` line would overflow the stack before any limit could apply.
    loop {
        let (event, mark) = parser.next_token().map_err(|e| PolicyError::Parse {
            file: file.to_string(),
            pos: position(*e.marker()),
            message: e.info().to_string(),
        })?;
        let opens = matches!(event, Event::SequenceStart(..) | Event::MappingStart(..));
        if opens && builder.stack.len() >= MAX_DEPTH {
            return Err(PolicyError::Parse {
                file: file.to_string(),
                pos: position(mark),
                message: format!("nested deeper than {MAX_DEPTH} levels"),
            });
        }
        // The first document only, as `load(.., false)` read it.
        let last = matches!(event, Event::DocumentEnd | Event::StreamEnd);
        builder.on_event(event, mark);
        if last {
            break;
        }
    }
    if let Some((pos, message)) = builder.error {
        return Err(PolicyError::Parse {
            file: file.to_string(),
            pos,
            message,
        });
    }
    builder.root.ok_or_else(|| PolicyError::Parse {
        file: file.to_string(),
        pos: Position { line: 1, column: 1 },
        message: "the policy file is empty".into(),
    })
}

/// Parses strict JSON text into a node tree.
pub(crate) fn parse_json(file: &str, text: &str) -> Result<Node, PolicyError> {
    // serde_json is the judge of JSON syntax (YAML would accept comments, bare words...).
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(PolicyError::Parse {
            file: file.to_string(),
            pos: Position {
                line: e.line(),
                column: e.column(),
            },
            message: strip_serde_position(&e.to_string()),
        });
    }
    parse_yaml(file, text)
}

/// serde_json appends " at line L column C"; the position is already in front of the message.
fn strip_serde_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The document as JSON with YAML 1.2 core-schema typing (for schema validation and printing).
pub(crate) fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|e| (e.key.clone(), to_json(&e.value)))
                .collect(),
        ),
        Value::Scalar { text, quoted: true } => J::String(text.clone()),
        Value::Scalar {
            text,
            quoted: false,
        } => plain_scalar(text),
    }
}

/// Types a plain (unquoted) scalar: null, boolean, number, else string.
pub(crate) fn plain_scalar(text: &str) -> serde_json::Value {
    use serde_json::Value as J;
    match text {
        "" | "~" | "null" | "Null" | "NULL" => J::Null,
        "true" | "True" | "TRUE" => J::Bool(true),
        "false" | "False" | "FALSE" => J::Bool(false),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                return J::from(i);
            }
            match text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n)
                    if text
                        .chars()
                        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) =>
                {
                    J::Number(n)
                }
                _ => J::String(text.to_string()),
            }
        }
    }
}
