//! The `--json` document: the report with its packages grouped in npm's buckets (`invalid` and
//! `missing`, as `npm audit signatures --json` has them, plus `skipped` and `verified`), and the
//! way back for stored report files.

use serde::ser::{Error as _, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

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
    /// JSON, then put back.
    pub fn write_document<W: std::io::Write>(&mut self, out: W) -> serde_json::Result<()> {
        let packages = std::mem::take(&mut self.packages);
        let head = serde_json::to_value(&*self);
        self.packages = packages;
        let Value::Object(mut head) = head? else {
            unreachable!("a report always serializes to an object");
        };
        head.remove("packages");
        let document = Document {
            head,
            packages: &self.packages,
        };
        serde_json::to_writer_pretty(out, &document)
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

/// The `--json` document, serialized in the order a JSON tree would give (sorted keys).
struct Document<'a> {
    head: Map<String, Value>,
    packages: &'a [PackageResult],
}

impl Serialize for Document<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<&str> = self.head.keys().map(String::as_str).collect();
        keys.extend(BUCKETS.iter().map(|s| s.as_str()));
        keys.sort_unstable();
        let mut map = serializer.serialize_map(Some(keys.len()))?;
        for key in keys {
            match BUCKETS.iter().find(|s| s.as_str() == key) {
                Some(status) => map.serialize_entry(key, &Bucket(*status, self.packages))?,
                None => map.serialize_entry(key, &self.head[key])?,
            }
        }
        map.end()
    }
}

/// The packages of one status, each through its own small JSON tree (sorted keys, as in
/// [`Report::to_document`]).
struct Bucket<'a>(Status, &'a [PackageResult]);

impl Serialize for Bucket<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for package in self.1.iter().filter(|p| p.status == self.0) {
            let value = serde_json::to_value(package).map_err(S::Error::custom)?;
            seq.serialize_element(&value)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::PolicySummary;
    use crate::model::{CheckOutcome, Summary};

    #[test]
    fn the_document_text_is_the_pretty_printed_document() {
        let mut report = Report {
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
        };
        for (i, status) in BUCKETS.iter().chain(&[Status::Verified]).enumerate() {
            let (name, location) = (format!("p{i}"), format!("node_modules/p{i}"));
            let mut result = PackageResult::new(&name, "1.0.0", &location, "registry");
            result.status = *status;
            result.checks.contents = CheckOutcome::passed();
            report.packages.push(result);
        }
        report.summary = Summary::of(&report.packages);
        let expected = serde_json::to_string_pretty(&report.to_document()).unwrap();
        let mut text = Vec::new();
        report.write_document(&mut text).unwrap();
        assert_eq!(String::from_utf8(text).unwrap(), expected);
        assert_eq!(report.packages.len(), 5, "the packages are put back");
    }
}
