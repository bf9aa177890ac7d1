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
const { markerScript, exists, run } = require('./helpers/install')

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
  // Declares a bin named node: under a script's PATH it would run in place of node.
  registry.addPackage({ name: 'nodebin', version: '1.0.0', bin: { node: 'fake.sh' }, files: { 'fake.sh': '#!/bin/sh\ntouch "$INIT_CWD/nodebin.ran"\n' } })
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

// Code a project can make its manager load or run during the scripts-off install itself, before
// the installed tree is verified: refused before the manager runs (exit 2, EINSTALLREFUSED).
describe('what a project makes its manager run during the scripts-off install is refused', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  function assertRefused (r, dir, pattern) {
    assert.equal(r.status, 2, r.stdout + r.stderr)
    assert.match(r.stderr, /EINSTALLREFUSED/)
    assert.match(r.stderr, pattern)
    assert.ok(!exists(dir, 'node_modules/plain'), 'the manager ran')
  }

  it('pnpm: configDependencies (installed and loaded before the lockfile\'s packages)', async () => {
    const dir = await locked('pnpm10', CASES.pnpm10.allow)
    fs.appendFileSync(path.join(dir, 'pnpm-workspace.yaml'), 'configDependencies:\n  plain: "1.0.0+sha512-AAAA"\n')
    assertRefused(await safeInstall('pnpm10', dir), dir, /configDependencies \(plain\)/)
  })

  it('Bun: a security scanner other than npm-sigverify/bun-scanner (Bun loads and runs it)', async () => {
    const dir = await locked('bun', CASES.bun.allow)
    fs.appendFileSync(path.join(dir, 'bunfig.toml'), '\n[install.security]\nscanner = "plain"\n')
    assertRefused(await safeInstall('bun', dir), dir, /security scanner plain/)
  })

  it('Yarn 1: a git dependency (Yarn prepares it with its scripts on, --ignore-scripts or not)', async () => {
    const repo = tempDir('install-gitdep')
    writeProject(repo, { name: 'gitdep', version: '1.0.0', scripts: { postinstall: markerScript('gitdep.ran') } })
    const git = (...args) => run('git', ['-c', 'user.email=t@example.test', '-c', 'user.name=t', ...args], { cwd: repo })
    await git('init', '-q')
    await git('add', '.')
    await git('commit', '-qm', 'init')
    const sha = (await git('rev-parse', 'HEAD')).stdout.trim()
    const dir = await locked('yarn1', { dependencies: { plain: '1.0.0', gitdep: `git+file://${repo}#${sha}` } })
    fs.rmSync(path.join(dir, 'gitdep.ran'), { force: true })
    const r = await safeInstall('yarn1', dir)
    assertRefused(r, dir, /gitdep@1\.0\.0/)
    assert.ok(!exists(dir, 'gitdep.ran'), 'the git dependency\'s script ran')
  })
})

describe('Yarn Plug\'n\'Play under the safe install', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  it('says install scripts are not listed and none ran (packages stay zipped), never a silent "none"', async () => {
    const dir = writeProject(tempDir('install-pnp'), { name: 'safe-pnp', version: '1.0.0', dependencies: { scripted: '1.0.0', plain: '1.0.0' } })
    await installWith('yarn4pnp', dir, url, cacheDir)
    const yarnrc = path.join(dir, '.yarnrc.yml')
    fs.writeFileSync(yarnrc, fs.readFileSync(yarnrc, 'utf8').replace('enableScripts: false\n', ''))
    const env = { ...managerEnv(url, cacheDir), PATH: pathWith('yarn4', 'yarn'), NPM_SIGVERIFY_CACHE: 'off' }
    const r = await cli(['install', dir, '--registry', url], { env })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /scripts not listed: Yarn Plug'n'Play keeps packages zipped/)
  })
})

describe('a bin named like the command a script runs (node) is not run in its place', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  it('pnpm: the accepted package\'s script is withheld, naming the .bin entry', async () => {
    const dir = await locked('pnpm10', { dependencies: { scripted: '1.0.0', nodebin: '1.0.0' }, pnpm: { onlyBuiltDependencies: ['scripted'] } })
    const r = await safeInstall('pnpm10', dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(!exists(dir, 'nodebin.ran'), 'the package\'s bin named node ran')
    assert.ok(!exists(dir, 'scripted.ran'))
    assert.match(r.stdout, /scripted@1\.0\.0 \([^)]*\): node_modules\/\.bin\/node would run in place of the command/)
  })
})
