'use strict'
// End-to-end: versions published on the loopback registry with attestations made by a private
// test Sigstore (helpers/sigstore: our own CA, CT log, transparency log and trusted root) verify
// through the real verifier in the addon, and one-field changes to that evidence fail with the
// verifier's codes. Unlike provenance.test.js (real recorded bundles of one package), every
// identity, time and history here is chosen by the test.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { after, before, describe, it } = require('node:test')

const { verifyPackage } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { TestSigstore, FulcioCA } = require('./helpers/sigstore')
const merkle = require('./helpers/sigstore/merkle')
const { cli } = require('./helpers/project')

const ACTIONS = 'https://token.actions.githubusercontent.com'
const SLSA_V1 = 'https://slsa.dev/provenance/v1'
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1'

let sigstore, registry, url, savedCache

before(async () => {
  // verifyPackage() has no cache option; the environment turns the verdict cache off, so that
  // changed attestation documents are always fetched and verified again.
  savedCache = process.env.NPM_SIGVERIFY_CACHE
  process.env.NPM_SIGVERIFY_CACHE = 'off'
  sigstore = new TestSigstore()
  registry = new TestRegistry().useSigstore(sigstore)
  url = await registry.start()
})

after(() => {
  if (savedCache === undefined) delete process.env.NPM_SIGVERIFY_CACHE
  else process.env.NPM_SIGVERIFY_CACHE = savedCache
  return registry.close()
})

/** verifyPackage against the loopback registry, trusting the test Sigstore. */
function verify (spec, provenance = {}) {
  return verifyPackage(spec, { registry: url, provenance: { trustedRoot: registry.trustedRootPath(), ...provenance } })
}

/** A run of acme/<name>'s release workflow, published (and logged) at `at`. */
function release (name, version, at, provenance = {}, extra = {}) {
  const run = { repository: `acme/${name}`, repositoryId: '81234567', ownerId: '7654321', ref: `refs/tags/v${version}`, ...provenance }
  return registry.addPackage({ name, version, publishedAt: at, provenance: run, ...extra })
}

/** Changes the stored attestations document of `spec` (one field per test). */
function editDocument (spec, edit) {
  const doc = JSON.parse(registry.attestationDocs.get(spec))
  edit(doc)
  registry.attestationDocs.set(spec, JSON.stringify(doc))
}

/** Another base64 character in the middle of a base64 string: other bytes, same length. */
function flip (b64) {
  const at = Math.floor(b64.length / 2)
  return b64.slice(0, at) + (b64[at] === 'A' ? 'B' : 'A') + b64.slice(at + 1)
}

/** Asserts a failed provenance bundle: package code, bundle code and detail. */
function assertRejected (pkg, code, detail) {
  assert.equal(pkg.status, 'invalid', pkg.message)
  assert.equal(pkg.code, code, pkg.message)
  assert.equal(pkg.provenance, 'invalid')
  assert.equal(pkg.attestations.length, 2)
  const [provenance, publish] = pkg.attestations
  assert.deepEqual([provenance.kind, provenance.status, provenance.code, provenance.detail], ['provenance', 'invalid', code, detail], provenance.message)
  assert.equal(provenance.signer, undefined, 'an invalid bundle proves nothing')
  assert.deepEqual([publish.kind, publish.status], ['publish', 'verified'], 'the other bundle keeps its own verdict')
}

describe('test Sigstore: provenance that verifies', () => {
  it('verifies provenance and publish attestation; the signer is the run we described', async () => {
    release('good', '1.0.0', '2024-03-01T10:00:00.000Z', { owner: 'acme', workflow: '.github/workflows/release.yml', integratedTime: '2024-03-01T09:59:58Z' })
    const before = registry.stats.attestations || 0
    const pkg = await verify('good@1.0.0')
    assert.equal(pkg.status, 'verified', pkg.message)
    assert.equal(pkg.provenance, 'verified')
    assert.equal(registry.stats.attestations, before + 1, 'one attestations request')
    assert.deepEqual(pkg.attestations.map((a) => [a.kind, a.predicateType, a.status]), [['provenance', SLSA_V1, 'verified'], ['publish', PUBLISH, 'verified']])
    const { signer, logIndex } = pkg.attestations[0]
    assert.deepEqual(signer, {
      issuer: ACTIONS,
      san: 'https://github.com/acme/good/.github/workflows/release.yml@refs/tags/v1.0.0',
      sourceRepository: 'https://github.com/acme/good',
      sourceRepositoryId: '81234567',
      sourceRepositoryOwner: 'https://github.com/acme',
      sourceRepositoryOwnerId: '7654321',
      sourceRepositoryRef: 'refs/tags/v1.0.0',
      integratedTime: '2024-03-01T09:59:58+00:00',
      commit: crypto.createHash('sha1').update('acme/good@refs/tags/v1.0.0').digest('hex'),
      workflowPath: '.github/workflows/release.yml',
      workflowRef: 'refs/tags/v1.0.0',
      buildTrigger: 'push',
      runnerEnvironment: 'github-hosted',
      builderId: 'https://github.com/actions/runner/github-hosted',
    })
    assert.equal(logIndex, 5, 'after the 5 seed entries of the log')
    assert.equal(pkg.attestations[1].keyid, registry.key.keyid, 'the publish attestation is signed by the registry key')
    assert.equal(pkg.attestations[1].logIndex, 6)
  })

  it('the CLI reports the owner id and the chosen integrated time', async () => {
    const run = await cli(['verify-package', 'good@1.0.0', '--registry', url, '--cache', 'off', '--trusted-root', registry.trustedRootPath(), '--json'])
    assert.equal(run.status, 0, run.stderr)
    const signer = JSON.parse(run.stdout).attestations[0].signer
    assert.equal(signer.integratedTime, '2024-03-01T09:59:58Z')
    assert.equal(signer.sourceRepositoryOwnerId, '7654321')
    assert.equal(signer.sourceRepositoryOwnerUri, 'https://github.com/acme')
    assert.equal(signer.sourceRepositoryId, '81234567')
    assert.equal(signer.buildConfigUri, 'https://github.com/acme/good/.github/workflows/release.yml@refs/tags/v1.0.0')
    assert.equal(signer.sourceRepositoryVisibility, 'public')
  })

  it('scoped names, intoto 0.0.2 entries and v0.2 bundles verify too', async () => {
    release('@acme/scoped', '1.0.0', '2023-06-01T00:00:00.000Z', { repository: 'acme/scoped', kind: 'intoto', bundleVersion: '0.2' }, { publishAttestation: { kind: 'intoto', bundleVersion: '0.2' } })
    const doc = JSON.parse(registry.attestationDocs.get('@acme/scoped@1.0.0'))
    assert.deepEqual(doc.attestations.map((a) => a.bundle.verificationMaterial.tlogEntries[0].kindVersion.kind), ['intoto', 'intoto'])
    const pkg = await verify('@acme/scoped@1.0.0')
    assert.equal(pkg.status, 'verified', pkg.message)
    assert.equal(pkg.attestations[0].signer.sourceRepository, 'https://github.com/acme/scoped')
  })

  it('another workflow path and another issuer are reported as signed (npm applies no identity policy)', async () => {
    release('other', '1.0.0', '2024-04-01T00:00:00.000Z', { workflow: '.github/workflows/publish-npm.yaml', issuer: 'https://oidc.ci.example' })
    const pkg = await verify('other@1.0.0')
    assert.equal(pkg.status, 'verified', pkg.message)
    assert.equal(pkg.attestations[0].signer.workflowPath, '.github/workflows/publish-npm.yaml')
    assert.equal(pkg.attestations[0].signer.issuer, 'https://oidc.ci.example')
    const pinned = await verify('other@1.0.0', { allowedIssuers: [ACTIONS] })
    assert.equal(pinned.status, 'invalid')
    assert.equal(pinned.code, 'EPROVENANCEISSUER', pinned.message)
    assert.equal(pinned.provenance, 'verified', 'the bundle verified; the policy rejected it')
  })

  it('the same evidence fails against the public-good root (the trust root matters)', async () => {
    const pkg = await verifyPackage('good@1.0.0', { registry: url })
    assert.equal(pkg.code, 'EATTESTATIONVERIFY')
    // Both bundles were logged by the test log, which the public-good root does not know.
    assert.deepEqual(pkg.attestations.map((a) => [a.status, a.detail]), [['invalid', 'ETLOGPROMISE'], ['invalid', 'ETLOGCHECKPOINT']])
  })

  it('serves trusted-publisher and token-publish metadata as npm does', async () => {
    registry.addPackage({ name: 'meta', version: '1.0.0', trustedPublisher: true, provenance: { repository: 'acme/meta' } })
    registry.addPackage({ name: 'meta', version: '1.0.1', npmUser: { name: 'alice', email: 'alice@example.com' } })
    const packument = await (await fetch(`${url}meta`)).json()
    assert.equal(packument.versions['1.0.0']._npmUser.trustedPublisher.id, 'github')
    assert.match(packument.versions['1.0.0']._npmUser.trustedPublisher.oidcConfigId, /^oidc:[0-9a-f-]{36}$/)
    assert.deepEqual(packument.versions['1.0.0'].dist.attestations, { url: `${url}-/npm/v1/attestations/meta@1.0.0`, provenance: { predicateType: SLSA_V1 } })
    assert.deepEqual(packument.versions['1.0.1']._npmUser, { name: 'alice', email: 'alice@example.com' })
    assert.equal(packument.versions['1.0.1'].dist.attestations, undefined)
    assert.equal(packument.time['1.0.0'], '2024-05-01T00:00:00.000Z')
  })
})

describe('test Sigstore: one field changed', () => {
  it('a signed subject digest that is not the tarball is EATTESTATIONSUBJECT', async () => {
    const wrong = (s) => { s.subject[0].digest.sha512 = crypto.createHash('sha512').update('other').digest('hex') }
    release('subject', '1.0.0', '2024-03-02T00:00:00.000Z', { editStatement: wrong })
    assertRejected(await verify('subject@1.0.0'), 'EATTESTATIONSUBJECT', 'ESUBJECTDIGEST')
  })

  it('a tampered DSSE signature is EATTESTATIONVERIFY (ESIGNATURE)', async () => {
    release('dssesig', '1.0.0', '2024-03-03T00:00:00.000Z')
    editDocument('dssesig@1.0.0', (d) => { const s = d.attestations[0].bundle.dsseEnvelope.signatures[0]; s.sig = flip(s.sig) })
    assertRejected(await verify('dssesig@1.0.0'), 'EATTESTATIONVERIFY', 'ESIGNATURE')
  })

  it('a bad signed entry timestamp is EATTESTATIONVERIFY (ETLOGPROMISE)', async () => {
    release('badset', '1.0.0', '2024-03-04T00:00:00.000Z')
    editDocument('badset@1.0.0', (d) => { const p = d.attestations[0].bundle.verificationMaterial.tlogEntries[0].inclusionPromise; p.signedEntryTimestamp = flip(p.signedEntryTimestamp) })
    assertRejected(await verify('badset@1.0.0'), 'EATTESTATIONVERIFY', 'ETLOGPROMISE')
  })

  it('a backdated integrated time (not what the log signed) is EATTESTATIONVERIFY (ETLOGPROMISE)', async () => {
    release('backdated', '1.0.0', '2024-03-04T12:00:00.000Z')
    editDocument('backdated@1.0.0', (d) => { d.attestations[0].bundle.verificationMaterial.tlogEntries[0].integratedTime = String(Date.parse('2024-03-04T11:59:00Z') / 1000) })
    assertRejected(await verify('backdated@1.0.0'), 'EATTESTATIONVERIFY', 'ETLOGPROMISE')
  })

  it('a bad inclusion proof is EATTESTATIONVERIFY (ETLOGINCLUSION)', async () => {
    release('badproof', '1.0.0', '2024-03-05T00:00:00.000Z')
    editDocument('badproof@1.0.0', (d) => { d.attestations[0].bundle.verificationMaterial.tlogEntries[0].inclusionProof.hashes[0] = crypto.randomBytes(32).toString('base64') })
    assertRejected(await verify('badproof@1.0.0'), 'EATTESTATIONVERIFY', 'ETLOGINCLUSION')
  })

  it('a checkpoint not signed by the log is EATTESTATIONVERIFY (ETLOGCHECKPOINT)', async () => {
    release('badcheckpoint', '1.0.0', '2024-03-05T12:00:00.000Z')
    editDocument('badcheckpoint@1.0.0', (d) => {
      const checkpoint = d.attestations[0].bundle.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint
      const [note, signature] = checkpoint.envelope.split('\n\n')
      const [dash, name, sig] = signature.trim().split(' ')
      checkpoint.envelope = `${note}\n\n${dash} ${name} ${flip(sig)}\n`
    })
    assertRejected(await verify('badcheckpoint@1.0.0'), 'EATTESTATIONVERIFY', 'ETLOGCHECKPOINT')
  })

  it('a certificate from another CA is EATTESTATIONVERIFY (ECERTCHAIN)', async () => {
    release('otherca', '1.0.0', '2024-03-06T00:00:00.000Z', { ca: new FulcioCA() })
    assertRejected(await verify('otherca@1.0.0'), 'EATTESTATIONVERIFY', 'ECERTCHAIN')
  })

  it('an integrated time outside the certificate validity is EATTESTATIONVERIFY (ECERTCHAIN)', async () => {
    const later = new Date('2024-03-07T01:00:00Z') // the certificate starts an hour after the log time
    release('outside', '1.0.0', '2024-03-07T00:00:00.000Z', { notBefore: later })
    assertRejected(await verify('outside@1.0.0'), 'EATTESTATIONVERIFY', 'ECERTCHAIN')
  })

  it('a certificate without an SCT is EATTESTATIONVERIFY (ESCT)', async () => {
    release('nosct', '1.0.0', '2024-03-08T00:00:00.000Z', { sct: false })
    assertRejected(await verify('nosct@1.0.0'), 'EATTESTATIONVERIFY', 'ESCT')
  })
})

describe('test Sigstore: the registry key', () => {
  it('a publish attestation by a key the registry does not list is EMISSINGSIGNATUREKEY', async () => {
    release('unlisted', '1.0.0', '2024-03-10T00:00:00.000Z', {}, { publishAttestation: { key: registry.otherKey } })
    const pkg = await verify('unlisted@1.0.0')
    assert.equal(pkg.status, 'invalid')
    assert.equal(pkg.code, 'EMISSINGSIGNATUREKEY', pkg.message)
    assert.deepEqual(pkg.attestations.map((a) => [a.kind, a.status, a.code]), [['provenance', 'verified', undefined], ['publish', 'invalid', 'EMISSINGSIGNATUREKEY']])
  })
})

describe('test Sigstore: identity and history', () => {
  it('provenance from a fork, not the package.json repository, is EPROVENANCEREPOSITORY', async () => {
    const repository = { type: 'git', url: 'git+https://github.com/acme/forked.git' }
    registry.addPackage({ name: 'forked', version: '1.0.0', repository, publishedAt: '2024-03-09T00:00:00.000Z', provenance: { repository: 'mallory/forked', ref: 'refs/tags/v1.0.0' } })
    const pkg = await verify('forked@1.0.0')
    assert.equal(pkg.status, 'invalid')
    assert.equal(pkg.code, 'EPROVENANCEREPOSITORY', pkg.message)
    assert.equal(pkg.provenance, 'verified', 'the bundle itself is valid')
    assert.equal(pkg.attestations[0].signer.sourceRepository, 'https://github.com/mallory/forked')
    const off = await verify('forked@1.0.0', { repositoryMatch: false })
    assert.equal(off.status, 'verified', off.message)
  })

  it('a token publish after provenance on the same major is EPROVENANCEDOWNGRADE, not on the next major', async () => {
    release('line', '1.0.0', '2024-01-01T00:00:00.000Z')
    release('line', '1.1.0', '2024-02-01T00:00:00.000Z')
    const token = { repository: { type: 'git', url: 'git+https://github.com/acme/line.git' }, npmUser: { name: 'acme-bot', email: 'bot@example.com' } }
    registry.addPackage({ name: 'line', version: '1.1.1', publishedAt: '2024-03-01T00:00:00.000Z', ...token })
    registry.addPackage({ name: 'line', version: '2.0.0', publishedAt: '2024-03-02T00:00:00.000Z', ...token })
    assert.equal((await verify('line@1.1.0')).status, 'verified')
    const down = await verify('line@1.1.1')
    assert.equal(down.status, 'invalid')
    assert.equal(down.code, 'EPROVENANCEDOWNGRADE', down.message)
    assert.equal(down.provenance, 'absent')
    assert.match(down.message, /but 1\.1\.0 \(same release line 1/)
    const major = await verify('line@2.0.0')
    assert.equal(major.status, 'verified', major.message)
    assert.equal(major.provenance, 'absent')
  })
})

describe('test Sigstore helpers', () => {
  it('inclusion proofs recompute the tree root for every leaf of trees of 1 to 20 leaves', () => {
    const leaves = Array.from({ length: 20 }, (_, i) => merkle.leafHash(Buffer.from(`leaf ${i}`)))
    let checked = 0
    for (let size = 1; size <= 20; size++) {
      const tree = leaves.slice(0, size)
      for (let i = 0; i < size; i++) {
        assert.deepEqual(merkle.rootFromPath(i, size, tree[i], merkle.inclusionPath(i, tree)), merkle.root(tree), `leaf ${i} of ${size}`)
        checked++
      }
    }
    assert.equal(checked, 210)
  })

  it('the trusted root names the log keys by the SHA-256 of their SPKI', () => {
    const root = sigstore.trustedRoot()
    assert.equal(root.mediaType, 'application/vnd.dev.sigstore.trustedroot+json;version=0.1')
    for (const log of [...root.tlogs, ...root.ctlogs]) {
      const spki = Buffer.from(log.publicKey.rawBytes, 'base64')
      assert.equal(log.logId.keyId, crypto.createHash('sha256').update(spki).digest('base64'))
    }
    assert.equal(root.certificateAuthorities[0].certChain.certificates.length, 2)
  })
})
