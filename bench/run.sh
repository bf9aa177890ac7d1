#!/usr/bin/env bash
# Side-by-side timing: `npm audit signatures` vs npm-sigverify (addon CLI and Rust binary) on the
# real tree installed by npm, `pnpm audit signatures` (pnpm 12) vs npm-sigverify on the same
# dependencies installed by pnpm, and npm-sigverify alone on the synthetic 5,000-package lockfile
# and its pnpm-lock.yaml (npm audit signatures needs an installed tree, which the synthetic
# project does not have). All traffic goes to the
# loopback registry on 127.0.0.1, which signs everything before the first run.
# Runs are interleaved (run i of every command, then run i+1) so drift hits all alike; each
# command gets one untimed warm-up run first. Wall time and peak RSS come from lib/timed.py (one
# process around the command: wait4's peak RSS, as /usr/bin/time's %M).
#   usage: bench/run.sh [N]       N runs per command (default 5)
# Env: SV_ARGS extra npm-sigverify options. Evidence cache: for each npm-sigverify build whose
# `verify --help` lists --cache, cold runs get an empty --cache folder each, and a "warm" column
# runs with a cache filled by the untimed warm-up run (NPM_SIGVERIFY_CACHE if set, else
# bench/work/sv-cache-TOOL); the tool's own default cache is never used.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

N=${1:-${N:-5}}
[[ -d $TREE/node_modules ]] || die "no installed tree in $TREE: run bench/setup.sh first"
[[ -f $SYNTH/project/package-lock.json ]] || die "no synthetic project: run bench/setup.sh first"
[[ -d $PNPM_TREE/node_modules/.pnpm && -f $SYNTH/pnpm-project/pnpm-lock.yaml ]] || die "no pnpm projects: run bench/setup.sh first"
[[ -f $PNPM_AUDIT ]] || die "no pnpm 12 in $MANAGERS: run bench/setup.sh first"
command -v python3 >/dev/null || die "python3 is needed (lib/timed.py times each run and reads its peak RSS)"
out=$WORK/run
rm -rf "$out" && mkdir -p "$out"
results=$out/results.tsv
trap stop_registry EXIT

tools=(addon)
[[ -x $RUST_BIN ]] && tools+=(bin) || echo "run: $RUST_BIN not built (cargo build --release -p sigverify-cli); addon only" >&2

# Which tools have an evidence cache (--cache); only those get a warm column and explicit cache
# folders. Without --cache a "cold" run is simply a run.
declare -A has_cache=()
for tool in "${tools[@]}"; do
  "$BENCH/lib/sv.sh" "$tool" verify --help 2>/dev/null | grep -q -- '--cache' && has_cache[$tool]=1
done
[[ -n ${NPM_SIGVERIFY_CACHE:-} && ${#has_cache[@]} == 0 ]] && die "NPM_SIGVERIFY_CACHE is set but no npm-sigverify build has --cache"

# warm_spec TOOL: the cache a tool's warm runs use: NPM_SIGVERIFY_CACHE as given, else a bench
# folder per tool (emptied before the warm-up run fills it).
warm_spec() { echo "${NPM_SIGVERIFY_CACHE:-$WORK/sv-cache-$1}"; }

# cold_folder LABEL RUN: a new empty cache folder for one cold run (one per label and run). Cold folders are removed after
# the last run, not before the next one: on ext4, creating thousands of files right after
# deleting thousands costs seconds of inode search (recently_deleted), which would be charged to
# whichever run comes next.
cold_folder() { echo "$out/cold/${1//\//-}-$2"; }

# cache_args TOOL cold|warm|no-content LABEL RUN: the --cache options of a run. The tool's default cache
# (NPM_SIGVERIFY_CACHE or the user cache folder) is never used: cold runs get an empty folder.
cache_args() {
  [[ -n ${has_cache[$1]:-} ]] || return 0
  if [[ $2 == warm ]]; then echo "--cache $(warm_spec "$1")"; else
    echo "--cache $(cold_folder "$3" "$4")"; fi
}

# requests: "total not-modified" registry request counters so far.
requests() { curl -s "${REGISTRY_URL}-/bench/stats" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.keys+j.packuments+j.tarballs+j.attestations, j.notModified)})'; }

# measure LABEL RUN CMD...: one run; appends label, run, wall ms, peak RSS KB, exit, registry
# requests, of which 304 Not Modified.
measure() {
  local label=$1 run=$2; shift 2
  local before after t0 t1 code=0
  before=$(requests)
  "$BENCH/lib/timed.py" "$out/timed" "$@" >"$out/last.out" 2>"$out/last.err" || code=$?
  after=$(requests)
  local b304 a304 wall rss
  read -r before b304 <<<"$before"
  read -r after a304 <<<"$after"
  read -r wall rss _ <"$out/timed"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$run" "$wall" \
    "$rss" "$code" "$((after - before))" "$((a304 - b304))" >>"$results"
  if [[ $code != 0 && $code != 1 ]]; then
    echo "run: $label run $run failed ($code):" >&2; head -c 2000 "$out/last.err" >&2; exit 2
  fi
}

# one LABEL RUN: runs the command a label names: TOOL/INPUT/MODE, TOOL npm-audit|addon|bin,
# INPUT tree|synth, MODE cold|warm|no-content (cold, metadata only).
one() {
  local label=$1 run=$2
  if [[ $label == npm-audit/tree/* ]]; then
    # cold: a new empty npm cache, made and removed outside the timed run; warm: one kept cache.
    local cache=$out/npm-cache-warm
    [[ $label == */cold ]] && cache=$(cold_folder "$label" "$run")
    measure "$label" "$run" env NPM_AUDIT_CACHE="$cache" "$BENCH/lib/npm-audit.sh" "$TREE" --json
    return
  fi
  if [[ $label == pnpm-audit/* ]]; then
    # pnpm keeps no cache for it: every run fetches every packument (no warm column).
    measure "$label" "$run" bash -c 'cd "$1" && exec node "$2" audit signatures --json' _ "$PNPM_TREE" "$PNPM_AUDIT"
    return
  fi
  local tool input mode dir
  IFS=/ read -r tool input mode <<<"$label"
  case $input in
    tree) dir=$TREE ;;
    pnpm) dir=$PNPM_TREE ;;
    synth) dir=$SYNTH/project ;;
    synth-pnpm) dir=$SYNTH/pnpm-project ;;
  esac
  local extra=${SV_ARGS:-}
  [[ $mode == no-content ]] && extra+=" --no-content"
  # Started straight from `env`, as lib/sv.sh would start it, but without its bash in between:
  # that shell (~8 ms) would be charged to a run of ~70 ms.
  local cmd=("$RUST_BIN")
  [[ $tool == addon ]] && cmd=(node "$ADDON_CLI")
  # shellcheck disable=SC2046,SC2086
  measure "$label" "$run" env npm_config_cache="$NPM_CACHE" "${cmd[@]}" verify "$dir" --registry "$REGISTRY_URL" --json \
    $extra $(cache_args "$tool" "$mode" "$label" "$run")
}

labels=(npm-audit/tree/cold npm-audit/tree/warm pnpm-audit/pnpm/cold)
for input in tree pnpm synth synth-pnpm; do
  for tool in "${tools[@]}"; do
    labels+=("$tool/$input/cold")
    # --no-content checks registry metadata only, as npm audit signatures does.
    [[ $input == tree || $input == pnpm ]] && labels+=("$tool/$input/no-content")
    [[ -n ${has_cache[$tool]:-} ]] && labels+=("$tool/$input/warm")
  done
done

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_registry
echo "run: registry ready; $N runs of: ${labels[*]}"
# Only the bench's own cache folders are emptied first; a cache given by the user is left as it is.
[[ -n ${NPM_SIGVERIFY_CACHE:-} ]] || rm -rf "$WORK"/sv-cache-*
for label in "${labels[@]}"; do one "$label" warmup; done
for i in $(seq 1 "$N"); do
  for label in "${labels[@]}"; do one "$label" "$i"; done
  echo "run: round $i of $N done"
done
stop_registry
rm -rf "$out"/npm-cache-* "$out/cold"

cached_tools="${!has_cache[*]}"
tree_count=$(node -e 'const l=require(process.argv[1]);console.log(Object.keys(l.packages).length-1)' "$TREE/package-lock.json")
pnpm_count=$(find "$PNPM_TREE/node_modules/.pnpm" -mindepth 1 -maxdepth 1 -type d ! -name node_modules | wc -l)
echo
echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores, keyset ${KEYSET:-npm}, $(node --version), npm $(node "$NPM_CLI" --version), pnpm $(node "$PNPM_AUDIT" --version), tree $tree_count packages (pnpm: $pnpm_count folders in .pnpm), synthetic $(( $(grep -c '"node_modules/' "$SYNTH/project/package-lock.json") )) packages, N=$N, npm-sigverify options: ${SV_ARGS:-default}, evidence cache in: ${cached_tools:-none}"
stamp() { [[ -e $1 ]] && date -u -r "$1" '+%F %H:%M' || echo 'not built'; }
echo "builds: addon $(stamp "$(ls "$ROOT"/*.node 2>/dev/null | head -1)"), binary $(stamp "$RUST_BIN"), repo HEAD $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine adds noise)"
# The addon CLI's floor: Node's own start (its share of every addon row), with this machine's
# environment and, when NODE_EXTRA_CA_CERTS is set (Node reads that file at start), without it.
# median5 CMD...: the median wall ms of five runs of CMD (its output dropped).
median5() { local t=(); for _ in 1 2 3 4 5; do "$BENCH/lib/timed.py" "$out/median" "$@" >/dev/null; t+=("$(cut -d' ' -f1 "$out/median")"); done; printf '%s\n' "${t[@]}" | sort -n | sed -n 3p; }
start_note="node start (node -e 0, median of 5): $(median5 env node -e 0) ms"
[[ -n ${NODE_EXTRA_CA_CERTS:-} ]] && start_note+="; NODE_EXTRA_CA_CERTS is set, without it: $(median5 env -u NODE_EXTRA_CA_CERTS node -e 0) ms"
echo "$start_note"
# The warm floor: what no warm run can skip. The addon CLI starts Node and loads the addon
# (`--version`); a content check stats every installed entry (the walk `find` does, one thread:
# the same statx and getdents calls, ~17,000 and ~3,800 on the tree), at best split over the cores.
addon_start=$(median5 env node "$ADDON_CLI" --version)
stat_walk=$(median5 find "$TREE/node_modules" -printf '%C@ %s\n')
# summarize.js prints the floor line against its own median of npm's warm runs.
FLOOR_ADDON_START_MS=$addon_start FLOOR_STAT_WALK_MS=$stat_walk FLOOR_CORES=$(nproc) \
  node "$BENCH/lib/summarize.js" "$results"
