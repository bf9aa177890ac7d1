'use strict'
// Internal (cosign) signatures found by verifyTree / verifyPackage: sidecars next to `file:`
// tarballs, the offline store, and internal keyids in a private registry's dist.signatures;
// trust-file keys, revocation, and k-of-n approvals through a policy. Real npm installs, real
// keys made by `generate-key-pair`, a loopback registry.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree, verifyPackage, signPackage, fetchStore } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli, copyProject } = require('./helpers/project')
const { tarball } = require('./helpers/tarball')

const PASSWORD = 'correct horse battery staple'
const env = { COSIGN_PASSWORD: PASSWORD }

/** A cosign key pair (alice.key / alice.pub) in `dir`. */
async function keyPair (dir, name) {
  const prefix = path.join(dir, name)
  const r = await cli(['generate-key-pair', '--output-key-prefix', prefix], { env })
  assert.equal(r.status, 0, r.stderr)
  return { key: `${prefix}.key`, pub: `${prefix}.pub` }
}

async function trustKey (trust, pub, owner) {
  const r = await cli(['keys', 'add', '--trust', trust, '--key', pub, '--owner', owner])
  assert.equal(r.status, 0, r.stderr)
  const listed = JSON.parse((await cli(['keys', 'list', '--trust', trust, '--json'])).stdout)
  return listed.find((k) => k.owner === owner).fingerprint
}

/** npm's keyid form of a key: SHA256:<base64 of sha256(SPKI DER)>, unpadded. */
function keyid (publicKey) {
  const der = publicKey.export({ type: 'spki', format: 'der' })
  return 'SHA256:' + crypto.createHash('sha256').update(der).digest('base64').replace(/=+$/, '')
}

describe('internal signatures next to file: tarballs', () => {
  let keys, base, trust, aliceFp, bobFp, registry, url

  before(async () => {
    keys = tempDir('internal-keys')
    const alice = await keyPair(keys, 'alice')
    const bob = await keyPair(keys, 'bob')
    const carol = await keyPair(keys, 'carol') // never trusted
    keys = { dir: keys, alice, bob, carol }
    trust = path.join(keys.dir, 'trust.json')
    aliceFp = await trustKey(trust, alice.pub, 'alice@acme.example')
    bobFp = await trustKey(trust, bob.pub, 'bob@acme.example')
    registry = new TestRegistry()
    url = await registry.start()
    base = writeProject(tempDir('internal-base'), { name: 'app', version: '1.0.0', dependencies: { 'internal-lib': 'file:pkgs/internal-lib-1.0.0.tgz' } }, {
      'pkgs/internal-lib-1.0.0.tgz': tarball({ 'package.json': '{"name":"internal-lib","version":"1.0.0"}', 'index.js': 'module.exports = 1\n' })
    })
    await npm(['install'], { cwd: base, registry: url, cache: tempDir('internal-cache') })
  })

  after(() => registry.close())

  const tgzOf = (project) => path.join(project, 'pkgs', 'internal-lib-1.0.0.tgz')
  const lib = (report) => report.packages.find((p) => p.name === 'internal-lib')

  it('without a signature the tarball stays skipped; signed by a trusted key it is verified', async () => {
    const project = copyProject(base, 'internal-ok')
    const unsigned = lib(await verifyTree({ dir: project, registry: url, trustFile: trust }))
    assert.equal(unsigned.status, 'skipped')
    assert.equal(unsigned.code, 'ENOTREGISTRY')
    signPackage(tgzOf(project), { key: keys.alice.key, password: PASSWORD })
    const signed = lib(await verifyTree({ dir: project, registry: url, trustFile: trust }))
    assert.equal(signed.status, 'verified', signed.message)
    assert.equal(signed.source, 'local-tarball')
    // Both sidecars (.sig and .sigstore.json) verify with alice's key, checked at run time.
    assert.deepEqual(signed.internalSignatures.map((s) => [path.basename(s.location), s.valid, s.fingerprint, s.owner, s.timestamped]), [
      ['internal-lib-1.0.0.tgz.sig', true, aliceFp, 'alice@acme.example', false],
      ['internal-lib-1.0.0.tgz.sigstore.json', true, aliceFp, 'alice@acme.example', false]
    ])
    assert.equal(signed.checks.contents.state, 'passed')
    // Without a trust file the signatures are not looked at.
    const untrusted = lib(await verifyTree({ dir: project, registry: url }))
    assert.equal(untrusted.status, 'skipped')
    assert.deepEqual(untrusted.internalSignatures, [])
  })

  it('a signature by a key outside the trust file fails closed (EINTERNALSIGNATURE), CLI exit 1', async () => {
    const project = copyProject(base, 'internal-carol')
    signPackage(tgzOf(project), { key: keys.carol.key, password: PASSWORD })
    const r = lib(await verifyTree({ dir: project, registry: url, trustFile: trust }))
    assert.equal(r.status, 'invalid')
    assert.equal(r.code, 'EINTERNALSIGNATURE')
    assert.match(r.message, /internal-lib@1\.0\.0: none of its 2 internal signature/)
    assert.equal(r.internalSignatures.length, 2)
    assert.ok(r.internalSignatures.every((s) => !s.valid && s.code === 'EKEYNOTTRUSTED'))
    const run = await cli(['verify', project, '--registry', url, '--trust', trust, '--json'])
    assert.equal(run.status, 1, run.stderr)
    assert.equal(JSON.parse(run.stdout).invalid[0].code, 'EINTERNALSIGNATURE')
  })

  it('a revoked key no longer counts (EKEYREVOKED)', async () => {
    const project = copyProject(base, 'internal-revoked')
    signPackage(tgzOf(project), { key: keys.alice.key, password: PASSWORD })
    const revokedTrust = path.join(tempDir('internal-trust'), 'trust.json')
    fs.copyFileSync(trust, revokedTrust)
    const rv = await cli(['keys', 'revoke', '--trust', revokedTrust, '--fingerprint', aliceFp.slice(0, 16), '--reason', 'laptop stolen'])
    assert.equal(rv.status, 0, rv.stderr)
    const r = lib(await verifyTree({ dir: project, registry: url, trustFile: revokedTrust }))
    assert.equal(r.status, 'invalid')
    assert.deepEqual([...new Set(r.internalSignatures.map((s) => s.code))], ['EKEYREVOKED'])
  })

  it('a tarball changed after signing fails, naming the file', async () => {
    const project = copyProject(base, 'internal-tampered')
    signPackage(tgzOf(project), { key: keys.alice.key, password: PASSWORD })
    fs.appendFileSync(tgzOf(project), Buffer.alloc(512))
    const r = lib(await verifyTree({ dir: project, registry: url, trustFile: trust }))
    assert.equal(r.status, 'invalid')
    assert.equal(r.internalSignatures.length, 2)
    assert.ok(r.internalSignatures.every((s) => !s.valid), JSON.stringify(r.internalSignatures))
  })

  it('k-of-n approvals: one approver fails the policy (EAPPROVALTHRESHOLD), two pass', async () => {
    const project = copyProject(base, 'internal-approvals')
    const policy = path.join(project, '.npm-sigverify.yaml')
    fs.writeFileSync(policy, [
      'trust:',
      `  internalKeys: ${JSON.stringify(trust)}`,
      '  keys:',
      `    alice: ${aliceFp}`,
      `    bob: ${bobFp}`,
      'rules:',
      '  - package: internal-lib',
      '    require: [internal-signature]',
      '    approvals: { threshold: 2, keys: [alice, bob] }',
      ''
    ].join('\n'))
    signPackage(tgzOf(project), { key: keys.alice.key, password: PASSWORD, label: 'alice' })
    const one = await cli(['verify', project, '--registry', url, '--json'])
    assert.equal(one.status, 1, one.stdout + one.stderr)
    const entry = JSON.parse(one.stdout).verified.find((p) => p.name === 'internal-lib')
    assert.equal(entry.decision.outcome, 'fail')
    assert.ok(entry.decision.checks.some((c) => c.check === 'approvals' && c.code === 'EAPPROVALTHRESHOLD'))
    const second = signPackage(tgzOf(project), { key: keys.bob.key, password: PASSWORD, label: 'bob' })
    assert.match(second.signaturePath, /internal-lib-1\.0\.0\.tgz\.bob\.sig$/)
    const two = await cli(['verify', project, '--registry', url, '--json'])
    assert.equal(two.status, 0, two.stdout + two.stderr)
    const approved = JSON.parse(two.stdout).verified.find((p) => p.name === 'internal-lib')
    assert.equal(approved.decision.outcome, 'pass')
  })
})

describe('internal keyids in a private registry and the offline store', () => {
  let registry, url, trust, signer, project, npmCache, savedCache

  before(async () => {
    const dir = tempDir('internal-registry')
    signer = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pub = path.join(dir, 'release.pub')
    fs.writeFileSync(pub, signer.publicKey.export({ type: 'spki', format: 'pem' }))
    trust = path.join(dir, 'trust.json')
    await trustKey(trust, pub, 'release@acme.example')
    registry = new TestRegistry()
    registry.keysDocument = null // a private registry that publishes no keys of its own
    const integrity = registry.addPackage({ name: '@acme/lib', version: '1.0.0' })
    registry.addPackage({ name: '@acme/other', version: '1.0.0' })
    const sig = crypto.sign('sha256', Buffer.from(`@acme/lib@1.0.0:${integrity}`), signer.privateKey).toString('base64')
    registry.extraSignatures.set('@acme/lib@1.0.0', [{ keyid: keyid(signer.publicKey), sig }])
    url = await registry.start()
    npmCache = tempDir('internal-npm-cache')
    project = writeProject(tempDir('internal-registry-project'), { name: 'app', version: '1.0.0', dependencies: { '@acme/lib': '1.0.0', '@acme/other': '1.0.0' } }, { '.npmrc': `cache=${npmCache}\n` })
    await npm(['install'], { cwd: project, registry: url, cache: npmCache })
    // `npm test` exports npm_config_cache (the user's cache), which wins over the project's
    // .npmrc: point it at the cache this project was installed with.
    savedCache = process.env.npm_config_cache
    process.env.npm_config_cache = npmCache
  })

  after(() => {
    if (savedCache === undefined) delete process.env.npm_config_cache
    else process.env.npm_config_cache = savedCache
    return registry.close()
  })

  it('a dist.signatures entry by a trusted internal key verifies a package the registry does not sign', async () => {
    const report = await verifyTree({ dir: project, registry: url, trustFile: trust })
    const lib = report.packages.find((p) => p.name === '@acme/lib')
    assert.equal(lib.status, 'verified', lib.message)
    assert.deepEqual(lib.internalSignatures.map((s) => [s.source, s.valid, s.owner]), [['registry', true, 'release@acme.example']])
    const other = report.packages.find((p) => p.name === '@acme/other')
    assert.equal(other.status, 'skipped')
    assert.equal(other.code, 'ENOREGISTRYKEYS')
  })

  it('an internal signature over another integrity is invalid (verifyPackage)', async () => {
    const id = '@acme/lib@1.0.0'
    const saved = registry.extraSignatures.get(id)
    const bad = crypto.sign('sha256', Buffer.from(`${id}:sha512-other`), signer.privateKey).toString('base64')
    registry.extraSignatures.set(id, [{ keyid: saved[0].keyid, sig: bad }])
    try {
      const r = await verifyPackage(id, { registry: url, trustFile: trust })
      assert.equal(r.status, 'invalid')
      assert.equal(r.code, 'EINTERNALSIGNATURE')
      assert.equal(r.internalSignatures[0].valid, false)
    } finally {
      registry.extraSignatures.set(id, saved)
    }
  })

  it('signature files in the offline store are checked over the tarball from npm\'s cache', async () => {
    const store = tempDir('internal-store')
    await fetchStore({ dir: project, registry: url, out: store })
    const dir = path.join(store, `127.0.0.1:${new URL(url).port}`, '-', 'npm-sigverify', 'internal', '@acme')
    fs.mkdirSync(dir, { recursive: true })
    const tgz = registry.tarballs.get('/@acme/other/-/other-1.0.0.tgz')
    fs.writeFileSync(path.join(dir, 'other@1.0.0.sig'), crypto.sign('sha256', tgz, signer.privateKey).toString('base64'))
    const report = await verifyTree({ dir: project, registry: url, offline: store, trustFile: trust })
    const other = report.packages.find((p) => p.name === '@acme/other')
    assert.equal(other.status, 'verified', other.message)
    assert.deepEqual(other.internalSignatures.map((s) => [s.source, s.valid]), [['store', true]])
    // The same file over other bytes: invalid.
    fs.writeFileSync(path.join(dir, 'other@1.0.0.sig'), crypto.sign('sha256', Buffer.from('other bytes'), signer.privateKey).toString('base64'))
    const bad = (await verifyTree({ dir: project, registry: url, offline: store, trustFile: trust })).packages.find((p) => p.name === '@acme/other')
    assert.equal(bad.status, 'invalid')
    assert.equal(bad.code, 'EINTERNALSIGNATURE')
  })
})
