'use strict'
// Fail closed everywhere: a fault-injecting loopback registry (helpers/registry.js, `fault()`)
// answers 404 / 500 / 429 / resets / hangs / truncated, garbage, empty and mislabelled bodies, and
// lying answers, for each kind of evidence: packuments, the keys document, attestations documents
// and tarballs. Each case makes ONE change to what the registry serves and asserts the package's
// status, code and message, the JSON `exitCode` of verifyTree(), and the exit code of the CLI
// (`verify --json`), on a small real project that npm installed from that registry.
//
// The rule: evidence that could not be obtained never passes; an operational failure makes the
// package `invalid` with an operational code and the run exits 3 when every failure is
// operational; an answer that contradicts what was signed is a real failure (exit 1).
//
// Nothing is cached between runs: the verdict cache is off, and npm's cache is an empty folder so
// that the content check downloads every signed tarball from the registry.
const assert = require('node:assert/strict')
const { after, afterEach, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { TestSigstore } = require('./helpers/sigstore')
const { tempDir, writeProject, npm, cli } = require('./helpers/project')

const KEYS = '/-/npm/v1/keys'
const ATTESTATIONS = 'attestations:prov@1.0.0'
const TARBALL = '/beta/-/beta-1.0.0.tgz'
const REGISTRY_PACKAGES = ['@acme/scoped@1.0.0', 'alpha@1.0.0', 'beta@1.0.0', 'prov@1.0.0']

let registry, url, project, emptyNpmCache
const saved = {}

/** The provenance of acme/<name>'s release run for `version`. */
const run = (name, version) => ({ repository: `acme/${name}`, repositoryId: '81234567', ownerId: '7654321', ref: `refs/tags/v${version}` })

before(async () => {
  registry = new TestRegistry().useSigstore(new TestSigstore())
  registry.addPackage({ name: 'alpha', version: '1.0.0', dependencies: { beta: '^1.0.0' } })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  registry.addPackage({ name: 'beta', version: '2.0.0' }) // published, not installed
  registry.addPackage({ name: '@acme/scoped', version: '1.0.0' })
  registry.addPackage({ name: 'prov', version: '1.0.0', provenance: run('prov', '1.0.0') })
  registry.addPackage({ name: 'prov', version: '1.1.0', provenance: run('prov', '1.1.0') }) // not installed
  registry.addPackage({ name: 'other', version: '1.0.0', provenance: run('other', '1.0.0') }) // not installed
  url = await registry.start()
  // npm's default lockfile (tarball URLs recorded), whatever the user's ~/.npmrc says.
  project = writeProject(tempDir('faults'), {
    name: 'faults-project',
    version: '1.0.0',
    dependencies: { alpha: '^1.0.0', '@acme/scoped': '1.0.0', prov: '1.0.0' },
  }, { '.npmrc': 'omit-lockfile-registry-resolved=false\n' })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('faults-npm-cache') })
  // Verification sees an empty npm cache (tarballs come from the registry) and no verdict cache.
  emptyNpmCache = tempDir('faults-empty-npm-cache')
  for (const [key, value] of [['npm_config_cache', emptyNpmCache], ['NPM_SIGVERIFY_CACHE', 'off']]) {
    saved[key] = process.env[key]
    process.env[key] = value
  }
})

after(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  return registry.close()
})

afterEach(() => registry.faults.clear())

const id = (p) => `${p.name}@${p.version}`

/** verifyTree() and `verify --json` with the case's timeout and retries; faults armed before each. */
async function verifyBoth (arm, { timeout = 5000, retries = 0 } = {}) {
  arm()
  const report = await verifyTree({
    dir: project, registry: url, cache: 'off', timeout, retries,
    provenance: { trustedRoot: registry.trustedRootPath() },
  })
  const apiLeft = [...registry.faults.values()].reduce((n, steps) => n + steps.length, 0)
  registry.faults.clear()
  arm()
  const args = ['verify', project, '--registry', url, '--json', '--cache', 'off', '--timeout', String(timeout),
    '--retries', String(retries), '--trusted-root', registry.trustedRootPath()]
  const result = await cli(args, { env: { npm_config_cache: emptyNpmCache, NPM_SIGVERIFY_CACHE: 'off' } })
  const cliLeft = [...registry.faults.values()].reduce((n, steps) => n + steps.length, 0)
  registry.faults.clear()
  let doc
  try {
    doc = JSON.parse(result.stdout)
  } catch {
    assert.fail(`verify --json printed no JSON (exit ${result.status}):\n${result.stdout}\n${result.stderr}`)
  }
  assert.equal(apiLeft, 0, 'verifyTree() made every scripted request')
  assert.equal(cliLeft, 0, 'the CLI made every scripted request')
  return { report, cli: { status: result.status, doc, stderr: result.stderr } }
}

/** The CLI's JSON entry of a package (`name@version`) and its bucket. */
function cliEntry (doc, spec) {
  for (const bucket of ['invalid', 'missing', 'skipped', 'verified']) {
    const entry = (doc[bucket] || []).find((p) => id(p) === spec)
    if (entry) return { bucket, code: entry.code === null ? undefined : entry.code }
  }
  return { bucket: 'absent' }
}

/**
 * Runs a case: `arm(registry)` scripts the fault (before each of the two runs); `expect` is
 * `{ packages: [name@version], status, code, exit, message }`; every other registry package
 * must still verify.
 */
async function check (arm, expect, options) {
  const { report, cli: run } = await verifyBoth(() => arm(registry), options)
  const registryPackages = report.packages.filter((p) => p.source === 'registry')
  assert.deepEqual(registryPackages.map(id).sort(), REGISTRY_PACKAGES)
  for (const p of registryPackages) {
    const cliSide = cliEntry(run.doc, id(p))
    if (!expect.packages.includes(id(p))) {
      assert.equal(p.status, 'verified', `${id(p)} is not the one changed: ${p.message}`)
      assert.equal(cliSide.bucket, 'verified', `${id(p)} in the CLI's JSON`)
      continue
    }
    const actual = { status: p.status, code: p.code, exitCode: report.exitCode, cliBucket: cliSide.bucket, cliCode: cliSide.code, cliExit: run.status }
    const wanted = { status: expect.status, code: expect.code, exitCode: expect.exit, cliBucket: expect.status, cliCode: expect.code, cliExit: expect.exit }
    assert.deepEqual(actual, wanted, `${id(p)}: ${p.message}\n${run.stderr}`)
    if (expect.status !== 'verified') {
      assert.ok(p.message && p.message.includes(id(p)), `the message names ${id(p)}: ${p.message}`)
      if (expect.message) assert.match(p.message, expect.message)
    }
  }
  if (expect.packages.length === 0) assert.deepEqual([report.exitCode, run.status], [0, 0], run.stderr)
  return report
}

/** A case table: `[title, arm, expect, options]` rows, each an `it` (`options.todo`: a known bug). */
function table (rows) {
  for (const [title, arm, expect, options = {}] of rows) {
    const { todo, ...verifyOptions } = options
    it(title, todo ? { todo } : {}, async () => { await check(arm, expect, verifyOptions) })
  }
}

const fault = (target, ...steps) => (r) => r.fault(target, ...steps)
const times = (n, step) => Array.from({ length: n }, () => step)
const HANG = { timeout: 500, retries: 0 }
const RETRY = { retries: 2 }

describe('a clean run', () => {
  it('verifies everything, and downloads every tarball from the registry (npm\'s cache is empty)', async () => {
    const before = registry.stats.byTarget[TARBALL] || 0
    const report = await check(() => {}, { packages: [] })
    assert.equal(report.exitCode, 0)
    assert.equal(registry.stats.byTarget[TARBALL] - before, 2, 'one tarball request per run')
    const prov = report.packages.find((p) => p.name === 'prov')
    assert.equal(prov.provenance, 'verified')
    assert.equal(prov.checks.contents.state, 'passed')
  })
})

describe('packument faults', () => {
  const beta = (status, code, exit, message) => ({ packages: ['beta@1.0.0'], status, code, exit, message })
  const UNREACHABLE = (m) => beta('invalid', 'EREGISTRYUNREACHABLE', 3, m)
  const BAD = (m) => beta('invalid', 'EBADPACKUMENT', 1, m)
  table([
    ['404 is ENOPACKUMENT (exit 1)', fault('beta', 'status:404'), beta('invalid', 'ENOPACKUMENT', 1, /404/)],
    ['500 after the retries is EREGISTRYUNREACHABLE (exit 3)', fault('beta', ...times(3, 'status:500')), UNREACHABLE(/HTTP 500/), RETRY],
    ['500 then a good answer is retried and verifies', fault('beta', 'status:500'), beta('verified', undefined, 0), RETRY],
    ['429 is EREGISTRYUNREACHABLE (exit 3)', fault('beta', 'status:429'), UNREACHABLE(/HTTP 429/)],
    ['429 then a good answer is retried and verifies', fault('beta', 'status:429'), beta('verified', undefined, 0), { retries: 1 }],
    ['a connection reset is EREGISTRYUNREACHABLE (exit 3)', fault('beta', 'reset'), UNREACHABLE(/cannot reach/)],
    ['no answer within the timeout is EREGISTRYUNREACHABLE (exit 3)', fault('beta', 'timeout'), UNREACHABLE(/timed out after 500 ms/), HANG],
    ['a body that stalls halfway is EREGISTRYUNREACHABLE (exit 3)', fault('beta', 'stall'), UNREACHABLE(/timed out after 500 ms/), HANG],
    ['a connection closed halfway through the body is EREGISTRYUNREACHABLE (exit 3)', fault('beta', 'cut'), UNREACHABLE(/end of file before message length reached/)],
    ['truncated JSON is EBADPACKUMENT (exit 1)', fault('beta', 'truncated'), BAD(/malformed packument/)],
    ['the first half of the document is EBADPACKUMENT (exit 1)', fault('beta', 'half'), BAD(/malformed packument/)],
    ['a truncated gzip encoding is EREGISTRYUNREACHABLE (exit 3)', fault('beta', 'gzip-truncated'), UNREACHABLE(/unexpected end of file/)],
    ['garbage bytes are EBADPACKUMENT (exit 1)', fault('beta', 'garbage'), BAD(/malformed packument/)],
    ['an empty body is EBADPACKUMENT (exit 1)', fault('beta', 'empty'), BAD(/malformed packument/)],
    ['a captive portal\'s HTML page is EBADPACKUMENT (exit 1)', fault('beta', 'html'), BAD(/malformed packument/)],
    ['the right document under a wrong Content-Type verifies (the signature is the evidence)', fault('beta', 'type:text/html'), beta('verified', undefined, 0)],
    ['a gzip-encoded answer verifies', fault('beta', 'gzip'), beta('verified', undefined, 0)],
    ['a slow answer under the timeout verifies', fault('beta', 'slow:700'), beta('verified', undefined, 0), { timeout: 3000 }],
  ])

  describe('lying packuments', () => {
    const edit = (change) => (r) => r.fault('beta', { body: r.packumentWith('beta', change) })
    const FAKE = 'sha512-' + Buffer.alloc(64, 7).toString('base64')
    table([
      ['another integrity, signed by the registry, differs from the lockfile: EINTEGRITYMISMATCH (exit 1)',
        (r) => r.fault('beta', { body: r.packumentWith('beta', (d) => { const dist = d.versions['1.0.0'].dist; dist.integrity = FAKE; dist.signatures = [{ keyid: r.key.keyid, sig: r.sign('beta@1.0.0', FAKE, r.key) }] }) }),
        beta('invalid', 'EINTEGRITYMISMATCH', 1, /lockfile/)],
      ['another integrity under the original signature: EINTEGRITYSIGNATURE (exit 1)',
        edit((d) => { d.versions['1.0.0'].dist.integrity = FAKE }), beta('invalid', 'EINTEGRITYSIGNATURE', 1)],
      ['another package\'s packument (alpha\'s, same version) is not beta\'s: EINTEGRITYSIGNATURE (exit 1)',
        (r) => r.fault('beta', { body: r.packumentWith('alpha', () => {}) }), beta('invalid', 'EINTEGRITYSIGNATURE', 1)],
      ['a packument without the installed version is EVERSIONNOTFOUND (exit 1)',
        edit((d) => { delete d.versions['1.0.0'] }), beta('invalid', 'EVERSIONNOTFOUND', 1)],
    ])
  })
})

describe('keys document faults', () => {
  const all = (status, code, exit, message) => ({ packages: REGISTRY_PACKAGES, status, code, exit, message })
  const UNAVAILABLE = (m) => all('invalid', 'EKEYSUNAVAILABLE', 3, m)
  table([
    ['404 means the registry does not sign: every package is skipped (ENOREGISTRYKEYS), as npm', fault(KEYS, 'status:404'), all('skipped', 'ENOREGISTRYKEYS', 0, /publishes no signing keys/)],
    ['500 after the retries is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, ...times(3, 'status:500')), UNAVAILABLE(/HTTP 500/), RETRY],
    ['500 then a good answer is retried and verifies', fault(KEYS, 'status:500'), all('verified', undefined, 0), RETRY],
    ['429 is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'status:429'), UNAVAILABLE(/HTTP 429/)],
    ['a connection reset is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'reset'), UNAVAILABLE(/cannot reach/)],
    ['no answer within the timeout is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'timeout'), UNAVAILABLE(/timed out after 500 ms/), HANG],
    ['a body that stalls halfway is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'stall'), UNAVAILABLE(/timed out after 500 ms/), HANG],
    ['a connection closed halfway through the body is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'cut'), UNAVAILABLE(/end of file before message length reached/)],
    ['truncated JSON is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'truncated'), UNAVAILABLE(/malformed keys document/)],
    ['the first half of the document is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'half'), UNAVAILABLE(/malformed keys document/)],
    ['a truncated gzip encoding is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'gzip-truncated'), UNAVAILABLE(/signing keys are unavailable: cannot reach .*unexpected end of file/)],
    ['garbage bytes are EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'garbage'), UNAVAILABLE(/malformed keys document/)],
    ['an empty body is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'empty'), UNAVAILABLE(/malformed keys document/)],
    ['a captive portal\'s HTML page is EKEYSUNAVAILABLE (exit 3)', fault(KEYS, 'html'), UNAVAILABLE(/malformed keys document/)],
    ['the right document under a wrong Content-Type verifies', fault(KEYS, 'type:text/plain'), all('verified', undefined, 0)],
    ['a slow answer under the timeout verifies', fault(KEYS, 'slow:700'), all('verified', undefined, 0), { timeout: 3000 }],
  ])

  describe('lying keys documents', () => {
    table([
      ['a document listing another key: every package is EMISSINGSIGNATUREKEY (exit 1)',
        (r) => r.fault(KEYS, { body: JSON.stringify({ keys: [r.keyEntry(r.otherKey)] }) }), all('invalid', 'EMISSINGSIGNATUREKEY', 1)],
      ['another key under the registry\'s keyid (a fingerprint that is not its key\'s, as a mirror would pass its key off under a pinned keyid): EKEYSUNAVAILABLE (exit 3)',
        (r) => r.fault(KEYS, { body: JSON.stringify({ keys: [{ ...r.keyEntry(r.otherKey), keyid: r.key.keyid }] }) }), UNAVAILABLE(/a keyid of the form SHA256:\.\.\. must be its key's fingerprint/)],
      ['another key under a label that is not a fingerprint signs nothing here: EMISSINGSIGNATUREKEY (exit 1)',
        (r) => r.fault(KEYS, { body: JSON.stringify({ keys: [{ ...r.keyEntry(r.otherKey), keyid: 'mirror-key-1' }] }) }), all('invalid', 'EMISSINGSIGNATUREKEY', 1)],
      ['an empty key list means the registry does not sign: skipped (ENOREGISTRYKEYS), as npm',
        fault(KEYS, { body: '{"keys":[]}' }), all('skipped', 'ENOREGISTRYKEYS', 0)],
    ])
  })
})

describe('attestations document faults', () => {
  const prov = (status, code, exit, message) => ({ packages: ['prov@1.0.0'], status, code, exit, message })
  const FETCH = (m) => prov('invalid', 'EATTESTATIONFETCH', 3, m)
  const VERIFY = (m) => prov('invalid', 'EATTESTATIONVERIFY', 1, m)
  const NOT_JSON = /attestations document is not valid json/
  table([
    ['404 for advertised attestations is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'status:404'), FETCH(/answered 404/)],
    ['500 after the retries is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, ...times(3, 'status:500')), FETCH(/HTTP 500/), RETRY],
    ['500 then a good answer is retried and verifies', fault(ATTESTATIONS, 'status:500'), prov('verified', undefined, 0), RETRY],
    ['429 is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'status:429'), FETCH(/HTTP 429/)],
    ['a connection reset is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'reset'), FETCH(/cannot reach/)],
    ['no answer within the timeout is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'timeout'), FETCH(/timed out after 500 ms/), HANG],
    ['a body that stalls halfway is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'stall'), FETCH(/timed out after 500 ms/), HANG],
    ['a connection closed halfway through the body is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'cut'), FETCH(/end of file before message length reached/)],
    ['truncated JSON is EATTESTATIONVERIFY (exit 1)', fault(ATTESTATIONS, 'truncated'), VERIFY(NOT_JSON)],
    ['the first half of the document is EATTESTATIONVERIFY (exit 1)', fault(ATTESTATIONS, 'half'), VERIFY(NOT_JSON)],
    ['a truncated gzip encoding is EATTESTATIONFETCH (exit 3)', fault(ATTESTATIONS, 'gzip-truncated'), FETCH(/could not be fetched: cannot reach .*unexpected end of file/)],
    ['garbage bytes are EATTESTATIONVERIFY (exit 1)', fault(ATTESTATIONS, 'garbage'), VERIFY(NOT_JSON)],
    ['an empty body is EATTESTATIONVERIFY (exit 1)', fault(ATTESTATIONS, 'empty'), VERIFY(NOT_JSON)],
    ['a captive portal\'s HTML page is EATTESTATIONVERIFY (exit 1)', fault(ATTESTATIONS, 'html'), VERIFY(NOT_JSON)],
    ['the right document under a wrong Content-Type verifies', fault(ATTESTATIONS, 'type:text/html'), prov('verified', undefined, 0)],
    ['a slow answer under the timeout verifies', fault(ATTESTATIONS, 'slow:700'), prov('verified', undefined, 0), { timeout: 3000 }],
  ])

  describe('lying attestations documents', () => {
    const edit = (change) => (r) => {
      const doc = JSON.parse(r.attestationDocs.get('prov@1.0.0'))
      change(doc)
      r.fault(ATTESTATIONS, { body: JSON.stringify(doc) })
    }
    const flip = (b64) => { const at = b64.length >> 1; return b64.slice(0, at) + (b64[at] === 'A' ? 'B' : 'A') + b64.slice(at + 1) }
    table([
      ['the document of another package is EATTESTATIONSUBJECT (exit 1)',
        (r) => r.fault(ATTESTATIONS, { body: r.attestationDocs.get('other@1.0.0') }), prov('invalid', 'EATTESTATIONSUBJECT', 1)],
      ['the document of another version is EATTESTATIONSUBJECT (exit 1)',
        (r) => r.fault(ATTESTATIONS, { body: r.attestationDocs.get('prov@1.1.0') }), prov('invalid', 'EATTESTATIONSUBJECT', 1)],
      ['a corrupted provenance bundle (DSSE signature) is EATTESTATIONVERIFY (exit 1)',
        edit((d) => { const s = d.attestations[0].bundle.dsseEnvelope.signatures[0]; s.sig = flip(s.sig) }), VERIFY()],
      ['a corrupted publish attestation bundle is EATTESTATIONVERIFY (exit 1)',
        edit((d) => { const s = d.attestations[1].bundle.dsseEnvelope.signatures[0]; s.sig = flip(s.sig) }), VERIFY()],
      // dist.attestations.provenance advertises a provenance the document does not hold: the
      // advertised evidence was not served.
      ['advertised provenance served as an empty list is EATTESTATIONFETCH (exit 3)',
        fault(ATTESTATIONS, { body: '{"attestations":[]}' }), FETCH()],
      ['advertised provenance left out of the document (publish attestation only) is EATTESTATIONFETCH (exit 3)',
        edit((d) => { d.attestations = d.attestations.slice(1) }), FETCH()],
    ])
  })
})

describe('tarball faults (the content check downloads the signed tarball)', () => {
  const beta = (status, code, exit, message) => ({ packages: ['beta@1.0.0'], status, code, exit, message })
  const UNAVAILABLE = (m) => beta('invalid', 'ETARBALLUNAVAILABLE', 3, m)
  let signed
  before(() => { signed = registry.versions.get('beta').get('1.0.0').dist.integrity })
  const NOT_SIGNED = () => new RegExp(`the tarball served by .* is not the signed one: integrity mismatch using sha512: wanted ${signed.replace(/[+/]/g, (c) => '\\' + c)}`)
  table([
    ['404 is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'status:404'), UNAVAILABLE(/answered 404/)],
    ['500 after the retries is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, ...times(3, 'status:500')), UNAVAILABLE(/HTTP 500/), RETRY],
    ['500 then a good answer is retried and verifies', fault(TARBALL, 'status:500'), beta('verified', undefined, 0), RETRY],
    ['429 is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'status:429'), UNAVAILABLE(/HTTP 429/)],
    ['a connection reset is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'reset'), UNAVAILABLE(/cannot reach/)],
    ['no answer within the timeout is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'timeout'), UNAVAILABLE(/timed out after 500 ms/), HANG],
    ['a body that stalls halfway is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'stall'), UNAVAILABLE(/timed out after 500 ms/), HANG],
    ['a connection closed halfway through the body is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'cut'), UNAVAILABLE(/end of file before message length reached/)],
    ['a truncated gzip encoding is ETARBALLUNAVAILABLE (exit 3)', fault(TARBALL, 'gzip-truncated'), UNAVAILABLE(/unexpected end of file/)],
    ['the right tarball under a wrong Content-Type verifies', fault(TARBALL, 'type:text/html'), beta('verified', undefined, 0)],
    ['a gzip-encoded answer verifies', fault(TARBALL, 'gzip'), beta('verified', undefined, 0)],
    ['a slow answer under the timeout verifies', fault(TARBALL, 'slow:700'), beta('verified', undefined, 0), { timeout: 3000 }],
  ])

  describe('tarballs that are not the signed bytes (ETARBALLMISMATCH: a lie, not an outage)', () => {
    const other = (path) => (r) => r.fault(TARBALL, { body: r.tarballs.get(path) })
    const rows = [
      ['one byte flipped (same length)', fault(TARBALL, 'flip')],
      ['a truncated tarball (first half of the gzip)', fault(TARBALL, 'half')],
      ['garbage bytes', fault(TARBALL, 'garbage')],
      ['an empty body', fault(TARBALL, 'empty')],
      ['a captive portal\'s HTML page', fault(TARBALL, 'html')],
      ['another package\'s tarball', other('/alpha/-/alpha-1.0.0.tgz')],
      ['the tarball of another version', other('/beta/-/beta-2.0.0.tgz')],
    ]
    for (const [title, arm] of rows) {
      it(`${title}: ETARBALLMISMATCH, not the signed integrity (exit 1)`, async () => {
        await check(arm, beta('invalid', 'ETARBALLMISMATCH', 1, NOT_SIGNED()))
      })
    }
  })
})

describe('several faults in one run', () => {
  it('a real failure beside operational ones exits 1', async () => {
    const { report, cli: run } = await verifyBoth(() => {
      registry.fault('beta', 'status:404')
      registry.fault('@acme/scoped', 'reset')
    })
    const codes = Object.fromEntries(report.packages.filter((p) => p.source === 'registry').map((p) => [id(p), p.code || p.status]))
    assert.deepEqual(codes, { '@acme/scoped@1.0.0': 'EREGISTRYUNREACHABLE', 'alpha@1.0.0': 'verified', 'beta@1.0.0': 'ENOPACKUMENT', 'prov@1.0.0': 'verified' })
    assert.deepEqual([report.exitCode, run.status], [1, 1])
  })

  it('operational failures of every kind together exit 3', async () => {
    const { report, cli: run } = await verifyBoth(() => {
      registry.fault('beta', 'reset')
      registry.fault(ATTESTATIONS, 'status:404')
      registry.fault('/alpha/-/alpha-1.0.0.tgz', 'status:503')
      registry.fault('/@acme/scoped/-/scoped-1.0.0.tgz', 'timeout')
    }, { timeout: 500 })
    const codes = Object.fromEntries(report.packages.filter((p) => p.source === 'registry').map((p) => [id(p), p.code || p.status]))
    assert.deepEqual(codes, { '@acme/scoped@1.0.0': 'ETARBALLUNAVAILABLE', 'alpha@1.0.0': 'ETARBALLUNAVAILABLE', 'beta@1.0.0': 'EREGISTRYUNREACHABLE', 'prov@1.0.0': 'EATTESTATIONFETCH' })
    assert.deepEqual([report.exitCode, run.status], [3, 3])
    assert.deepEqual(run.doc.invalid.map((p) => `${id(p)} ${p.code}`).sort(),
      ['@acme/scoped@1.0.0 ETARBALLUNAVAILABLE', 'alpha@1.0.0 ETARBALLUNAVAILABLE', 'beta@1.0.0 EREGISTRYUNREACHABLE', 'prov@1.0.0 EATTESTATIONFETCH'])
  })
})
