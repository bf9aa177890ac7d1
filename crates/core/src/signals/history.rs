//! Evidence about earlier versions of a package, verified as the checked version's is: their
//! attestations (fetched once, kept in the evidence cache, verified on every run) and their
//! signed tarballs (checked against a registry-signed integrity before their manifest is read).

use sigverify_attest::{verify_attestations, AttestationKind, Subject};
use sigverify_cache::{Entry, Namespace};
use sigverify_content::{check_integrity, find_cached_tarball, read_tarball};
use url::Url;

use super::{Material, SignalContext};
use crate::check::contents::install_scripts;
use crate::check::signature::{verify_registry_signatures, SignatureVerdict, SignedVersion};
use crate::model::PublisherIdentity;
use crate::source::packument::VersionFacts;

/// What an earlier version's verified evidence says of its publisher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Earlier {
    /// Its provenance verified: this identity built it.
    Provenance(PublisherIdentity),
    /// The registry advertises no provenance for it.
    NoProvenance,
    /// Its evidence could not be obtained or did not verify (the reason).
    Unavailable(String),
}

/// One earlier version to look at.
pub(super) struct Version<'a> {
    pub registry: &'a Url,
    pub name: &'a str,
    pub version: &'a str,
    pub facts: &'a VersionFacts,
}

impl Version<'_> {
    fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// The publisher identity an earlier version's provenance proves (fetched and verified; the
/// document comes from the evidence cache when it holds it).
pub(super) async fn identity(ctx: &SignalContext, v: &Version<'_>) -> Earlier {
    let Some(predicate) = &v.facts.provenance_predicate else {
        return Earlier::NoProvenance;
    };
    let (Some(url), Some(integrity)) = (&v.facts.attestations_url, &v.facts.integrity) else {
        let why = format!(
            "{}: it advertises provenance ({predicate}) but no attestations URL or integrity",
            v.id()
        );
        return Earlier::Unavailable(why);
    };
    let trust = match ctx.material(v.registry).and_then(|m| m.trust.clone()) {
        Some(trust) => trust,
        None => {
            let why = format!(
                "{}: no attestation trust material for {} (its keys are unavailable)",
                v.id(),
                v.registry
            );
            return Earlier::Unavailable(why);
        }
    };
    let doc = match document(ctx, v, url, integrity).await {
        Ok(doc) => doc,
        Err(why) => return Earlier::Unavailable(format!("{}: {why}", v.id())),
    };
    let (name, version, integrity) = (v.name.to_string(), v.version.to_string(), integrity.clone());
    let judge = move || judge(&doc, &name, &version, &integrity, &trust);
    crate::work::cpu::on_cpu_pool(judge)
        .await
        .unwrap_or_else(|why| Earlier::Unavailable(format!("{}: {why}", v.id())))
}

/// The provenance of a document, verified for `name@version` with `integrity`.
fn judge(
    doc: &[u8],
    name: &str,
    version: &str,
    integrity: &str,
    trust: &sigverify_attest::TrustMaterial,
) -> Result<Earlier, String> {
    let subject = Subject {
        name,
        version,
        integrity,
        tarball_sha512: None,
    };
    let verdicts = verify_attestations(doc, &subject, trust).map_err(|e| e.to_string())?;
    let provenance = verdicts
        .iter()
        .find(|v| v.kind == AttestationKind::Provenance)
        .ok_or("it advertises provenance but its attestations hold none")?;
    match (&provenance.signer, provenance.is_verified()) {
        (Some(facts), true) => Ok(Earlier::Provenance(PublisherIdentity::from_facts(facts))),
        _ => Err(format!(
            "its provenance does not verify: {}",
            provenance.message.as_deref().unwrap_or("no signer")
        )),
    }
}

/// The attestations document of an earlier version: from the evidence cache, else the registry
/// (then kept in the cache: a published version's attestations never change, and they are
/// verified again on every read).
async fn document(
    ctx: &SignalContext,
    v: &Version<'_>,
    url: &str,
    integrity: &str,
) -> Result<Vec<u8>, String> {
    let key = format!("a1:{}{}@{}:{integrity}", v.registry, v.name, v.version);
    let cache = ctx.cache.documents();
    if let Ok(Some(entry)) = cache.get(Namespace::Attestations, &key).await {
        return Ok(entry.body);
    }
    let fetched = ctx
        .evidence
        .attestations(v.registry, v.name, v.version, url)
        .await;
    let doc = match fetched {
        Ok(Some(doc)) => doc,
        Ok(None) => return Err("the registry advertises attestations but answered 404".into()),
        Err(e) => return Err(format!("its attestations could not be fetched: {e}")),
    };
    let ttl = Namespace::Attestations.default_ttl();
    // A cache that fails to store is only a slower next run.
    let _ = cache
        .put(Namespace::Attestations, &key, &Entry::new(doc.clone()), ttl)
        .await;
    Ok(doc)
}

/// The at most `n` nearest earlier versions of `result`'s release line to compare it with,
/// nearest first, from the packument's (unsigned) version list: the `Err` says why they cannot
/// be trusted, and the signal then reports `ESIGNALUNAVAILABLE`. When the registry signs, each
/// of them must carry a valid registry signature (a mirror cannot make versions up to fill the
/// window, and the real registries sign every version); a lower version of the line that the
/// baseline lockfile installs must be listed (a mirror hiding it would make the checked version
/// look like the first of its line).
pub(super) fn earlier_signed(
    ctx: &SignalContext,
    result: &crate::model::PackageResult,
    facts: &crate::source::packument::PackumentFacts,
    registry: &Url,
    n: usize,
) -> Result<Vec<String>, String> {
    use crate::source::lines::{earlier_in_line, release_line};
    let line = release_line(&result.version).unwrap_or_default();
    let hidden = result.baseline.iter().flat_map(|b| &b.from).find(|v| {
        let lower = !earlier_in_line([v.as_str()].into_iter(), &result.version, 1).is_empty();
        lower && !facts.versions.contains_key(*v)
    });
    if let Some(hidden) = hidden {
        return Err(format!(
            "the registry does not list {}@{hidden}, which the baseline lockfile installs (release line {line}): the earlier versions cannot be compared",
            result.name
        ));
    }
    let all = facts.versions.keys().map(String::as_str);
    let earlier = earlier_in_line(all, &result.version, n);
    let Some(keys) = ctx.material(registry).and_then(|m| m.keys.as_deref()) else {
        return Ok(earlier);
    };
    for version in &earlier {
        let facts = &facts.versions[version];
        let v = Version {
            registry,
            name: &result.name,
            version,
            facts,
        };
        let integrity = facts.integrity.as_deref().ok_or("no integrity");
        if let Err(why) = integrity
            .map_err(str::to_string)
            .and_then(|i| check_signature(&v, i, keys))
        {
            return Err(format!(
                "{}@{version}, listed as an earlier version of release line {line}, is not one the registry signed ({why})",
                result.name
            ));
        }
    }
    Ok(earlier)
}

/// The install scripts an earlier version's signed tarball declares. Its integrity must carry
/// a valid registry signature (when the registry signs): a mirror must not be able to make a
/// new install script look old by serving another previous tarball.
pub(super) async fn scripts(ctx: &SignalContext, v: &Version<'_>) -> Result<Vec<String>, String> {
    let integrity = v
        .facts
        .integrity
        .as_deref()
        .ok_or("the registry gives no integrity for it")?;
    let material = ctx.material(v.registry);
    if let Some(keys) = material.and_then(|m: &Material| m.keys.as_deref()) {
        check_signature(v, integrity, keys)?;
    }
    let bytes = tarball(ctx, v, integrity).await?;
    let judge = move || {
        let manifest = read_tarball(&bytes).map_err(|e| format!("unreadable tarball: {e}"))?;
        Ok(install_scripts(&manifest))
    };
    crate::work::cpu::on_cpu_pool(judge).await
}

fn check_signature(
    v: &Version<'_>,
    integrity: &str,
    keys: &crate::source::keys::KeySet,
) -> Result<(), String> {
    let signed = SignedVersion {
        name: v.name,
        version: v.version,
        integrity,
        published: None,
    };
    match verify_registry_signatures(&signed, &v.facts.signatures, keys) {
        SignatureVerdict::Verified { .. } => Ok(()),
        SignatureVerdict::Missing => Err("its registry signature is missing".into()),
        SignatureVerdict::Invalid { message, .. } => {
            Err(format!("its registry signature is invalid: {message}"))
        }
    }
}

/// A tarball from npm's cache (by integrity) or the registry, checked against `integrity`.
async fn tarball(ctx: &SignalContext, v: &Version<'_>, integrity: &str) -> Result<Vec<u8>, String> {
    if let Some(bytes) = ctx
        .tarballs
        .npm_cache
        .as_deref()
        .and_then(|c| find_cached_tarball(c, integrity))
    {
        return Ok(bytes);
    }
    let url = v
        .facts
        .tarball
        .as_deref()
        .and_then(|u| Url::parse(u).ok())
        .ok_or("the registry names no tarball URL")?;
    let shown = crate::model::redact::url(url.as_str());
    let bytes = match ctx.evidence.tarball(&url).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err(format!("{shown} answered 404")),
        Err(e) => return Err(format!("its tarball could not be fetched: {e}")),
    };
    check_integrity(&bytes, integrity)
        .map_err(|e| format!("the tarball served by {shown} is not the signed one: {e}"))?;
    Ok(bytes)
}

/// The install scripts of the checked version itself: from its content check when that read
/// the signed tarball, else from the tarball (npm's cache first, then the registry).
pub(super) async fn own_scripts(
    ctx: &SignalContext,
    result: &crate::model::PackageResult,
) -> Result<Vec<String>, String> {
    if let Some(scripts) = &result.install_scripts {
        return Ok(scripts.clone());
    }
    let integrity = result
        .integrity
        .as_deref()
        .ok_or("no signed integrity is known")?;
    let bytes = ctx
        .tarballs
        .obtain(result, integrity, &ctx.evidence)
        .await
        .map_err(|(_, why)| why)?;
    let judge = move || {
        let manifest = read_tarball(&bytes).map_err(|e| format!("unreadable tarball: {e}"))?;
        Ok(install_scripts(&manifest))
    };
    crate::work::cpu::on_cpu_pool(judge).await
}
