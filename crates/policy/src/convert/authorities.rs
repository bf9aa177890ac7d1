//! `trust.certificateAuthorities` and the `trust.identities` entries that name one (`ca:`).

use super::{get, join, Ctx};
use crate::error::PolicyError;
use crate::model::{CaIdentity, CertificateAuthority, Revocation, SubjectMatch, Trust};
use crate::node::{Node, Value};
use std::path::PathBuf;

/// Keys of a `trust.identities` entry (`ca` makes it a private-CA identity).
pub(super) const IDENTITY_KEYS: &[&str] = &[
    "issuer",
    "subject",
    "subjectRegex",
    "repository",
    "workflow",
    "ca",
];

const CA_KEYS: &[&str] = &[
    "roots",
    "intermediates",
    "crls",
    "timestampAuthorities",
    "revocation",
];

/// Converts `trust.certificateAuthorities`.
pub(super) fn authorities(cx: &Ctx, node: &Node, trust: &mut Trust) -> Result<(), PolicyError> {
    for e in cx.any_map(node, "trust.certificateAuthorities")? {
        let path = format!("trust.certificateAuthorities.{}", e.key);
        let ca = authority(cx, &e.value, &path)?;
        trust.certificate_authorities.insert(e.key.clone(), ca);
    }
    Ok(())
}

fn authority(cx: &Ctx, node: &Node, path: &str) -> Result<CertificateAuthority, PolicyError> {
    let entries = cx.map(node, path, CA_KEYS)?;
    let files = |key: &str| match get(entries, key) {
        Some(n) => paths(cx, n, &join(path, key)),
        None => Ok(Vec::new()),
    };
    let roots = files("roots")?;
    if roots.is_empty() {
        return Err(cx.err(
            node,
            &join(path, "roots"),
            "a certificate authority needs 'roots' (PEM files of its root certificates)",
        ));
    }
    let revocation = match get(entries, "revocation") {
        None => Revocation::Always,
        Some(n) => match cx.str(n, &join(path, "revocation"))? {
            "always" => Revocation::Always,
            "signing-time" => Revocation::SigningTime,
            other => {
                return Err(cx.err(
                    n,
                    &join(path, "revocation"),
                    format!("expected 'always' or 'signing-time', found '{other}'"),
                ))
            }
        },
    };
    Ok(CertificateAuthority {
        roots,
        intermediates: files("intermediates")?,
        crls: files("crls")?,
        timestamp_authorities: files("timestampAuthorities")?,
        revocation,
    })
}

/// A path or a list of paths.
fn paths(cx: &Ctx, node: &Node, path: &str) -> Result<Vec<PathBuf>, PolicyError> {
    if let Value::Seq(_) = &node.value {
        return Ok(cx
            .str_list(node, path)?
            .into_iter()
            .map(|(s, _)| PathBuf::from(s))
            .collect());
    }
    Ok(vec![PathBuf::from(cx.str(node, path)?)])
}

/// A CA identity: `{ ca, subject | subjectRegex, issuer? }`.
pub(super) fn ca_identity(
    cx: &Ctx,
    node: &Node,
    path: &str,
    subject: SubjectMatch,
    trust: &Trust,
) -> Result<CaIdentity, PolicyError> {
    let entries = cx.map(node, path, IDENTITY_KEYS)?;
    let ca_node = get(entries, "ca").ok_or_else(|| cx.err(node, path, "missing 'ca'"))?;
    let ca = cx.str(ca_node, &join(path, "ca"))?.to_string();
    if !trust.certificate_authorities.contains_key(&ca) {
        return Err(cx.err(
            ca_node,
            &join(path, "ca"),
            format!("'{ca}' is not defined in trust.certificateAuthorities"),
        ));
    }
    for key in ["repository", "workflow"] {
        if let Some(n) = get(entries, key) {
            return Err(cx.err(
                n,
                &join(path, key),
                format!(
                    "'{key}' applies to Sigstore provenance identities, not to CA certificates"
                ),
            ));
        }
    }
    if matches!(subject, SubjectMatch::Any) {
        return Err(cx.err(
            node,
            path,
            "a CA identity needs 'subject' or 'subjectRegex' (the certificate's email or URI)",
        ));
    }
    let issuer = get(entries, "issuer")
        .map(|n| cx.str(n, &join(path, "issuer")).map(str::to_string))
        .transpose()?;
    Ok(CaIdentity {
        ca,
        subject,
        issuer,
    })
}
