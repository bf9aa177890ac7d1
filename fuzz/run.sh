#!/usr/bin/env bash
# Builds every fuzz target and runs each for a bounded time; exits non-zero on any crash,
# panic, timeout (hang) or out-of-memory, printing the input that caused it and how to rerun it.
#
#   fuzz/run.sh [SECONDS]      seconds per target (default 20)
#
# Environment:
#   FUZZ_TARGETS     space-separated subset of targets (default: all of `cargo fuzz list`)
#   FUZZ_JOBS        targets fuzzed at once (default 1; one core each)
#   FUZZ_SANITIZER   none (default) or address. `none` builds and runs faster; `address` also
#                    saves the input of a stack overflow (without it the process just dies
#                    with SIGSEGV, which this script still reports as a failure).
#   FUZZ_TIMEOUT     seconds one input may take before it counts as a hang (default 10)
#   FUZZ_RSS_MB      memory limit in MiB before it counts as a blow-up (default 2048)
#
# Only the stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it accept the -Z flags cargo-fuzz
# passes. cargo-fuzz is installed from crates.io when missing (about 40 s on 2 cores).
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-20}"
jobs="${FUZZ_JOBS:-1}"
sanitizer="${FUZZ_SANITIZER:-none}"
timeout="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
export RUSTC_BOOTSTRAP=1
unset CARGO_TARGET_DIR # the binaries are run from fuzz/target
start=$(date +%s)

# One cargo at a time on shared machines (a no-op where there is no flock).
cargo_locked() {
  if command -v flock >/dev/null; then flock /tmp/cargo.lock cargo "$@"; else cargo "$@"; fi
}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo_locked install --locked cargo-fuzz
fi

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
echo "== building fuzz targets (sanitizer: $sanitizer)"
cargo_locked fuzz build --sanitizer "$sanitizer" --debug-assertions
bin_dir="$PWD/target/$(rustc -vV | sed -n 's/^host: //p')/release"
built=$(date +%s)

# Fuzzes one target into artifacts/<target>/ (fuzz.log, and the input of any finding).
fuzz_one() {
  local target=$1 dict=()
  mkdir -p "corpus/$target" "artifacts/$target"
  if [ -f "dicts/$target.dict" ]; then dict=(-dict="dicts/$target.dict"); fi
  "$bin_dir/$target" "corpus/$target" "seeds/$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 \
    >"artifacts/$target/fuzz.log" 2>&1
}

# Prints what one finished target found; returns non-zero when it found something.
report() {
  local target=$1 status=$2 log="artifacts/$1/fuzz.log" inputs
  echo "== $target (${seconds}s): $(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
  [ "$status" -eq 0 ] && return 0
  echo "!! $target failed (exit $status); last lines of $PWD/$log:"
  tail -n 40 "$log" | grep -v '^WARNING: Failed to find function' || true
  inputs=$(find "artifacts/$target" -type f ! -name fuzz.log)
  if [ -z "$inputs" ]; then
    echo "!! no input was saved: see the log above. A stack overflow without a sanitizer kills"
    echo "   the process before it can save one: rerun with FUZZ_SANITIZER=address"
  fi
  for input in $inputs; do
    echo "!! crashing input: $PWD/$input"
    echo "   reproduce: $bin_dir/$target $PWD/$input"
    echo "          or: RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer $sanitizer $target $PWD/$input"
    echo "   minimize:  RUSTC_BOOTSTRAP=1 cargo fuzz tmin --sanitizer $sanitizer $target $PWD/$input"
  done
  return 1
}

echo "== fuzzing each target ${seconds}s, $jobs at a time"
failed=()
set -- $targets
while [ $# -gt 0 ]; do
  batch=() pids=()
  while [ $# -gt 0 ] && [ ${#batch[@]} -lt "$jobs" ]; do
    rm -rf "artifacts/$1" # only this run's findings are reported
    fuzz_one "$1" &
    batch+=("$1") pids+=($!)
    shift
  done
  for i in "${!batch[@]}"; do
    status=0
    wait "${pids[$i]}" || status=$?
    report "${batch[$i]}" "$status" || failed+=("${batch[$i]}")
  done
done

end=$(date +%s)
echo "== fuzz: build $((built - start))s, fuzzing $((end - built))s, total $((end - start))s"
total=$(wc -w <<<"$targets")
echo "fuzz: $((total - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  echo "== fuzz FAILED: ${failed[*]}"
  exit 1
fi
echo "== fuzz: every target ran ${seconds}s without a finding"
