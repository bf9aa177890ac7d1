#!/usr/bin/env bash
# Records the bench inputs under bench/work/ (once; reruns of agree.sh and run.sh are offline):
#  - the real tree: bench/tree/package.json installed through the loopback signing registry, so
#    the lockfile resolves to 127.0.0.1 and every packument and tarball npm used is stored in
#    bench/work/store. If bench/tree/package-lock.json exists it is installed exactly (`npm ci`).
#  - the synthetic 5,000-package project (bench/work/synth).
#  - the same two with pnpm (`pnpm import` of the npm lockfiles: the same versions):
#    bench/work/pnpm-tree (installed, node_modules/.pnpm) and bench/work/synth/pnpm-project.
# Only this script talks to the upstream registry (UPSTREAM, default: npm's configured registry).
#   usage: bench/setup.sh [--force]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

force=${1:-}
upstream=${UPSTREAM:-$(npm config get registry 2>/dev/null)}
trap stop_registry EXIT

if [[ ! -f $SYNTH/project/package-lock.json || $force == --force ]]; then
  node "$BENCH/lib/synth.js" "$SYNTH" "$REGISTRY_URL" "${SYNTH_COUNT:-5000}"
fi

# pnpm_trees: the pnpm projects, from the npm ones, through the (offline) bench registry.
pnpm_trees() {
  ensure_managers
  [[ $REG_PID ]] || start_registry
  if [[ ! -d $PNPM_TREE/node_modules/.pnpm || $force == --force ]]; then
    INSTALL=1 pnpm_project "$PNPM_TREE" "$TREE/package-lock.json"
    echo "setup: pnpm tree installed in $PNPM_TREE"
  fi
  if [[ ! -f $SYNTH/pnpm-project/pnpm-lock.yaml || $force == --force ]]; then
    pnpm_project "$SYNTH/pnpm-project" "$SYNTH/project/package-lock.json"
    echo "setup: synthetic pnpm project in $SYNTH/pnpm-project"
  fi
}

if [[ -d $TREE/node_modules && $force != --force ]]; then
  echo "setup: $TREE already installed (use --force to redo)"
  pnpm_trees
  exit 0
fi

echo "setup: installing the tree through $REGISTRY_URL (upstream $upstream)"
start_registry UPSTREAM="$upstream"
rm -rf "$TREE" && mkdir -p "$TREE"
cp "$BENCH/tree/package.json" "$TREE/"
printf 'registry=%s\n' "$REGISTRY_URL" >"$TREE/.npmrc"
# npm's cache of this install is kept: it is what a user has after `npm ci`, and npm-sigverify's
# content check reads the tarballs from it (lib/sv.sh points npm_config_cache at it).
cache=$NPM_CACHE
rm -rf "$cache"
if [[ -f $BENCH/tree/package-lock.json ]]; then
  # The recorded lockfile names port 48730; follow BENCH_PORT if it differs.
  sed "s#http://127.0.0.1:48730/#$REGISTRY_URL#g" "$BENCH/tree/package-lock.json" >"$TREE/package-lock.json"
  (cd "$TREE" && npm_env "$cache" npm ci --ignore-scripts)
else
  (cd "$TREE" && npm_env "$cache" npm install --ignore-scripts)
  # Pin the freshly resolved tree for the next setups (port 48730 is the recorded form).
  sed "s#$REGISTRY_URL#http://127.0.0.1:48730/#g" "$TREE/package-lock.json" >"$BENCH/tree/package-lock.json"
fi
count=$(node -e 'const l=require(process.argv[1]);console.log(Object.keys(l.packages).filter(k=>k).length)' "$TREE/package-lock.json")
echo "setup: tree has $count packages; store: $(ls "$STORE/packuments" | wc -l) packuments, $(find "$STORE/tarballs" -name '*.tgz' | wc -l) tarballs"
stop_registry
pnpm_trees
