'use strict'
// TLS to the registry as npm has it: the default authorities plus the ones Node reads from
// NODE_EXTRA_CA_CERTS (a company proxy's or a private registry's CA), or exactly npm's `cafile`
// when one is set. A real HTTPS registry on loopback whose certificate comes from a CA made here
// with openssl; the project is installed by the real npm through that same trust.
const assert = require('node:assert/strict')
const { execFileSync, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli } = require('./helpers/project')

let registry, url, project, dir, ours, other

/** A CA and a certificate for 127.0.0.1 it signed (P-256, two days), written in `dir`. */
function makeCertificates (name) {
  const run = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '2', '-subj', `/CN=${name} test CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1'])
  fs.writeFileSync(path.join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n')
  run(['x509', '-req', '-in', `${name}.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca.key`,
    '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`])
  const read = (file) => fs.readFileSync(path.join(dir, file))
  return { ca: path.join(dir, `${name}-ca.pem`), key: read(`${name}.key`), cert: read(`${name}.pem`) }
}

before(async () => {
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('openssl is not on PATH: the TLS tests make their certificates with it (Debian/Ubuntu: `sudo apt-get install openssl`)')
  }
  dir = tempDir('tls')
  // Only this file's trust settings: a machine's global or user npmrc may set a `cafile`
  // (which replaces the extra authorities, in npm and here alike). Children inherit these.
  for (const which of ['global', 'user']) {
    const rc = path.join(dir, `${which}.npmrc`)
    fs.writeFileSync(rc, '')
    process.env[`npm_config_${which}config`] = rc
  }
  ours = makeCertificates('registry')
  other = makeCertificates('other')
  registry = new TestRegistry()
  registry.addPackage({ name: 'one', version: '1.0.0' })
  url = await registry.start({ tls: { key: ours.key, cert: ours.cert } })
  project = writeProject(tempDir('tls-project'), { name: 'p', version: '1.0.0', dependencies: { one: '1.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('npmcache'), env: { NODE_EXTRA_CA_CERTS: ours.ca } })
})

after(async () => {
  if (registry) await registry.close()
})

/** `verify --json` of the project with `env`, and `.npmrc` lines when given. */
async function verify (env, npmrc) {
  const cwd = npmrc ? writeProject(tempDir('tls-npmrc'), { name: 'p', version: '1.0.0' }) : project
  if (npmrc) fs.cpSync(project, cwd, { recursive: true, verbatimSymlinks: true })
  if (npmrc) fs.writeFileSync(path.join(cwd, '.npmrc'), npmrc)
  const r = await cli(['verify', cwd, '--registry', url, '--json', '--cache', tempDir('tls-cache')], { env })
  return { status: r.status, doc: JSON.parse(r.stdout), stderr: r.stderr }
}

const verifiedNames = (doc) => doc.verified.map((p) => p.name)

/** The run could not trust the registry: nothing verified, the keys unavailable over TLS. */
function assertUntrusted ({ status, doc }) {
  assert.equal(status, 3, 'an operational failure: the evidence could not be obtained')
  assert.deepEqual(verifiedNames(doc), [])
  const [one] = doc.invalid
  assert.equal(one.code, 'EKEYSUNAVAILABLE')
  assert.match(one.checks.registrySignature.message, /invalid peer certificate: UnknownIssuer/)
}

describe('TLS trust, as npm has it', () => {
  it('trusts the authorities NODE_EXTRA_CA_CERTS names, as npm did for the install', async () => {
    const { status, doc } = await verify({ NODE_EXTRA_CA_CERTS: ours.ca })
    assert.equal(status, 0, JSON.stringify(doc.warnings))
    assert.deepEqual(verifiedNames(doc), ['one'])
    assert.deepEqual(doc.warnings ?? [], [])
  })

  it('without them the registry\'s certificate is not trusted: nothing is verified, the run fails', async () => {
    assertUntrusted(await verify({ NODE_EXTRA_CA_CERTS: '' }))
  })

  it('an npm cafile replaces the default and the extra authorities, as in npm', async () => {
    assertUntrusted(await verify({ NODE_EXTRA_CA_CERTS: ours.ca }, `cafile=${other.ca}\n`))
    const exact = await verify({ NODE_EXTRA_CA_CERTS: '' }, `cafile=${ours.ca}\n`)
    assert.equal(exact.status, 0, JSON.stringify(exact.doc.warnings))
    assert.deepEqual(verifiedNames(exact.doc), ['one'])
  })

  it('a NODE_EXTRA_CA_CERTS file that cannot be used is ignored with a warning, as Node ignores it', async () => {
    const empty = path.join(dir, 'empty.pem')
    fs.writeFileSync(empty, 'no certificate here\n')
    for (const file of [path.join(dir, 'missing.pem'), empty]) {
      const run = await verify({ NODE_EXTRA_CA_CERTS: file })
      assertUntrusted(run)
      const { doc } = run
      assert.equal(doc.warnings.length, 1, JSON.stringify(doc.warnings))
      assert.match(doc.warnings[0], /NODE_EXTRA_CA_CERTS names .* which was ignored/)
      assert.ok(doc.warnings[0].includes(file))
    }
  })

  it('verifyTree() trusts them too: the same verdict as the CLI', async () => {
    const before = process.env.NODE_EXTRA_CA_CERTS
    process.env.NODE_EXTRA_CA_CERTS = ours.ca
    try {
      const report = await verifyTree({ dir: project, registry: url, cache: tempDir('tls-api-cache') })
      assert.deepEqual(report.packages.filter((p) => p.status === 'verified').map((p) => p.name), ['one'])
    } finally {
      if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS
      else process.env.NODE_EXTRA_CA_CERTS = before
    }
  })
})
