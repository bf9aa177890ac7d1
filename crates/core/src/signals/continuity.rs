//! Publisher continuity: a version must be published by the identity that published the earlier
//! versions of its release line.
//!
//! What is compared, for a checked version V of line L (see `source::lines`):
//! 1. trusted publishing: when the nearest earlier version of L that the registry says a trusted
//!    publisher (OIDC) published is among the examined ones and V was not (`_npmUser` is
//!    unsigned metadata: only its loss counts, so a mirror that strips it fails closed);
//! 2. provenance: the examined versions are walked nearest first, their attestations fetched
//!    (kept in the evidence cache) and verified, until one has verified provenance; V must then
//!    have verified provenance with the same identity (repository and owner, by numeric id and by
//!    name, workflow file, OIDC issuer). An examined version whose advertised provenance cannot be
//!    fetched or verified before that stops the walk: the signal cannot clear V
//!    (`ESIGNALUNAVAILABLE`).
//!
//! Bound: the `history` (default 5) nearest earlier versions of L are examined, and each must
//! carry a valid registry signature, and a lower version the baseline lockfile installs must be
//! listed: a mirror's invented or hidden versions make the signal unavailable
//! (`history::earlier_signed`); an identity
//! change further back (V and its 5 predecessors all by the new identity) is not seen here: pins
//! (`sigverify.pins.json`) record an identity once and catch that.

use serde_json::json;
use sigverify_policy::{SignalFinding, SignalKind};

use super::history::{earlier_signed, identity, Earlier, Version};
use super::SignalContext;
use crate::model::{PackageResult, PublisherIdentity};
use crate::source::lines::release_line;
use crate::source::packument::PackumentFacts;
use crate::Code;

/// The continuity findings of one checked version.
pub(super) async fn check(ctx: &SignalContext, result: &PackageResult) -> Vec<SignalFinding> {
    let (Some(facts), Some(registry)) = (result.packument.as_deref(), registry_of(result)) else {
        return Vec::new();
    };
    let Some(own) = facts.versions.get(&result.version) else {
        return Vec::new();
    };
    let line = release_line(&result.version).unwrap_or_default();
    let earlier = match earlier_signed(ctx, result, facts, &registry, ctx.signals.history) {
        Ok(earlier) => earlier,
        Err(why) => {
            let message = format!(
                "{}: publisher continuity cannot be judged: {why}",
                result.id()
            );
            let evidence = json!({ "line": line });
            return vec![finding(Code::SignalUnavailable, message, evidence)];
        }
    };
    let mut findings: Vec<SignalFinding> = trusted_publishing(
        result,
        facts,
        &earlier,
        own.trusted_publisher.as_deref(),
        &line,
    )
    .into_iter()
    .collect();
    if result.provenance.as_deref() == Some("invalid") {
        // Its attestations already fail it; there is no identity to compare.
        return findings;
    }
    let walk = Walk {
        ctx,
        result,
        facts,
        registry: &registry,
    };
    findings.extend(walk.provenance(&earlier, &line).await);
    findings
}

fn registry_of(result: &PackageResult) -> Option<url::Url> {
    url::Url::parse(result.registry.as_deref()?).ok()
}

/// Lost trusted publishing: an examined earlier version was published by a trusted publisher,
/// this one not.
fn trusted_publishing(
    result: &PackageResult,
    facts: &PackumentFacts,
    earlier: &[String],
    own: Option<&str>,
    line: &str,
) -> Option<SignalFinding> {
    if own.is_some() {
        return None;
    }
    let (version, publisher) = earlier.iter().find_map(|v| {
        let tp = facts.versions.get(v)?.trusted_publisher.as_deref()?;
        Some((v, tp))
    })?;
    let by = facts
        .versions
        .get(&result.version)
        .and_then(|v| v.npm_user.clone());
    let message = format!(
        "{} was not published by a trusted publisher (the registry names {}), but {}@{version}, an earlier version of release line {line}, was ({publisher}): a token publish after trusted publishing, the pattern of stolen-token releases (registry metadata, unsigned)",
        result.id(),
        by.as_deref().map_or("no publisher".to_string(), |u| format!("npm user '{u}'")),
        result.name,
    );
    let evidence = json!({
        "change": "trusted-publishing-lost",
        "previousVersion": version,
        "previousTrustedPublisher": publisher,
        "npmUser": by,
        "line": line,
        "authenticated": false,
    });
    Some(finding(Code::PublisherChanged, message, evidence))
}

/// The provenance walk over the examined earlier versions of one checked version.
struct Walk<'a> {
    ctx: &'a SignalContext,
    result: &'a PackageResult,
    facts: &'a PackumentFacts,
    registry: &'a url::Url,
}

impl Walk<'_> {
    async fn provenance(&self, earlier: &[String], line: &str) -> Option<SignalFinding> {
        let (version, previous) = match self.nearest_identity(earlier).await? {
            Ok(found) => found,
            Err(why) => return Some(self.unavailable(why, earlier)),
        };
        let current = own_identity(self.result);
        let id = self.result.id();
        let name = &self.result.name;
        let (message, changes) = match (&current, self.result.provenance.as_deref()) {
            (Some(now), _) => {
                let changes = now.changes_from(&previous);
                if changes.is_empty() {
                    return None;
                }
                let message = format!(
                    "{id} was built by {now}, but {name}@{version}, the nearest earlier version of release line {line} with provenance, by {previous} ({}): a fork, a changed workflow or another publisher",
                    changes.join("; ")
                );
                (message, changes)
            }
            (None, Some("absent")) => {
                let message = format!(
                    "{id} has no provenance, but {name}@{version}, the nearest earlier version of release line {line} with provenance, was built by {previous}: published outside the project's CI (a stolen-token pattern)"
                );
                (message, vec!["provenance lost".to_string()])
            }
            _ => {
                let why = format!(
                    "{id}: its provenance was not checked (attestations off or no trust material), but {name}@{version} of release line {line} had provenance: the publisher cannot be compared"
                );
                return Some(self.unavailable(why, earlier));
            }
        };
        let evidence = json!({
            "change": "provenance-identity",
            "previousVersion": version,
            "previous": previous,
            "current": current,
            "changes": changes,
            "examined": earlier,
            "line": line,
        });
        Some(finding(Code::PublisherChanged, message, evidence))
    }

    /// The nearest examined version with verified provenance and its identity; `None` when no
    /// examined version has provenance; an error when one's provenance could not be verified.
    async fn nearest_identity(
        &self,
        earlier: &[String],
    ) -> Option<Result<(String, PublisherIdentity), String>> {
        for version in earlier {
            let facts = self.facts.versions.get(version)?;
            let v = Version {
                registry: self.registry,
                name: &self.result.name,
                version,
                facts,
            };
            match identity(self.ctx, &v).await {
                Earlier::Provenance(found) => return Some(Ok((version.clone(), found))),
                Earlier::NoProvenance => continue,
                Earlier::Unavailable(why) => return Some(Err(why)),
            }
        }
        None
    }

    fn unavailable(&self, why: String, examined: &[String]) -> SignalFinding {
        let message = format!(
            "{}: the publisher of its release line cannot be established: {why}",
            self.result.id()
        );
        finding(
            Code::SignalUnavailable,
            message,
            json!({ "examined": examined }),
        )
    }
}

/// The verified provenance identity of the checked version itself.
pub(super) fn own_identity(result: &PackageResult) -> Option<PublisherIdentity> {
    result
        .attestations
        .iter()
        .filter(|a| a.kind == "provenance" && a.status == "verified")
        .find_map(|a| a.signer.as_ref())
        .map(PublisherIdentity::from_facts)
}

fn finding(code: Code, message: String, evidence: serde_json::Value) -> SignalFinding {
    SignalFinding {
        signal: SignalKind::PublisherContinuity,
        code,
        message,
        evidence,
    }
}
