#!/usr/bin/env node
'use strict'
// Checks, before the long build, that the system programs the tests start for real are here:
// redis-server (the shared cache), Chromium (the HTML report), openssl (certificates for the
// TLS Redis, cosign and private-CA interop tests, the test TSA), SoftHSM2 (the PKCS#11 token of
// the key custody tests). A missing one fails with the one command that installs it;
// SIGVERIFY_SKIP_REDIS=1 / SIGVERIFY_SKIP_CHROMIUM=1 / SIGVERIFY_SKIP_SOFTHSM=1 skip those tests
// knowingly instead.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')

const has = (cmd, args = ['--version']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0
// The tests load the module itself (libsofthsm2.so) from its usual install locations.
const softhsmModule = () => ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib64/pkcs11/libsofthsm2.so', '/usr/lib64/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'].some((p) => fs.existsSync(p))
const parts = [
  { what: 'redis-server', found: has('redis-server'), skip: 'SIGVERIFY_SKIP_REDIS', apt: 'redis-server', brew: 'redis' },
  { what: 'Chromium', found: has('chromium') || has('chromium-browser') || has('google-chrome'), skip: 'SIGVERIFY_SKIP_CHROMIUM', apt: 'chromium', brew: '--cask chromium' },
  { what: 'openssl', found: has('openssl', ['version']), skip: null, apt: 'openssl', brew: 'openssl' },
  { what: 'SoftHSM2', found: has('softhsm2-util', ['--version']) && softhsmModule(), skip: 'SIGVERIFY_SKIP_SOFTHSM', apt: 'softhsm2', brew: 'softhsm' },
]
const missing = parts.filter((p) => !p.found && !(p.skip && process.env[p.skip]))
if (missing.length > 0) {
  console.error(`The tests need ${missing.map((p) => p.what).join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed. Install with:`)
  console.error(`  Debian/Ubuntu: sudo apt-get install -y ${missing.map((p) => p.apt).join(' ')}`)
  console.error(`  macOS:         brew install ${missing.map((p) => p.brew).join(' ')}`)
  const skippable = missing.filter((p) => p.skip).map((p) => `${p.skip}=1`)
  if (skippable.length) console.error(`or skip those tests knowingly with ${skippable.join(' ')}`)
  process.exit(1)
}
for (const p of parts.filter((p) => !p.found)) console.error(`SKIPPING the ${p.what} tests (${p.skip} is set)`)
