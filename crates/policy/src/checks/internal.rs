//! Internal (cosign) signatures and k-of-n approvals.

use super::Checks;
use crate::evidence::{InternalSig, PackageEvidence};
use crate::model::{Approvals, Rule};
use serde_json::json;
use sigverify_codes::Code;
use std::collections::{BTreeMap, BTreeSet};

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

/// The eligible keys and CA identities the valid signatures approve as. A signer is a key (its
/// SPKI fingerprint), whatever carries its signatures: copies of one signature, or a bare
/// signature and a certificate over the same key, are one signer. Each signer approves as at
/// most one eligible key or identity and each of those counts once; the count is the largest such
/// assignment, so a signer matching two entries never counts twice, and never hides another's.
fn approvers(a: &Approvals, valid: &[&InternalSig]) -> Vec<String> {
    let mut entries_of: BTreeMap<String, BTreeSet<&String>> = BTreeMap::new();
    for sig in valid {
        let fingerprint = sig.fingerprint.to_ascii_lowercase();
        // A trust-file key approves through its own signatures only: a certificate over the
        // same key approves as the identities it matched (the trust file may have revoked or
        // retired the key, which a CA does not know).
        let keys = a
            .keys
            .iter()
            .filter(|k| **k == fingerprint && !sig.is_certificate());
        let identities = a.identities.iter().filter(|i| sig.identities.contains(i));
        let entries = entries_of.entry(fingerprint.clone()).or_default();
        entries.extend(keys.chain(identities));
    }
    let signers: Vec<Vec<&String>> = entries_of
        .into_values()
        .map(|entries| entries.into_iter().collect())
        .collect();
    let mut holder: BTreeMap<&String, usize> = BTreeMap::new();
    for signer in 0..signers.len() {
        assign(signer, &signers, &mut holder, &mut BTreeSet::new());
    }
    a.keys
        .iter()
        .chain(&a.identities)
        .filter(|entry| holder.contains_key(entry))
        .cloned()
        .collect()
}

/// Gives `signer` one of its entries, moving an entry's holder to another of its own when that
/// frees one (an augmenting path of a bipartite matching; policies list a handful of entries).
fn assign<'a>(
    signer: usize,
    signers: &[Vec<&'a String>],
    holder: &mut BTreeMap<&'a String, usize>,
    tried: &mut BTreeSet<&'a String>,
) -> bool {
    for &entry in &signers[signer] {
        if !tried.insert(entry) {
            continue;
        }
        let free = match holder.get(entry) {
            None => true,
            Some(&other) => assign(other, signers, holder, tried),
        };
        if free {
            holder.insert(entry, signer);
            return true;
        }
    }
    false
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
