//! The `--json` document: the report with its packages grouped in npm's buckets (`invalid` and
//! `missing`, as `npm audit signatures --json` has them, plus `skipped` and `verified`), and the
//! way back for stored report files.

use std::io::Write;

use rayon::prelude::*;
use serde_json::Value;

use super::report::Report;
use super::result::{PackageResult, Status};

/// The buckets, in the order they are written.
pub const BUCKETS: [Status; 4] = [
    Status::Invalid,
    Status::Missing,
    Status::Skipped,
    Status::Verified,
];

impl Report {
    /// The `--json` document of this report.
    pub fn to_document(&self) -> Value {
        let mut value = serde_json::to_value(self).expect("a report always serializes");
        let packages = match value.get_mut("packages").map(Value::take) {
            Some(Value::Array(packages)) => packages,
            _ => Vec::new(),
        };
        let object = value.as_object_mut().expect("a report is an object");
        object.remove("packages");
        // Each package moves into its bucket (no copy: a big report's tree is large).
        let mut buckets: [Vec<Value>; BUCKETS.len()] = Default::default();
        for package in packages {
            if let Some(i) = BUCKETS.iter().position(|s| package["status"] == s.as_str()) {
                buckets[i].push(package);
            }
        }
        for (status, bucket) in BUCKETS.iter().zip(buckets) {
            object.insert(status.as_str().to_string(), Value::Array(bucket));
        }
        value
    }

    /// Writes the pretty-printed `--json` document to `out`, byte for byte what
    /// `to_string_pretty(&self.to_document())` gives, without building the JSON tree of
    /// every package first, nor the whole text (on 5,000 packages those were the run's largest
    /// allocations). The packages are lent out while the rest of the report is turned into
    /// JSON, then put back; they are rendered on the CPU pool a chunk at a time (this was the
    /// serial tail of a warm run).
    pub fn write_document<W: Write>(&mut self, mut out: W) -> serde_json::Result<()> {
        let packages = std::mem::take(&mut self.packages);
        let head = serde_json::to_value(&*self);
        self.packages = packages;
        let Value::Object(mut head) = head? else {
            unreachable!("a report always serializes to an object");
        };
        head.remove("packages");
        // Sorted keys, as a JSON tree has them.
        let mut keys: Vec<&str> = head.keys().map(String::as_str).collect();
        keys.extend(BUCKETS.iter().map(|s| s.as_str()));
        keys.sort_unstable();
        for (i, key) in keys.iter().enumerate() {
            write(&mut out, if i == 0 { b"{\n  " } else { b",\n  " })?;
            serde_json::to_writer(&mut out, key)?;
            write(&mut out, b": ")?;
            match BUCKETS.iter().find(|s| s.as_str() == *key) {
                Some(status) => write_bucket(&mut out, *status, &self.packages)?,
                None => write(&mut out, &pretty_at(&head[*key], 1)?)?,
            }
        }
        write(&mut out, b"\n}")
    }

    /// Reads a `--json` document back (a stored report file). Each package must sit in the
    /// bucket of its status.
    pub fn from_document(document: &Value) -> Result<Report, String> {
        let mut value = document.clone();
        let object = value
            .as_object_mut()
            .ok_or("the report is not a JSON object")?;
        let mut packages = Vec::new();
        for status in BUCKETS {
            let Some(bucket) = object.remove(status.as_str()) else {
                continue;
            };
            let Value::Array(items) = bucket else {
                return Err(format!("{} is not a list", status.as_str()));
            };
            for item in items {
                if item["status"] != status.as_str() {
                    let who = format!(
                        "{}@{}",
                        item["name"].as_str().unwrap_or("?"),
                        item["version"].as_str().unwrap_or("?")
                    );
                    return Err(format!(
                        "{who} is in the {} list but has status {}",
                        status.as_str(),
                        item["status"]
                    ));
                }
                packages.push(item);
            }
        }
        object.insert("packages".into(), Value::Array(packages));
        let mut report: Report = serde_json::from_value(value).map_err(|e| e.to_string())?;
        report.packages.sort_by(|a, b| {
            (&a.name, &a.version, &a.location).cmp(&(&b.name, &b.version, &b.location))
        });
        Ok(report)
    }
}

/// Packages rendered at a time: enough for both cores, little text held at once.
const RENDER_CHUNK: usize = 256;

/// One bucket's array: the packages of `status`, each through its own small JSON tree (sorted
/// keys, as in [`Report::to_document`]).
fn write_bucket<W: Write>(
    out: &mut W,
    status: Status,
    packages: &[PackageResult],
) -> serde_json::Result<()> {
    let mut members = packages.iter().filter(|p| p.status == status).peekable();
    if members.peek().is_none() {
        return write(out, b"[]");
    }
    let mut first = true;
    let mut chunk = Vec::with_capacity(RENDER_CHUNK);
    loop {
        chunk.clear();
        chunk.extend(members.by_ref().take(RENDER_CHUNK));
        if chunk.is_empty() {
            break;
        }
        let texts: Vec<Vec<u8>> = chunk
            .par_iter()
            .map(|package| pretty_at(&serde_json::to_value(package)?, 2))
            .collect::<serde_json::Result<_>>()?;
        for text in texts {
            write(out, if first { b"[\n    " } else { b",\n    " })?;
            write(out, &text)?;
            first = false;
        }
    }
    write(out, b"\n  ]")
}

/// `value` pretty-printed as it reads `depth` levels down in a pretty-printed document: every
/// line after the first indented two spaces per level (JSON strings hold no raw newline, so
/// every newline in the text is one the printer put there).
fn pretty_at(value: &Value, depth: usize) -> serde_json::Result<Vec<u8>> {
    let text = serde_json::to_vec_pretty(value)?;
    let indent = 2 * depth;
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    let mut lines = text.split(|&b| b == b'\n');
    out.extend_from_slice(lines.next().unwrap_or_default());
    for line in lines {
        out.push(b'\n');
        out.resize(out.len() + indent, b' ');
        out.extend_from_slice(line);
    }
    Ok(out)
}

fn write<W: Write>(out: &mut W, bytes: &[u8]) -> serde_json::Result<()> {
    out.write_all(bytes).map_err(serde_json::Error::io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::PolicySummary;
    use crate::model::{CheckOutcome, Summary};

    #[test]
    fn the_document_text_is_the_pretty_printed_document() {
        let mut report = empty_report();
        for (i, status) in BUCKETS.iter().chain(&[Status::Verified]).enumerate() {
            let (name, location) = (format!("p{i}"), format!("node_modules/p{i}"));
            let mut result = PackageResult::new(&name, "1.0.0", &location, "registry");
            result.status = *status;
            result.checks.contents = CheckOutcome::passed();
            report.packages.push(result);
        }
        assert_same_text(&mut report);
        assert_eq!(report.packages.len(), 5, "the packages are put back");
    }

    #[test]
    fn empty_buckets_and_buckets_longer_than_a_chunk_read_the_same() {
        let mut report = empty_report();
        assert_same_text(&mut report);
        for i in 0..RENDER_CHUNK * 2 + 3 {
            let (name, location) = (format!("p{i}"), format!("node_modules/p{i}"));
            let mut result = PackageResult::new(&name, "1.0.0", &location, "registry");
            result.status = Status::Verified;
            report.packages.push(result);
        }
        assert_same_text(&mut report);
    }

    fn assert_same_text(report: &mut Report) {
        report.summary = Summary::of(&report.packages);
        let expected = serde_json::to_string_pretty(&report.to_document()).unwrap();
        let mut text = Vec::new();
        report.write_document(&mut text).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), expected);
    }

    fn empty_report() -> Report {
        Report {
            schema_version: 1,
            tool: "npm-sigverify test".into(),
            project: "/p".into(),
            input: "package-lock".into(),
            manager: "npm".into(),
            input_path: "/p/package-lock.json".into(),
            mode: "online".into(),
            registries: Vec::new(),
            policy: PolicySummary {
                source: None,
                environment: "default".into(),
                mode: "enforce".into(),
                allowed_failures: 0,
            },
            summary: Summary::default(),
            packages: Vec::new(),
            exit_code: 1,
            duration_ms: 12,
            timings: [("load".to_string(), 3)].into(),
            slowest: Vec::new(),
            cache: "disk".into(),
            warnings: vec!["a \"quoted\" warning".into()],
            baseline: None,
        }
    }
}
