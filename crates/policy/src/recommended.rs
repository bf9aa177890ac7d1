//! The policy `npm-sigverify init --recommended-policy` writes: production defaults that turn the
//! incident signals on, a development profile that only warns, every line explained.

/// The recommended policy as YAML; `sigstore_root` (a private Sigstore deployment's
/// `trusted_root.json`, relative to the project) is written into `trust.sigstoreRoot` when given.
pub fn recommended_policy(sigstore_root: Option<&str>) -> String {
    let trust = match sigstore_root {
        Some(path) => format!(
            "# The Sigstore trusted root that provenance and publish attestations are verified\n\
             # against: your private deployment's (instead of the embedded public-good root).\n\
             trust:\n  sigstoreRoot: {}\n\n",
            yaml_string(path)
        ),
        None => {
            "# A private Sigstore deployment? Name its trusted_root.json here (relative to this\n\
                 # file) and every command uses it, `install` and the hooks included:\n\
                 # trust:\n#   sigstoreRoot: sigstore/trusted_root.json\n\n"
                .to_string()
        }
    };
    format!("{HEADER}{trust}{SIGNALS}{ENVIRONMENTS}")
}

/// A YAML double-quoted string.
fn yaml_string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

const HEADER: &str = "\
# npm-sigverify policy, written by `npm-sigverify init --recommended-policy`.
# verify, install, the npm hooks and the JS API all read this file. Registry signatures,
# integrity, attestations and installed contents are always checked (npm's rules); the
# signals below add what would have stopped the 2025-2026 npm incidents (stolen tokens,
# phished maintainers, poisoned CI caches). Each signal's action is `fail`, `warn` or `off`.
# Schema: node_modules/npm-sigverify/crates/policy/schema/npm-sigverify.schema.json
version: 1

";

const SIGNALS: &str = "\
signals:
  # Do not install a version younger than 2 days. Hijacked versions are usually found and
  # unpublished within hours (chalk/debug: 2 h, Bitwarden CLI: 93 min). The publish time is
  # the verified log time of the version's attestations when it has any, else the registry's
  # (unsigned) `time`, marked `authenticated: false` in the report.
  releaseAge:
    minimum: 2d
    action: fail
    # Your own packages need no cooldown, e.g.:
    # exclude: [\"@your-scope/*\"]
  # Within a release line (same major; same minor on 0.x), a version must be published by the
  # same identity as the earlier ones: losing provenance or trusted publishing, or provenance
  # from another repository (numeric IDs and names), workflow file or OIDC issuer, fails.
  # The 5 nearest earlier versions of the line are examined (their attestations fetched and
  # verified); an identity change further back is not seen (pins catch that).
  publisherContinuity:
    action: fail
    history: 5
  # `npm-sigverify pin` records each package's publishing identity in sigverify.pins.json
  # (commit it); a package published by another identity then fails until
  # `npm-sigverify pin --update NAME` accepts it. Without that file this does nothing.
  pins: fail
  # A version that runs install scripts (preinstall, install, postinstall, binding.gyp) its
  # previous version did not: how most droppers and worms run (Shai-Hulud, nx, Bitwarden CLI).
  newInstallScripts: fail
  # A patch or minor update that adds a runtime dependency the baseline lockfile never had
  # (axios 1.14.1 brought a dropper this way). Warn only: review the new package.
  newDependencies: warn
  # A newly added package named one edit away from a well-known one (`lodahs`).
  typosquats: warn
  # The baseline of the two signals above: the lockfile committed at this git ref (or a
  # lockfile path). In CI pass the target branch: `--baseline origin/main`.
  baseline: HEAD
  # Many versions of a package (or many packages of one publisher) within a day. Monorepos
  # publish this way every release, so it is off here; `npm-sigverify risk` shows it anyway.
  publishBursts:
    action: off
    versions: 5
    packages: 10
    within: 24h

";

const ENVIRONMENTS: &str = "\
# Which environment applies: --env NAME, else NPM_SIGVERIFY_ENV, else NODE_ENV, else default.
environments:
  default: production
  # Production: every failure above fails the run and `install` runs no script of a
  # failing package.
  production:
    mode: enforce
  # Development: signature and content failures still fail, the signals only warn (a
  # fresh version is fine on a laptop). Warned packages' install scripts do run here.
  development:
    mode: enforce
    signals:
      releaseAge: warn
      publisherContinuity: warn
      pins: warn
      newInstallScripts: warn
      newDependencies: warn
      typosquats: warn
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{load_str, select_environment, Action, Format, SignalKind};
    use std::collections::HashMap;

    #[test]
    fn the_recommended_policy_loads_and_says_what_the_issue_asks() {
        for root in [None, Some("sigstore/trusted_root.json")] {
            let text = recommended_policy(root);
            let policy = load_str("recommended", &text, Format::Yaml).unwrap();
            let prod = select_environment(&policy, None, &HashMap::new()).unwrap();
            assert_eq!(prod.name, "production");
            let s = &prod.signals;
            assert_eq!(s.minimum_release_age, chrono::TimeDelta::days(2));
            for kind in [
                SignalKind::ReleaseAge,
                SignalKind::PublisherContinuity,
                SignalKind::NewInstallScripts,
            ] {
                assert_eq!(s.action(kind, "x"), Action::Fail, "{kind:?}");
            }
            assert_eq!(s.action(SignalKind::NewDependencies, "x"), Action::Warn);
            assert_eq!(s.baseline.as_deref(), Some("HEAD"));
            let dev = select_environment(&policy, Some("development"), &HashMap::new()).unwrap();
            assert_eq!(
                dev.signals.action(SignalKind::ReleaseAge, "x"),
                Action::Warn
            );
            let named = policy
                .trust
                .sigstore_root
                .as_ref()
                .map(|p| p.display().to_string());
            assert_eq!(named.as_deref(), root);
        }
    }
}
