#!/usr/bin/env bash
# npm-audit.sh DIR ARGS...: `npm audit signatures ARGS` in DIR against the bench registry, with the
# offline TUF shim (lib/no-tuf.js) and an empty npm cache (every run starts cold on npm's side).
set -euo pipefail
source "$(dirname "$0")/common.sh"
npm_audit "$@"
