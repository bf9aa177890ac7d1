'use strict'
// Cosign-compatible signing and verification through the npm-sigverify CLI and signPackage():
// conformance bundles, a key pair round trip, OpenSSL interop, wrong password.
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { describe, it } = require('node:test')

const { signPackage } = require('../index.js')
const { tempDir, cli } = require('./helpers/project')
const { tarball } = require('./helpers/tarball')

const CONFORMANCE = path.join(__dirname, 'fixtures', 'corpus', 'cosign', 'sigstore-conformance', 'bundle-verify')
const IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main'
const ISSUER = 'https://token.actions.githubusercontent.com'

describe('verify-bundle (sigstore-conformance protocol)', () => {
  for (const [name, expected] of [['happy-path-v0.3', 0], ['happy-path-intoto-in-dsse-v3', 0], ['signature-mismatch_fail', 1], ['invalid-inclusion-proof_fail', 1]]) {
    it(`${name} exits ${expected === 0 ? 0 : 'non-zero'}`, async () => {
      const dir = path.join(CONFORMANCE, name)
      const artifact = fs.existsSync(path.join(dir, 'artifact')) ? path.join(dir, 'artifact') : path.join(CONFORMANCE, 'a.txt')
      const run = await cli(['verify-bundle', '--bundle', path.join(dir, 'bundle.sigstore.json'), '--certificate-identity', IDENTITY, '--certificate-oidc-issuer', ISSUER, artifact])
      if (expected === 0) assert.equal(run.status, 0, run.stderr)
      else assert.notEqual(run.status, 0)
    })
  }
})

describe('internal package signing', () => {
  const env = { COSIGN_PASSWORD: 'correct horse battery staple' }

  it('generate-key-pair, signPackage() and verify-blob round trip; OpenSSL verifies our signature', async () => {
    const dir = tempDir('cosign')
    const gen = await cli(['generate-key-pair', '--output-key-prefix', path.join(dir, 'cosign')], { env })
    assert.equal(gen.status, 0, gen.stderr)
    assert.match(fs.readFileSync(path.join(dir, 'cosign.key'), 'utf8'), /ENCRYPTED SIGSTORE PRIVATE KEY/)
    const tgz = path.join(dir, 'internal-1.0.0.tgz')
    fs.writeFileSync(tgz, tarball({ 'package.json': '{"name":"@acme/internal","version":"1.0.0"}' }))
    const out = signPackage(tgz, { key: path.join(dir, 'cosign.key'), password: env.COSIGN_PASSWORD })
    assert.equal(out.signaturePath, `${tgz}.sig`)
    assert.ok(fs.existsSync(`${tgz}.sigstore.json`))
    const ok = await cli(['verify-blob', tgz, '--key', path.join(dir, 'cosign.pub'), '--signature', `${tgz}.sig`, '--insecure-ignore-tlog'])
    assert.equal(ok.status, 0, ok.stderr)
    const der = path.join(dir, 'sig.der')
    fs.writeFileSync(der, Buffer.from(fs.readFileSync(`${tgz}.sig`, 'utf8').trim(), 'base64'))
    execFileSync('openssl', ['dgst', '-sha256', '-verify', path.join(dir, 'cosign.pub'), '-signature', der, tgz])
    fs.appendFileSync(tgz, 'x')
    const bad = await cli(['verify-blob', tgz, '--key', path.join(dir, 'cosign.pub'), '--signature', `${tgz}.sig`, '--insecure-ignore-tlog'])
    assert.equal(bad.status, 1)
  })

  it('a wrong password is EWRONGPASSWORD, not an unsupported key', async () => {
    const dir = tempDir('cosign-pw')
    await cli(['generate-key-pair', '--output-key-prefix', path.join(dir, 'cosign')], { env })
    const tgz = path.join(dir, 'a.tgz')
    fs.writeFileSync(tgz, 'bytes')
    assert.throws(() => signPackage(tgz, { key: path.join(dir, 'cosign.key'), password: 'wrong' }), { code: 'EWRONGPASSWORD' })
  })

  it('an OpenSSL signature verifies with verify-blob', async () => {
    const dir = tempDir('openssl')
    const key = path.join(dir, 'key.pem')
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key])
    execFileSync('openssl', ['ec', '-in', key, '-pubout', '-out', path.join(dir, 'pub.pem')], { stdio: 'ignore' })
    const blob = path.join(dir, 'blob.tgz')
    fs.writeFileSync(blob, 'package bytes')
    const sig = execFileSync('openssl', ['dgst', '-sha256', '-sign', key, blob])
    fs.writeFileSync(path.join(dir, 'blob.sig'), sig.toString('base64'))
    const run = await cli(['verify-blob', blob, '--key', path.join(dir, 'pub.pem'), '--signature', path.join(dir, 'blob.sig'), '--insecure-ignore-tlog'])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /insecure|WARNING|tlog/i)
  })
})
