#!/usr/bin/env bash
# npm-agreement check on the real tree (bench/work/tree, made by setup.sh), against the loopback
# registry in three modes: clean, TAMPER (3 packages, one only installed nested) and DROP (2, one
# only nested). For each mode it runs `npm audit signatures --json` (installed npm, TUF lookup
# shimmed, see lib/no-tuf.js) and `npm-sigverify verify --json` (addon CLI, and the Rust binary
# when built), and requires: equal invalid sets, equal missing sets (name@version), equal exit
# codes, and npm's sets equal to the injected faults. Two more modes cover the faults on which npm
# aborts the whole run (a key expired before the publish time, an unlisted keyid); see
# lib/compare.js for what agreement means there. Prints a table; exits 1 on any disagreement.
#   usage: bench/agree.sh            (env: SV_ARGS="--no-content" to pass options to npm-sigverify)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

TAMPER_SET=${TAMPER_SET:-express@4.21.2,@babel/core@7.29.13,debug@2.6.9}
DROP_SET=${DROP_SET:-lodash@4.17.21,semver@7.8.6}
EXPIRE_SET=${EXPIRE_SET:-@babel/core@7.29.13}   # published 2026-11-04, signed by the key retired 2025-01-29
UNKNOWN_SET=${UNKNOWN_SET:-axios@1.7.9}         # signed by a key the registry does not list
[[ -d $TREE/node_modules ]] || die "no installed tree in $TREE: run bench/setup.sh first"

tools=(addon)
[[ -x $RUST_BIN ]] && tools+=(bin) || echo "agree: $RUST_BIN not built; checking the addon CLI only" >&2
out=$WORK/agree
rm -rf "$out" && mkdir -p "$out"
# npm-sigverify builds with an evidence cache use it by default: give them one that starts empty
# and lives through all modes, so a cached clean answer must not hide a later tamper or drop.
export NPM_SIGVERIFY_CACHE=$out/sv-cache
# The registry changes its answers between modes at once, not after their max-age: it says
# no-cache here, so both tools revalidate and a cached clean answer cannot hide a later tamper or
# drop (with npmjs' max-age=300 both would rightly reuse a fresh answer for five minutes).
export CACHE_CONTROL=no-cache
trap 'stop_registry; rm -rf "$WORK/npm-cache-audit"' EXIT

rows=()
notes=()
status=0
# run_mode MODE EXPECTED_INVALID EXPECTED_MISSING [REGISTRY_VAR=value ...]
run_mode() {
  local mode=$1 expect_invalid=$2 expect_missing=$3
  shift 3
  start_registry "$@"
  local npm_exit=0
  "$BENCH/lib/npm-audit.sh" "$TREE" --json >"$out/$mode.npm.json" 2>"$out/$mode.npm.err" || npm_exit=$?
  for tool in "${tools[@]}"; do
    local sv_exit=0
    # shellcheck disable=SC2086
    "$BENCH/lib/sv.sh" "$tool" verify "$TREE" --registry "$REGISTRY_URL" --json ${SV_ARGS:-} \
      >"$out/$mode.$tool.json" 2>"$out/$mode.$tool.err" || sv_exit=$?
    local row
    row=$(node "$BENCH/lib/compare.js" "$mode/$tool" "$out/$mode.npm.json" "$npm_exit" \
      "$out/$mode.$tool.json" "$sv_exit" "$expect_invalid" "$expect_missing") || status=1
    rows+=("$(head -1 <<<"$row")")
    notes+=("$(tail -n +2 <<<"$row")")
  done
  stop_registry
}

run_mode clean "" ""
run_mode tamper "$TAMPER_SET" "" TAMPER="$TAMPER_SET"
run_mode drop "" "$DROP_SET" DROP="$DROP_SET"
# Beyond the three required modes: the faults on which npm aborts the whole run.
# (The expired-key mode needs the retired key of the npm keyset.)
[[ ${KEYSET:-npm} == npm ]] && run_mode expired-key "$EXPIRE_SET" "" EXPIRE="$EXPIRE_SET"
run_mode unknown-key "$UNKNOWN_SET" "" UNKNOWN="$UNKNOWN_SET"

echo
echo "keyset ${KEYSET:-npm}; npm-agreement on $(node -e 'const l=require(process.argv[1]);console.log(Object.keys(l.packages).length-1)' "$TREE/package-lock.json") packages ($(node "$NPM_CLI" --version 2>/dev/null | tail -1) vs npm-sigverify ${SV_ARGS:-default options}); outputs in $out"
{
  printf 'mode/tool\tnpm invalid\tnpm-sigverify invalid\tnpm missing\tnpm-sigverify missing\tnpm exit\tnpm-sigverify exit\tverdict\n'
  printf '%s\n' "${rows[@]}"
} | column -t -s $'\t'
printf '%s\n' "${notes[@]}" | grep -v '^$' || true
[[ $status == 0 ]] && echo "agree: all modes agree" || echo "agree: DISAGREEMENT (details above)"
exit $status
