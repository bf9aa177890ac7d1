//! SARIF 2.1.0 for code scanning: one result per failing or warning package, located at its
//! lockfile entry, with one rule per code described by the catalog (title, remediation, policy
//! hint). Where a package has verified provenance, its result names the repository it was built
//! from, and the run's properties list every verified provenance of the tree.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sigverify_codes::{Code, Kind};

use crate::model::{Decision, Package, Report, Signer};

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
    let provenance: Vec<Value> = (report.packages.iter())
        .filter_map(|p| {
            let signer = p.provenance_signer()?;
            let mut entry = signer_properties(signer);
            entry["package"] = json!(p.id());
            entry["location"] = json!(p.location);
            Some(entry)
        })
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": { "PROJECTROOT": { "description": { "text": "The project folder that holds the lockfile." } } },
            "results": results,
            "properties": {
                "environment": report.environment,
                "policyMode": report.policy.mode,
                "exitCode": report.exit_code,
                "verifiedProvenance": provenance,
            },
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a json value always serializes");
    text.push('\n');
    text
}

/// One rule per code, sorted by code.
fn rules(findings: &[&Package]) -> BTreeMap<String, Value> {
    let mut rules = BTreeMap::new();
    for p in findings {
        rules.entry(p.code().to_string()).or_insert_with(|| rule(p));
    }
    rules
}

/// A rule from the catalog: its title as the description, its remediation (and policy hint)
/// as the help. A failing package without a code gets a rule described by the package.
fn rule(p: &Package) -> Value {
    let Some(code) = p.finding_code() else {
        return json!({
            "id": p.code(),
            "name": "UnspecifiedFinding",
            "shortDescription": { "text": p.title() },
            "fullDescription": { "text": "the verifier reported a failure without a code" },
            "help": { "text": p.remediation() },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security", "supply-chain"] },
        });
    };
    let mut help = code.remediation().to_string();
    if let Some(hint) = code.policy_hint() {
        help.push_str("\n\nTo accept it on purpose: ");
        help.push_str(hint);
    }
    json!({
        "id": code.as_str(),
        "name": rule_name(code),
        "shortDescription": { "text": code.title() },
        "fullDescription": { "text": format!("{}: {}", code.as_str(), code.title()) },
        "help": { "text": help },
        "defaultConfiguration": { "level": level_of(code) },
        "properties": { "tags": ["security", "supply-chain"], "kind": code.kind().as_str() },
    })
}

/// A SARIF rule name: the catalog title in PascalCase (`invalid registry signature` becomes
/// `InvalidRegistrySignature`).
fn rule_name(code: Code) -> String {
    let words = code.title().split(|c: char| !c.is_ascii_alphanumeric());
    words
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

fn level_of(code: Code) -> &'static str {
    match code.kind() {
        Kind::Failure | Kind::Operational => "error",
        Kind::Warning => "warning",
        Kind::Skip | Kind::Info => "note",
    }
}

fn result(report: &Report, p: &Package, rule_index: Option<usize>) -> Value {
    let level = match report.enforced(p.decision()) {
        Decision::Warn => "warning",
        _ => "error",
    };
    let mut message = format!("{} (fix: {})", p.explanation(), p.remediation());
    let signer = p.provenance_signer();
    if let Some(repo) = signer.and_then(|s| s.source_repository.as_deref()) {
        message.push_str(&format!(" [provenance: built from {repo}]"));
    }
    let mut properties = json!({
        "package": p.name,
        "version": p.version,
        "location": p.location,
        "status": p.status.as_str(),
        "decision": p.decision().as_str(),
        "title": p.title(),
    });
    if let Some(rule) = p.rule() {
        properties["rule"] = json!(rule);
    }
    if let Some(provenance) = p.provenance {
        properties["provenance"] = json!(provenance.as_str());
    }
    if let Some(signer) = signer {
        properties["signer"] = signer_properties(signer);
    }
    let mut result = json!({
        "ruleId": p.code(),
        "level": level,
        "message": { "text": message },
        "locations": [location(report, p)],
        "partialFingerprints": { "npmSigverifyPackage/v1": format!("{}|{}|{}", p.id(), p.location, p.code()) },
        "properties": properties,
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    result
}

/// A verified provenance's signer, as SARIF property values (absent facts left out).
fn signer_properties(s: &Signer) -> Value {
    let fields = [
        ("sourceRepository", &s.source_repository),
        ("repositoryId", &s.repository_id),
        ("owner", &s.owner),
        ("ownerId", &s.owner_id),
        ("sourceRef", &s.source_ref),
        ("commit", &s.commit),
        ("workflowPath", &s.workflow_path),
        ("workflowRef", &s.workflow_ref),
        ("issuer", &s.issuer),
    ];
    let map: serde_json::Map<String, Value> = (fields.into_iter())
        .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), json!(v))))
        .collect();
    Value::Object(map)
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
