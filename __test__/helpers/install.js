'use strict'
// Helpers of the install-time protection tests: a packed copy of this repository, npm runs whose
// failure is a result (not an exception), and install scripts that leave marker files.
const { execFile } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { ROOT, tempDir } = require('./project')

function run (file, args, { cwd, env = {} }) {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr, output: stdout + stderr })
    })
  })
}

/** The environment of an npm run against the tests' registry, with a private cache. */
function npmEnv (registry, cache) {
  return { npm_config_registry: registry, npm_config_cache: cache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
}

/** Runs npm; resolves to { status, stdout, stderr, output } whatever the exit code. */
function npmRun (args, { cwd, registry, cache }) {
  return run('npm', args, { cwd, env: npmEnv(registry, cache) })
}

/** `npm pack` of this repository (built addon included) into a temp folder; returns the .tgz. */
async function packRepo () {
  const dest = tempDir('pack')
  const r = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: ROOT, env: { npm_config_update_notifier: 'false' } })
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.stderr}`)
  const [info] = JSON.parse(r.stdout)
  return { tgz: path.join(dest, info.filename), files: info.files.map((f) => f.path) }
}

/** An install script that writes `<project>/<marker>` (INIT_CWD is where npm was started). */
function markerScript (marker) {
  return `node -e "require('fs').writeFileSync(require('path').join(process.env.INIT_CWD, '${marker}'), 'ran')"`
}

function exists (dir, rel) {
  return fs.existsSync(path.join(dir, rel))
}

module.exports = { run, npmEnv, npmRun, packRepo, markerScript, exists }
