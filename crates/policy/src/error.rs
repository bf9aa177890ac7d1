//! Errors of loading and selecting a policy.
//!
//! Every error names the file and, where it comes from the file's content, the line and column
//! (1-based) of the offending node, so a typo can be found without guessing.

use std::path::PathBuf;
use thiserror::Error;

/// A position in a policy file (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, starting at 1.
    pub line: usize,
    /// Column, starting at 1.
    pub column: usize,
}

/// Why a policy could not be loaded or applied.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// The policy file could not be read.
    #[error("{}: cannot read policy: {source}", path.display())]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed YAML/JSON.
    #[error("{file}:{}:{}: {message}", pos.line, pos.column)]
    Parse {
        /// File name as shown to the user.
        file: String,
        /// Where the syntax error is.
        pos: Position,
        /// What is wrong.
        message: String,
    },
    /// The file is well-formed but does not describe a valid policy.
    #[error("{file}:{}:{}: {key}: {message}", pos.line, pos.column)]
    Schema {
        /// File name as shown to the user.
        file: String,
        /// Where the offending node starts.
        pos: Position,
        /// Path of the offending key, e.g. `rules[2].require`.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// An environment was asked for by name and the policy does not define it.
    #[error("unknown environment '{name}' (defined: {known})")]
    UnknownEnvironment {
        /// The name asked for.
        name: String,
        /// The names the policy knows, comma separated.
        known: String,
    },
}

impl PolicyError {
    /// Stable code of this error, for reports and exit messages.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Io { .. } => "EPOLICYIO",
            PolicyError::Parse { .. } => "EPOLICYPARSE",
            PolicyError::Schema { .. } => "EPOLICYSCHEMA",
            PolicyError::UnknownEnvironment { .. } => "EPOLICYENV",
        }
    }

    /// What the user can do about it.
    pub fn remediation(&self) -> &'static str {
        match self {
            PolicyError::Io { .. } => {
                "check that the policy file exists and is readable, or pass --policy with the right path"
            }
            PolicyError::Parse { .. } => "fix the syntax at the position shown (YAML or JSON)",
            PolicyError::Schema { .. } => {
                "fix the key at the position shown; the JSON Schema (crates/policy/schema/npm-sigverify.schema.json, also in the npm package) lists every allowed key and value"
            }
            PolicyError::UnknownEnvironment { .. } => {
                "declare the environment under `environments:` in the policy or pick one that is declared"
            }
        }
    }

    /// Builds a schema error; used by the converter.
    pub(crate) fn schema(file: &str, pos: Position, key: &str, message: impl Into<String>) -> Self {
        PolicyError::Schema {
            file: file.to_string(),
            pos,
            key: key.to_string(),
            message: message.into(),
        }
    }
}
