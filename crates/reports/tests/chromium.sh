#!/usr/bin/env bash
# Runs the HTML report's browser test in headless Chromium, installing Chromium first when it
# is missing (Debian: `apt-get install chromium`). The test fails when Chromium cannot be found
# (SIGVERIFY_SKIP_CHROMIUM=1 skips it knowingly).
# The screenshot lands in crates/reports/tests/output/report.png.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium
fi
cargo test --test html -- --nocapture chromium_renders_and_filters
echo "screenshot: $(pwd)/tests/output/report.png"
