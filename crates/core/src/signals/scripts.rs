//! New install scripts: a version whose signed tarball declares install scripts (`preinstall`,
//! `install`, `postinstall`, or a `binding.gyp`, which npm builds with `node-gyp rebuild`) when
//! the previous version of its release line (the nearest lower one) declared none.
//!
//! Both sides come from signed tarballs, never from the packument's `scripts` (unsigned, and not
//! what npm runs: npm runs the extracted package.json's). The previous version's integrity must
//! carry a valid registry signature before its tarball is trusted (an unsigned one makes the
//! signal unavailable: a mirror invented it). The first version of a line has no previous version: the signal says
//! nothing about it (release age and new dependencies do), unless the baseline lockfile installs
//! a lower version of the line that the registry no longer lists (`ESIGNALUNAVAILABLE`).

use serde_json::json;
use sigverify_policy::{SignalFinding, SignalKind};

use super::history::{earlier_signed, own_scripts, scripts, Version};
use super::SignalContext;
use crate::model::PackageResult;
use crate::source::lines::release_line;
use crate::Code;

/// What the signal found, and the checked version's own install scripts when they were read.
pub(super) struct Outcome {
    pub finding: Option<SignalFinding>,
    pub own: Option<Vec<String>>,
}

/// The new-install-scripts finding of one checked version.
pub(super) async fn check(ctx: &SignalContext, result: &PackageResult) -> Outcome {
    let own = match own_scripts(ctx, result).await {
        Ok(own) => own,
        Err(why) => {
            let message = format!(
                "{}: its install scripts cannot be read from its signed tarball: {why}",
                result.id()
            );
            return Outcome {
                finding: Some(finding(Code::SignalUnavailable, message, json!({}))),
                own: None,
            };
        }
    };
    let finding = match own.is_empty() {
        true => None,
        false => against_previous(ctx, result, &own).await,
    };
    Outcome {
        finding,
        own: Some(own),
    }
}

async fn against_previous(
    ctx: &SignalContext,
    result: &PackageResult,
    own: &[String],
) -> Option<SignalFinding> {
    let facts = result.packument.as_deref()?;
    let registry = url::Url::parse(result.registry.as_deref()?).ok()?;
    let previous = match earlier_signed(ctx, result, facts, &registry, 1) {
        Ok(mut earlier) => earlier.pop()?,
        Err(why) => {
            let message = format!(
                "{} runs install scripts ({}) and {why}",
                result.id(),
                own.join(", ")
            );
            return Some(finding(Code::SignalUnavailable, message, json!({})));
        }
    };
    let v = Version {
        registry: &registry,
        name: &result.name,
        version: &previous,
        facts: facts.versions.get(&previous)?,
    };
    let id = result.id();
    let line = release_line(&result.version).unwrap_or_default();
    let before = match scripts(ctx, &v).await {
        Ok(before) => before,
        Err(why) => {
            let message = format!(
                "{id} runs install scripts ({}) and those of {}@{previous}, the previous version of release line {line}, cannot be read: {why}",
                own.join(", "),
                result.name
            );
            return Some(finding(
                Code::SignalUnavailable,
                message,
                json!({ "previousVersion": previous }),
            ));
        }
    };
    if !before.is_empty() {
        return None;
    }
    let message = format!(
        "{id} runs install scripts ({}) that {}@{previous}, the previous version of release line {line}, did not have: how droppers and worms run; read them before installing",
        own.join(", "),
        result.name
    );
    let evidence = json!({
        "scripts": own,
        "previousVersion": previous,
        "previousScripts": before,
        "line": line,
    });
    Some(finding(Code::NewInstallScript, message, evidence))
}

fn finding(code: Code, message: String, evidence: serde_json::Value) -> SignalFinding {
    SignalFinding {
        signal: SignalKind::NewInstallScripts,
        code,
        message,
        evidence,
    }
}
