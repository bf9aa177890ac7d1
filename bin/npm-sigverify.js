#!/usr/bin/env node
'use strict'
// The CLI lives in Rust (crates/cli); this runs it through the addon.
const { runCli } = require('../index.js')

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err) => { console.error(`npm-sigverify: ${err.message}`); process.exitCode = 2 },
)
