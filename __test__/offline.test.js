'use strict'
// Evidence stores (`fetch` + `--offline`) and real recorded registry data served on loopback.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree, verifyPackage, fetchStore } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli } = require('./helpers/project')

const CORPUS = path.join(__dirname, 'fixtures', 'corpus')

describe('an offline evidence store', () => {
  let registry, url, project, port

  before(async () => {
    registry = new TestRegistry()
    registry.addPackage({ name: 'one', version: '1.0.0', dependencies: { '@scope/two': '1.0.0' } })
    registry.addPackage({ name: '@scope/two', version: '1.0.0' })
    registry.addPackage({ name: 'three', version: '1.0.0' })
    url = await registry.start()
    port = new URL(url).port
    // The content check offline reads tarballs from npm's cache (the store holds metadata only):
    // the project names the cache npm installed from.
    const cache = tempDir('cache')
    project = writeProject(tempDir('offline'), { name: 'p', version: '1.0.0', dependencies: { one: '1.0.0', three: '1.0.0' } }, { '.npmrc': `cache=${cache}\n` })
    await npm(['install'], { cwd: project, registry: url, cache })
  })

  after(() => registry.close())

  it('fetch writes the registry layout and verify --offline needs no network', async () => {
    const store = tempDir('store')
    const summary = await fetchStore({ dir: project, registry: url, out: store })
    assert.equal(summary.packuments, 3)
    assert.deepEqual(summary.failures, [])
    const host = path.join(store, `127.0.0.1:${port}`)
    assert.ok(fs.existsSync(path.join(host, '-', 'npm', 'v1', 'keys')))
    assert.ok(fs.existsSync(path.join(host, '@scope', 'two')))
    assert.ok(fs.existsSync(path.join(host, 'one')))
    const requestsBefore = registry.stats.packuments + registry.stats.keys
    const report = await verifyTree({ dir: project, registry: url, offline: store })
    assert.equal(registry.stats.packuments + registry.stats.keys, requestsBefore, 'offline must not touch the registry')
    assert.equal(report.mode, 'offline')
    assert.equal(report.summary.verified, 3)
    assert.equal(report.registries[0].keysSource, 'store')
  })

  it('the CLI round trip gives the same verdicts as online, tampering included', async () => {
    registry.tamper.add('three@1.0.0')
    try {
      const store = tempDir('store-cli')
      const fetched = await cli(['fetch', project, '--registry', url, '--out', store])
      assert.equal(fetched.status, 0, fetched.stderr)
      const online = JSON.parse((await cli(['verify', project, '--registry', url, '--json'])).stdout)
      const offline = await cli(['verify', project, '--registry', url, '--json', '--offline', store])
      assert.equal(offline.status, 1)
      const doc = JSON.parse(offline.stdout)
      const names = (d) => d.invalid.map((p) => `${p.name}@${p.version}:${p.code}`)
      assert.deepEqual(names(doc), ['three@1.0.0:EINTEGRITYSIGNATURE'])
      assert.deepEqual(names(doc), names(online))
    } finally {
      registry.tamper.clear()
    }
  })

  it('a store without a package fails that package closed with ENOEVIDENCE', async () => {
    const store = tempDir('store-partial')
    await fetchStore({ dir: project, registry: url, out: store })
    fs.rmSync(path.join(store, `127.0.0.1:${port}`, 'three'))
    const report = await verifyTree({ dir: project, registry: url, offline: store })
    const three = report.packages.find((p) => p.name === 'three')
    assert.equal(three.status, 'invalid')
    assert.equal(three.code, 'ENOEVIDENCE')
    assert.match(three.remediation, /npm-sigverify fetch/)
  })

  it('a store without the registry keys fails closed with EKEYSUNAVAILABLE', async () => {
    const store = tempDir('store-nokeys')
    await fetchStore({ dir: project, registry: url, out: store })
    fs.rmSync(path.join(store, `127.0.0.1:${port}`, '-'), { recursive: true })
    const report = await verifyTree({ dir: project, registry: url, offline: store })
    assert.ok(report.packages.filter((p) => p.source === 'registry').every((p) => p.code === 'EKEYSUNAVAILABLE'))
  })
})

describe('real recorded registry data on loopback', () => {
  let registry, url

  before(async () => {
    registry = new TestRegistry()
    registry.keysDocument = JSON.parse(fs.readFileSync(path.join(CORPUS, 'registry-keys', 'npm-keys-2025.json'), 'utf8'))
    registry.addRecorded('lodash', fs.readFileSync(path.join(CORPUS, 'registry-signatures', 'pnpm-lodash-abbreviated-packument.json'), 'utf8'))
    registry.addRecorded('tiny-tarball', fs.readFileSync(path.join(CORPUS, 'registry-signatures', 'npm-types', 'tiny-tarball.json'), 'utf8'))
    url = await registry.start()
  })

  after(() => registry.close())

  function lockfile (entries, extra = {}) {
    const packages = { '': { name: 'rec', version: '1.0.0' }, ...extra }
    for (const [location, version, integrity] of entries) {
      const name = location.split('node_modules/').pop()
      packages[location] = { version, resolved: `${url}${name}/-/${name}-${version}.tgz`, integrity }
    }
    return JSON.stringify({ name: 'rec', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)
  }

  it('verifies npm\'s real signatures by both registry keys', async () => {
    const packument = JSON.parse(registry.recorded.get('lodash'))
    const integrity = (v) => packument.versions[v].dist.integrity
    const tiny = JSON.parse(registry.recorded.get('tiny-tarball')).versions['1.0.0'].dist.integrity
    // The root asks for lodash 4.17.21 and tiny-tarball, its workspace w for lodash 4.17.23.
    const root = { name: 'rec', version: '1.0.0', workspaces: ['packages/w'], dependencies: { lodash: '4.17.21', 'tiny-tarball': '1.0.0' } }
    const dir = writeProject(tempDir('recorded'), root, {
      'packages/w/package.json': JSON.stringify({ name: 'w', version: '1.0.0', dependencies: { lodash: '4.17.23' } }),
      'package-lock.json': lockfile([
        ['node_modules/lodash', '4.17.21', integrity('4.17.21')],
        ['node_modules/tiny-tarball', '1.0.0', tiny],
        ['packages/w/node_modules/lodash', '4.17.23', integrity('4.17.23')],
      ], {
        'packages/w': { name: 'w', version: '1.0.0', dependencies: { lodash: '4.17.23' } },
        'node_modules/w': { resolved: 'packages/w', link: true },
      }),
    })
    const report = await verifyTree({ dir, registry: url })
    const keyids = Object.fromEntries(report.packages.map((p) => [`${p.name}@${p.version}`, p.keyids[0]]))
    assert.equal(report.summary.verified, 3, JSON.stringify(report.packages, null, 2))
    assert.equal(keyids['lodash@4.17.21'], 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA')
    assert.equal(keyids['lodash@4.17.23'], 'SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U')
    assert.equal(keyids['tiny-tarball@1.0.0'], 'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA')
  })

  it('the pre-2025 key set cannot verify a 2025 signature (EMISSINGSIGNATUREKEY)', async () => {
    const saved = registry.keysDocument
    registry.keysDocument = JSON.parse(fs.readFileSync(path.join(CORPUS, 'registry-keys', 'npm-keys-2023-2024.json'), 'utf8'))
    try {
      const result = await verifyPackage('lodash@4.18.1', { registry: url })
      assert.equal(result.code, 'EMISSINGSIGNATUREKEY')
      assert.equal((await verifyPackage('lodash@4.17.21', { registry: url })).status, 'verified')
    } finally {
      registry.keysDocument = saved
    }
  })
})

describe('dependencies that are not from a registry', () => {
  const lock = (packages) => JSON.stringify({ name: 'k', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'k', version: '1.0.0' }, ...packages } })
  const kinds = {
    'node_modules/from-git': { version: '1.0.0', resolved: 'git+ssh://git@github.com/acme/from-git.git#0123456789abcdef0123456789abcdef01234567' },
    'node_modules/from-url': { version: '2.0.0', resolved: 'https://cdn.example.test/files/from-url.tgz', integrity: 'sha512-AAAA' },
    'node_modules/from-file': { version: '3.0.0', resolved: 'file:vendor/from-file-3.0.0.tgz', integrity: 'sha512-BBBB' },
  }
  const declared = {
    'from-git': 'github:acme/from-git#0123456789abcdef0123456789abcdef01234567',
    'from-url': 'https://cdn.example.test/files/from-url.tgz',
    'from-file': 'file:vendor/from-file-3.0.0.tgz',
  }

  it('git, remote tarball and local tarball entries that package.json asks for are skipped with reasons', async () => {
    const dir = writeProject(tempDir('kinds'), { name: 'k', version: '1.0.0', dependencies: declared }, { 'package-lock.json': lock(kinds) })
    const report = await verifyTree({ dir, offline: tempDir('empty-store') })
    const reason = (loc) => report.packages.find((p) => p.location === loc)
    assert.equal(reason('node_modules/from-git').source, 'git')
    assert.equal(reason('node_modules/from-url').source, 'remote-tarball')
    assert.equal(reason('node_modules/from-file').source, 'local-tarball')
    assert.equal(report.packages.length, 3)
    for (const p of report.packages) {
      assert.equal(p.status, 'skipped', JSON.stringify(p.checks))
      assert.equal(p.code, 'ENOTREGISTRY')
      assert.ok(p.message.length > 10)
    }
  })

  it('the same entries that no package.json asks for fail (lockfile injection)', async () => {
    const dir = writeProject(tempDir('kinds-injected'), { name: 'k', version: '1.0.0' }, { 'package-lock.json': lock(kinds) })
    const report = await verifyTree({ dir, offline: tempDir('empty-store') })
    assert.equal(report.packages.length, 3)
    for (const p of report.packages) {
      assert.equal(p.status, 'invalid')
      assert.equal(p.code, 'ELOCKFILESOURCE')
      assert.match(p.message, /no package\.json asks for/)
    }
    assert.equal(report.exitCode, 1)
  })

  it('an inBundle entry no published parent bundles fails (ELOCKFILESOURCE)', async () => {
    const dir = writeProject(tempDir('bundle-injected'), { name: 'k', version: '1.0.0' }, {
      'package-lock.json': lock({ 'node_modules/inside': { version: '1.0.0', inBundle: true } }),
    })
    const report = await verifyTree({ dir, offline: tempDir('empty-store') })
    const inside = report.packages.find((p) => p.location === 'node_modules/inside')
    assert.equal(inside.code, 'ELOCKFILESOURCE')
    assert.match(inside.message, /inBundle/)
  })
})
