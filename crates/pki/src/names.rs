//! Name constraints (RFC 5280 4.2.1.10) for the name forms code-signing certificates carry:
//! email (`rfc822Name`), URI (its host), DNS, IP address and directory names. A constraint of
//! another form, met by a name of that form, fails closed.

use crate::cert::Cert;
use crate::error::CertError;
use der::Encode;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::NameConstraints;

/// The PKCS#9 emailAddress attribute: an email in the subject DN is also an rfc822 name.
const EMAIL_ADDRESS: &str = "1.2.840.113549.1.9.1";

/// Checks every name of `subject` against the name constraints of `ca`, if it has any.
pub(crate) fn check(ca: &Cert, subject: &Cert) -> Result<(), CertError> {
    let constraints = ca
        .extension::<NameConstraints>()
        .map_err(CertError::Chain)?;
    let Some((_, constraints)) = constraints else {
        return Ok(());
    };
    let permitted = constraints.permitted_subtrees.unwrap_or_default();
    let excluded = constraints.excluded_subtrees.unwrap_or_default();
    for name in names_of(subject)? {
        check_name(&name, &permitted, &excluded).map_err(|why| {
            CertError::NameConstraint(format!(
                "{} names {}, which {why} of '{}'",
                subject.describe(),
                show(&name),
                ca.tbs().subject
            ))
        })?;
    }
    Ok(())
}

fn check_name(
    name: &GeneralName,
    permitted: &[GeneralSubtree],
    excluded: &[GeneralSubtree],
) -> Result<(), String> {
    for subtree in excluded.iter().filter(|s| same_form(&s.base, name)) {
        if matches(name, &subtree.base)? {
            return Err(format!("is excluded by {}", show(&subtree.base)));
        }
    }
    let mut same: Vec<&GeneralSubtree> = permitted
        .iter()
        .filter(|s| same_form(&s.base, name))
        .collect();
    if same.is_empty() {
        return Ok(());
    }
    for subtree in same.drain(..) {
        if matches(name, &subtree.base)? {
            return Ok(());
        }
    }
    Err("is not within the permitted subtrees".into())
}

/// SAN entries, the subject DN (when not empty) and emailAddress attributes of the subject.
fn names_of(cert: &Cert) -> Result<Vec<GeneralName>, CertError> {
    let mut names = cert.subject_alt_names().map_err(CertError::Chain)?;
    let subject = &cert.tbs().subject;
    if !subject.0.is_empty() {
        names.push(GeneralName::DirectoryName(subject.clone()));
    }
    for rdn in &subject.0 {
        for attr in rdn.0.iter() {
            if attr.oid.to_string() == EMAIL_ADDRESS {
                let email = attr
                    .value
                    .decode_as::<der::asn1::Ia5String>()
                    .map_err(|e| CertError::Chain(format!("bad emailAddress in subject: {e}")))?;
                names.push(GeneralName::Rfc822Name(email));
            }
        }
    }
    Ok(names)
}

fn same_form(a: &GeneralName, b: &GeneralName) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Whether `name` lies in the subtree `base` (both of the same form).
fn matches(name: &GeneralName, base: &GeneralName) -> Result<bool, String> {
    use GeneralName as G;
    Ok(match (name, base) {
        (G::Rfc822Name(n), G::Rfc822Name(b)) => email_matches(n.as_str(), b.as_str()),
        (G::DnsName(n), G::DnsName(b)) => dns_matches(n.as_str(), b.as_str()),
        (G::UniformResourceIdentifier(n), G::UniformResourceIdentifier(b)) => {
            match uri_host(n.as_str()) {
                Some(host) => host_matches(&host, b.as_str()),
                None => false,
            }
        }
        (G::IpAddress(n), G::IpAddress(b)) => ip_matches(n.as_bytes(), b.as_bytes()),
        (G::DirectoryName(n), G::DirectoryName(b)) => dn_prefix(n, b),
        _ => {
            return Err(format!(
                "uses a name form ({}) that is not supported",
                show(base)
            ))
        }
    })
}

/// `user@host` exact; `host` any mailbox at that host; `.domain` any mailbox at a subdomain.
fn email_matches(email: &str, constraint: &str) -> bool {
    let Some((_, host)) = email.rsplit_once('@') else {
        return false;
    };
    if constraint.contains('@') {
        let (local, chost) = constraint.rsplit_once('@').unwrap_or_default();
        let (elocal, _) = email.rsplit_once('@').unwrap_or_default();
        return local == elocal && chost.eq_ignore_ascii_case(host);
    }
    host_matches(host, constraint)
}

/// `host` exactly, or with a leading dot, any host strictly below it.
fn host_matches(host: &str, constraint: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let constraint = constraint.to_ascii_lowercase();
    match constraint.strip_prefix('.') {
        Some(_) => host.ends_with(&constraint) && host.len() > constraint.len(),
        None => host == constraint,
    }
}

/// DNS: the name itself or any name below it (`example.com` covers `a.example.com`).
fn dns_matches(name: &str, constraint: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let constraint = constraint.trim_end_matches('.').to_ascii_lowercase();
    if constraint.is_empty() {
        return true;
    }
    if let Some(suffix) = constraint.strip_prefix('.') {
        return name.ends_with(&format!(".{suffix}"));
    }
    name == constraint || name.ends_with(&format!(".{constraint}"))
}

/// The host of `scheme://[user@]host[:port]/...`, lower case; `None` without an authority.
fn uri_host(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port.split(']').next()?.trim_start_matches('[')
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// `base` is address followed by mask, of the same family as `addr`.
fn ip_matches(addr: &[u8], base: &[u8]) -> bool {
    if base.len() != addr.len() * 2 {
        return false;
    }
    let (net, mask) = base.split_at(addr.len());
    addr.iter()
        .zip(net)
        .zip(mask)
        .all(|((a, n), m)| a & m == n & m)
}

/// The constraint's RDNs are the first RDNs of the name (compared as DER).
fn dn_prefix(name: &x509_cert::name::Name, base: &x509_cert::name::Name) -> bool {
    base.0.len() <= name.0.len()
        && base
            .0
            .iter()
            .zip(&name.0)
            .all(|(b, n)| b.to_der().ok() == n.to_der().ok())
}

fn show(name: &GeneralName) -> String {
    use GeneralName as G;
    match name {
        G::Rfc822Name(s) => format!("email {s}"),
        G::DnsName(s) => format!("DNS name {s}"),
        G::UniformResourceIdentifier(s) => format!("URI {s}"),
        G::IpAddress(s) => format!("IP address {}", hex::encode(s.as_bytes())),
        G::DirectoryName(n) => format!("directory name '{n}'"),
        G::OtherName(_) => "an otherName".into(),
        G::EdiPartyName(_) => "an ediPartyName".into(),
        G::RegisteredId(oid) => format!("registered id {oid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_forms() {
        assert!(email_matches("alice@acme.example", "acme.example"));
        assert!(!email_matches("alice@evil.acme.example", "acme.example"));
        assert!(email_matches("alice@eu.acme.example", ".acme.example"));
        assert!(!email_matches("alice@acme.example", ".acme.example"));
        assert!(email_matches("alice@ACME.example", "alice@acme.example"));
        assert!(!email_matches("bob@acme.example", "alice@acme.example"));
        assert!(!email_matches("acme.example", "acme.example"));
        assert!(!email_matches("alice@notacme.example", "acme.example"));
    }

    #[test]
    fn uri_dns_and_ip_forms() {
        assert_eq!(
            uri_host("https://ci.acme.example:8443/build/1").as_deref(),
            Some("ci.acme.example")
        );
        assert_eq!(
            uri_host("spiffe://acme.example/ns/x").as_deref(),
            Some("acme.example")
        );
        assert_eq!(uri_host("urn:uuid:1"), None);
        assert!(host_matches("ci.acme.example", ".acme.example"));
        assert!(!host_matches("ci.acme.example.evil", ".acme.example"));
        assert!(dns_matches("a.b.example.com", "example.com"));
        assert!(!dns_matches("badexample.com", "example.com"));
        assert!(ip_matches(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_matches(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
    }
}
