//! Typed reads of [`Node`]s that report the position and path of a value of the wrong shape.

use std::path::Path;

use super::yaml::Node;
use crate::error::{key_path, LockfileError};

/// The file being read, for errors that name it.
#[derive(Clone, Copy)]
pub(crate) struct YamlDoc<'p> {
    pub(crate) file: &'p Path,
}

impl YamlDoc<'_> {
    /// An error about `node` at `path`.
    pub(crate) fn error(
        &self,
        node: &Node,
        path: &str,
        message: impl Into<String>,
    ) -> LockfileError {
        LockfileError::ShapeAt {
            file: self.file.to_path_buf(),
            line: node.line,
            column: node.column,
            path: path.to_string(),
            message: message.into(),
        }
    }

    fn wrong(&self, node: &Node, path: &str, expected: &str) -> LockfileError {
        self.error(
            node,
            path,
            format!("expected {expected}, found {}", node.kind()),
        )
    }

    /// The entries of a mapping; a missing or null value is an empty mapping.
    pub(crate) fn map<'n>(
        &self,
        node: Option<&'n Node>,
        path: &str,
    ) -> Result<&'n [(String, Node)], LockfileError> {
        match node {
            None => Ok(&[]),
            Some(n) if n.is_null() => Ok(&[]),
            Some(n) => n.map().ok_or_else(|| self.wrong(n, path, "a mapping")),
        }
    }

    /// An optional scalar.
    pub(crate) fn opt_str<'n>(
        &self,
        node: Option<&'n Node>,
        path: &str,
    ) -> Result<Option<&'n str>, LockfileError> {
        match node {
            None => Ok(None),
            Some(n) if n.is_null() => Ok(None),
            Some(n) => n
                .str()
                .map(Some)
                .ok_or_else(|| self.wrong(n, path, "a string")),
        }
    }

    /// A required scalar.
    pub(crate) fn str<'n>(
        &self,
        parent: &'n Node,
        key: &str,
        path: &str,
    ) -> Result<&'n str, LockfileError> {
        let field = format!("{path}.{key}");
        self.opt_str(parent.get(key), &field)?
            .ok_or_else(|| self.error(parent, &field, "missing"))
    }

    /// An optional boolean (absent = `None`).
    pub(crate) fn opt_bool(
        &self,
        node: Option<&Node>,
        path: &str,
    ) -> Result<Option<bool>, LockfileError> {
        match node {
            None => Ok(None),
            Some(n) => n
                .bool()
                .map(Some)
                .ok_or_else(|| self.wrong(n, path, "a boolean")),
        }
    }

    /// A mapping of names to scalars (`dependencies`), as pairs.
    pub(crate) fn str_map<'n>(
        &self,
        node: Option<&'n Node>,
        path: &str,
    ) -> Result<Vec<(&'n str, &'n str)>, LockfileError> {
        let mut out = Vec::new();
        for (key, value) in self.map(node, path)? {
            let text = value
                .str()
                .ok_or_else(|| self.wrong(value, &key_path(path, key), "a string"))?;
            out.push((key.as_str(), text));
        }
        Ok(out)
    }
}
