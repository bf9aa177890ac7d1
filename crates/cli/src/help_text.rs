//! The examples and exit codes shown after each command's `--help` options
//! (`tests/help.rs` checks every command has examples and states its exit codes).

pub(crate) const TOP_HELP: &str = "\
Examples:
  npm-sigverify verify                        # the project in the current folder
  npm-sigverify verify --lockfile-only        # before anything is installed
  npm-sigverify explain lodash@4.17.21        # one package: its checks and the deciding rule

Exit codes of verify and verify-package: 0 pass, 1 a failure the policy enforces, 2 usage or
configuration error, 3 only operational failures (evidence that could not be obtained); explain
gives the same for the packages it names. `npm-sigverify <command> --help` shows each
command's examples and exit codes.";

pub(crate) const VERIFY_HELP: &str = "\
Examples:
  npm-sigverify verify
  npm-sigverify verify --omit dev --report sarif=out.sarif,junit=out.xml --audit-log audit.jsonl
  npm-sigverify verify --offline STORE --registry https://registry.npmjs.org/
  npm-sigverify verify --lockfile-only --vsa vsa.json --vsa-key cosign.key   # COSIGN_PASSWORD set
  npm-sigverify verify --min-release-age 3d --baseline origin/main   # incident signals

Exit codes: 0 pass (warnings allowed, or the policy's environment is in warn mode), 1 a failure
the policy enforces (invalid or missing packages, policy checks), 2 usage or configuration error
(lockfile, policy, flag, report path), 3 only operational failures (registry unreachable,
evidence missing from the store, tarball unavailable, deadline).";

pub(crate) const VERIFY_PACKAGE_HELP: &str = "\
Examples:
  npm-sigverify verify-package lodash@4.17.21
  npm-sigverify verify-package lodash@4.17.21 --tarball lodash-4.17.21.tgz
  npm-sigverify verify-package @acme/lib@2.0.0 --trust .sigverify/trust.json --policy policy.yaml

Exit codes: 0 pass, 1 a failure the policy enforces, 2 usage or configuration error (bad spec,
policy, unreadable file), 3 only operational failures (registry unreachable, no evidence).";

pub(crate) const FETCH_HELP: &str = "\
Examples:
  npm-sigverify fetch --out STORE                   # on a connected machine
  npm-sigverify verify --offline STORE              # then, without network, with the same .npmrc
  npm-sigverify fetch ./app --out STORE --registry https://registry.npmjs.org/

Exit codes: 0 every document written, 1 some could not be fetched (listed), 2 usage or
configuration error.";

pub(crate) const RISK_HELP: &str = "\
Examples:
  npm-sigverify risk
  npm-sigverify risk --top 0 --recent-days 14
  npm-sigverify risk --json --offline STORE --registry https://registry.npmjs.org/ > risk.json

Exit codes: 0 ranked (whatever the scores), 2 usage or configuration error. --deadline is not
accepted here: risk reads one packument per name; --timeout bounds each request.";

pub(crate) const EXPLAIN_HELP: &str = "\
Examples:
  npm-sigverify explain lodash@4.17.21
  npm-sigverify explain @babel/core --json
  npm-sigverify explain left-pad --offline STORE --registry https://registry.npmjs.org/

Exit codes: 0 the packages named pass (or only warn, or the environment is in warn mode, as for
verify), 1 the policy fails one of them, 2 usage or configuration error or the package is not in
the tree (ENOTINTREE), 3 every failing one failed only for operational reasons.";

pub(crate) const CACHE_HELP: &str = "\
Examples:
  npm-sigverify cache stats
  npm-sigverify cache stats --json --cache redis://cache.internal:6379/2
  npm-sigverify cache clear --cache ./.sigverify-cache

Exit codes: 0 done, 1 the cache could not be opened or used, 2 invalid cache spec.";

pub(crate) const TRUST_HELP: &str = "\
Examples:
  npm-sigverify trust update";

pub(crate) const TRUST_UPDATE_HELP: &str = "\
Examples:
  npm-sigverify trust update
  npm-sigverify trust update --out trusted_root.json   # then: verify --trusted-root trusted_root.json
  npm-sigverify trust update --from private/trusted_root.json   # a private Sigstore deployment

Exit codes: 0 written, 2 usage error, a --from file that is no trusted root, or the file cannot
be written, 3 the TUF repository could not be reached (verification keeps the embedded root).";

pub(crate) const INIT_HELP: &str = "\
Examples:
  npm-sigverify init
  npm-sigverify init --recommended-policy      # writes .npm-sigverify.yaml (not the hooks)
  npm-sigverify init --recommended-policy --trusted-root sigstore/trusted_root.json
  npm-sigverify init ./app --remove

Exit codes: 0 done, 2 package.json missing or unreadable, a policy already exists (without
--force), or the trusted root is not one.";

pub(crate) const INSTALL_HELP: &str = "\
Examples:
  npx -p npm-sigverify npm-sigverify install        # no node_modules yet
  npm-sigverify install -- --omit=dev --no-audit
  npm-sigverify install ./app --registry https://registry.npmjs.org/ --policy policy.yaml --env ci
  npm-sigverify install --min-release-age 2d --new-install-scripts fail

Exit codes: 0 the policy accepts what was installed, 1 verification stopped the install (before
npm ci, or before any install script ran) or npm ci or an allowed install script failed, 2 usage
or configuration error (package.json, policy, npm ci flags), 3 verification stopped it only for
operational reasons (evidence that could not be obtained; nothing ran).";
