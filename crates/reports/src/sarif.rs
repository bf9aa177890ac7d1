//! SARIF 2.1.0 for code scanning: one result per failing or warning package, located at its
//! lockfile entry, with one rule per code whose help text is the remediation.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::input::{Package, Report};
use crate::model::Decision;

/// The schema URI written in `$schema` (the OASIS errata01 schema).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Renders the report as a SARIF 2.1.0 log.
pub fn render_sarif(report: &Report) -> String {
    let findings: Vec<&Package> = report.findings().collect();
    let rules = rules(&findings);
    let rule_index = |code: &str| rules.keys().position(|k| k == code);
    let results: Vec<Value> = (findings.iter())
        .map(|p| result(report, p, rule_index(p.code())))
        .collect();
    let (name, version) = report.tool_name_version();
    let mut driver = json!({
        "name": name,
        "rules": rules.values().collect::<Vec<_>>(),
    });
    if !version.is_empty() {
        driver["version"] = json!(version);
        driver["semanticVersion"] = json!(version);
    }
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": { "PROJECTROOT": { "description": { "text": "The project folder that holds the lockfile." } } },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a json value always serializes");
    text.push('\n');
    text
}

/// One rule per code, sorted by code, described by the first package that carries it.
fn rules(findings: &[&Package]) -> BTreeMap<String, Value> {
    let mut rules = BTreeMap::new();
    for p in findings {
        rules.entry(p.code().to_string()).or_insert_with(|| rule(p));
    }
    rules
}

fn rule(p: &Package) -> Value {
    let code = p.code();
    json!({
        "id": code,
        "name": code,
        "shortDescription": { "text": crate::codes::title(code) },
        "fullDescription": { "text": crate::codes::title(code) },
        "help": { "text": p.remediation() },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["security", "supply-chain"] },
    })
}

fn result(report: &Report, p: &Package, rule_index: Option<usize>) -> Value {
    let level = match p.decision() {
        Decision::Warn => "warning",
        _ => "error",
    };
    let mut result = json!({
        "ruleId": p.code(),
        "level": level,
        "message": { "text": format!("{} (fix: {})", p.explanation(), p.remediation()) },
        "locations": [location(report, p)],
        "partialFingerprints": { "npmSigverifyPackage/v1": format!("{}|{}|{}", p.id(), p.location, p.code()) },
        "properties": {
            "package": p.name,
            "version": p.version,
            "location": p.location,
            "status": p.status.as_str(),
            "decision": p.decision().as_str(),
        },
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    result
}

fn location(report: &Report, p: &Package) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_encode(&report.lockfile_uri()), "uriBaseId": "PROJECTROOT" },
            "region": { "startLine": p.lockfile_line.filter(|l| *l > 0).unwrap_or(1) },
        },
        "logicalLocations": [{ "name": p.label(), "kind": "package" }],
    })
}

/// Percent-encodes what a relative URI reference cannot hold as is (spaces, `%`, `#`, `?`,
/// non-ASCII), keeping `/` so the path stays a path.
fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"/-._~@+=!$&'()*,;".contains(&b);
        match keep {
            true => out.push(b as char),
            false => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
