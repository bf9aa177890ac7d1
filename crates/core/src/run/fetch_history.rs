//! What the offline store needs for the incident signals beyond a version's own evidence: the
//! attestations of the nearest earlier versions of its release line (publisher continuity), and
//! for a version with install scripts, its tarball and its previous version's (new install
//! scripts). Tarballs are checked against the packument's integrity before they are stored;
//! verification checks them again (and the previous version's registry signature).

use std::collections::BTreeSet;

use sigverify_content::check_integrity;
use sigverify_policy::DEFAULT_HISTORY;
use url::Url;

use crate::source::evidence::{Evidence, Store};
use crate::source::lines::earlier_in_line;
use crate::source::packument::PackumentFacts;
use crate::source::registry::RegistryClient;

/// One package's versions in the tree, and which of them have install scripts.
pub(super) struct Wanted<'a> {
    pub registry: &'a Url,
    pub name: &'a str,
    pub versions: &'a BTreeSet<String>,
    /// Versions the lockfile or the packument says have install scripts.
    pub scripted: BTreeSet<String>,
}

/// Records the earlier versions' attestations and the tarballs the signals read; returns what
/// could not be fetched.
pub(super) async fn fetch_history(
    client: &RegistryClient,
    store: &Store,
    facts: &PackumentFacts,
    wanted: &Wanted<'_>,
) -> Vec<(String, String)> {
    let mut failures = Vec::new();
    let all = || facts.versions.keys().map(String::as_str);
    let earlier: BTreeSet<String> = wanted
        .versions
        .iter()
        .flat_map(|v| earlier_in_line(all(), v, DEFAULT_HISTORY))
        .filter(|v| !wanted.versions.contains(v))
        .collect();
    for version in &earlier {
        failures.extend(attestations(client, store, facts, wanted, version).await);
    }
    let mut tarballs: BTreeSet<String> = wanted.scripted.clone();
    for version in &wanted.scripted {
        tarballs.extend(earlier_in_line(all(), version, 1));
    }
    for version in &tarballs {
        failures.extend(tarball(client, store, facts, wanted.name, version).await);
    }
    failures
}

async fn attestations(
    client: &RegistryClient,
    store: &Store,
    facts: &PackumentFacts,
    wanted: &Wanted<'_>,
    version: &str,
) -> Option<(String, String)> {
    let v = facts.versions.get(version)?;
    v.provenance_predicate.as_ref()?;
    let advertised = v.attestations_url.as_deref()?;
    let what = format!("{}@{version} attestations", wanted.name);
    let evidence = Evidence::Online(client.clone());
    let answer = evidence
        .attestations(wanted.registry, wanted.name, version, advertised)
        .await;
    let doc = match answer {
        Ok(Some(doc)) => doc,
        Ok(None) => return Some((what, "HTTP 404".into())),
        Err(e) => return Some((what, e.to_string())),
    };
    let path = store.attestations_path(wanted.registry, wanted.name, version);
    store
        .write(&path, &doc)
        .err()
        .map(|e| (what, e.to_string()))
}

async fn tarball(
    client: &RegistryClient,
    store: &Store,
    facts: &PackumentFacts,
    name: &str,
    version: &str,
) -> Option<(String, String)> {
    let v = facts.versions.get(version)?;
    let url = Url::parse(v.tarball.as_deref()?).ok()?;
    let what = format!("{name}@{version} tarball");
    let bytes = match client.get(&url, "application/octet-stream").await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Some((what, "HTTP 404".into())),
        Err(e) => return Some((what, e.to_string())),
    };
    if let Some(integrity) = &v.integrity {
        if let Err(e) = check_integrity(&bytes, integrity) {
            return Some((what, format!("not the signed tarball: {e}")));
        }
    }
    let path = store.tarball_path(&url);
    store
        .write(&path, &bytes)
        .err()
        .map(|e| (what, e.to_string()))
}
