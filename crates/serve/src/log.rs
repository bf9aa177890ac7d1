//! Structured logs: one JSON object per line on stdout. Headers are never logged, and every
//! line goes through the redactor (URL credentials and configured tokens removed).

use std::io::Write;

use serde_json::{json, Value};
use sigverify_core::model::redact::Redactor;

/// Writes the gate's log lines.
pub struct Logger {
    redactor: Redactor,
}

impl Logger {
    /// A logger that removes these secrets (and any URL credentials) from every line.
    pub fn new(redactor: Redactor) -> Logger {
        Logger { redactor }
    }

    /// One line: `{"time", "level", "msg", ...fields}`.
    pub fn event(&self, level: &str, msg: &str, fields: Value) {
        let mut line = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "level": level,
            "msg": msg,
        });
        if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
            line.extend(fields);
        }
        let text = self.redactor.text(&line.to_string());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
    }

    /// Removes secrets from a text (for answers that quote upstream errors).
    pub fn scrub(&self, text: &str) -> String {
        self.redactor.text(text)
    }
}
