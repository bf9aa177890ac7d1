'use strict'
// Temporary projects, real npm runs against the tests' loopback registry, and CLI runs.
const { execFile } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const ROOT = path.join(__dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'npm-sigverify.js')

// Every folder made here is removed when the test process exits (a whole run makes thousands,
// and they stayed in the machine's temporary folder); NPM_SIGVERIFY_KEEP_TEMP=1 keeps them to
// look at a failure.
const made = []
process.on('exit', () => {
  if (process.env.NPM_SIGVERIFY_KEEP_TEMP) return
  for (const dir of made) {
    try {
      fs.rmSync(dir, { recursive: true, force: true })
    } catch {
      // A folder a test left unremovable (a read-only tree) is only left behind.
    }
  }
})

function tempDir (prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `sigverify-${prefix}-`))
  made.push(dir)
  return dir
}

/** Writes a project folder: package.json plus extra files ({ relpath: content }). */
function writeProject (dir, pkg, files = {}) {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2))
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), content)
  }
  return dir
}

// Child processes run asynchronously: the tests' registry lives in this process and must keep
// answering while npm or the CLI talk to it.
function run (file, args, options) {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

/** Runs the real npm against a registry, with a private cache and no network side trips. */
async function npm (args, { cwd, registry, cache, env: extra = {} }) {
  const env = { ...process.env, npm_config_registry: registry, npm_config_cache: cache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra }
  const r = await run('npm', args, { cwd, env })
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${r.status}):\n${r.stderr}`)
  return r.stdout
}

/** Runs the npm-sigverify CLI (through the addon); resolves to { status, stdout, stderr }. */
function cli (args, { cwd = ROOT, env = {} } = {}) {
  return run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env } })
}

function copyProject (from, prefix) {
  const to = tempDir(prefix)
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true })
  return to
}

function readJson (file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'))
}

function writeJson (file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2))
}

module.exports = { ROOT, BIN, tempDir, writeProject, run, npm, cli, copyProject, readJson, writeJson }
