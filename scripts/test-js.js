#!/usr/bin/env node
'use strict'
// Runs the JS test files (`__test__/*.test.js`, an explicit glob) with Node's test runner, one
// file at a time, and fails when it finds no test file or when the run reports zero tests: a
// misnamed folder or a filter that matches nothing must not look like a green run.
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const dir = path.join(__dirname, '..', '__test__')
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(dir, f))
if (files.length === 0) {
  console.error(`no test files (*.test.js) in ${dir}`)
  process.exit(1)
}
// `npm test` hands its own configuration down as npm_config_* variables (npm_config_cache is the
// user's ~/.npm), and npm gives those precedence over a project's .npmrc, as npm-sigverify does:
// the tests set up their own npm configuration, so they start from an environment without them.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_(config|package|lifecycle)_/i.test(key)))
const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...process.argv.slice(2), ...files], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env,
})
let tests = null
let tail = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  tail = (tail + chunk.toString()).slice(-4096)
  const counts = [...tail.matchAll(/^(?:# |ℹ )tests (\d+)$/gm)]
  if (counts.length) tests = Number(counts.at(-1)[1])
})
child.on('close', (code) => {
  if (code === 0 && !tests) {
    console.error('the test run reported zero tests: treat that as a failure')
    process.exit(1)
  }
  process.exit(code ?? 1)
})
