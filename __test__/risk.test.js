'use strict'
// `npm-sigverify risk`: the ranking of a project installed by real npm from a loopback registry,
// one signal per package (install scripts, no provenance, recent publish, few maintainers,
// provenance downgrade), online and from an offline store written by `fetch`.
const assert = require('node:assert/strict')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli } = require('./helpers/project')

const PROVENANCE = 'https://slsa.dev/provenance/v1'
const TWO = [{ name: 'alice', email: 'alice@example.com' }, { name: 'bob', email: 'bob@example.com' }]
const HOURS = 3600 * 1000

let registry, url, project

/** Adds a version that is quiet unless told otherwise: old, two maintainers, with provenance. */
function add ({ provenance = true, ...spec }) {
  registry.addPackage({ maintainers: TWO, publishedAt: '2024-01-01T00:00:00.000Z', ...spec })
  if (provenance) advertiseProvenance(spec.name, spec.version)
}

// TestRegistry has no provenance knob: advertise it in the stored version's dist (which the
// packument spreads) and serve an (empty) attestations document so that `fetch` can record it.
function advertiseProvenance (name, version) {
  const spec = `${name}@${version}`
  registry.versions.get(name).get(version).dist.attestations = {
    url: `${registry.url}/-/npm/v1/attestations/${spec}`,
    provenance: { predicateType: PROVENANCE },
  }
  registry.attestationDocs.set(spec, JSON.stringify({ attestations: [] }))
}

before(async () => {
  registry = new TestRegistry()
  url = await registry.start()
  add({ name: 'calm', version: '1.0.0' })
  add({ name: 'hooky', version: '1.0.0', scripts: { postinstall: 'node -e ""' } })
  add({ name: 'fresh', version: '1.0.0', publishedAt: new Date(Date.now() - 3 * HOURS).toISOString() })
  add({ name: 'lonely', version: '1.0.0', maintainers: TWO.slice(0, 1) })
  add({ name: 'bare', version: '1.0.0', provenance: false })
  add({ name: 'slipped', version: '1.0.0', publishedAt: '2024-01-01T00:00:00.000Z' })
  add({ name: 'slipped', version: '1.1.0', publishedAt: '2024-02-01T00:00:00.000Z', provenance: false })
  add({ name: 'major', version: '1.0.0', publishedAt: '2024-01-01T00:00:00.000Z' })
  add({ name: 'major', version: '2.0.0', publishedAt: '2024-02-01T00:00:00.000Z', provenance: false })
  const dependencies = { calm: '1.0.0', hooky: '1.0.0', fresh: '1.0.0', lonely: '1.0.0', bare: '1.0.0', slipped: '1.1.0', major: '2.0.0' }
  project = writeProject(tempDir('risk'), { name: 'risk-demo', version: '1.0.0', dependencies })
  await npm(['install', '--ignore-scripts'], { cwd: project, registry: url, cache: tempDir('npm-cache') })
})

after(() => registry.close())

const ranking = (report) => report.packages.map((p) => [`${p.name}@${p.version}`, p.score])
const kindsOf = (report, name) => report.packages.find((p) => p.name === name).signals.map((s) => s.kind)

const EXPECTED = [
  ['slipped@1.1.0', 40],
  ['hooky@1.0.0', 30],
  ['fresh@1.0.0', 20],
  ['bare@1.0.0', 10],
  ['lonely@1.0.0', 10],
  ['major@2.0.0', 10],
  ['calm@1.0.0', 0],
]

async function riskJson (args) {
  const r = await cli(['risk', project, '--registry', url, '--json', ...args])
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

describe('npm-sigverify risk', () => {
  it('ranks the installed packages by score, then name', async () => {
    const report = await riskJson([])
    assert.deepEqual(ranking(report), EXPECTED)
  })

  it('gives each package the signal of its one difference', async () => {
    const report = await riskJson([])
    assert.deepEqual(kindsOf(report, 'slipped'), ['provenance-downgrade', 'no-provenance'])
    assert.deepEqual(kindsOf(report, 'hooky'), ['install-scripts'])
    assert.deepEqual(kindsOf(report, 'fresh'), ['recent-publish'])
    assert.deepEqual(kindsOf(report, 'bare'), ['no-provenance'])
    assert.deepEqual(kindsOf(report, 'lonely'), ['few-maintainers'])
    // A new major without provenance is not a downgrade.
    assert.deepEqual(kindsOf(report, 'major'), ['no-provenance'])
    assert.deepEqual(kindsOf(report, 'calm'), [])
    const fresh = report.packages.find((p) => p.name === 'fresh')
    assert.match(fresh.signals[0].detail, /fresh@1\.0\.0 was published 3 hours ago/)
    assert.equal(fresh.location, 'node_modules/fresh')
  })

  it('--recent-days 0 turns the recent-publish signal off', async () => {
    const report = await riskJson(['--recent-days', '0'])
    assert.deepEqual(kindsOf(report, 'fresh'), [])
  })

  it('a package the registry does not know is unknown, not an error', async () => {
    registry.fault('calm', 'status:404')
    const report = await riskJson([])
    assert.deepEqual(kindsOf(report, 'calm'), ['unknown'])
    assert.match(report.packages.find((p) => p.name === 'calm').signals[0].detail, /^no registry metadata: .*calm/)
    assert.equal(report.packages.length, EXPECTED.length)
  })

  it('prints a table with the top N and says it is not verification', async () => {
    const r = await cli(['risk', project, '--registry', url, '--top', '2'])
    assert.equal(r.status, 0, r.stderr)
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\S+@/.test(l))
    assert.equal(rows.length, 2, r.stdout)
    assert.match(rows[0], /^\s+1\s+40\s+slipped@1\.1\.0\s+provenance-downgrade, no-provenance$/)
    assert.match(rows[1], /^\s+2\s+30\s+hooky@1\.0\.0\s+install-scripts$/)
    assert.match(r.stdout, /5 more packages not shown/)
    assert.match(r.stdout, /npm-sigverify verify` checks the signatures of every package\.$/m)
  })

  it('ranks the same from an offline store, without touching the registry', async () => {
    const store = tempDir('risk-store')
    const fetched = await cli(['fetch', project, '--registry', url, '--out', store])
    assert.equal(fetched.status, 0, fetched.stdout + fetched.stderr)
    const before = registry.stats.packuments
    const report = await riskJson(['--offline', store])
    assert.equal(registry.stats.packuments, before)
    assert.deepEqual(ranking(report), EXPECTED)
  })
})
