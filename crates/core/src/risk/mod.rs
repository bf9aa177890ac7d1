//! `npm-sigverify risk`: ranks the registry packages of a tree by signals available from the
//! lockfile and the registry's packuments alone (install scripts, no provenance, a recent
//! publish, few maintainers, a provenance downgrade, publish bursts: many versions of a package,
//! or many packages of one npm user in the tree, within a day), to help decide where to look
//! first.
//!
//! This is informational and is **not** verification: no signature, integrity or attestation is
//! checked here, and a package with a score of 0 is not thereby trustworthy. Every package still
//! has to pass [`crate::verify_tree`].
//!
//! Decisions:
//! * one full packument per (registry, name), shared by every version of that name in the tree,
//!   read online or from an offline evidence store exactly as verification reads it;
//! * a packument that cannot be fetched or parsed gives the package an `unknown` signal instead
//!   of an error: one bad package never aborts the ranking;
//! * the same `name@version` installed at several locations is one entry, listing every
//!   location (`location` is the first one in lockfile order);
//! * a provenance downgrade uses verification's rule ([`sigverify_attest::detect_downgrade`]):
//!   earlier by publish time, within one release line (the major, or `0.MINOR` below 1.0.0),
//!   never across majors.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sigverify_lockfile::{Omit, Package, Source, Tree};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

mod signals;

use crate::cache::facts::FactsSource;
use crate::cache::EvidenceCache;
use crate::config::npmrc::NpmConfig;
use crate::config::VerifyOptions;
use crate::error::VerifyError;
use crate::model::PackageTiming;
use crate::run::load::{load_input, make_evidence};
use crate::source::evidence::Evidence;
use crate::source::packument::PackumentFacts;
use signals::*;

/// How the ranking is computed.
#[derive(Debug, Clone, Copy)]
pub struct RiskOptions {
    /// A version published fewer than this many days before `now` is a recent publish
    /// (0 or less turns the signal off).
    pub recent_days: i64,
    /// The reference time for "recent" (a parameter so that runs can be reproduced).
    pub now: DateTime<Utc>,
}

impl Default for RiskOptions {
    fn default() -> Self {
        RiskOptions {
            recent_days: 7,
            now: Utc::now(),
        }
    }
}

/// The ranking of a project's registry packages.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskReport {
    /// The project folder.
    pub project: String,
    /// One entry per `name@version`, highest score first (then by name and version).
    pub packages: Vec<RiskEntry>,
}

/// One package version and the signals that raised its score.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskEntry {
    /// The package name.
    pub name: String,
    /// The exact version.
    pub version: String,
    /// The first location of this version in the tree (`node_modules/a`).
    pub location: String,
    /// Every location of this version in the tree, in lockfile order (`location` first).
    pub locations: Vec<String>,
    /// The sum of the signals' weights.
    pub score: u32,
    /// What raised the score, heaviest first.
    pub signals: Vec<RiskSignal>,
    /// Who published it and when (registry metadata), for the publisher-burst signal.
    #[serde(skip)]
    published_by: Option<(String, DateTime<Utc>)>,
}

/// One reason to look at a package.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskSignal {
    /// What kind of signal this is.
    pub kind: SignalKind,
    /// How much it adds to the score.
    pub weight: u32,
    /// A sentence naming the package and explaining the signal.
    pub detail: String,
}

/// The kinds of signals, serialized in kebab-case (`install-scripts`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// The version runs `preinstall`, `install` or `postinstall` scripts (or a `binding.gyp`).
    InstallScripts,
    /// The version was published without a provenance attestation.
    NoProvenance,
    /// The version was published within `recent_days` of `now`.
    RecentPublish,
    /// The package lists zero or one maintainer.
    FewMaintainers,
    /// An earlier version of the same release line had provenance; this one has none.
    ProvenanceDowngrade,
    /// Many versions of the package, or many packages of its publisher in this tree, were
    /// published within a day (a worm or a compromised release pipeline pattern).
    PublishBurst,
    /// The registry metadata could not be obtained or read.
    Unknown,
}

impl SignalKind {
    /// The kebab-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::InstallScripts => "install-scripts",
            SignalKind::NoProvenance => "no-provenance",
            SignalKind::RecentPublish => "recent-publish",
            SignalKind::FewMaintainers => "few-maintainers",
            SignalKind::ProvenanceDowngrade => "provenance-downgrade",
            SignalKind::PublishBurst => "publish-burst",
            SignalKind::Unknown => "unknown",
        }
    }

    /// The weight of the signal in the score.
    pub fn weight(self) -> u32 {
        match self {
            // Code that runs on the machine at install time is where most npm attacks act.
            SignalKind::InstallScripts => 30,
            // Added on top of no-provenance: losing provenance within a release line is the
            // typical trace of a publish with a stolen token.
            SignalKind::ProvenanceDowngrade => 30,
            // Hijacked versions do their damage in the days before they are noticed and removed.
            SignalKind::RecentPublish => 20,
            // Nothing known is itself a reason to look.
            SignalKind::Unknown => 20,
            // Monorepos release in bursts too: a reason to look, not more.
            SignalKind::PublishBurst => 20,
            // Common and weak on their own: they separate otherwise equal packages.
            SignalKind::NoProvenance => 10,
            SignalKind::FewMaintainers => 10,
        }
    }
}

impl RiskSignal {
    fn new(kind: SignalKind, detail: String) -> RiskSignal {
        RiskSignal {
            kind,
            weight: kind.weight(),
            detail,
        }
    }
}

/// Ranks the registry packages of a project (or lockfile) by risk signals. Informational only:
/// see the module docs. Errors are those that stop verification too (unreadable lockfile,
/// unusable configuration); a package whose metadata is missing gets an `unknown` signal.
pub async fn assess_risk(
    options: &VerifyOptions,
    risk: &RiskOptions,
) -> Result<RiskReport, VerifyError> {
    let tree = load_input(options)?;
    let config = NpmConfig::load(&tree.root, &options.overrides)?;
    let evidence = make_evidence(options, &config)?;
    let groups = wanted_packages(&tree, &config, &options.omit)?;
    let cache = EvidenceCache::open(&options.cache, options.offline.is_some()).await;
    let mut packages = assess_groups(&evidence, &cache, groups, options.concurrency, *risk).await;
    publisher_bursts(&mut packages, &sigverify_policy::BurstRule::default());
    packages.sort_by(|a, b| {
        let by_name = || (&a.name, &a.version).cmp(&(&b.name, &b.version));
        b.score.cmp(&a.score).then_with(by_name)
    });
    Ok(RiskReport {
        project: tree.root.display().to_string(),
        packages,
    })
}

/// One `name@version` of the tree, wherever it is installed.
#[derive(Debug, Clone)]
struct Wanted {
    name: String,
    version: String,
    locations: Vec<String>,
    /// The lockfile's `hasInstallScript` (also covers an implicit `node-gyp rebuild`).
    has_install_script: bool,
}

/// Versions wanted from each (registry, name) packument.
type Groups = BTreeMap<(Url, String), BTreeMap<String, Wanted>>;

/// The registry packages npm would install, grouped by packument.
fn wanted_packages(tree: &Tree, config: &NpmConfig, omit: &Omit) -> Result<Groups, VerifyError> {
    let mut groups = Groups::new();
    for package in tree.packages.iter().filter(|p| is_ranked(p, omit)) {
        let key = (config.registry_for(&package.name)?, package.name.clone());
        let wanted = groups
            .entry(key)
            .or_default()
            .entry(package.version.clone())
            .or_insert_with(|| Wanted {
                name: package.name.clone(),
                version: package.version.clone(),
                locations: Vec::new(),
                has_install_script: false,
            });
        wanted.locations.push(package.location.clone());
        wanted.has_install_script |= package.has_install_script;
    }
    Ok(groups)
}

/// Registry packages that npm installs: the same ones verification checks.
fn is_ranked(package: &Package, omit: &Omit) -> bool {
    matches!(package.source, Source::Registry { .. })
        && !sigverify_lockfile::is_omitted(package, omit)
        && package.installed != Some(false)
}

/// Obtains each full packument once (from the evidence cache while fresh, else the registry or
/// the store, at most `concurrency` requests at a time, exactly as verification does) and
/// assesses its versions.
async fn assess_groups(
    evidence: &Evidence,
    cache: &EvidenceCache,
    groups: Groups,
    concurrency: usize,
    risk: RiskOptions,
) -> Vec<RiskEntry> {
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let keys: Vec<String> = groups
        .keys()
        .map(|(registry, name)| EvidenceCache::key(registry, name, true))
        .collect();
    let mut preloaded = cache.preload(&keys).await;
    let mut tasks = JoinSet::new();
    for ((registry, name), versions) in groups {
        let entry = preloaded.remove(&EvidenceCache::key(&registry, &name, true));
        let (evidence, cache, limit) = (evidence.clone(), cache.clone(), Arc::clone(&limit));
        tasks.spawn(async move {
            let cached = entry.and_then(|e| cache.decode(e));
            let source = FactsSource {
                full: true,
                history: 0,
                evidence: &evidence,
                cache: &cache,
                limit: &limit,
            };
            let mut timing = PackageTiming::default();
            let wanted = versions.keys().cloned().collect();
            let (facts, draft) = source
                .obtain(&registry, &name, wanted, cached, &mut timing)
                .await;
            if let (Some(draft), Ok(facts)) = (&draft, &facts) {
                if draft.dirty {
                    cache.store(draft, facts);
                }
            }
            let facts = facts.map_err(|(_, why)| format!("{name}: {why}"));
            versions
                .into_values()
                .map(|wanted| assess(wanted, facts.as_ref(), &risk))
                .collect::<Vec<_>>()
        });
    }
    let mut entries = Vec::new();
    while let Some(done) = tasks.join_next().await {
        entries.extend(done.expect("risk tasks never panic"));
    }
    cache.flush().await;
    entries
}

/// The signals of one version, given its packument (or why there is none).
fn assess(
    wanted: Wanted,
    facts: Result<&PackumentFacts, &String>,
    risk: &RiskOptions,
) -> RiskEntry {
    let id = format!("{}@{}", wanted.name, wanted.version);
    let version = facts
        .ok()
        .and_then(|f| f.versions.get(&wanted.version))
        .map(|v| &**v);
    let mut signals: Vec<RiskSignal> = install_scripts_signal(&id, &wanted, version)
        .into_iter()
        .collect();
    match (facts, version) {
        (Err(why), _) => signals.push(unknown(why.clone())),
        (Ok(_), None) => signals.push(unknown(format!(
            "the registry does not list {id} in its packument"
        ))),
        (Ok(facts), Some(version)) => {
            signals.extend(registry_signals(&id, &wanted, facts, version, risk));
        }
    }
    // Heaviest first; the sort is stable, so equal weights keep a fixed order.
    signals.sort_by_key(|s| std::cmp::Reverse(s.weight));
    let location = wanted.locations.first().cloned().unwrap_or_default();
    let published_by = facts.ok().and_then(|f| published_by(f, &wanted.version));
    RiskEntry {
        score: signals.iter().map(|s| s.weight).sum(),
        name: wanted.name,
        version: wanted.version,
        location,
        locations: wanted.locations,
        signals,
        published_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(
            describe_age(TimeDelta::minutes(59)),
            "less than an hour ago"
        );
        assert_eq!(describe_age(TimeDelta::minutes(61)), "1 hour ago");
        assert_eq!(describe_age(TimeDelta::hours(47)), "47 hours ago");
        assert_eq!(describe_age(TimeDelta::hours(72)), "3 days ago");
    }

    #[test]
    fn lenient_fields_do_not_reject_a_packument() {
        let doc = br#"{"maintainers":"someone","time":{"created":"x","unpublished":{}},
            "versions":{"1.0.0":{"scripts":"weird","dist":{"attestations":{"url":"u"}}}}}"#;
        let facts = crate::source::packument::parse_packument(doc).unwrap();
        assert_eq!(facts.maintainers, None);
        let v = &facts.versions["1.0.0"];
        assert!(v.provenance_predicate.is_none() && v.install_scripts.is_empty());
        assert!(facts.published.is_empty());
    }
}
