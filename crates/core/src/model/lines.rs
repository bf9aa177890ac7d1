//! Line numbers of package entries in a lockfile, so SARIF results, annotations and the report
//! point at the entry that failed.

use std::collections::HashMap;

/// Where each `"node_modules/..."` entry starts in the lockfile.
#[derive(Debug, Default)]
pub(crate) struct LockfileLines {
    lines: HashMap<String, usize>,
}

impl LockfileLines {
    /// Reads a lockfile's entry lines (an unreadable or other file gives none).
    pub(crate) fn read(path: &str) -> LockfileLines {
        let Ok(text) = std::fs::read_to_string(path) else {
            return LockfileLines::default();
        };
        let mut lines = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix('"') {
                if let Some((key, tail)) = rest.split_once('"') {
                    if tail.trim_start().starts_with(':') && key.contains("node_modules/") {
                        lines.entry(key.to_string()).or_insert(index + 1);
                    }
                }
            }
        }
        LockfileLines { lines }
    }

    /// The line where a location's entry starts.
    pub(crate) fn line_of(&self, location: &str) -> Option<usize> {
        self.lines.get(location).copied()
    }
}
