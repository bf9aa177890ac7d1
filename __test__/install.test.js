'use strict'
// Install-time protection (issue 6): `npm-sigverify init` hooks in a project that installed a
// PACKED copy of npm-sigverify, the safe `npm-sigverify install`, and `verify --lockfile-only`,
// all with real npm against a loopback signing registry.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, beforeEach, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli, readJson, writeJson } = require('./helpers/project')
const { run, npmRun, packRepo, markerScript, exists } = require('./helpers/install')

let registry, url, cache

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'plain', version: '1.0.0' })
  registry.addPackage({ name: 'scripted', version: '1.0.0', scripts: { postinstall: markerScript('scripted.ran') } })
  registry.addPackage({ name: '@acme/tool', version: '1.0.0', scripts: { install: markerScript('acme-tool.ran') } })
  // Declares a bin named node: on a script's PATH it would run in place of node.
  registry.addPackage({ name: 'nodebin', version: '1.0.0', bin: { node: 'fake.sh' }, files: { 'fake.sh': '#!/bin/sh\ntouch "$INIT_CWD/nodebin.ran"\n' } })
  url = await registry.start()
  cache = tempDir('npm-cache')
})

after(() => registry.close())

beforeEach(() => registry.tamper.clear())

/** A project with a lockfile made by npm (nothing installed, no script run). */
async function lockedProject (prefix, pkg) {
  const dir = writeProject(tempDir(prefix), { name: prefix, version: '1.0.0', ...pkg })
  await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache })
  return dir
}

function installCli (dir, extra = []) {
  return cli(['install', dir, '--registry', url, ...extra], { env: { npm_config_cache: cache, npm_config_update_notifier: 'false' } })
}

describe('npm-sigverify init in a project that installed the packed package', () => {
  let project, bin

  before(async () => {
    const { tgz, files } = await packRepo()
    for (const f of ['index.js', 'index.d.ts', 'bin/npm-sigverify.js', 'jest/index.js']) {
      assert.ok(files.includes(f), `the packed tarball lacks ${f}: ${files.join(', ')}`)
    }
    assert.ok(files.some((f) => f.endsWith('.node')), 'the packed tarball lacks the built .node addon')
    project = writeProject(tempDir('hooked'), { name: 'hooked', version: '1.0.0' })
    await npm(['install', tgz, 'plain@1.0.0'], { cwd: project, registry: url, cache })
    bin = path.join(project, 'node_modules', 'npm-sigverify', 'bin', 'npm-sigverify.js')
    const init = await run(process.execPath, [bin, 'init'], { cwd: project })
    assert.equal(init.status, 0, init.output)
    assert.match(init.stdout, /preinstall: added "npm-sigverify verify --lockfile-only"/)
    assert.match(init.stdout, /npm 7-11/)
  })

  it('writes both hooks into package.json', () => {
    const { scripts } = readJson(path.join(project, 'package.json'))
    assert.equal(scripts.preinstall, 'npm-sigverify verify --lockfile-only')
    assert.equal(scripts.postinstall, 'npm-sigverify verify')
  })

  it('a clean npm install passes through both hooks', async () => {
    const r = await npmRun(['install'], { cwd: project, registry: url, cache })
    assert.equal(r.status, 0, r.output)
    assert.match(r.output, /npm-sigverify verify --lockfile-only/)
  })

  it('a tampered signature makes npm install fail, naming the package', async () => {
    registry.tamper.add('plain@1.0.0')
    const r = await npmRun(['install'], { cwd: project, registry: url, cache })
    assert.notEqual(r.status, 0, r.output)
    assert.match(r.output, /plain@1\.0\.0/)
    assert.match(r.output, /EINTEGRITYSIGNATURE/)
  })
})

describe('npm-sigverify install (verify, npm ci --ignore-scripts, verify, scripts of verified packages)', () => {
  it('a bad signature: exit 1, nothing installed, the install script never ran', async () => {
    const dir = await lockedProject('safe-bad', { dependencies: { scripted: '1.0.0', plain: '1.0.0' }, scripts: { postinstall: markerScript('root.ran') } })
    registry.tamper.add('scripted@1.0.0')
    const r = await installCli(dir)
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(r.stdout, /STOPPED: the lockfile failed verification/)
    assert.match(r.stdout, /scripted@1\.0\.0 \(node_modules\/scripted\) EINTEGRITYSIGNATURE/)
    assert.ok(!exists(dir, 'scripted.ran'), 'the install script ran')
    assert.ok(!exists(dir, 'root.ran'), 'the project\'s own postinstall ran')
    assert.ok(!exists(dir, 'node_modules'), 'npm ci ran although the lockfile failed')
  })

  it('a good signature: exit 0 and the verified package\'s install script ran', async () => {
    const dir = await lockedProject('safe-good', { dependencies: { scripted: '1.0.0', plain: '1.0.0' }, scripts: { postinstall: markerScript('root.ran') } })
    const r = await installCli(dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'scripted.ran'), `the install script did not run:\n${r.stdout}${r.stderr}`)
    assert.ok(exists(dir, 'node_modules/plain/package.json'))
    assert.match(r.stdout, /install scripts run \(1\): scripted@1\.0\.0/)
    // The project's own postinstall runs last, as npm ci would run it.
    assert.ok(exists(dir, 'root.ran'), 'the project\'s own postinstall did not run')
    assert.match(r.stdout, /project scripts run: postinstall/)
  })

  it('the allowScripts list restricts which verified packages run scripts', async () => {
    const dir = await lockedProject('safe-allow', {
      dependencies: { scripted: '1.0.0', '@acme/tool': '1.0.0' },
      'npm-sigverify': { allowScripts: ['@acme/*'] },
    })
    const r = await installCli(dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'acme-tool.ran'), `@acme/tool's script did not run:\n${r.stdout}${r.stderr}`)
    assert.ok(!exists(dir, 'scripted.ran'), 'a package outside allowScripts ran its script')
    assert.match(r.stdout, /scripts not run \(1\):\n\s+scripted@1\.0\.0 \(node_modules\/scripted\): not in package\.json npm-sigverify\.allowScripts/)
  })

  it('a malformed allowScripts stops before npm runs (exit 2)', async () => {
    const dir = await lockedProject('safe-badpolicy', { dependencies: { scripted: '1.0.0' }, 'npm-sigverify': { allowScripts: 'scripted' } })
    const r = await installCli(dir)
    assert.equal(r.status, 2, r.stdout + r.stderr)
    assert.match(r.stderr, /npm-sigverify\.allowScripts must be an array/)
    assert.ok(!exists(dir, 'node_modules'))
  })

  it('node-options and script-shell in the project\'s .npmrc load no code around the accepted scripts', async () => {
    const dir = await lockedProject('safe-nodeopts', { dependencies: { scripted: '1.0.0', plain: '1.0.0' } })
    const evil = path.join(dir, 'evil.js')
    fs.writeFileSync(evil, "require('fs').writeFileSync(require('path').join(__dirname, 'evil.ran'), 'ran')\n")
    const shell = path.join(dir, 'evil-shell.sh')
    fs.writeFileSync(shell, `#!/bin/sh\ntouch "${dir}/shell.ran"\nexec /bin/sh "$@"\n`, { mode: 0o755 })
    fs.writeFileSync(path.join(dir, '.npmrc'), `node-options=--require=${evil}\nscript-shell=${shell}\n`)
    const r = await installCli(dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'scripted.ran'), `the accepted script did not run:\n${r.stdout}${r.stderr}`)
    assert.ok(!exists(dir, 'evil.ran'), 'node-options from .npmrc loaded code around the scripts')
    assert.ok(!exists(dir, 'shell.ran'), 'script-shell from .npmrc ran the scripts')
  })

  it('ignore-scripts in the project\'s .npmrc: npm would run none, so none runs and the output says why', async () => {
    const dir = await lockedProject('safe-ignorescripts', { dependencies: { scripted: '1.0.0' } })
    fs.writeFileSync(path.join(dir, '.npmrc'), 'ignore-scripts=true\n')
    const r = await installCli(dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(!exists(dir, 'scripted.ran'))
    assert.match(r.stdout, /install scripts run \(0\): none/)
    assert.match(r.stdout, /scripted@1\.0\.0 \(node_modules\/scripted\): the package manager would not run it: npm's ignore-scripts setting/)
  })

  it('a dependency\'s bin named node: the accepted scripts are withheld, not run with it as node', async () => {
    const dir = await lockedProject('safe-shadow', { dependencies: { scripted: '1.0.0', nodebin: '1.0.0' } })
    const r = await installCli(dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(!exists(dir, 'nodebin.ran'), 'the bin named node ran')
    assert.ok(!exists(dir, 'scripted.ran'))
    assert.match(r.stdout, /scripted@1\.0\.0 \(node_modules\/scripted\): node_modules\/\.bin\/node would run in place of the command/)
  })

  it('passes extra arguments through to npm ci', async () => {
    const dir = await lockedProject('safe-args', { dependencies: { plain: '1.0.0' }, devDependencies: { scripted: '1.0.0' } })
    const r = await installCli(dir, ['--', '--omit=dev'])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'node_modules/plain/package.json'))
    assert.ok(!exists(dir, 'node_modules/scripted'), '--omit=dev did not reach npm ci')
    assert.ok(!exists(dir, 'scripted.ran'))
  })
})

describe('a lockfile with swapped integrities', () => {
  let dir

  before(async () => {
    dir = await lockedProject('swapped', { dependencies: { scripted: '1.0.0', plain: '1.0.0' } })
    const lockPath = path.join(dir, 'package-lock.json')
    const lock = readJson(lockPath)
    const [a, b] = ['node_modules/plain', 'node_modules/scripted'].map((k) => lock.packages[k])
    ;[a.integrity, b.integrity] = [b.integrity, a.integrity]
    writeJson(lockPath, lock)
  })

  it('verify --lockfile-only reports EINTEGRITYMISMATCH for both packages', async () => {
    const r = await cli(['verify', dir, '--lockfile-only', '--json', '--registry', url])
    assert.equal(r.status, 1, r.stdout + r.stderr)
    const report = JSON.parse(r.stdout)
    assert.deepEqual(report.invalid.map((p) => `${p.name} ${p.code}`).sort(), ['plain EINTEGRITYMISMATCH', 'scripted EINTEGRITYMISMATCH'])
  })

  // With node_modules present but lacking a package, a full verify skips it (ENOTINSTALLED);
  // --lockfile-only must check every lockfile entry (so this fails if the flag is ignored).
  it('verify --lockfile-only checks entries that node_modules lacks', async () => {
    const copy = tempDir('swapped-partial')
    fs.cpSync(dir, copy, { recursive: true })
    fs.mkdirSync(path.join(copy, 'node_modules', 'plain'), { recursive: true })
    fs.writeFileSync(path.join(copy, 'node_modules', 'plain', 'package.json'), '{"name":"plain","version":"1.0.0"}')
    const r = await cli(['verify', copy, '--lockfile-only', '--json', '--registry', url])
    const report = JSON.parse(r.stdout)
    assert.deepEqual(report.invalid.map((p) => p.name).sort(), ['plain', 'scripted'])
  })

  it('npm-sigverify install refuses it before npm runs', async () => {
    const r = await installCli(dir)
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(r.stdout, /EINTEGRITYMISMATCH/)
    assert.ok(!exists(dir, 'node_modules'))
    assert.ok(!exists(dir, 'scripted.ran'))
  })
})

describe('init and init --remove on a project with its own scripts', () => {
  const original = '{\n\t"name": "mine",\n\t"scripts": {\n\t\t"preinstall": "node check.js",\n\t\t"test": "node --test"\n\t},\n\t"version": "2.0.0"\n}\n'
  let dir, file

  before(() => {
    dir = tempDir('init')
    file = path.join(dir, 'package.json')
    fs.writeFileSync(file, original)
  })

  it('chains in front of the user\'s script, keeps tabs and key order, and is idempotent', async () => {
    const first = await cli(['init', dir])
    assert.equal(first.status, 0, first.stderr)
    const once = fs.readFileSync(file, 'utf8')
    assert.equal(once, '{\n\t"name": "mine",\n\t"scripts": {\n\t\t"preinstall": "npm-sigverify verify --lockfile-only && (node check.js)",\n\t\t"test": "node --test",\n\t\t"postinstall": "npm-sigverify verify"\n\t},\n\t"version": "2.0.0"\n}\n')
    assert.match(first.stdout, /now runs before your "node check\.js"/)
    const second = await cli(['init', dir])
    assert.equal(second.status, 0, second.stderr)
    assert.equal(fs.readFileSync(file, 'utf8'), once)
    assert.match(second.stdout, /package\.json unchanged/)
  })

  it('--remove takes out exactly ours and gives back the original bytes', async () => {
    const r = await cli(['init', dir, '--remove'])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(fs.readFileSync(file, 'utf8'), original)
    assert.match(r.stdout, /kept your "node check\.js"/)
  })

  it('a package.json that is not JSON is a usage error and is left alone', async () => {
    const broken = tempDir('init-broken')
    fs.writeFileSync(path.join(broken, 'package.json'), '{"name": ')
    const r = await cli(['init', broken])
    assert.equal(r.status, 2)
    assert.match(r.stderr, /EPACKAGEJSON/)
    assert.equal(fs.readFileSync(path.join(broken, 'package.json'), 'utf8'), '{"name": ')
  })
})
