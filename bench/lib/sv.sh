#!/usr/bin/env bash
# sv.sh addon|bin ARGS...: runs npm-sigverify through the addon CLI (node bin/npm-sigverify.js) or
# as the standalone Rust binary (target/release/npm-sigverify, or NPM_SIGVERIFY_BIN).
set -euo pipefail
source "$(dirname "$0")/common.sh"
tool=$1; shift
# The content check reads tarballs from npm's cache: use the one the tree was installed with, as a
# user's would be after `npm ci` (missing tarballs are fetched from the registry).
export npm_config_cache=$NPM_CACHE
case $tool in
  addon) exec node "$ADDON_CLI" "$@" ;;
  bin) exec "$RUST_BIN" "$@" ;;
  *) die "sv.sh: unknown tool $tool (addon or bin)" ;;
esac
