//! A long-lived verifier for a registry gate (`npm-sigverify serve`): one configuration, policy
//! and trust material for every request, registry keys kept for a while, one cache connection.
//!
//! Each packument is judged from exactly the bytes the gate serves (they are pinned in the
//! evidence client, so no second download can differ from what the installer receives). Cached
//! packument facts are never used for that reason; cached verdicts are, when the cache is
//! authenticated: their keys cover the version's facts, its release history and the keys, so
//! a verdict is only reused for the very evidence it judged.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use url::Url;

use crate::cache::verdicts::run_salt;
use crate::cache::EvidenceCache;
use crate::check::internal;
use crate::config::npmrc::NpmConfig;
use crate::config::{ProvenanceOptions, VerifyOptions};
use crate::decide::AppliedPolicy;
use crate::error::VerifyError;
use crate::model::{CheckOutcome, PackageResult};
use crate::run::load::Loaded;
use crate::run::registry::{run_checks, RegistryCheck, Shared};
use crate::run::signals::{needs, signal_step};
use crate::source::evidence::{packument_url, Evidence};
use crate::source::keyring::{Keyring, RegistryKeys};
use crate::source::registry::RegistryClient;
use crate::source::tarball::TarballSources;
use crate::work::deadline::Limits;
use crate::Code;

/// How long a registry's keys are used before they are fetched again (a rotation is seen
/// within this time; keys that could not be fetched are asked for again on the next request).
pub const KEYS_TTL: Duration = Duration::from_secs(600);

/// Whether a verified provenance decides anything a gate serves: the run requires provenance
/// or restricts who built it, or a policy rule does. Only then does the gate read the tarball of
/// each version whose provenance verified, to match the repository its signed package.json
/// names (a gate judges every version of a packument: a tarball per version). Otherwise a
/// provenance a mirror passed off under an edited packument `repository` changes no verdict.
fn provenance_decides(policy: &sigverify_policy::Policy, options: &ProvenanceOptions) -> bool {
    let in_options = !options.asked_of_provenance().is_empty();
    let provenance = sigverify_policy::EvidenceKind::Provenance;
    let in_policy = policy
        .rules
        .iter()
        .any(|rule| rule.require.contains(&provenance) || !rule.provenance.is_empty())
        || policy
            .environments
            .values()
            .any(|e| e.require.contains(&provenance));
    in_options || in_policy
}

/// The verifier behind a registry gate.
pub struct Gate {
    loaded: Loaded,
    /// The gate's folder (relative `file:` tarballs of the signals resolve against it).
    dir: std::path::PathBuf,
    client: RegistryClient,
    cache: EvidenceCache,
    provenance: Arc<ProvenanceOptions>,
    concurrency: usize,
    keyrings: Mutex<HashMap<Url, (Instant, Arc<Keyring>)>>,
}

impl Gate {
    /// Loads the configuration (`options.npm_config`, else `.npmrc` of `options.dir`), the
    /// policy, the trust material, and opens the cache once. A configured cache that cannot be
    /// opened is an error: a gate that silently ran without its shared cache would hide it.
    pub async fn open(options: &VerifyOptions) -> Result<Gate, VerifyError> {
        let loaded = Loaded::load(options, &options.dir, sigverify_lockfile::Manager::Npm)?;
        let Evidence::Online(client) = &loaded.evidence else {
            return Err(VerifyError::Usage(
                "a registry gate verifies online: --offline does not apply".into(),
            ));
        };
        let client = client.clone();
        // Facts are never read back from the cache (max-age 0): only verdicts are reused.
        let mut settings = options.cache.clone();
        settings.max_age = Some(Duration::ZERO);
        let cache = EvidenceCache::open(&settings, false).await;
        if let Some(warning) = &cache.warning {
            return Err(VerifyError::Usage(warning.clone()));
        }
        let mut provenance = options.provenance.clone();
        provenance.bind_to_tarball = provenance_decides(&loaded.policy.policy, &provenance);
        let cache = match loaded.internal.is_some() {
            // Internal signatures are judged against the time: their verdicts never keep.
            true => cache,
            false => {
                let root = loaded.trusted_root.as_deref().map(String::as_str);
                cache.with_verdicts(run_salt(&provenance, root))
            }
        };
        Ok(Gate {
            loaded,
            dir: options.dir.clone(),
            client,
            cache,
            provenance: Arc::new(provenance),
            concurrency: options.concurrency.max(1),
            keyrings: Mutex::new(HashMap::new()),
        })
    }

    /// The npm configuration (upstream registries and their credentials).
    pub fn config(&self) -> &NpmConfig {
        &self.loaded.config
    }

    /// The client that talks to the upstream registries (credentials from the configuration).
    pub fn client(&self) -> &RegistryClient {
        &self.client
    }

    /// The registry a package name resolves to (its scope's, else the default).
    pub fn registry_for(&self, name: &str) -> Result<Url, VerifyError> {
        Ok(self.loaded.config.registry_for(name)?)
    }

    /// The policy and the environment selected in it.
    pub fn policy(&self) -> &AppliedPolicy {
        &self.loaded.policy
    }

    /// Removes URL credentials and configured secrets from text for logs and answers.
    pub fn redactor(&self) -> crate::model::redact::Redactor {
        crate::model::redact::Redactor::new(self.loaded.config.secrets())
    }

    /// `redis`, `disk` or `off`.
    pub fn cache_kind(&self) -> &'static str {
        self.cache.kind()
    }

    /// True when verdicts are shared through the cache (an authenticated cache).
    pub fn caches_verdicts(&self) -> bool {
        self.cache.verdict_salt().is_some()
    }

    /// Cache lookups so far: (hits, misses).
    pub fn cache_lookups(&self) -> (u64, u64) {
        self.cache.lookups()
    }

    /// One round trip to the cache.
    pub async fn cache_ping(&self) -> Result<(), String> {
        self.cache.ping().await
    }

    /// Judges every version in `versions` of the packument `bytes` (served by `registry` for
    /// `name`): registry signature, integrity, attestations, internal signatures. The results
    /// are settled but not decided (see [`Gate::decide`]: decisions depend on the time).
    pub async fn judge(
        &self,
        registry: &Url,
        name: &str,
        bytes: Arc<Vec<u8>>,
        versions: &[String],
    ) -> Vec<PackageResult> {
        let keyring = self.keyring(registry).await;
        let pinned = self.client.pinning(&packument_url(registry, name), bytes);
        let (signals, history) = needs(&self.loaded.policy.environment.signals);
        let shared = Shared {
            evidence: Evidence::Online(pinned),
            cache: self.cache.clone(),
            provenance: Arc::clone(&self.provenance),
            internal: self.loaded.internal.clone(),
            signals,
            history,
            tarballs: TarballSources {
                root: self.dir.clone(),
                npm_cache: None,
            },
        };
        let checks = versions
            .iter()
            .map(|version| check_of(registry, name, version))
            .collect();
        let limits = Limits::new(self.concurrency, None);
        let mut results = run_checks(&shared, &keyring, checks, &limits).await;
        shared.cache.flush().await;
        for result in &mut results {
            if self.loaded.internal.is_some() {
                internal::settle(result);
            }
            let why = format!("{}: a registry gate has no installed folder", result.id());
            result.checks.contents = CheckOutcome::off(why);
        }
        // The policy's incident signals (release age, publisher continuity, pins, new install
        // scripts) judge the served versions as they judge a tree's.
        let mut results = if signals {
            self.signals(results, &keyring, &shared.cache, &limits)
                .await
        } else {
            results
        };
        for result in &mut results {
            result.settle();
        }
        results
    }

    /// Runs the signals over judged results. When they cannot run at all (an unreadable pins
    /// file), every version fails with ESIGNALUNAVAILABLE, an operational failure the gate
    /// answers with 503: never served unjudged. A gate has no lockfile whose sources could be
    /// checked, so that check carries it.
    async fn signals(
        &self,
        results: Vec<PackageResult>,
        keyring: &Keyring,
        cache: &EvidenceCache,
        limits: &Limits,
    ) -> Vec<PackageResult> {
        let tarballs = TarballSources {
            root: self.dir.clone(),
            npm_cache: None,
        };
        // What an error leaves to report: the versions' ids and registries (the results
        // themselves are consumed by the step).
        let judged: Vec<_> = results
            .iter()
            .map(|r| (r.name.clone(), r.version.clone(), r.registry.clone()))
            .collect();
        let step = signal_step(
            results,
            &self.loaded,
            keyring,
            cache.clone(),
            tarballs,
            limits,
            None,
        );
        match step.await {
            Ok((results, _)) => results,
            Err(e) => judged
                .into_iter()
                .map(|(name, version, registry)| {
                    let mut result = PackageResult::new(
                        &name,
                        &version,
                        &format!("node_modules/{name}"),
                        "registry",
                    );
                    result.registry = registry;
                    let why = format!("{}: the incident signals could not run: {e}", result.id());
                    result.checks.source = CheckOutcome::failed(Code::SignalUnavailable, why);
                    result
                })
                .collect(),
        }
    }

    /// Decides judged results with the policy, now.
    pub fn decide(&self, results: &mut [PackageResult]) {
        self.loaded.policy.decide_all(results, Utc::now());
    }

    /// The keys of `registry`: kept for [`KEYS_TTL`] when they were obtained, asked for again
    /// on the next request when they were not.
    async fn keyring(&self, registry: &Url) -> Arc<Keyring> {
        let kept = {
            let keyrings = self.keyrings.lock().expect("no panics under the lock");
            keyrings.get(registry).cloned()
        };
        if let Some((at, keyring)) = kept {
            if at.elapsed() < KEYS_TTL {
                return keyring;
            }
        }
        let evidence = Evidence::Online(self.client.clone());
        let root = self.loaded.trusted_root.clone();
        let keyring = Arc::new(Keyring::load(&evidence, std::iter::once(registry), root).await);
        if !matches!(keyring.get(registry), RegistryKeys::Unavailable(_)) {
            let mut keyrings = self.keyrings.lock().expect("no panics under the lock");
            keyrings.insert(registry.clone(), (Instant::now(), Arc::clone(&keyring)));
        }
        keyring
    }
}

fn check_of(registry: &Url, name: &str, version: &str) -> RegistryCheck {
    let location = format!("node_modules/{name}");
    let mut result = PackageResult::new(name, version, &location, "registry");
    result.registry = Some(registry.to_string());
    RegistryCheck {
        result,
        registry: registry.clone(),
        tarball: None,
        inline_attestations: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> sigverify_policy::Policy {
        sigverify_policy::load_str("p.yaml", text, sigverify_policy::Format::Yaml).unwrap()
    }

    /// The gate reads a version's tarball to bind its provenance only when provenance decides
    /// something: required or restricted by the run, or by any rule of the policy.
    #[test]
    fn provenance_decides_only_when_required_or_restricted() {
        let defaults = ProvenanceOptions::default();
        let npm = policy("rules:\n  - package: \"*\"\n    require: [registry-signature]\n");
        assert!(!provenance_decides(&npm, &defaults));
        let required = ProvenanceOptions {
            require: true,
            ..ProvenanceOptions::default()
        };
        assert!(provenance_decides(&npm, &required));
        let issuers = ProvenanceOptions {
            allowed_issuers: vec!["https://token.actions.githubusercontent.com".into()],
            ..ProvenanceOptions::default()
        };
        assert!(provenance_decides(&npm, &issuers));
        let scoped = policy(
            "rules:\n  - package: \"@acme/*\"\n    require: [registry-signature, provenance]\n",
        );
        assert!(provenance_decides(&scoped, &defaults));
    }
}
