//! Builds a checked [`Policy`] from a node tree, naming file, line, column and key on errors.
//!
//! Unknown keys are errors everywhere: a typo such as `requires:` must not silently leave a
//! package unprotected.

mod authorities;
mod rules;
mod sections;
mod signals;
mod trust;

use crate::error::{PolicyError, Position};
use crate::model::{EvidenceKind, Policy};
use crate::node::{Entry, Node, Value};

/// Where the converter is: the file name for messages.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
}

/// The top-level keys of a policy.
const TOP_KEYS: &[&str] = &[
    "$schema",
    "version",
    "trust",
    "rules",
    "exceptions",
    "environments",
    "signals",
    "allowScripts",
];

/// Converts a whole document.
pub(crate) fn policy(cx: &Ctx, root: &Node) -> Result<Policy, PolicyError> {
    let entries = cx.map(root, "", TOP_KEYS)?;
    if let Some(v) = get(entries, "version") {
        let n = cx.uint(v, "version")?;
        if n != 1 {
            return Err(cx.err(
                v,
                "version",
                format!("unsupported policy version {n} (expected 1)"),
            ));
        }
    }
    let trust = match get(entries, "trust") {
        Some(n) => trust::trust(cx, n)?,
        None => Default::default(),
    };
    let rules = match get(entries, "rules") {
        Some(n) => rules::rules(cx, n, &trust)?,
        None => Vec::new(),
    };
    let exceptions = match get(entries, "exceptions") {
        Some(n) => sections::exceptions(cx, n)?,
        None => Vec::new(),
    };
    let signals = match get(entries, "signals") {
        Some(n) => signals::signals(cx, n)?,
        None => Default::default(),
    };
    let (environments, default_environment) = match get(entries, "environments") {
        Some(n) => sections::environments(cx, n)?,
        None => Default::default(),
    };
    // The safe install's allow-list of install scripts (read by `npm-sigverify install`): only
    // its shape is checked here.
    if let Some(n) = get(entries, "allowScripts") {
        cx.str_list(n, "allowScripts")?;
    }
    Ok(Policy {
        trust,
        rules,
        exceptions,
        environments,
        default_environment,
        signals,
    })
}

/// The value of `key` in a mapping.
pub(crate) fn get<'n>(entries: &'n [Entry], key: &str) -> Option<&'n Node> {
    entries.iter().find(|e| e.key == key).map(|e| &e.value)
}

/// Joins a parent path and a key: `rules[2]` + `require` = `rules[2].require`.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A short name for the type of a node, for "expected X, found Y" messages.
fn kind(node: &Node) -> &'static str {
    match &node.value {
        Value::Map(_) => "a mapping",
        Value::Seq(_) => "a list",
        Value::Scalar { quoted: true, .. } => "a string",
        Value::Scalar { text, .. } => match crate::node::plain_scalar(text) {
            serde_json::Value::Null => "null",
            serde_json::Value::Bool(_) => "a boolean",
            serde_json::Value::Number(_) => "a number",
            _ => "a string",
        },
    }
}

impl Ctx<'_> {
    /// A schema error at `node`.
    pub fn err(&self, node: &Node, key: &str, message: impl Into<String>) -> PolicyError {
        self.err_at(node.pos, key, message)
    }

    /// A schema error at a position.
    pub fn err_at(&self, pos: Position, key: &str, message: impl Into<String>) -> PolicyError {
        PolicyError::schema(self.file, pos, key, message)
    }

    fn wrong_type(&self, node: &Node, key: &str, expected: &str) -> PolicyError {
        self.err(
            node,
            key,
            format!("expected {expected}, found {}", kind(node)),
        )
    }

    /// A mapping whose keys are all in `allowed`.
    pub fn map<'n>(
        &self,
        node: &'n Node,
        path: &str,
        allowed: &[&str],
    ) -> Result<&'n [Entry], PolicyError> {
        let Value::Map(entries) = &node.value else {
            return Err(self.wrong_type(
                node,
                if path.is_empty() { "(root)" } else { path },
                "a mapping",
            ));
        };
        if let Some(e) = entries.iter().find(|e| !allowed.contains(&e.key.as_str())) {
            let msg = format!(
                "unknown key '{}' (expected one of {})",
                e.key,
                allowed.join(", ")
            );
            return Err(self.err_at(e.key_pos, &join(path, &e.key), msg));
        }
        Ok(entries)
    }

    /// A mapping with free-form keys (names, URLs).
    pub fn any_map<'n>(&self, node: &'n Node, path: &str) -> Result<&'n [Entry], PolicyError> {
        match &node.value {
            Value::Map(entries) => Ok(entries),
            _ => Err(self.wrong_type(node, path, "a mapping")),
        }
    }

    /// A list.
    pub fn seq<'n>(&self, node: &'n Node, path: &str) -> Result<&'n [Node], PolicyError> {
        match &node.value {
            Value::Seq(items) => Ok(items),
            _ => Err(self.wrong_type(node, path, "a list")),
        }
    }

    /// A string (quoted, or a plain scalar that is not null, a boolean or a number).
    pub fn str<'n>(&self, node: &'n Node, path: &str) -> Result<&'n str, PolicyError> {
        match (&node.value, kind(node)) {
            (Value::Scalar { text, .. }, "a string") => Ok(text),
            _ => Err(self.wrong_type(node, path, "a string")),
        }
    }

    /// A boolean (`true` / `false`, unquoted).
    pub fn bool(&self, node: &Node, path: &str) -> Result<bool, PolicyError> {
        match (&node.value, kind(node)) {
            (Value::Scalar { text, .. }, "a boolean") => Ok(text.eq_ignore_ascii_case("true")),
            _ => Err(self.wrong_type(node, path, "a boolean")),
        }
    }

    /// A non-negative integer, unquoted.
    pub fn uint(&self, node: &Node, path: &str) -> Result<usize, PolicyError> {
        match &node.value {
            Value::Scalar {
                text,
                quoted: false,
            } if text.parse::<usize>().is_ok() => Ok(text.parse().unwrap_or(0)),
            _ => Err(self.wrong_type(node, path, "a non-negative integer")),
        }
    }

    /// A list of strings.
    pub fn str_list<'n>(
        &self,
        node: &'n Node,
        path: &str,
    ) -> Result<Vec<(&'n str, &'n Node)>, PolicyError> {
        let items = self.seq(node, path)?;
        items
            .iter()
            .enumerate()
            .map(|(i, n)| Ok((self.str(n, &format!("{path}[{i}]"))?, n)))
            .collect()
    }

    /// A list of evidence kinds, without duplicates.
    pub fn evidence_list(&self, node: &Node, path: &str) -> Result<Vec<EvidenceKind>, PolicyError> {
        let mut out = Vec::new();
        for (i, (s, n)) in self.str_list(node, path)?.into_iter().enumerate() {
            let kind = EvidenceKind::parse(s).ok_or_else(|| {
                let names: Vec<_> = EvidenceKind::ALL.iter().map(|k| k.as_str()).collect();
                self.err(
                    n,
                    path,
                    format!(
                        "unknown evidence '{s}' (expected one of {})",
                        names.join(", ")
                    ),
                )
            })?;
            if out.contains(&kind) {
                return Err(self.err(n, &format!("{path}[{i}]"), format!("'{s}' is listed twice")));
            }
            out.push(kind);
        }
        Ok(out)
    }
}
