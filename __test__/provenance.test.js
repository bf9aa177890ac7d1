'use strict'
// Attestations (provenance + publish) through verifyTree()/verifyPackage() and the CLI, with the
// real npm attestation bundles of sigstore@1.0.0 served by a loopback registry (recorded data,
// see fixtures/corpus/MANIFEST.md), npm's real registry keys, and one-field changes.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, beforeEach, describe, it } = require('node:test')

const { verifyTree, verifyPackage, fetchStore } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, cli } = require('./helpers/project')

const CORPUS = path.join(__dirname, 'fixtures', 'corpus')
const read = (rel) => fs.readFileSync(path.join(CORPUS, rel), 'utf8')
const manifests = JSON.parse(read('registry-signatures/npm-cli-pacote-test-manifests.json'))
const sigstore = manifests.find((m) => m.name === 'sigstore' && m.version === '1.0.0')
const ATTESTATIONS = read('attestations/npm-cli/sigstore@1.0.0.attestations.json')
const PROVENANCE = 'https://slsa.dev/provenance/v0.2'

let registry, url

/** A full packument of `sigstore` with the real 1.0.0 and versions we shape per test. */
function packument ({ repository = 'git+https://github.com/sigstore/sigstore-js.git', extra = {} } = {}) {
  const v1 = {
    name: 'sigstore',
    version: '1.0.0',
    repository: { type: 'git', url: repository },
    dist: {
      integrity: sigstore.integrity,
      signatures: sigstore.signatures,
      tarball: `${url}sigstore/-/sigstore-1.0.0.tgz`,
      attestations: { url: `${url}-/npm/v1/attestations/sigstore@1.0.0`, provenance: { predicateType: PROVENANCE } },
    },
  }
  const versions = { '1.0.0': v1, ...extra }
  const time = { '1.0.0': '2023-02-09T12:00:00.000Z', ...Object.fromEntries(Object.keys(extra).map((v, i) => [v, `2023-0${3 + i}-01T00:00:00.000Z`])) }
  return JSON.stringify({ name: 'sigstore', versions, time })
}

function lockfileProject (version, integrity = sigstore.integrity) {
  return writeProject(tempDir('prov'), { name: 'p', version: '1.0.0', dependencies: { sigstore: version } }, {
    'package-lock.json': JSON.stringify({
      name: 'p', version: '1.0.0', lockfileVersion: 3, requires: true,
      packages: { '': { name: 'p', version: '1.0.0' }, 'node_modules/sigstore': { version, resolved: `${url}sigstore/-/sigstore-${version}.tgz`, ...(integrity ? { integrity } : {}) } },
    }),
  })
}

const sigstoreOf = (report) => report.packages.find((p) => p.name === 'sigstore')

let savedCache

before(async () => {
  // These tests change attestation documents under an unchanged packument; a kept verdict would
  // (by design) not fetch them again, so they run without the cache. The verdict cache has its
  // own test below, with a cache folder of its own.
  savedCache = process.env.NPM_SIGVERIFY_CACHE
  process.env.NPM_SIGVERIFY_CACHE = 'off'
  registry = new TestRegistry()
  registry.keysDocument = JSON.parse(read('registry-keys/npm-keys-2025.json'))
  // The real tarball: its package.json names the repository the provenance must come from.
  registry.tarballs.set('/sigstore/-/sigstore-1.0.0.tgz', fs.readFileSync(path.join(CORPUS, 'attestations/npm-cli/sigstore-1.0.0.tgz')))
  url = await registry.start()
})

after(() => {
  if (savedCache === undefined) delete process.env.NPM_SIGVERIFY_CACHE
  else process.env.NPM_SIGVERIFY_CACHE = savedCache
  return registry.close()
})

beforeEach(() => {
  registry.recorded.set('sigstore', packument())
  registry.attestationDocs.set('sigstore@1.0.0', ATTESTATIONS)
  registry.faults.clear()
})

describe('npm attestations', () => {
  it('verifies real provenance and publish attestations and reports the signer', async () => {
    const report = await verifyTree({ dir: lockfileProject('1.0.0'), registry: url })
    const pkg = sigstoreOf(report)
    assert.equal(pkg.status, 'verified', pkg.message)
    assert.equal(pkg.provenance, 'verified')
    assert.deepEqual(pkg.attestations.map((a) => [a.kind, a.status]), [['provenance', 'verified'], ['publish', 'verified']])
    const signer = pkg.attestations[0].signer
    assert.equal(signer.sourceRepository, 'https://github.com/sigstore/sigstore-js')
    assert.equal(signer.issuer, 'https://token.actions.githubusercontent.com')
    assert.match(signer.commit, /^[0-9a-f]{40}$/)
    assert.ok(pkg.attestations[0].logIndex > 0)
  })

  it('a provenance naming another repository than package.json is EPROVENANCEREPOSITORY', async () => {
    registry.recorded.set('sigstore', packument({ repository: 'git+https://github.com/someone-else/sigstore-js.git' }))
    const pkg = sigstoreOf(await verifyTree({ dir: lockfileProject('1.0.0'), registry: url }))
    assert.equal(pkg.status, 'invalid')
    assert.equal(pkg.code, 'EPROVENANCEREPOSITORY')
    const off = sigstoreOf(await verifyTree({ dir: lockfileProject('1.0.0'), registry: url, provenance: { repositoryMatch: false } }))
    assert.equal(off.status, 'verified')
  })

  it('a kept verdict is reused as-is (no attestations request); changed packument facts re-verify', async () => {
    const cache = tempDir('verdicts')
    const dir = lockfileProject('1.0.0')
    const first = sigstoreOf(await verifyTree({ dir, registry: url, cache }))
    assert.equal(first.provenance, 'verified', first.message)
    const fetched = registry.stats.attestations
    const again = sigstoreOf(await verifyTree({ dir, registry: url, cache }))
    assert.equal(registry.stats.attestations, fetched, 'the kept verdict needs no attestations request')
    assert.deepEqual({ ...again, timing: undefined }, { ...first, timing: undefined })
    // Another repository in the packument: another key, verified again (and failing).
    registry.recorded.set('sigstore', packument({ repository: 'git+https://github.com/someone-else/sigstore-js.git' }))
    const changed = sigstoreOf(await verifyTree({ dir, registry: url, cache }))
    assert.equal(registry.stats.attestations, fetched + 1)
    assert.equal(changed.code, 'EPROVENANCEREPOSITORY')
    // Failures are never kept: the next run checks again.
    await verifyTree({ dir, registry: url, cache })
    assert.equal(registry.stats.attestations, fetched + 2)
  })

  it('a tampered DSSE signature is EATTESTATIONVERIFY', async () => {
    const doc = JSON.parse(ATTESTATIONS)
    const sig = doc.attestations[0].bundle.dsseEnvelope.signatures[0]
    sig.sig = (sig.sig[0] === 'M' ? 'N' : 'M') + sig.sig.slice(1)
    registry.attestationDocs.set('sigstore@1.0.0', JSON.stringify(doc))
    const pkg = sigstoreOf(await verifyTree({ dir: lockfileProject('1.0.0'), registry: url }))
    assert.equal(pkg.code, 'EATTESTATIONVERIFY')
    assert.equal(pkg.provenance, 'invalid')
  })

  it('advertised attestations that answer 404 fail that package with EATTESTATIONFETCH', async () => {
    registry.attestationDocs.delete('sigstore@1.0.0')
    const pkg = sigstoreOf(await verifyTree({ dir: lockfileProject('1.0.0'), registry: url }))
    assert.equal(pkg.code, 'EATTESTATIONFETCH')
  })

  it('flags a provenance downgrade on the same major, never across majors', async () => {
    const unsigned = (version) => ({ name: 'sigstore', version, dist: { integrity: 'sha512-' + Buffer.alloc(64, version.length).toString('base64'), tarball: `${url}sigstore/-/sigstore-${version}.tgz` } })
    registry.recorded.set('sigstore', packument({ extra: { '1.0.1': unsigned('1.0.1'), '2.0.0': unsigned('2.0.0') } }))
    const down = sigstoreOf(await verifyTree({ dir: lockfileProject('1.0.1', null), registry: url }))
    assert.equal(down.code, 'EPROVENANCEDOWNGRADE')
    assert.match(down.message, /1\.0\.0/)
    const major = sigstoreOf(await verifyTree({ dir: lockfileProject('2.0.0', null), registry: url }))
    assert.equal(major.status, 'missing', 'no registry signature, but no downgrade across majors')
    assert.equal(major.provenance, 'absent')
  })

  it('requires provenance when asked (EPROVENANCEREQUIRED)', async () => {
    const unsigned = { name: 'sigstore', version: '0.9.0', dist: { integrity: 'sha512-AAAA', tarball: `${url}x.tgz` } }
    registry.recorded.set('sigstore', packument({ extra: { '0.9.0': unsigned } }))
    const dir = lockfileProject('0.9.0', null)
    const pkg = sigstoreOf(await verifyTree({ dir, registry: url, provenance: { requireProvenance: true } }))
    assert.equal(pkg.code, 'EPROVENANCEREQUIRED')
    const run = await cli(['verify', dir, '--registry', url, '--require-provenance', '--json'])
    assert.equal(run.status, 1)
    assert.equal(JSON.parse(run.stdout).invalid[0].code, 'EPROVENANCEREQUIRED')
  })

  it('verifies from an offline store and from an inline document, with no network', async () => {
    const dir = lockfileProject('1.0.0')
    const store = tempDir('prov-store')
    const fetched = await fetchStore({ dir, registry: url, out: store })
    assert.deepEqual(fetched.failures, [])
    const port = new URL(url).port
    assert.ok(fs.existsSync(path.join(store, `127.0.0.1:${port}`, '-', 'npm', 'v1', 'attestations', 'sigstore@1.0.0')))
    const before = registry.stats.attestations
    const pkg = sigstoreOf(await verifyTree({ dir, registry: url, offline: store }))
    assert.equal(pkg.provenance, 'verified')
    assert.equal(registry.stats.attestations, before)
    const inline = await verifyPackage('sigstore@1.0.0', { registry: url, offline: store, attestations: ATTESTATIONS })
    assert.equal(inline.provenance, 'verified')
  })

  it('rejects an unusable --trusted-root with ETRUSTEDROOT', async () => {
    const bad = path.join(tempDir('root'), 'trusted_root.json')
    fs.writeFileSync(bad, '{ not json')
    await assert.rejects(verifyTree({ dir: lockfileProject('1.0.0'), registry: url, provenance: { trustedRoot: bad } }), { code: 'ETRUSTEDROOT' })
    const staging = path.join(CORPUS, 'trusted-root', 'staging-trusted_root.json')
    const pkg = sigstoreOf(await verifyTree({ dir: lockfileProject('1.0.0'), registry: url, provenance: { trustedRoot: staging } }))
    assert.equal(pkg.code, 'EATTESTATIONVERIFY', 'production bundles do not verify against the staging root')
  })
})

describe('trust update', () => {
  it('without a network it fails clearly (exit 3) and verification keeps the embedded root', async () => {
    const out = path.join(tempDir('trust'), 'trusted_root.json')
    const run = await cli(['trust', 'update', '--out', out, '--timeout', '15000'])
    assert.equal(run.status, 3)
    assert.match(run.stderr, /cannot refresh the trusted root over TUF/)
    assert.match(run.stderr, /ETUFUNREACHABLE/)
    assert.ok(!fs.existsSync(out))
  })
})
