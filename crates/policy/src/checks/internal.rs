//! Internal (cosign) signatures and k-of-n approvals.

use super::Checks;
use crate::evidence::{InternalSig, PackageEvidence};
use crate::model::{Approvals, Rule};
use serde_json::json;
use sigverify_codes::Code;
use std::collections::BTreeSet;

/// Invalid signatures never count: beside a valid one they are warnings, but when every internal
/// signature of a package fails the package fails whatever the rule requires (fail closed, like a
/// bad registry signature). The requirement needs one valid signature; approvals need
/// `threshold` distinct eligible keys or CA identities.
pub(super) fn check(
    checks: &mut Checks,
    rule: &Rule,
    required: bool,
    unsigned_ok: bool,
    ev: &PackageEvidence,
) {
    let who = format!("{}@{}", ev.name, ev.version);
    let none_valid = ev.internal_signatures.iter().all(|s| !s.valid);
    for sig in ev.internal_signatures.iter().filter(|s| !s.valid) {
        let code = sig.code.unwrap_or(Code::InternalSignature);
        let msg = format!(
            "{who}: internal signature by {} does not verify",
            sig.fingerprint
        );
        let evidence = json!({ "fingerprint": sig.fingerprint, "code": code });
        if none_valid {
            checks.fail("internal-signature.invalid", code, msg, evidence);
        } else {
            checks.warn("internal-signature.invalid", code, msg, evidence);
        }
    }
    let valid: BTreeSet<String> = ev
        .internal_signatures
        .iter()
        .filter(|s| s.valid)
        .map(|s| s.fingerprint.to_ascii_lowercase())
        .collect();
    if required {
        let evidence = json!({ "valid": valid });
        if !valid.is_empty() {
            checks.pass(
                "internal-signature",
                None,
                format!("{who} has {} valid internal signature(s)", valid.len()),
                evidence,
            );
        } else if unsigned_ok {
            checks.pass(
                "internal-signature",
                Some(Code::UnsignedAllowed),
                format!("{who} has no internal signature; allowed by allowUnsigned"),
                evidence,
            );
        } else {
            checks.fail(
                "internal-signature",
                Code::InternalSignatureMissing,
                format!("{who} has no valid internal signature"),
                evidence,
            );
        }
    }
    if let Some(approvals) = &rule.approvals {
        let valid_sigs: Vec<&InternalSig> =
            ev.internal_signatures.iter().filter(|s| s.valid).collect();
        approval_check(checks, approvals, &valid_sigs, unsigned_ok, &who);
    }
}

/// The eligible keys and CA identities the valid signatures satisfy. Each signature counts for
/// at most one of them, and each of them once: a key signing twice counts once, and a certificate
/// whose key is also listed does not count twice.
fn approvers(a: &Approvals, valid: &[&InternalSig]) -> Vec<String> {
    let mut approved: Vec<String> = Vec::new();
    for sig in valid {
        let fingerprint = sig.fingerprint.to_ascii_lowercase();
        let key = a
            .keys
            .iter()
            .find(|k| **k == fingerprint && !approved.contains(k));
        let identity = a
            .identities
            .iter()
            .find(|i| sig.identities.contains(i) && !approved.contains(i));
        if let Some(found) = key.or(identity) {
            approved.push(found.clone());
        }
    }
    approved
}

fn approval_check(
    checks: &mut Checks,
    a: &Approvals,
    valid: &[&InternalSig],
    unsigned_ok: bool,
    who: &str,
) {
    let approved = approvers(a, valid);
    let eligible: Vec<&String> = a.keys.iter().chain(&a.identities).collect();
    let what = match a.identities.is_empty() {
        true => "keys",
        false => "keys and identities",
    };
    let msg = format!(
        "{who} has {} of {} required approvals (eligible {what}: {})",
        approved.len(),
        a.threshold,
        eligible.len()
    );
    let evidence =
        json!({ "threshold": a.threshold, "eligible": eligible, "approvedBy": approved });
    if approved.len() >= a.threshold {
        checks.pass("approvals", None, msg, evidence);
    } else if unsigned_ok {
        checks.pass(
            "approvals",
            Some(Code::UnsignedAllowed),
            format!("{msg}; unsigned, allowed by allowUnsigned"),
            evidence,
        );
    } else {
        checks.fail("approvals", Code::ApprovalThreshold, msg, evidence);
    }
}
