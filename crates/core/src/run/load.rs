//! Step 1 of every run: the input, `.npmrc`, the evidence source, the trust material and the
//! policy, each checked before any package is judged (a bad one is a usage or configuration
//! error, exit code 2).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigverify_lockfile::Tree;

use crate::check::internal::InternalTrust;
use crate::config::npmrc::NpmConfig;
use crate::config::{refreshed_trusted_root, VerifyOptions};
use crate::decide::AppliedPolicy;
use crate::error::VerifyError;
use crate::source::evidence::{Evidence, Store};
use crate::source::registry::RegistryClient;
use sigverify_lockfile::Manager;

/// What a run needs before it judges anything.
pub(crate) struct Loaded {
    pub config: NpmConfig,
    pub evidence: Evidence,
    pub policy: AppliedPolicy,
    /// A `trusted_root.json` replacing the embedded public-good root.
    pub trusted_root: Option<Arc<String>>,
    pub internal: Option<Arc<InternalTrust>>,
}

impl Loaded {
    /// Loads everything for a project rooted at `root` whose packages `manager` installs (its
    /// own registry settings apply over `.npmrc`).
    pub fn load(
        options: &VerifyOptions,
        root: &Path,
        manager: Manager,
    ) -> Result<Loaded, VerifyError> {
        Loaded::load_with(options, root, Loaded::config(options, root, manager)?)
    }

    /// The npm configuration of a project rooted at `root` (the given one, else `.npmrc` with
    /// the manager's own registry settings over it): the first part of [`Loaded::load`], for a
    /// run that plans its packages before the rest loads.
    pub fn config(
        options: &VerifyOptions,
        root: &Path,
        manager: Manager,
    ) -> Result<NpmConfig, VerifyError> {
        match &options.npm_config {
            Some(given) => Ok(given.clone()),
            None => project_config(options, root, manager),
        }
    }

    /// The rest of [`Loaded::load`] with the project's configuration: the evidence source (the
    /// HTTP client and its TLS roots), the policy and the trust material.
    pub fn load_with(
        options: &VerifyOptions,
        root: &Path,
        config: NpmConfig,
    ) -> Result<Loaded, VerifyError> {
        options.provenance.check_enabled()?;
        let evidence = make_evidence(options, &config)?;
        let policy = AppliedPolicy::load(
            root,
            &options.policy,
            options.environment.as_deref(),
            &options.signals,
        )?;
        // --trusted-root, else the policy's (a private Sigstore deployment), else `trust update`'s.
        let sigstore_root = options.provenance.trusted_root.as_deref().or(policy
            .policy
            .trust
            .sigstore_root
            .as_deref());
        let trusted_root = load_trusted_root(sigstore_root)?;
        let trust_file = options
            .trust_file
            .clone()
            .or_else(|| policy.policy.trust.internal_keys.clone());
        let internal = InternalTrust::load(
            trust_file.as_deref(),
            &policy.policy.trust,
            trusted_root.as_deref().map(String::as_str),
        )?
        .map(Arc::new);
        Ok(Loaded {
            config,
            evidence,
            policy,
            trusted_root,
            internal,
        })
    }
}

/// Checks that `path` is a usable Sigstore trusted root (`trusted_root.json`), e.g. a private
/// deployment's before a policy or `trust update --from` names it.
pub fn check_trusted_root(path: &Path) -> Result<String, VerifyError> {
    let bad = |why: String| VerifyError::TrustedRoot(format!("{}: {why}", path.display()));
    let json = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    sigverify_attest::TrustMaterial::from_trusted_root_json(&json, Vec::new())
        .map_err(|e| bad(e.to_string()))?;
    Ok(json)
}

/// `.npmrc` as npm reads it for `root`, with the manager's own registry settings over it.
fn project_config(
    options: &VerifyOptions,
    root: &Path,
    manager: Manager,
) -> Result<NpmConfig, VerifyError> {
    let mut config = NpmConfig::load(root, &options.overrides)?;
    let own = sigverify_lockfile::manager_config(root, manager)?;
    config.apply_manager(&own, &options.overrides);
    config.registry()?;
    Ok(config)
}

/// Reads the trusted root once and checks it is a usable Sigstore trusted root: the one given,
/// else the one `trust update` refreshed (when it exists), else none (the embedded root).
fn load_trusted_root(explicit: Option<&Path>) -> Result<Option<Arc<String>>, VerifyError> {
    let refreshed = || refreshed_trusted_root().filter(|p| p.is_file());
    let Some(path) = explicit.map(Path::to_path_buf).or_else(refreshed) else {
        return Ok(None);
    };
    if explicit.is_none() {
        refuse_writable_by_others(&path)?;
    }
    Ok(Some(Arc::new(check_trusted_root(&path)?)))
}

/// The root a run picks up by itself is a trust anchor: one that other users can replace is
/// refused, as ssh refuses such keys (the folder is checked too: others could swap the file).
#[cfg(unix)]
fn refuse_writable_by_others(path: &Path) -> Result<(), VerifyError> {
    use std::os::unix::fs::PermissionsExt;
    for place in [Some(path), path.parent()].into_iter().flatten() {
        let mode = std::fs::metadata(place)
            .map_err(|e| VerifyError::TrustedRoot(format!("{}: {e}", place.display())))?
            .permissions()
            .mode();
        if mode & 0o022 != 0 {
            return Err(VerifyError::TrustedRoot(format!(
                "{} is writable by other users (mode {:o}), so the trusted root in it proves nothing: run `chmod go-w {}` (or pass --trusted-root FILE)",
                place.display(),
                mode & 0o777,
                place.display()
            )));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_writable_by_others(_path: &Path) -> Result<(), VerifyError> {
    Ok(())
}

/// The evidence source: the offline store, or the registries over HTTP.
pub(crate) fn make_evidence(
    options: &VerifyOptions,
    config: &NpmConfig,
) -> Result<Evidence, VerifyError> {
    Ok(match &options.offline {
        Some(store) => Evidence::Offline(Store::open(store)),
        None => Evidence::Online(RegistryClient::new(config.clone(), options.http.clone())?),
    })
}

/// The tree to verify: `--lockfile`, the lockfile alone (`lockfile_only`), or the project as npm
/// reads it.
pub(crate) fn load_input(options: &VerifyOptions) -> Result<Tree, VerifyError> {
    let mut tree = match (&options.lockfile, options.lockfile_only) {
        (Some(path), _) => sigverify_lockfile::load_lockfile(path)?,
        (None, false) => sigverify_lockfile::load_tree(&project_dir(&options.dir))?,
        (None, true) => {
            let lockfile = sigverify_lockfile::find_lockfile(&project_dir(&options.dir))?;
            sigverify_lockfile::load_lockfile(&lockfile)?
        }
    };
    if options.lockfile_only {
        // Before installation nothing is on disk: every entry is to be checked.
        tree.packages.iter_mut().for_each(|p| p.installed = None);
    }
    Ok(tree)
}

/// Lockfiles that mark a project root (any manager's).
const LOCKFILES: [&str; 6] = [
    "npm-shrinkwrap.json",
    "package-lock.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
];

/// The project folder for `dir`, found the way npm finds its prefix: `dir` or the nearest
/// folder above it with a lockfile and a package.json (a run from `src/` or from a workspace
/// folder verifies the project; a lockfile alone is no project to any manager, so one dropped
/// into `test/` does not take the run over), else the nearest with a package.json or
/// node_modules, else `dir` itself.
pub(crate) fn project_dir(dir: &Path) -> PathBuf {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let has = |d: &Path, names: &[&str]| names.iter().any(|n| d.join(n).exists());
    start
        .ancestors()
        .find(|d| has(d, &LOCKFILES) && d.join("package.json").is_file())
        .or_else(|| {
            start
                .ancestors()
                .find(|d| has(d, &["package.json", "node_modules"]))
        })
        .map_or_else(|| dir.to_path_buf(), Path::to_path_buf)
}
