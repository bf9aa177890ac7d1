#!/usr/bin/env node
'use strict'
// The CLI lives in Rust (crates/cli); this runs it through the addon. Node owns the process's
// signals, so a running `serve` is stopped from here: SIGTERM / SIGINT drain it (exit 0).
const { runCli, stopServe } = require('../index.js')

const argv = process.argv.slice(2)
if (argv[0] === 'serve') {
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => stopServe())
}
runCli(argv).then(
  (code) => { process.exitCode = code },
  (err) => { console.error(`npm-sigverify: ${err.message}`); process.exitCode = 2 },
)
