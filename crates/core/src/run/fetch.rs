//! `npm-sigverify fetch`: writes an offline evidence store for a project's tree, for air-gapped
//! verification. It records what the online run would read: each registry's keys, each
//! package's full packument and attestations, and what the incident signals read (earlier
//! versions' attestations, tarballs of versions with install scripts and of their previous
//! versions: see `fetch_history`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use crate::config::npmrc::NpmConfig;
use crate::config::VerifyOptions;
use crate::error::VerifyError;
use crate::run::fetch_history::{fetch_history, Wanted};
use crate::run::load::load_input;
use crate::source::evidence::Evidence;
use crate::source::evidence::{keys_url, packument_url, Store};
use crate::source::keyring::is_public_npm;
use crate::source::keys::KeySet;
use crate::source::packument::parse_packument;
use crate::source::registry::{RegistryClient, ACCEPT_FULL};

/// What a fetch wrote, and what it could not get.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FetchSummary {
    /// Registries whose keys were recorded.
    pub registries: usize,
    /// Packuments written.
    pub packuments: usize,
    /// `(what, why)` for every document that could not be fetched.
    pub failures: Vec<(String, String)>,
}

/// Fetches the evidence for every registry package of the tree into `out`.
pub async fn fetch_store(options: &VerifyOptions, out: &Path) -> Result<FetchSummary, VerifyError> {
    let tree = load_input(options)?;
    let config = NpmConfig::load(&tree.root, &options.overrides)?;
    let client = RegistryClient::new(config.clone(), options.http.clone())?;
    let store = Store::new(out);
    let mut wanted: BTreeMap<(Url, String), BTreeSet<String>> = BTreeMap::new();
    let mut scripted: BTreeSet<(String, String)> = BTreeSet::new();
    for package in tree
        .packages
        .iter()
        .filter(|p| p.source.skip_reason().is_none())
    {
        let key = (config.registry_for(&package.name)?, package.name.clone());
        wanted
            .entry(key)
            .or_default()
            .insert(package.version.clone());
        if package.has_install_script {
            scripted.insert((package.name.clone(), package.version.clone()));
        }
    }
    let scripted = Arc::new(scripted);
    let mut summary = FetchSummary::default();
    let registries: BTreeSet<Url> = wanted.keys().map(|(r, _)| r.clone()).collect();
    for registry in &registries {
        fetch_keys(&client, &store, registry, &mut summary).await?;
    }
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for ((registry, name), versions) in wanted {
        let (client, store, limit) = (client.clone(), store.clone(), Arc::clone(&limit));
        let scripted = Arc::clone(&scripted);
        tasks.spawn(async move {
            let _permit = limit.acquire().await.expect("semaphore is never closed");
            let bytes = fetch_packument(&client, &store, &registry, &name).await?;
            let mut failures =
                fetch_attestations(&client, &store, &registry, &name, &versions, &bytes).await;
            if let Ok(facts) = parse_packument(&bytes) {
                let scripted = versions
                    .iter()
                    .filter(|v| {
                        scripted.contains(&(name.clone(), (*v).clone()))
                            || facts
                                .versions
                                .get(*v)
                                .is_some_and(|f| !f.install_scripts.is_empty())
                    })
                    .cloned()
                    .collect();
                let wanted = Wanted {
                    registry: &registry,
                    name: &name,
                    versions: &versions,
                    scripted,
                };
                failures.extend(fetch_history(&client, &store, &facts, &wanted).await);
            }
            Ok::<_, (String, String)>(failures)
        });
    }
    while let Some(done) = tasks.join_next().await {
        match done.expect("fetch tasks never panic") {
            Ok(failures) => {
                summary.packuments += 1;
                summary.failures.extend(failures);
            }
            Err(failure) => summary.failures.push(failure),
        }
    }
    Ok(summary)
}

/// Records a registry's keys; returns whether any key can expire (full packuments needed).
async fn fetch_keys(
    client: &RegistryClient,
    store: &Store,
    registry: &Url,
    summary: &mut FetchSummary,
) -> Result<bool, VerifyError> {
    if is_public_npm(registry) {
        // Verification uses the embedded keys for this registry whatever the store holds; the
        // file is there for a run that reads this store for a mirror of it (one-host fallback).
        let keys = KeySet::embedded_npm();
        write(store, &store.keys_path(registry), &keys.to_keys_document())?;
        summary.registries += 1;
        return Ok(keys.has_expiring_key());
    }
    let bytes = match client.get(&keys_url(registry), ACCEPT_FULL).await {
        Ok(Some(bytes)) => bytes,
        // npm treats a 404 as "no keys"; record that explicitly so offline runs agree.
        Ok(None) => br#"{"keys":[]}"#.to_vec(),
        Err(e) => {
            summary
                .failures
                .push((keys_url(registry).to_string(), e.to_string()));
            return Ok(false);
        }
    };
    write(store, &store.keys_path(registry), &bytes)?;
    summary.registries += 1;
    let expiring = KeySet::from_keys_document(&bytes).map(|k| k.has_expiring_key());
    Ok(expiring.unwrap_or(false))
}

/// Records a full packument (publish times are needed for key expiry and downgrades).
async fn fetch_packument(
    client: &RegistryClient,
    store: &Store,
    registry: &Url,
    name: &str,
) -> Result<Vec<u8>, (String, String)> {
    let url = packument_url(registry, name);
    let bytes = match client.get(&url, ACCEPT_FULL).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Err((url.to_string(), "HTTP 404".into())),
        Err(e) => return Err((url.to_string(), e.to_string())),
    };
    let path = store.packument_path(registry, name);
    write(store, &path, &bytes).map_err(|e| (url.to_string(), e.to_string()))?;
    Ok(bytes)
}

/// Records the attestations the registry advertises for the tree's versions of a package.
async fn fetch_attestations(
    client: &RegistryClient,
    store: &Store,
    registry: &Url,
    name: &str,
    versions: &BTreeSet<String>,
    packument: &[u8],
) -> Vec<(String, String)> {
    let Ok(facts) = parse_packument(packument) else {
        return vec![(
            packument_url(registry, name).to_string(),
            "malformed packument".into(),
        )];
    };
    let mut failures = Vec::new();
    for version in versions {
        let Some(advertised) = facts
            .versions
            .get(version)
            .and_then(|v| v.attestations_url.clone())
        else {
            continue;
        };
        let evidence = Evidence::Online(client.clone());
        let what = format!("{name}@{version} attestations");
        match evidence
            .attestations(registry, name, version, &advertised)
            .await
        {
            Ok(Some(doc)) => {
                let path = store.attestations_path(registry, name, version);
                if let Err(e) = write(store, &path, &doc) {
                    failures.push((what, e.to_string()));
                }
            }
            Ok(None) => failures.push((what, "HTTP 404".into())),
            Err(e) => failures.push((what, e.to_string())),
        }
    }
    failures
}

fn write(store: &Store, path: &Path, bytes: &[u8]) -> Result<(), VerifyError> {
    store.write(path, bytes).map_err(|e| VerifyError::Write {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
