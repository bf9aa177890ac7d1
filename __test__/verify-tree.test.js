'use strict'
// verifyTree() and `npm-sigverify verify` on a real tree installed by npm from a loopback
// registry that signs with a test key; each negative test changes one thing.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, beforeEach, describe, it } = require('node:test')

const { verifyTree, verifyPackage } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { BIN, tempDir, writeProject, run, npm, cli, copyProject, readJson, writeJson } = require('./helpers/project')

let registry, url, project, cache

function byName (report, name, version) {
  return report.packages.find((p) => p.name === name && (!version || p.version === version))
}

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'alpha', version: '1.0.0', dependencies: { beta: '^1.0.0', gamma: '^1.0.0' } })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  registry.addPackage({ name: 'beta', version: '2.0.0' })
  registry.addPackage({ name: 'gamma', version: '1.0.0', dependencies: { beta: '^2.0.0' } })
  registry.addPackage({ name: '@acme/scoped', version: '1.0.0' })
  registry.addPackage({ name: 'delta', version: '1.0.0' })
  registry.addPackage({ name: 'epsilon', version: '1.0.0' })
  url = await registry.start()
  cache = tempDir('npm-cache')
  project = writeProject(tempDir('project'), {
    name: 'demo-project',
    version: '1.0.0',
    workspaces: ['packages/ws-a'],
    dependencies: { alpha: '^1.0.0', '@acme/scoped': '1.0.0', 'beta-alias': 'npm:beta@1.0.0', 'local-dir': 'file:./local-dir' },
    devDependencies: { delta: '1.0.0' },
    optionalDependencies: { epsilon: '1.0.0' },
  }, {
    'local-dir/package.json': JSON.stringify({ name: 'local-dir', version: '0.0.1' }),
    'packages/ws-a/package.json': JSON.stringify({ name: 'ws-a', version: '0.0.1' }),
  })
  await npm(['install'], { cwd: project, registry: url, cache })
})

after(() => registry.close())

beforeEach(() => {
  for (const set of [registry.tamper, registry.drop, registry.unknownKey, registry.badBase64]) set.clear()
  registry.faults.clear()
})

describe('a clean tree installed by npm', () => {
  it('verifies every registry package, nested and scoped ones included', async () => {
    const report = await verifyTree({ dir: project, registry: url })
    assert.equal(report.input, 'package-lock')
    const registryPackages = report.packages.filter((p) => p.source === 'registry')
    assert.deepEqual(registryPackages.map((p) => `${p.name}@${p.version}`).sort(),
      ['@acme/scoped@1.0.0', 'alpha@1.0.0', 'beta@1.0.0', 'beta@1.0.0', 'beta@2.0.0', 'delta@1.0.0', 'epsilon@1.0.0', 'gamma@1.0.0'])
    for (const p of registryPackages) {
      assert.equal(p.status, 'verified', `${p.name}@${p.version}: ${p.message}`)
      assert.deepEqual(p.keyids, [registry.key.keyid])
      assert.equal(p.code, undefined)
    }
    const nested = report.packages.find((p) => p.location === 'node_modules/gamma/node_modules/beta')
    assert.equal(nested.version, '2.0.0')
    assert.equal(report.summary.invalid + report.summary.missing, 0)
  })

  it('verifies npm: aliases as the real package and reports the alias', async () => {
    const report = await verifyTree({ dir: project, registry: url })
    const alias = report.packages.find((p) => p.location === 'node_modules/beta-alias')
    assert.equal(alias.name, 'beta')
    assert.equal(alias.alias, 'beta-alias')
    assert.equal(alias.status, 'verified')
  })

  it('skips file links and workspaces with a reason', async () => {
    const report = await verifyTree({ dir: project, registry: url })
    const skipped = report.packages.filter((p) => p.status === 'skipped')
    const kinds = skipped.map((p) => p.source).sort()
    assert.ok(kinds.includes('directory'), JSON.stringify(skipped))
    assert.ok(kinds.includes('workspace'), JSON.stringify(skipped))
    for (const p of skipped) {
      assert.equal(p.code, 'ENOTREGISTRY')
      assert.match(p.message, /no registry signature/)
    }
  })

  it('reports progress to onProgress: each phase counts up to its total', async () => {
    const seen = []
    const report = await verifyTree({ dir: project, registry: url, onProgress: (p) => seen.push(p) })
    // Callbacks are queued to the main thread; let the last ones run.
    await new Promise((resolve) => setImmediate(resolve))
    const checks = seen.filter((p) => p.phase === 'checks')
    assert.equal(checks[0].done, 0)
    const registryPackages = report.packages.filter((p) => p.source === 'registry').length
    assert.deepEqual(checks.at(-1), { phase: 'checks', done: registryPackages, total: registryPackages })
    assert.ok(checks.every((p, i) => i === 0 || p.done >= checks[i - 1].done), 'done only grows')
    const contents = seen.filter((p) => p.phase === 'contents')
    assert.ok(contents.length > 0 && contents.at(-1).done === contents.at(-1).total)
  })

  it('draws a progress bar on a terminal\'s stderr and none into pipes', async () => {
    const piped = await cli(['verify', project, '--registry', url])
    assert.doesNotMatch(piped.stderr, /checking signatures/)
    const command = [process.execPath, BIN, 'verify', project, '--registry', url].map((a) => `'${a}'`).join(' ')
    // A terminal outside CI: `CI` set (as CI runs these tests) turns the bar off.
    const tty = await run('script', ['-qec', command, '/dev/null'], { env: { CI: '' } })
    assert.match(tty.stdout, /checking signatures \[#*\.*\] \d+\/\d+/)
  })

  it('omits dev dependencies with omit: ["dev"]', async () => {
    const report = await verifyTree({ dir: project, registry: url, omit: ['dev'] })
    const delta = byName(report, 'delta')
    assert.equal(delta.status, 'skipped')
    assert.equal(delta.code, 'EOMITTED')
  })

  it('the CLI exits 0 and prints npm-style output and JSON buckets', async () => {
    const human = await cli(['verify', project, '--registry', url])
    assert.equal(human.status, 0, human.stderr)
    assert.match(human.stdout, /8 packages have verified registry signatures/)
    const json = await cli(['verify', project, '--registry', url, '--json'])
    assert.equal(json.status, 0, json.stderr)
    const doc = JSON.parse(json.stdout)
    for (const key of ['invalid', 'missing', 'skipped', 'verified']) assert.ok(Array.isArray(doc[key]), key)
    assert.equal(doc.verified.length, 8)
    for (const entry of doc.verified) {
      for (const field of ['name', 'version', 'location']) assert.ok(entry[field], field)
      assert.ok('code' in entry)
    }
  })
})

describe('registry signatures that are wrong', () => {
  it('a tampered signature is invalid (EINTEGRITYSIGNATURE) and the CLI exits 1', async () => {
    registry.tamper.add('beta@2.0.0')
    const report = await verifyTree({ dir: project, registry: url })
    const beta = byName(report, 'beta', '2.0.0')
    assert.equal(beta.status, 'invalid')
    assert.equal(beta.code, 'EINTEGRITYSIGNATURE')
    assert.equal(report.summary.invalid, 1)
    const run = await cli(['verify', project, '--registry', url, '--json'])
    assert.equal(run.status, 1)
    const doc = JSON.parse(run.stdout)
    assert.deepEqual(doc.invalid.map((p) => `${p.name}@${p.version}:${p.location}`), ['beta@2.0.0:node_modules/gamma/node_modules/beta'])
  })

  it('a dropped signature is missing', async () => {
    registry.drop.add('gamma@1.0.0')
    const report = await verifyTree({ dir: project, registry: url })
    const gamma = byName(report, 'gamma')
    assert.equal(gamma.status, 'missing')
    assert.equal(gamma.code, 'EMISSINGSIGNATURE')
    const human = await cli(['verify', project, '--registry', url])
    assert.equal(human.status, 1)
    // One line per cause with its count, each package named with its location and rule, and the fix.
    assert.match(human.stdout, /EMISSINGSIGNATURE registry signature missing \(1 package\)/)
    assert.match(human.stdout, /gamma@1\.0\.0 at node_modules\/gamma \(rule default\)/)
    assert.match(human.stdout, /fix: the registry signs packages but not this one/)
  })

  it('a signature by a key the registry does not publish fails only that package', async () => {
    registry.unknownKey.add('alpha@1.0.0')
    const report = await verifyTree({ dir: project, registry: url })
    assert.equal(byName(report, 'alpha').code, 'EMISSINGSIGNATUREKEY')
    assert.equal(report.summary.invalid, 1)
    assert.equal(byName(report, 'gamma').status, 'verified')
  })

  it('a signature that is not base64 DER is invalid', async () => {
    registry.badBase64.add('delta@1.0.0')
    const report = await verifyTree({ dir: project, registry: url })
    assert.equal(byName(report, 'delta').code, 'EINTEGRITYSIGNATURE')
  })

  it('a registry without keys makes packages skipped, like npm', async () => {
    const saved = registry.keysDocument
    registry.keysDocument = null
    try {
      const report = await verifyTree({ dir: project, registry: url })
      const alpha = byName(report, 'alpha')
      assert.equal(alpha.status, 'skipped')
      assert.equal(alpha.code, 'ENOREGISTRYKEYS')
      assert.equal(report.registries[0].keysSource, 'none')
    } finally {
      registry.keysDocument = saved
    }
  })
})

describe('lockfile and registry disagreeing', () => {
  it('a lockfile integrity that differs from the signed one is EINTEGRITYMISMATCH', async () => {
    const copy = copyProject(project, 'mismatch')
    const lockPath = path.join(copy, 'package-lock.json')
    const lock = readJson(lockPath)
    lock.packages['node_modules/alpha'].integrity = lock.packages['node_modules/delta'].integrity
    writeJson(lockPath, lock)
    const report = await verifyTree({ dir: copy, registry: url })
    const alpha = byName(report, 'alpha')
    assert.equal(alpha.status, 'invalid')
    assert.equal(alpha.code, 'EINTEGRITYMISMATCH')
    assert.match(alpha.remediation, /lockfile/)
  })
})

describe('registries that fail', () => {
  it('a 404 packument fails that package with ENOPACKUMENT', async () => {
    registry.fault('epsilon', 'status:404')
    const report = await verifyTree({ dir: project, registry: url })
    assert.equal(byName(report, 'epsilon').code, 'ENOPACKUMENT')
    assert.equal(byName(report, 'alpha').status, 'verified')
  })

  it('a 500 then a success is retried and verifies', async () => {
    registry.fault('delta', 'status:500')
    const before = registry.stats.byName.delta || 0
    const report = await verifyTree({ dir: project, registry: url, retries: 2 })
    assert.equal(byName(report, 'delta').status, 'verified')
    assert.equal(registry.stats.byName.delta - before, 2)
  })

  it('500s beyond the retries fail that package with EREGISTRYUNREACHABLE', async () => {
    registry.fault('delta', 'status:503', 'status:503', 'status:503')
    const report = await verifyTree({ dir: project, registry: url, retries: 1 })
    const delta = byName(report, 'delta')
    assert.equal(delta.code, 'EREGISTRYUNREACHABLE')
    assert.match(delta.message, /HTTP 503/)
  })

  it('a request that never answers times out and fails only that package', async () => {
    registry.fault('gamma', 'timeout')
    const report = await verifyTree({ dir: project, registry: url, timeout: 300, retries: 0 })
    const gamma = byName(report, 'gamma')
    assert.equal(gamma.code, 'EREGISTRYUNREACHABLE')
    assert.match(gamma.message, /timed out after 300 ms/)
    assert.equal(byName(report, 'alpha').status, 'verified')
  })

  it('the run\'s deadline stops a hanging request: that package is EDEADLINE, the CLI exits 3', async () => {
    registry.fault('gamma', 'timeout')
    const report = await verifyTree({ dir: project, registry: url, timeout: 30000, deadline: 1500, contents: false })
    assert.equal(byName(report, 'gamma').code, 'EDEADLINE')
    assert.match(byName(report, 'gamma').message, /deadline of 1\.5 s/)
    assert.equal(byName(report, 'alpha').status, 'verified')
    assert.ok(report.durationMs < 10000, `the run ended at the deadline, not the request timeout (${report.durationMs} ms)`)
    registry.fault('gamma', 'timeout')
    const run = await cli(['verify', project, '--registry', url, '--timeout', '30000', '--deadline', '1500', '--no-content'])
    assert.equal(run.status, 3, run.stdout + run.stderr)
  })

  it('the JSON report has per-phase timings and the slowest packages', async () => {
    const run = await cli(['verify', project, '--registry', url, '--json', '--trace'])
    const doc = JSON.parse(run.stdout)
    for (const phase of ['total', 'load', 'keys', 'checks', 'cache', 'contents', 'sum.fetch', 'sum.verify']) {
      assert.equal(typeof doc.timings[phase], 'number', phase)
    }
    assert.ok(doc.slowest.length > 0)
    assert.match(doc.slowest[0].package, /@/)
    assert.match(run.stderr, /slowest packages/)
  })

  it('truncated JSON is EBADPACKUMENT', async () => {
    registry.fault('@acme/scoped', 'truncated')
    const report = await verifyTree({ dir: project, registry: url })
    assert.equal(byName(report, '@acme/scoped').code, 'EBADPACKUMENT')
  })

  it('an unreachable registry fails every package but still reports', async () => {
    const report = await verifyTree({ dir: project, registry: 'http://127.0.0.1:9/', retries: 0, timeout: 1000 })
    const alpha = byName(report, 'alpha')
    assert.equal(alpha.status, 'invalid')
    assert.equal(alpha.code, 'EKEYSUNAVAILABLE')
  })
})

describe('bad input', () => {
  it('a malformed lockfile rejects with ELOCKFILEPARSE naming file, line and column', async () => {
    const dir = writeProject(tempDir('broken'), { name: 'x', version: '1.0.0' }, {
      'package-lock.json': '{\n  "name": "x",\n  "lockfileVersion": 3,\n  "packages": {\n    "": {}\n    "node_modules/a": {}\n  }\n}\n',
    })
    await assert.rejects(verifyTree({ dir }), (err) => {
      assert.equal(err.code, 'ELOCKFILEPARSE')
      assert.match(err.message, /package-lock\.json:6:5/)
      return true
    })
    const run = await cli(['verify', dir])
    assert.equal(run.status, 2)
    assert.match(run.stderr, /package-lock\.json:6:5/)
  })

  it('a folder with neither lockfile nor node_modules rejects with ENOLOCKFILE', async () => {
    const dir = writeProject(tempDir('empty'), { name: 'x', version: '1.0.0' })
    await assert.rejects(verifyTree({ dir }), { code: 'ENOLOCKFILE' })
  })

  it('unknown omit values and bad registry URLs reject with a code', async () => {
    await assert.rejects(verifyTree({ dir: project, omit: ['prod'] }), { code: 'EUSAGE' })
    await assert.rejects(verifyTree({ dir: project, registry: 'ftp://nope' }), { code: 'ECONFIG' })
    assert.equal((await cli(['verify', project, '--omit', 'prod'])).status, 2)
  })
})

describe('other inputs', () => {
  it('walks node_modules when there is no lockfile', async () => {
    const copy = copyProject(project, 'walk')
    fs.rmSync(path.join(copy, 'package-lock.json'))
    fs.rmSync(path.join(copy, 'node_modules', '.package-lock.json'))
    const report = await verifyTree({ dir: copy, registry: url })
    assert.equal(report.input, 'node-modules')
    assert.equal(byName(report, 'beta', '2.0.0').status, 'verified')
    assert.equal(report.summary.invalid, 0)
  })

  it('reads a v1 lockfile written by npm', async () => {
    const copy = copyProject(project, 'v1')
    fs.rmSync(path.join(copy, 'node_modules'), { recursive: true })
    await npm(['install', '--package-lock-only', '--lockfile-version', '1'], { cwd: copy, registry: url, cache })
    assert.equal(readJson(path.join(copy, 'package-lock.json')).lockfileVersion, 1)
    const report = await verifyTree({ dir: copy, registry: url })
    assert.equal(byName(report, 'beta', '2.0.0').status, 'verified')
    assert.equal(report.summary.invalid + report.summary.missing, 0)
  })

  it('sends the .npmrc token to its registry and never prints it', async () => {
    const copy = copyProject(project, 'auth')
    const host = url.replace(/^http:/, '')
    fs.writeFileSync(path.join(copy, '.npmrc'), `${host}:_authToken=SECRET-TOKEN-4242\n`)
    registry.seenAuth = []
    const original = registry.handle.bind(registry)
    registry.handle = (req, res) => { registry.seenAuth.push(req.headers.authorization); original(req, res) }
    try {
      registry.tamper.add('alpha@1.0.0')
      const run = await cli(['verify', copy, '--registry', url, '--json'])
      assert.equal(run.status, 1)
      assert.ok(registry.seenAuth.includes('Bearer SECRET-TOKEN-4242'))
      assert.doesNotMatch(run.stdout + run.stderr, /SECRET-TOKEN-4242/)
    } finally {
      registry.handle = original
    }
  })
})

describe('verifyPackage()', () => {
  it('verifies one version and holds a tarball against the signed integrity', async () => {
    const result = await verifyPackage('beta@2.0.0', { registry: url })
    assert.equal(result.status, 'verified')
    const tgz = path.join(tempDir('tgz'), 'beta-2.0.0.tgz')
    fs.writeFileSync(tgz, registry.tarballs.get('/beta/-/beta-2.0.0.tgz'))
    assert.equal((await verifyPackage('beta@2.0.0', { registry: url, tarball: tgz })).status, 'verified')
    const bytes = fs.readFileSync(tgz)
    bytes[bytes.length - 1] ^= 1
    fs.writeFileSync(tgz, bytes)
    const tampered = await verifyPackage('beta@2.0.0', { registry: url, tarball: tgz })
    assert.equal(tampered.code, 'EINTEGRITYMISMATCH')
  })

  it('reports an unknown version and rejects a spec without version', async () => {
    assert.equal((await verifyPackage('beta@9.9.9', { registry: url })).code, 'EVERSIONNOTFOUND')
    await assert.rejects(verifyPackage('beta', { registry: url }), { code: 'EUSAGE' })
  })
})

describe('installed contents', () => {
  it('an edited, an added and a deleted file are each reported by name', async () => {
    const copy = copyProject(project, 'contents')
    fs.appendFileSync(path.join(copy, 'node_modules', 'alpha', 'index.js'), '\n// injected\n')
    fs.writeFileSync(path.join(copy, 'node_modules', 'delta', 'evil.js'), 'process.exit(0)\n')
    fs.rmSync(path.join(copy, 'node_modules', 'gamma', 'index.js'))
    const report = await verifyTree({ dir: copy, registry: url })
    const alpha = byName(report, 'alpha')
    assert.equal(alpha.code, 'ECONTENTMODIFIED')
    assert.deepEqual(alpha.contents.modified, ['index.js'])
    assert.match(alpha.message, /modified: index\.js/)
    const delta = byName(report, 'delta')
    assert.equal(delta.code, 'ECONTENTADDED')
    assert.deepEqual(delta.contents.added, ['evil.js'])
    const gamma = byName(report, 'gamma')
    assert.equal(gamma.code, 'ECONTENTMODIFIED')
    assert.deepEqual(gamma.contents.removed, ['index.js'])
    const nested = report.packages.find((p) => p.location === 'node_modules/gamma/node_modules/beta')
    assert.equal(nested.status, 'verified')
    assert.equal(nested.checks.contents.state, 'passed')
    assert.equal(report.summary.invalid, 3)
    const run = await cli(['verify', copy, '--registry', url])
    assert.equal(run.status, 1)
    assert.match(run.stdout, /ECONTENTMODIFIED/)
    assert.equal((await cli(['verify', copy, '--registry', url, '--no-content'])).status, 0)
  })

  it('takes tarballs from npm\'s cache when it has them', async () => {
    const before = registry.stats.tarballs
    process.env.npm_config_cache = cache
    try {
      const report = await verifyTree({ dir: project, registry: url })
      assert.equal(byName(report, 'alpha').checks.contents.state, 'passed')
      assert.ok(byName(report, 'alpha').contents.checkedFiles >= 2)
    } finally {
      delete process.env.npm_config_cache
    }
    assert.equal(registry.stats.tarballs, before)
  })

  it('lockfile-only verification ignores node_modules', async () => {
    const copy = copyProject(project, 'lockonly')
    fs.appendFileSync(path.join(copy, 'node_modules', 'alpha', 'index.js'), '\n// injected\n')
    const report = await verifyTree({ dir: copy, registry: url, lockfileOnly: true })
    assert.equal(byName(report, 'alpha').status, 'verified')
    assert.equal(byName(report, 'alpha').contents, undefined)
  })
})

describe('the addon', () => {
  it('allocates with jemalloc under the addon settings of the core (not the process malloc, not the binary\'s)', () => {
    // jemalloc prints its options at exit with `stats_print`; the compiled-in settings come first.
    const { spawnSync } = require('node:child_process')
    const out = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))})`], {
      env: { ...process.env, _RJEM_MALLOC_CONF: 'stats_print:true' },
      encoding: 'utf8',
    })
    assert.equal(out.status, 0, out.stderr)
    assert.match(out.stderr, /opt\.narenas: 1\n/)
    // The addon's 100 ms (the binary keeps freed pages 1 s).
    assert.match(out.stderr, /opt\.dirty_decay_ms: 100\b/)
  })
})
