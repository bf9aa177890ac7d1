//! The options of a run, as every entry point (CLI, Node binding, hooks) passes them to core.

use std::path::PathBuf;
use std::time::Duration;

use sigverify_attest::IdentityPolicy;
use sigverify_lockfile::Omit;
use sigverify_policy::SignalOverrides;

use crate::config::npmrc::{ConfigOverrides, NpmConfig};
use crate::work::progress::ProgressSink;

/// Registry requests at once by default: npm's `maxsockets` is 15 and pnpm's
/// `network-concurrency` 16. (32 was no faster on the bench tree, a CPU-bound run, and held
/// ~3 MB more at the addon's cold peak: more responses and connection buffers in flight.)
pub const DEFAULT_CONCURRENCY: usize = 16;

/// What to verify and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The project folder.
    pub dir: PathBuf,
    /// A lockfile to read instead of looking in `dir`.
    pub lockfile: Option<PathBuf>,
    /// Settings that win over `.npmrc` (e.g. `--registry`).
    pub overrides: ConfigOverrides,
    /// Read evidence from this store and never touch the network.
    pub offline: Option<PathBuf>,
    /// Dependency types to leave out, like `npm --omit`.
    pub omit: Omit,
    /// At most this many registry requests at once.
    pub concurrency: usize,
    /// Timeouts and retries.
    pub http: HttpOptions,
    /// Verify the lockfile alone (shrinkwrap or package-lock), ignoring `node_modules`: for
    /// checks before anything is installed.
    pub lockfile_only: bool,
    /// Compare the files of each installed registry package with its signed tarball.
    pub contents: bool,
    /// Compare every folder in full, ignoring the content index of earlier runs.
    pub rehash: bool,
    /// How attestations (provenance, publish) are checked.
    pub provenance: ProvenanceOptions,
    /// The evidence cache.
    pub cache: CacheSettings,
    /// Stop after this long: packages not verified by then fail with `EDEADLINE`.
    pub deadline: Option<std::time::Duration>,
    /// Receives progress (packages done per phase).
    pub progress: Option<ProgressSink>,
    /// A trust file of internal (cosign) keys: when set, internal signatures are looked for
    /// (sidecars of `file:` tarballs, the offline store, `dist.signatures`) and verified.
    /// `None`: the policy's `trust.internalKeys`, if any.
    pub trust_file: Option<PathBuf>,
    /// The trust policy that decides.
    pub policy: PolicyChoice,
    /// The policy environment (`None`: `NPM_SIGVERIFY_ENV`, then `NODE_ENV`, then the policy's
    /// default).
    pub environment: Option<String>,
    /// Changes to the policy's incident signals for this run (`--min-release-age`, ...).
    pub signals: SignalOverrides,
    /// The npm configuration to use instead of reading `.npmrc` files and the manager's own
    /// settings (a registry gate configures its upstreams and their credentials itself).
    pub npm_config: Option<NpmConfig>,
}

/// Which trust policy decides a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PolicyChoice {
    /// The project's own (`.npm-sigverify.yaml`, `.yml`, `.json`, or package.json's
    /// `"npm-sigverify"` key in the project folder), else npm's defaults.
    #[default]
    Discover,
    /// This policy file.
    File(PathBuf),
    /// A policy document given as text (YAML or JSON), e.g. an object passed to `verifyTree`.
    Inline(String),
    /// npm's defaults, whatever the project holds.
    Defaults,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            dir: PathBuf::from("."),
            lockfile: None,
            overrides: ConfigOverrides::default(),
            offline: None,
            omit: Omit::default(),
            concurrency: DEFAULT_CONCURRENCY,
            http: HttpOptions::default(),
            lockfile_only: false,
            contents: false,
            rehash: false,
            provenance: ProvenanceOptions::default(),
            cache: CacheSettings::default(),
            deadline: None,
            progress: None,
            trust_file: None,
            policy: PolicyChoice::Discover,
            environment: None,
            signals: SignalOverrides::default(),
            npm_config: None,
        }
    }
}

/// How attestations are checked.
#[derive(Debug, Clone)]
pub struct ProvenanceOptions {
    /// Check attestations at all (default true).
    pub enabled: bool,
    /// A package without verified provenance fails (`EPROVENANCEREQUIRED`).
    pub require: bool,
    /// The provenance source repository must be the package.json `repository` (default true).
    pub repository_match: bool,
    /// A `trusted_root.json` replacing the embedded Sigstore public-good root.
    pub trusted_root: Option<PathBuf>,
    /// Allowed OIDC issuers (patterns).
    pub allowed_issuers: Vec<String>,
    /// Allowed source repositories, canonical `github.com/o/r` form (patterns).
    pub allowed_repositories: Vec<String>,
    /// Allowed source refs, e.g. `refs/tags/*`.
    pub allowed_workflow_refs: Vec<String>,
    /// Match a verified provenance against the repository the signed tarball's package.json
    /// names, read from the tarball (default true). The registry gate, which judges every
    /// version of a packument, turns it off when nothing it decides depends on provenance.
    pub bind_to_tarball: bool,
}

impl Default for ProvenanceOptions {
    fn default() -> Self {
        ProvenanceOptions {
            enabled: true,
            require: false,
            repository_match: true,
            trusted_root: None,
            allowed_issuers: Vec::new(),
            allowed_repositories: Vec::new(),
            allowed_workflow_refs: Vec::new(),
            bind_to_tarball: true,
        }
    }
}

impl ProvenanceOptions {
    /// The flags that require provenance or restrict who built it, as set.
    pub(crate) fn asked_of_provenance(&self) -> Vec<&'static str> {
        let lists = [
            (&self.allowed_issuers, "--allowed-issuer"),
            (&self.allowed_repositories, "--allowed-repository"),
            (&self.allowed_workflow_refs, "--allowed-workflow-ref"),
        ];
        let restricted = lists
            .iter()
            .filter(|(list, _)| !list.is_empty())
            .map(|(_, flag)| *flag);
        self.require
            .then_some("--require-provenance")
            .into_iter()
            .chain(restricted)
            .collect()
    }

    /// A provenance requirement with attestations off would be checked by nothing (and the
    /// run would pass without it): refused, as a contradiction in the options.
    pub(crate) fn check_enabled(&self) -> Result<(), crate::VerifyError> {
        let asked = self.asked_of_provenance();
        if self.enabled || asked.is_empty() {
            return Ok(());
        }
        Err(crate::VerifyError::Usage(format!(
            "{} (requireProvenance / allowed identities in the JS API) cannot be checked with attestations off (--no-attestations, attestations: false): drop one or the other",
            asked.join(", ")
        )))
    }

    pub(crate) fn identity_policy(&self) -> IdentityPolicy {
        IdentityPolicy {
            require_provenance: self.require,
            repository_match: self.repository_match,
            allowed_issuers: self.allowed_issuers.clone(),
            allowed_repositories: self.allowed_repositories.clone(),
            allowed_workflow_refs: self.allowed_workflow_refs.clone(),
        }
    }
}

/// Which cache to use and how long its entries are used without revalidation.
#[derive(Debug, Clone, Default)]
pub struct CacheSettings {
    /// `None`: `NPM_SIGVERIFY_CACHE`, else the embedded disk cache; a folder; `redis://...`;
    /// `off`.
    pub spec: Option<String>,
    /// Use entries younger than this without asking the registry (default: the registry's
    /// `Cache-Control: max-age` on disk, 1 h on Redis).
    pub max_age: Option<Duration>,
}

/// How hard the client tries.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Timeout of one request attempt.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff delay; doubled on each retry, with jitter.
    pub backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_millis(250),
        }
    }
}

/// Where `trust update` writes the refreshed Sigstore trusted root; every run uses it instead of
/// the embedded one when it exists (unless a trusted root is given explicitly). It lives in this
/// user's configuration folder beside the cache key (`<config dir>/npm-sigverify/`), never in
/// the cache folder: whoever can write a shared or restored cache folder could otherwise plant a
/// Sigstore root of their own and make forged provenance verify.
pub fn refreshed_trusted_root() -> Option<PathBuf> {
    let env: std::collections::HashMap<String, String> = std::env::vars().collect();
    let key = sigverify_cache::local_key_path(&env).ok()?;
    Some(key.with_file_name("trusted_root.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provenance_requirement_with_attestations_off_is_refused() {
        let off = ProvenanceOptions {
            enabled: false,
            ..ProvenanceOptions::default()
        };
        assert!(
            off.check_enabled().is_ok(),
            "attestations off, nothing asked"
        );
        let required = ProvenanceOptions {
            require: true,
            ..off.clone()
        };
        let err = required.check_enabled().unwrap_err().to_string();
        assert!(err.contains("--require-provenance"), "{err}");
        let refs = ProvenanceOptions {
            allowed_workflow_refs: vec!["refs/tags/*".into()],
            ..off
        };
        assert!(refs
            .check_enabled()
            .unwrap_err()
            .to_string()
            .contains("--allowed-workflow-ref"));
        let on = ProvenanceOptions {
            require: true,
            ..ProvenanceOptions::default()
        };
        assert!(on.check_enabled().is_ok());
    }
}
