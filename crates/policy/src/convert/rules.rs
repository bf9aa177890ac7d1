//! The `rules` section.

use super::trust::{fingerprint, glob};
use super::{get, join, Ctx};
use crate::error::PolicyError;
use crate::model::{Approvals, EvidenceKind, ProvenanceConstraints, Rule, Trust};
use crate::node::Node;
use crate::pattern::PackagePattern;

const RULE_KEYS: &[&str] = &[
    "package",
    "require",
    "approvals",
    "provenance",
    "allowUnsigned",
];
const APPROVAL_KEYS: &[&str] = &["threshold", "keys", "identities"];
const PROVENANCE_KEYS: &[&str] = &[
    "repositoryMatch",
    "repositories",
    "workflowRefs",
    "issuers",
    "identities",
];

/// Converts `rules`; two rules with the same pattern are an error (which one would win?).
pub(super) fn rules(cx: &Ctx, node: &Node, trust: &Trust) -> Result<Vec<Rule>, PolicyError> {
    let mut out: Vec<Rule> = Vec::new();
    for (i, n) in cx.seq(node, "rules")?.iter().enumerate() {
        let path = format!("rules[{i}]");
        let rule = rule(cx, n, &path, trust)?;
        if out
            .iter()
            .any(|r| r.pattern.as_str() == rule.pattern.as_str())
        {
            let msg = format!("a rule for '{}' already exists", rule.pattern.as_str());
            let at = cx
                .map(n, &path, RULE_KEYS)
                .ok()
                .and_then(|e| get(e, "package"))
                .unwrap_or(n);
            return Err(cx.err(at, &join(&path, "package"), msg));
        }
        out.push(rule);
    }
    Ok(out)
}

fn rule(cx: &Ctx, node: &Node, path: &str, trust: &Trust) -> Result<Rule, PolicyError> {
    let entries = cx.map(node, path, RULE_KEYS)?;
    let pkg_path = join(path, "package");
    let Some(pkg) = get(entries, "package") else {
        return Err(cx.err(
            node,
            &pkg_path,
            "missing 'package' (a name or pattern such as '@acme/*')",
        ));
    };
    let pattern =
        PackagePattern::parse(cx.str(pkg, &pkg_path)?).map_err(|m| cx.err(pkg, &pkg_path, m))?;
    let require = match get(entries, "require") {
        Some(n) => cx.evidence_list(n, &join(path, "require"))?,
        None => vec![EvidenceKind::RegistrySignature],
    };
    let approvals = get(entries, "approvals")
        .map(|n| approvals(cx, n, &join(path, "approvals"), trust))
        .transpose()?;
    let provenance = match get(entries, "provenance") {
        Some(n) => provenance(cx, n, &join(path, "provenance"), trust)?,
        None => ProvenanceConstraints::default(),
    };
    let allow_unsigned = match get(entries, "allowUnsigned") {
        Some(n) => cx.bool(n, &join(path, "allowUnsigned"))?,
        None => false,
    };
    Ok(Rule {
        pattern,
        require,
        approvals,
        provenance,
        allow_unsigned,
    })
}

/// `{ threshold: N, keys: [...], identities: [...] }`; keys are fingerprints or names from
/// `trust.keys`, identities names of CA identities in `trust.identities`.
fn approvals(cx: &Ctx, node: &Node, path: &str, trust: &Trust) -> Result<Approvals, PolicyError> {
    let entries = cx.map(node, path, APPROVAL_KEYS)?;
    let (k, ids) = (get(entries, "keys"), get(entries, "identities"));
    let Some(t) = get(entries, "threshold").filter(|_| k.is_some() || ids.is_some()) else {
        return Err(cx.err(
            node,
            path,
            "approvals need 'threshold' and 'keys' (or 'identities' of a private CA)",
        ));
    };
    let threshold = cx.uint(t, &join(path, "threshold"))?;
    let keys = match k {
        Some(k) => approval_keys(cx, k, &join(path, "keys"), trust)?,
        None => Vec::new(),
    };
    let identities = match ids {
        Some(n) => approval_identities(cx, n, &join(path, "identities"), trust)?,
        None => Vec::new(),
    };
    let eligible = keys.len() + identities.len();
    if threshold == 0 || threshold > eligible {
        let what = match identities.is_empty() {
            true => "keys",
            false => "keys and identities",
        };
        let msg = format!(
            "threshold {threshold} must be between 1 and the number of {what} ({eligible})"
        );
        return Err(cx.err(t, &join(path, "threshold"), msg));
    }
    Ok(Approvals {
        threshold,
        keys,
        identities,
    })
}

/// Names of CA identities (`trust.identities` entries with `ca:`), each once.
fn approval_identities(
    cx: &Ctx,
    node: &Node,
    path: &str,
    trust: &Trust,
) -> Result<Vec<String>, PolicyError> {
    let mut out: Vec<String> = Vec::new();
    for (i, (s, n)) in cx.str_list(node, path)?.into_iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        if !trust.ca_identities.contains_key(s) {
            return Err(cx.err(
                n,
                &item_path,
                format!("'{s}' is not an identity of a certificate authority in trust.identities (one with 'ca:')"),
            ));
        }
        if out.iter().any(|o| o == s) {
            return Err(cx.err(n, &item_path, format!("identity '{s}' is listed twice")));
        }
        out.push(s.to_string());
    }
    Ok(out)
}

fn approval_keys(
    cx: &Ctx,
    k: &Node,
    keys_path: &str,
    trust: &Trust,
) -> Result<Vec<String>, PolicyError> {
    let keys_path = keys_path.to_string();
    let mut keys = Vec::new();
    for (i, (s, n)) in cx.str_list(k, &keys_path)?.into_iter().enumerate() {
        let item_path = format!("{keys_path}[{i}]");
        let fp = match trust.keys.get(s) {
            Some(fp) => fp.clone(),
            None if s.len() == 64 => fingerprint(cx, n, &item_path)?,
            None => {
                return Err(cx.err(
                    n,
                    &item_path,
                    format!("'{s}' is neither a key named in trust.keys nor a fingerprint"),
                ))
            }
        };
        if keys.contains(&fp) {
            return Err(cx.err(n, &item_path, format!("key '{s}' is listed twice")));
        }
        keys.push(fp);
    }
    Ok(keys)
}

fn provenance(
    cx: &Ctx,
    node: &Node,
    path: &str,
    trust: &Trust,
) -> Result<ProvenanceConstraints, PolicyError> {
    let entries = cx.map(node, path, PROVENANCE_KEYS)?;
    let mut c = ProvenanceConstraints::default();
    if let Some(n) = get(entries, "repositoryMatch") {
        c.repository_match = cx.bool(n, &join(path, "repositoryMatch"))?;
    }
    let globs = |key: &str| -> Result<Vec<_>, PolicyError> {
        let Some(n) = get(entries, key) else {
            return Ok(Vec::new());
        };
        let p = join(path, key);
        cx.seq(n, &p)?
            .iter()
            .enumerate()
            .map(|(i, item)| glob(cx, item, &format!("{p}[{i}]")))
            .collect()
    };
    c.repositories = globs("repositories")?;
    c.workflow_refs = globs("workflowRefs")?;
    if let Some(n) = get(entries, "issuers") {
        c.issuers = cx
            .str_list(n, &join(path, "issuers"))?
            .into_iter()
            .map(|(s, _)| s.to_string())
            .collect();
    }
    if let Some(n) = get(entries, "identities") {
        let p = join(path, "identities");
        for (s, item) in cx.str_list(n, &p)? {
            if !trust.identities.contains_key(s) {
                return Err(cx.err(
                    item,
                    &p,
                    format!("identity '{s}' is not defined in trust.identities"),
                ));
            }
            c.identities.push(s.to_string());
        }
    }
    Ok(c)
}
