//! Typed reads of [`Loose`] values, reporting the JSON path of what is wrong.

use std::collections::HashSet;
use std::path::Path;

use super::raw::{Entries, Loose, Shaped};
use crate::error::LockfileError;

/// The lockfile being checked, to build errors that name it.
#[derive(Clone, Copy)]
pub(crate) struct Doc<'p> {
    pub(crate) file: &'p Path,
}

impl Doc<'_> {
    /// A shape error at `path`.
    pub(crate) fn shape(&self, path: String, message: impl Into<String>) -> LockfileError {
        LockfileError::Shape {
            file: self.file.to_path_buf(),
            path,
            message: message.into(),
        }
    }

    /// `expected X, found Y` at `path`.
    pub(crate) fn wrong(&self, path: String, expected: &str, found: &str) -> LockfileError {
        self.shape(path, format!("expected {expected}, found {found}"))
    }

    /// The object inside a [`Shaped`] value, or an error at `path`.
    pub(crate) fn object<'s, T>(
        &self,
        value: &'s Shaped<T>,
        path: impl FnOnce() -> String,
    ) -> Result<&'s T, LockfileError> {
        match value {
            Shaped::Object(t) => Ok(t),
            Shaped::Wrong(found) => Err(self.wrong(path(), "an object", found)),
        }
    }

    /// Rejects an object with the same key twice, which JSON.parse would silently collapse.
    pub(crate) fn unique_keys<T>(
        &self,
        entries: &Entries<'_, T>,
        path: impl Fn(&str) -> String,
    ) -> Result<(), LockfileError> {
        let mut seen = HashSet::with_capacity(entries.0.len());
        for (key, _) in &entries.0 {
            if !seen.insert(key.as_ref()) {
                return Err(self.shape(path(key), "duplicate key"));
            }
        }
        Ok(())
    }
}

/// A field that is not of the expected type: `field` plus the message.
#[derive(Debug)]
pub(crate) struct FieldError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

impl FieldError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            message: message.into(),
        }
    }

    /// Turns this into a lockfile error under the entry at `entry_path`.
    pub(crate) fn at(self, doc: Doc<'_>, entry_path: &str) -> LockfileError {
        doc.shape(format!("{entry_path}.{}", self.field), self.message)
    }
}

/// An optional string field.
pub(crate) fn opt_str<'v>(
    value: &'v Option<Loose<'_>>,
    field: &'static str,
) -> Result<Option<&'v str>, FieldError> {
    match value {
        None => Ok(None),
        Some(Loose::Str(s)) => Ok(Some(s.as_ref())),
        Some(other) => Err(FieldError::new(
            field,
            format!("expected a string, found {}", other.kind()),
        )),
    }
}

/// An optional boolean flag (absent = false).
pub(crate) fn flag(value: &Option<Loose<'_>>, field: &'static str) -> Result<bool, FieldError> {
    match value {
        None => Ok(false),
        Some(Loose::Bool(b)) => Ok(*b),
        Some(other) => Err(FieldError::new(
            field,
            format!("expected a boolean, found {}", other.kind()),
        )),
    }
}

/// Dependency-type flags, read alike from v1 and v2/v3 entries.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Flags {
    pub(crate) dev: bool,
    pub(crate) optional: bool,
    pub(crate) dev_optional: bool,
    pub(crate) peer: bool,
    pub(crate) has_install_script: bool,
}
