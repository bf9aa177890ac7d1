//! The in-toto statement inside a DSSE envelope, parsed into checked types before any
//! cryptography runs, and npm's statement-level checks.

use crate::error::AttestationError;
use serde_json::{Map, Value};

/// The only DSSE payload type npm attestations use.
pub(crate) const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Statement `_type` values of in-toto v0.1 and v1.
const IN_TOTO_STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v0.1",
    "https://in-toto.io/Statement/v1",
];

/// One statement subject, as signed.
#[derive(Debug, Clone)]
pub(crate) struct StatementSubject {
    pub name: String,
    /// The `digest.sha512` value exactly as written (hex expected).
    pub sha512: Option<String>,
}

/// A parsed in-toto statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub type_: String,
    pub predicate_type: String,
    pub subjects: Vec<StatementSubject>,
    pub predicate: Value,
}

impl Statement {
    /// Parse DSSE payload bytes. Anything that is not a statement-shaped object is an error.
    pub fn parse(payload: &[u8]) -> Result<Self, AttestationError> {
        let value: Value = serde_json::from_slice(payload)
            .map_err(|e| AttestationError::Statement(format!("not json: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(AttestationError::Statement(format!(
                "payload is a json {}, not an object",
                json_type(&value)
            )));
        };
        Ok(Self {
            type_: string_field(&obj, "_type")?,
            predicate_type: string_field(&obj, "predicateType")?,
            subjects: parse_subjects(obj.get("subject"))?,
            predicate: obj.get("predicate").cloned().unwrap_or(Value::Null),
        })
    }

    /// npm's statement checks: in-toto `_type`, and the attestation-level predicateType
    /// (unsigned, used to pick the verification mode) equal to the signed one.
    pub fn check_types(&self, attestation_predicate_type: &str) -> Result<(), AttestationError> {
        if !IN_TOTO_STATEMENT_TYPES.contains(&self.type_.as_str()) {
            return Err(AttestationError::StatementType(self.type_.clone()));
        }
        if self.predicate_type != attestation_predicate_type {
            return Err(AttestationError::PredicateType {
                attestation: attestation_predicate_type.to_string(),
                statement: self.predicate_type.clone(),
            });
        }
        Ok(())
    }

    /// The single subject npm requires.
    pub fn single_subject(&self) -> Result<&StatementSubject, AttestationError> {
        match self.subjects.as_slice() {
            [one] => Ok(one),
            other => Err(AttestationError::SubjectCount(other.len())),
        }
    }
}

fn string_field(obj: &Map<String, Value>, key: &str) -> Result<String, AttestationError> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(AttestationError::Statement(format!(
            "{key} is a json {}, not a string",
            json_type(other)
        ))),
        None => Err(AttestationError::Statement(format!("{key} is missing"))),
    }
}

/// A missing `subject` counts as zero subjects (reported by the subject check, with
/// npm's code); a `subject` of the wrong shape is a malformed statement.
fn parse_subjects(value: Option<&Value>) -> Result<Vec<StatementSubject>, AttestationError> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(AttestationError::Statement(format!(
                "subject is a json {}, not an array",
                json_type(other)
            )))
        }
    };
    items.iter().map(parse_subject).collect()
}

fn parse_subject(value: &Value) -> Result<StatementSubject, AttestationError> {
    let Value::Object(obj) = value else {
        return Err(AttestationError::Statement(
            "subject entry is not an object".into(),
        ));
    };
    let name = match obj.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(AttestationError::Statement(
                "subject entry has no string name".into(),
            ))
        }
    };
    // in-toto: `digest` is a map of algorithm to hex string. Absent means "no digest"
    // (a subject problem); any other shape is a malformed statement.
    let sha512 = match obj.get("digest") {
        None => None,
        Some(Value::Object(digests)) => match digests.get("sha512") {
            None => None,
            Some(Value::String(hex)) => Some(hex.clone()),
            Some(_) => {
                return Err(AttestationError::Statement(
                    "digest.sha512 is not a string".into(),
                ))
            }
        },
        Some(other) => {
            return Err(AttestationError::Statement(format!(
                "subject digest is a json {}, not an object",
                json_type(other)
            )))
        }
    };
    Ok(StatementSubject { name, sha512 })
}

/// JSON type name for messages.
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
