'use strict'
// The safe install with each package manager: `npm-sigverify install` verifies the lockfile the
// manager wrote, installs it with that manager and every script off, verifies what landed, and
// runs only the install scripts of packages the policy accepts and the manager itself would run
// (pnpm's onlyBuiltDependencies, Bun's trustedDependencies). Real pnpm, Yarn 1, Yarn 4 and Bun,
// found on PATH as a user would have them.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, cli } = require('./helpers/project')
const { ensureManagers, installWith, managerEnv } = require('./helpers/managers')
const { markerScript, exists } = require('./helpers/install')

const SKIP = process.env.SIGVERIFY_SKIP_MANAGERS === '1'
/** Each manager: the install that writes its lockfile, the command name on PATH, its allow-list. */
const CASES = {
  pnpm10: { bin: 'pnpm', allow: { pnpm: { onlyBuiltDependencies: ['scripted'] } }, list: /onlyBuiltDependencies/ },
  yarn1: { bin: 'yarn', allow: {} },
  // The test installs write `enableScripts: false`; this project turns Yarn's scripts back on.
  yarn4: { bin: 'yarn', allow: {}, yarnrc: (text) => text.replace('enableScripts: false\n', ''), list: /enableScripts: false turns install scripts off/ },
  bun: { bin: 'bun', allow: { trustedDependencies: ['scripted'] }, list: /trustedDependencies/ },
}

let registry, url, managers, cacheDir

before(async () => {
  if (SKIP) return
  managers = await ensureManagers()
  registry = new TestRegistry()
  registry.addPackage({ name: 'scripted', version: '1.0.0', scripts: { postinstall: markerScript('scripted.ran') } })
  registry.addPackage({ name: 'plain', version: '1.0.0' })
  url = await registry.start()
  cacheDir = tempDir('install-managers-cache')
})

after(() => registry && registry.close())

/** A folder with one executable named `bin` that runs the named manager. */
function pathWith (name, bin) {
  const dir = tempDir(`bin-${name}`)
  const [file, ...args] = managers[name === 'pnpm10' ? 'pnpm10' : name]
  const quoted = [file, ...args].map((a) => `"${a}"`).join(' ')
  fs.writeFileSync(path.join(dir, bin), `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 })
  return `${dir}${path.delimiter}${process.env.PATH}`
}

/** A project locked by `name` (its lockfile only: node_modules removed, as in a fresh clone). */
async function locked (name, extra = {}, allowed = true) {
  const dir = writeProject(tempDir(`install-${name}`), { name: `safe-${name}`, version: '1.0.0', dependencies: { scripted: '1.0.0', plain: '1.0.0' }, ...extra })
  await installWith(name, dir, url, cacheDir)
  const yarnrc = path.join(dir, '.yarnrc.yml')
  if (allowed && CASES[name].yarnrc) fs.writeFileSync(yarnrc, CASES[name].yarnrc(fs.readFileSync(yarnrc, 'utf8')))
  fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true })
  for (const f of ['scripted.ran']) fs.rmSync(path.join(dir, f), { force: true })
  return dir
}

function safeInstall (name, dir, extra = []) {
  const env = { ...managerEnv(url, cacheDir), PATH: pathWith(name, CASES[name].bin), NPM_SIGVERIFY_CACHE: 'off' }
  return cli(['install', dir, '--registry', url, ...extra], { env })
}

for (const [name, c] of Object.entries(CASES)) {
  describe(`npm-sigverify install with ${name}`, { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
    it('a clean lockfile: installed with scripts off, then the accepted package\'s script ran (exit 0)', async () => {
      const dir = await locked(name, c.allow)
      const r = await safeInstall(name, dir)
      assert.equal(r.status, 0, r.stdout + r.stderr)
      assert.ok(exists(dir, 'node_modules/plain/package.json'), 'not installed')
      assert.ok(exists(dir, 'scripted.ran'), `the accepted install script did not run:\n${r.stdout}${r.stderr}`)
      assert.match(r.stdout, /install scripts run \(1\): scripted@1\.0\.0/)
      assert.match(r.stderr, new RegExp(`npm-sigverify: ${c.bin} install`))
    })

    it('a tampered signature: exit 1, nothing installed, no script ran', async () => {
      const dir = await locked(name, c.allow)
      registry.tamper.add('scripted@1.0.0')
      try {
        const r = await safeInstall(name, dir)
        assert.equal(r.status, 1, r.stdout + r.stderr)
        assert.match(r.stdout, /STOPPED: the lockfile failed verification/)
        assert.ok(!exists(dir, 'node_modules/plain'), 'installed anyway')
        assert.ok(!exists(dir, 'scripted.ran'), 'the script ran')
      } finally {
        registry.tamper.clear()
      }
    })

    it('the policy fails the scripted package: exit 1, its script never ran', async () => {
      const policy = { version: 1, rules: [{ package: 'scripted', require: ['registry-signature', 'provenance'] }] }
      const dir = await locked(name, c.allow)
      fs.writeFileSync(path.join(dir, '.npm-sigverify.json'), JSON.stringify(policy))
      const r = await safeInstall(name, dir)
      assert.equal(r.status, 1, r.stdout + r.stderr)
      assert.ok(!exists(dir, 'scripted.ran'))
    })

    if (c.list) {
      it('the manager\'s own allow-list leaves the package out: its script is withheld, saying why', async () => {
        const dir = await locked(name, {}, false)
        const r = await safeInstall(name, dir)
        assert.equal(r.status, 0, r.stdout + r.stderr)
        assert.ok(!exists(dir, 'scripted.ran'), 'a script the manager would not run ran')
        assert.match(r.stdout, c.list)
      })
    }

    if (name !== 'npm') {
      it('arguments meant for npm ci are refused (exit 2) before anything is installed', async () => {
        const dir = await locked(name, c.allow)
        const r = await safeInstall(name, dir, ['--', '--omit=dev'])
        assert.equal(r.status, 2, r.stdout + r.stderr)
        assert.ok(!exists(dir, 'node_modules/plain'))
      })
    }
  })
}

describe('npm-sigverify init names the manager and how it runs the hooks', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  const EXPECT = { pnpm10: /\(pnpm project\)[\s\S]*pnpm links every package before the root preinstall/, yarn1: /\(Yarn 1 project\)[\s\S]*Yarn 1 runs the root preinstall before it links/, yarn4: /\(Yarn project\)[\s\S]*only detect/, bun: /\(Bun project\)[\s\S]*npm-sigverify\/bun-scanner/ }
  for (const [name, expected] of Object.entries(EXPECT)) {
    it(name, async () => {
      const dir = await locked(name)
      const r = await cli(['init', dir])
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stdout, expected)
      assert.match(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'), /"preinstall": "npm-sigverify verify --lockfile-only"/)
    })
  }
})
