//! `verify-blob` / `verify-bundle` with a private CA, as cosign does it: `--certificate`,
//! `--certificate-chain`, `--ca-roots`, `--ca-intermediates`, plus `--crl` and
//! `--timestamp-certificate-chain`.

use super::{reported, usage, Reported};
use sigverify_cosign::policy::Matcher;
use sigverify_cosign::ArtifactInput;
use sigverify_pki::crl::Crl;
use sigverify_pki::timestamp;
use sigverify_pki::verify::{
    check_identity, verify_certificate, CaTrust, CertEvidence, CertVerified, RevocationMode,
};
use sigverify_pki::Cert;
use std::path::{Path, PathBuf};

/// The private-CA options of `verify-blob` and `verify-bundle`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CaArgs {
    /// The signing certificate (PEM), for a detached `--signature`.
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<PathBuf>,
    /// The CA chain (PEM): intermediates first, root last; the root is trusted unless
    /// `--ca-roots` is given, then the whole chain is only used to build the path.
    #[arg(long, value_name = "FILE")]
    pub certificate_chain: Option<PathBuf>,
    /// Trusted CA roots (PEM, one or more certificates).
    #[arg(long, value_name = "FILE")]
    pub ca_roots: Option<PathBuf>,
    /// Intermediate CA certificates (PEM) to build the path with.
    #[arg(long, value_name = "FILE")]
    pub ca_intermediates: Option<PathBuf>,
    /// CRLs (PEM or DER, repeatable): the signing certificate's issuer must have a current one.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// A TSA chain (PEM, TSA certificate first, root last) whose RFC 3161 timestamps prove the
    /// signing time (repeatable). Without one the chain is checked at the current time.
    #[arg(long, value_name = "FILE")]
    pub timestamp_certificate_chain: Vec<PathBuf>,
    /// A certificate revoked after the (timestamp-proven) signing time still counts.
    #[arg(long)]
    pub revocation_at_signing_time: bool,
}

impl CaArgs {
    /// True when the private-CA path is asked for.
    pub fn active(&self) -> bool {
        self.ca_roots.is_some() || self.certificate_chain.is_some()
    }

    /// Builds the trust: `--ca-roots` (else the self-signed end of `--certificate-chain`),
    /// intermediates, CRLs, TSAs.
    pub fn trust(&self) -> Result<CaTrust, Reported> {
        let chain = self.chain()?;
        let (mut roots, mut intermediates): (Vec<Cert>, Vec<Cert>) = match &self.ca_roots {
            Some(path) => (load(path)?, chain),
            None => chain.into_iter().partition(Cert::is_self_issued),
        };
        if let Some(path) = &self.ca_intermediates {
            intermediates.extend(load(path)?);
        }
        roots.dedup();
        if roots.is_empty() {
            return Err(usage(
                "no trusted root: give --ca-roots, or a --certificate-chain that ends with its root",
            ));
        }
        let mut crls = Vec::new();
        for path in &self.crl {
            crls.extend(Crl::load_file(path).map_err(reported)?);
        }
        let timestamp_authorities = self
            .timestamp_certificate_chain
            .iter()
            .map(|p| timestamp::load_authority(p).map_err(reported))
            .collect::<Result<_, _>>()?;
        Ok(CaTrust {
            name: self.name(),
            roots,
            intermediates,
            crls,
            timestamp_authorities,
            revocation: match self.revocation_at_signing_time {
                true => RevocationMode::SigningTime,
                false => RevocationMode::Always,
            },
        })
    }

    fn chain(&self) -> Result<Vec<Cert>, Reported> {
        self.certificate_chain
            .as_deref()
            .map_or(Ok(Vec::new()), load)
    }

    fn name(&self) -> String {
        let path = self.ca_roots.as_ref().or(self.certificate_chain.as_ref());
        path.map(|p| p.display().to_string()).unwrap_or_default()
    }

    /// The leaf given with `--certificate`.
    pub fn leaf(&self) -> Result<Option<Cert>, Reported> {
        match &self.certificate {
            Some(path) => Ok(load(path)?.into_iter().next()),
            None => Ok(None),
        }
    }
}

fn load(path: &Path) -> Result<Vec<Cert>, Reported> {
    Cert::load_file(path).map_err(reported)
}

/// The identity expected of the certificate: `--certificate-identity[-regexp]` (required) and
/// `--certificate-oidc-issuer[-regexp]` (optional: a private CA need not stamp one).
pub struct ExpectedIdentity {
    /// SAN matcher.
    pub identity: Matcher,
    /// Issuer extension matcher.
    pub issuer: Option<Matcher>,
}

/// Verifies `evidence` with a certificate against the private CA, then the identity.
pub fn verify_with_ca(
    artifact: &ArtifactInput,
    evidence: &CertEvidence<'_>,
    trust: &CaTrust,
    expected: &ExpectedIdentity,
) -> Result<CertVerified, Reported> {
    let verified =
        verify_certificate(artifact, evidence, trust, chrono::Utc::now()).map_err(reported)?;
    check_identity(&verified, &expected.identity, expected.issuer.as_ref()).map_err(reported)?;
    Ok(verified)
}

/// Prints a verified certificate signature.
pub fn print_cert_verified(verified: &CertVerified, json: bool) -> i32 {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(verified).unwrap_or_default()
        );
        return super::EXIT_OK;
    }
    let when = verified
        .checked_at
        .first()
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    println!(
        "Verified OK (certificate {} of {}, chain {}, checked at {when} ({}), {})",
        verified.serial,
        verified.identities.join(", "),
        verified.chain.join(" <- "),
        if verified.timestamped {
            "verified timestamp"
        } else {
            "now: no trusted timestamp"
        },
        if verified.revocation_checked {
            "revocation checked"
        } else {
            "no CRL given: revocation not checked"
        }
    );
    super::EXIT_OK
}
