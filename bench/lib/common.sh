# Shared settings and helpers for the bench scripts (sourced, not run).
# Paths are absolute so the scripts work from any folder of a fresh clone.
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
WORK=${BENCH_WORK:-$BENCH/work}
PORT=${BENCH_PORT:-48730}
REGISTRY_URL="http://127.0.0.1:$PORT/"
TREE=$WORK/tree
SYNTH=$WORK/synth
PNPM_TREE=$WORK/pnpm-tree          # the same dependencies installed by pnpm (pnpm-lock.yaml)
MANAGERS=$ROOT/__test__/managers/node_modules   # pinned pnpm 10 and 12 (npm ci there)
PNPM=$MANAGERS/pnpm/bin/pnpm.cjs          # installs
PNPM_AUDIT=$MANAGERS/pnpm12/bin/pnpm.mjs  # `pnpm audit signatures` (pnpm 11+)
STORE=$WORK/store
KEYDIR=$WORK/key
NPM_CACHE=$WORK/npm-cache   # the npm cache of the tree's install (setup.sh)
NPM_CLI=${NPM_CLI:-$(readlink -f "$(command -v npm)")}
ADDON_CLI=$ROOT/bin/npm-sigverify.js
RUST_BIN=${NPM_SIGVERIFY_BIN:-$ROOT/target/release/npm-sigverify}
REG_PID=

die() { echo "bench: $*" >&2; exit 2; }

# start_registry [VAR=value ...]: starts the loopback registry (offline unless UPSTREAM is given)
# with the tree store and the synthetic store, and waits until it listens.
start_registry() {
  local log=$WORK/registry.log
  mkdir -p "$WORK"
  env PORT="$PORT" STORES="$STORE:$SYNTH/store" KEYDIR="$KEYDIR" UPSTREAM= TAMPER= DROP= KEYSET="${KEYSET:-npm}" "$@" \
    node "$BENCH/lib/registry.js" >"$log" 2>&1 &
  REG_PID=$!
  for _ in $(seq 1 600); do
    grep -q '^registry ready' "$log" 2>/dev/null && return 0
    kill -0 "$REG_PID" 2>/dev/null || { cat "$log" >&2; die "registry did not start"; }
    sleep 0.1
  done
  die "registry did not become ready in 60 s"
}

stop_registry() {
  [[ -n $REG_PID ]] || return 0
  kill "$REG_PID" 2>/dev/null || true
  wait "$REG_PID" 2>/dev/null || true
  REG_PID=
}

# npm with a private, throwaway cache and no side trips (audit, fund, update check).
npm_env() {
  env npm_config_registry="$REGISTRY_URL" npm_config_cache="$1" npm_config_audit=false \
    npm_config_fund=false npm_config_update_notifier=false npm_config_omit_lockfile_registry_resolved=false npm_config_loglevel=error "${@:2}"
}

# npm audit signatures through the offline TUF shim, in DIR, with a fresh cache each run.
npm_audit() {
  local dir=$1; shift
  # NPM_AUDIT_CACHE keeps a cache across runs (warm); by default every run gets an empty one.
  local cache=${NPM_AUDIT_CACHE:-$WORK/npm-cache-audit}
  [[ -n ${NPM_AUDIT_CACHE:-} ]] || rm -rf "$cache"
  (cd "$dir" && npm_env "$cache" node -r "$BENCH/lib/no-tuf.js" "$NPM_CLI" audit signatures \
    --registry "$REGISTRY_URL" "$@")
}

# ensure_managers: the pinned pnpm versions of the tests (npm ci in __test__/managers, once).
ensure_managers() {
  [[ -f $MANAGERS/.package-lock.json ]] && return 0
  (cd "$ROOT/__test__/managers" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
}

# pnpm_project DIR LOCKFILE: a pnpm project in DIR from an npm project's package.json and
# lockfile (`pnpm import`: the same versions), configured for the bench registry and a store
# under bench/work; INSTALL=1 also installs it (scripts off).
pnpm_project() {
  local dir=$1 lock=$2
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$(dirname "$lock")/package.json" "$lock" "$dir/"
  printf 'registry=%s\nstore-dir=%s\ncache-dir=%s\n' "$REGISTRY_URL" "$WORK/pnpm-store" "$WORK/pnpm-cache" >"$dir/.npmrc"
  (cd "$dir" && node "$PNPM" import >/dev/null && rm package-lock.json)
  [[ -z ${INSTALL:-} ]] || (cd "$dir" && node "$PNPM" install --frozen-lockfile --ignore-scripts >/dev/null)
}
