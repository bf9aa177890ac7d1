//! The signals step of a run: its context built from what the run loaded (settings, evidence,
//! cache, registry keys and trust, tarball sources, deadline).

use chrono::Utc;
use sigverify_lockfile::Tree;
use sigverify_policy::{SignalKind, Signals};

use crate::cache::EvidenceCache;
use crate::error::VerifyError;
use crate::model::PackageResult;
use crate::run::load::Loaded;
use crate::signals::{run_signals, Material, SignalContext, SignalRun};
use crate::source::keyring::{Keyring, RegistryKeys};
use crate::source::tarball::TarballSources;
use crate::work::deadline::Limits;

/// Whether the registry stage must hand packuments to the signals, and how many earlier
/// versions of each line they need whole.
pub(crate) fn needs(signals: &Signals) -> (bool, usize) {
    let mut history = 0;
    if signals.is_on(SignalKind::PublisherContinuity) {
        history = signals.history;
    }
    if signals.is_on(SignalKind::NewInstallScripts) {
        history = history.max(1);
    }
    (signals.any_on(), history)
}

/// Runs the signals over the checked results.
pub(crate) async fn signal_step(
    results: Vec<PackageResult>,
    loaded: &Loaded,
    keyring: &Keyring,
    cache: EvidenceCache,
    tarballs: TarballSources,
    limits: &Limits,
    tree: Option<&Tree>,
) -> Result<(Vec<PackageResult>, SignalRun), VerifyError> {
    let registries = keyring
        .entries()
        .map(|(url, keys)| {
            let material = match keys {
                RegistryKeys::Keys { set, trust, .. } => Material {
                    keys: Some(set.clone()),
                    trust: trust.clone(),
                },
                _ => Material::default(),
            };
            (url.clone(), material)
        })
        .collect();
    let ctx = SignalContext {
        signals: loaded.policy.environment.signals.clone(),
        evidence: loaded.evidence.clone(),
        cache,
        registries,
        tarballs,
        now: Utc::now(),
        concurrency: limits.concurrency,
        deadline: limits.deadline.map(|(at, _)| at),
    };
    run_signals(results, ctx, tree).await
}
