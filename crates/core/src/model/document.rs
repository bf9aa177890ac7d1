//! The `--json` document: the report with its packages grouped in npm's buckets (`invalid` and
//! `missing`, as `npm audit signatures --json` has them, plus `skipped` and `verified`), and the
//! way back for stored report files.

use serde_json::Value;

use super::report::Report;
use super::result::Status;

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
