//! Certificate path validation at one instant (RFC 5280 section 6, for code signing).
//!
//! Steps: (1) build every path from the leaf to a trusted root through the given intermediates,
//! each link's signature verified; (2) on each path check validity at the instant, critical
//! extensions, CA flags and path length, key usages, the code-signing EKU, name constraints;
//! (3) the first path that passes wins, else the most specific failure of the first path.

use crate::cert::Cert;
use crate::error::CertError;
use crate::{names, sigalg};
use chrono::{DateTime, Utc};
use const_oid::ObjectIdentifier;
use sigverify_cosign::trust::SigningTime;
use x509_cert::ext::pkix::KeyUsages;

/// Extended key usage `codeSigning`.
pub const EKU_CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
const EKU_ANY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// Longest path tried (leaf, intermediates, root).
const MAX_DEPTH: usize = 8;
/// At most this many candidate paths are built.
const MAX_PATHS: usize = 16;

/// Extensions this validator understands, and may therefore be critical.
const KNOWN_CRITICAL: &[&str] = &[
    "2.5.29.19", // basicConstraints
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extKeyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.30", // nameConstraints
];

/// Validates `leaf` at `time`: returns the path (leaf first, trusted root last).
pub fn validate(
    leaf: &Cert,
    intermediates: &[Cert],
    roots: &[Cert],
    time: SigningTime,
) -> Result<Vec<Cert>, CertError> {
    let mut paths = Vec::new();
    let mut link_errors = Vec::new();
    build(
        leaf,
        intermediates,
        roots,
        vec![leaf.clone()],
        &mut paths,
        &mut link_errors,
    );
    let mut first_error = None;
    for path in paths {
        match check_path(&path, time) {
            Ok(()) => return Ok(path),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| no_path(leaf, roots, &link_errors)))
}

fn no_path(leaf: &Cert, roots: &[Cert], link_errors: &[String]) -> CertError {
    let why = match link_errors.first() {
        Some(e) => format!(" ({e})"),
        None => String::new(),
    };
    CertError::Chain(format!(
        "{} (issuer '{}') does not chain to any of the {} trusted root(s){why}",
        leaf.describe(),
        leaf.tbs().issuer,
        roots.len()
    ))
}

/// Depth-first search for paths ending at a trusted root; each link's signature is verified.
fn build(
    current: &Cert,
    pool: &[Cert],
    roots: &[Cert],
    prefix: Vec<Cert>,
    out: &mut Vec<Vec<Cert>>,
    link_errors: &mut Vec<String>,
) {
    if roots.contains(current) {
        out.push(prefix);
        return;
    }
    if prefix.len() >= MAX_DEPTH || out.len() >= MAX_PATHS {
        return;
    }
    let issuer = current.issuer_der();
    let candidates = roots
        .iter()
        .chain(pool)
        .filter(|c| c.subject_der() == issuer);
    for candidate in candidates {
        if prefix.contains(candidate) {
            continue;
        }
        match verify_link(current, candidate) {
            Ok(()) => {
                let mut next = prefix.clone();
                next.push(candidate.clone());
                build(candidate, pool, roots, next, out, link_errors);
            }
            Err(e) => link_errors.push(e),
        }
    }
}

/// Verifies that `issuer`'s key signed `cert`.
fn verify_link(cert: &Cert, issuer: &Cert) -> Result<(), String> {
    let parsed = cert.parsed();
    if !sigalg::same_algorithm(
        &parsed.tbs_certificate.signature,
        &parsed.signature_algorithm,
    ) {
        return Err(format!(
            "{} names two signature algorithms",
            cert.describe()
        ));
    }
    let signed = sigalg::signed_part(cert.der())?;
    let signature = parsed
        .signature
        .as_bytes()
        .ok_or_else(|| "signature is not a whole number of bytes".to_string())?;
    sigalg::verify_signed(
        &issuer.spki_der(),
        &parsed.signature_algorithm.oid,
        signed,
        signature,
    )
    .map_err(|e| format!("{} by '{}': {e}", cert.describe(), issuer.tbs().subject))
}

fn check_path(path: &[Cert], time: SigningTime) -> Result<(), CertError> {
    for (index, cert) in path.iter().enumerate() {
        check_window(cert, &role(path, index), time)?;
        check_critical(cert)?;
    }
    check_leaf(&path[0])?;
    for index in 1..path.len() {
        check_issuer(path, index)?;
    }
    for (index, ca) in path.iter().enumerate().skip(1) {
        for (below, cert) in path[..index].iter().enumerate() {
            // Self-issued intermediates are exempt (RFC 5280 6.1.3 (b)).
            if below == 0 || !cert.is_self_issued() {
                names::check(ca, cert)?;
            }
        }
    }
    Ok(())
}

fn role(path: &[Cert], index: usize) -> String {
    match index {
        0 => path[0].describe(),
        i if i + 1 == path.len() => format!("root CA '{}'", path[i].tbs().subject),
        i => format!("intermediate CA '{}'", path[i].tbs().subject),
    }
}

/// X.509 validity is inclusive at both ends.
fn check_window(cert: &Cert, what: &str, time: SigningTime) -> Result<(), CertError> {
    let t = time.instant();
    if t < cert.not_before() {
        return Err(CertError::NotYetValid {
            what: what.to_string(),
            not_before: cert.not_before().to_rfc3339(),
            when: describe_time(time),
        });
    }
    if t > cert.not_after() {
        return Err(CertError::Expired {
            what: what.to_string(),
            not_after: cert.not_after().to_rfc3339(),
            when: describe_time(time),
        });
    }
    Ok(())
}

/// The instant checked and where it comes from, for messages.
pub fn describe_time(time: SigningTime) -> String {
    match time {
        SigningTime::Timestamped(t) => format!("signed at {} (verified timestamp)", rfc3339(t)),
        SigningTime::Untimestamped(t) => {
            format!("no verified signing time, checked at {} (now)", rfc3339(t))
        }
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn check_critical(cert: &Cert) -> Result<(), CertError> {
    for ext in cert.tbs().extensions.iter().flatten() {
        let oid = ext.extn_id.to_string();
        if ext.critical && !KNOWN_CRITICAL.contains(&oid.as_str()) {
            return Err(CertError::Chain(format!(
                "{} has a critical extension {oid} this verifier does not process",
                cert.describe()
            )));
        }
    }
    Ok(())
}

/// The signing certificate: not a CA, `digitalSignature` when key usage is given, and the
/// `codeSigning` extended key usage.
fn check_leaf(leaf: &Cert) -> Result<(), CertError> {
    let usage = |why: &str| CertError::KeyUsage(format!("{} {why}", leaf.describe()));
    if leaf.is_ca() {
        return Err(usage("is a CA certificate, not a signing certificate"));
    }
    if let Some(ku) = leaf.key_usage().map_err(CertError::Chain)? {
        if !ku.0.contains(KeyUsages::DigitalSignature) {
            return Err(usage("lacks the digitalSignature key usage"));
        }
    }
    match leaf.extended_key_usage().map_err(CertError::Chain)? {
        Some(ekus) if ekus.contains(&EKU_CODE_SIGNING) => Ok(()),
        Some(ekus) => Err(usage(&format!(
            "has extended key usages {} but not codeSigning (1.3.6.1.5.5.7.3.3)",
            ekus.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => Err(usage("has no extended key usage (codeSigning is required)")),
    }
}

/// An issuer: a CA (basic constraints), within its path length, allowed to sign certificates,
/// and not restricted to other extended key usages than code signing.
fn check_issuer(path: &[Cert], index: usize) -> Result<(), CertError> {
    let ca = &path[index];
    let what = role(path, index);
    let bc = ca.basic_constraints().map_err(CertError::Chain)?;
    let Some(bc) = bc.filter(|bc| bc.ca) else {
        return Err(CertError::Chain(format!(
            "{what} is not a CA (basicConstraints)"
        )));
    };
    let below = path[1..index]
        .iter()
        .filter(|c| !c.is_self_issued())
        .count();
    if let Some(limit) = bc.path_len_constraint {
        if below > usize::from(limit) {
            return Err(CertError::Chain(format!(
                "{what} allows {limit} intermediate(s) below it, the path has {below}"
            )));
        }
    }
    if let Some(ku) = ca.key_usage().map_err(CertError::Chain)? {
        if !ku.0.contains(KeyUsages::KeyCertSign) {
            return Err(CertError::Chain(format!(
                "{what} may not sign certificates (keyUsage)"
            )));
        }
    }
    match ca.extended_key_usage().map_err(CertError::Chain)? {
        Some(ekus) if !ekus.contains(&EKU_CODE_SIGNING) && !ekus.contains(&EKU_ANY) => {
            Err(CertError::KeyUsage(format!(
                "{what} restricts its certificates to extended key usages without codeSigning"
            )))
        }
        _ => Ok(()),
    }
}
