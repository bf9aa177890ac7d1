'use strict'
// Verification summary attestations through the CLI: `verify --vsa FILE --vsa-key KEY` on a
// real tree installed by npm from the loopback registry, then `verify-vsa` with the public key.
// Negatives change one thing at a time: another lockfile, another policy, a changed payload,
// another key, a verification that failed.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli, copyProject, readJson, writeJson } = require('./helpers/project')

const env = { COSIGN_PASSWORD: 'vsa test password' }
let registry, url, project, keys

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'alpha', version: '1.0.0' })
  registry.addPackage({ name: 'beta', version: '2.0.0' })
  url = await registry.start()
  project = writeProject(tempDir('vsa'), { name: 'p', version: '1.0.0', dependencies: { alpha: '1.0.0', beta: '2.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('vsa-cache') })
  fs.writeFileSync(path.join(project, '.npm-sigverify.yaml'), 'version: 1\nrules:\n  - package: "*"\n    require: [registry-signature]\n')
  keys = tempDir('vsa-keys')
  for (const prefix of ['cosign', 'other']) {
    const gen = await cli(['generate-key-pair', '--output-key-prefix', path.join(keys, prefix)], { env })
    assert.equal(gen.status, 0, gen.stderr)
  }
})

after(() => registry.close())

/** `verify --vsa` of `dir`; resolves to the run and the VSA's path. */
async function writeVsa (dir) {
  const out = path.join(dir, 'vsa.json')
  const run = await cli(['verify', dir, '--registry', url, '--no-content', '--vsa', out, '--vsa-key', path.join(keys, 'cosign.key')], { env })
  return { run, out }
}

const check = (vsa, dir, ...extra) => cli(['verify-vsa', vsa, '--key', path.join(keys, 'cosign.pub'), '--lockfile', path.join(dir, 'package-lock.json'), ...extra])

describe('verification summary attestations', () => {
  it('verify --vsa writes a signed SLSA VSA that verify-vsa accepts', async () => {
    const dir = copyProject(project, 'vsa-ok')
    const { run, out } = await writeVsa(dir)
    assert.equal(run.status, 0, run.stdout + run.stderr)
    const envelope = readJson(out)
    assert.equal(envelope.payloadType, 'application/vnd.in-toto+json')
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64'))
    assert.equal(statement.predicateType, 'https://slsa.dev/verification_summary/v1')
    assert.equal(statement.predicate.verificationResult, 'PASSED')
    assert.equal(statement.subject[0].name, 'package-lock.json')
    const ok = await check(out, dir, '--policy', path.join(dir, '.npm-sigverify.yaml'), '--json')
    assert.equal(ok.status, 0, ok.stdout + ok.stderr)
    assert.equal(JSON.parse(ok.stdout).subject.name, 'package-lock.json')
  })

  it('another lockfile or another policy: EVSAMISMATCH (exit 1)', async () => {
    const dir = copyProject(project, 'vsa-mismatch')
    const { out } = await writeVsa(dir)
    const lock = path.join(dir, 'package-lock.json')
    writeJson(lock, { ...readJson(lock), name: 'renamed' })
    const other = await check(out, dir)
    assert.equal(other.status, 1)
    assert.match(other.stdout, /EVSAMISMATCH/)
    const policy = path.join(tempDir('vsa-policy'), 'policy.yaml')
    fs.writeFileSync(policy, 'version: 1\n')
    const run = await cli(['verify-vsa', out, '--key', path.join(keys, 'cosign.pub'), '--policy', policy])
    assert.equal(run.status, 1)
    assert.match(run.stdout, /EVSAMISMATCH/)
  })

  it('a changed payload or another key: EVSAINVALID (exit 1)', async () => {
    const dir = copyProject(project, 'vsa-invalid')
    const { out } = await writeVsa(dir)
    const envelope = readJson(out)
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64'))
    statement.subject[0].digest.sha256 = '0'.repeat(64)
    writeJson(out, { ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') })
    const changed = await check(out, dir)
    assert.equal(changed.status, 1)
    assert.match(changed.stdout, /EVSAINVALID/)
    const fresh = await writeVsa(copyProject(project, 'vsa-key'))
    const wrongKey = await cli(['verify-vsa', fresh.out, '--key', path.join(keys, 'other.pub')])
    assert.equal(wrongKey.status, 1)
    assert.match(wrongKey.stdout, /EVSAINVALID/)
  })

  it('a failed verification is recorded as FAILED and verify-vsa refuses it: EVSAFAILED', async () => {
    const dir = copyProject(project, 'vsa-failed')
    registry.tamper.add('beta@2.0.0')
    try {
      const { run, out } = await writeVsa(dir)
      assert.equal(run.status, 1, run.stdout)
      const statement = JSON.parse(Buffer.from(readJson(out).payload, 'base64'))
      assert.equal(statement.predicate.verificationResult, 'FAILED')
      const refused = await check(out, dir)
      assert.equal(refused.status, 1)
      assert.match(refused.stdout, /EVSAFAILED/)
    } finally {
      registry.tamper.delete('beta@2.0.0')
    }
  })

  it('a pass in a lenient environment is no pass for the policy\'s default one: EVSAMISMATCH (exit 1)', async () => {
    const dir = copyProject(project, 'vsa-env')
    const policy = path.join(dir, '.npm-sigverify.yaml')
    // Production (the default) requires provenance, which nothing here has; development warns.
    fs.writeFileSync(policy, 'version: 1\nrules:\n  - package: "*"\n    require: [registry-signature]\nenvironments:\n  default: production\n  production: { mode: enforce, require: [provenance] }\n  development: { mode: warn }\n')
    const out = path.join(dir, 'vsa.json')
    const run = await cli(['verify', dir, '--registry', url, '--no-content', '--env', 'development', '--vsa', out, '--vsa-key', path.join(keys, 'cosign.key')], { env })
    assert.equal(run.status, 0, run.stdout + run.stderr)
    const refused = await check(out, dir, '--policy', policy)
    assert.equal(refused.status, 1, refused.stdout)
    assert.match(refused.stdout, /EVSAMISMATCH/)
    assert.match(refused.stdout, /environment development/)
    const asked = await check(out, dir, '--policy', policy, '--env', 'development')
    assert.equal(asked.status, 0, asked.stdout + asked.stderr)
    const production = await check(out, dir, '--env', 'production')
    assert.equal(production.status, 1, production.stdout)
  })

  it('flags that change the policy\'s verdict are refused with --vsa (usage error, exit 2)', async () => {
    const dir = copyProject(project, 'vsa-flags')
    const out = path.join(dir, 'vsa.json')
    const elsewhere = path.join(tempDir('vsa-anchors'), 'anchor.json')
    fs.writeFileSync(elsewhere, '{}')
    // Trust anchors other than the policy's, and another baseline, change its verdict too.
    for (const flags of [['--min-release-age', '0'], ['--omit', 'dev'], ['--no-attestations'], ['--provenance-repository-match', 'false'], ['--trust', elsewhere], ['--trusted-root', elsewhere], ['--baseline', 'HEAD']]) {
      const run = await cli(['verify', dir, '--registry', url, '--no-content', ...flags, '--vsa', out, '--vsa-key', path.join(keys, 'cosign.key')], { env })
      assert.equal(run.status, 2, `${flags.join(' ')}: ${run.stdout}${run.stderr}`)
      assert.match(run.stderr, /--vsa records the verdict of the policy file/)
      assert.ok(!fs.existsSync(out), 'no VSA written')
    }
  })

  it('sign refuses a DSSE pre-authentication encoding, so a signing key cannot be made to sign a VSA', async () => {
    const dir = copyProject(project, 'vsa-pae')
    const { out } = await writeVsa(dir)
    const envelope = readJson(out)
    const payload = Buffer.from(envelope.payload, 'base64')
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(envelope.payloadType)} ${envelope.payloadType} ${payload.length} `), payload])
    const blob = path.join(dir, 'innocent-1.0.0.tgz')
    fs.writeFileSync(blob, pae)
    const run = await cli(['sign', blob, '--key', path.join(keys, 'other.key')], { env })
    assert.equal(run.status, 2, run.stdout + run.stderr)
    assert.match(run.stderr, /DSSE pre-authentication encoding/)
    assert.ok(!fs.existsSync(`${blob}.sig`), 'a signature was written')
  })

  it('a VSA dated in the future is refused (it would outlive any revocation); the same VSA dated now is accepted', async () => {
    const dir = copyProject(project, 'vsa-future')
    const { out } = await writeVsa(dir)
    const envelope = readJson(out)
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64'))
    // Re-signed with a key of the test's own (P-256, as cosign's): only the date changes.
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pub = path.join(dir, 'test-vsa.pub')
    fs.writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }))
    const signed = (timeVerified) => {
      const payload = Buffer.from(JSON.stringify({ ...statement, predicate: { ...statement.predicate, timeVerified } }))
      const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(envelope.payloadType)} ${envelope.payloadType} ${payload.length} `), payload])
      const sig = crypto.sign('sha256', pae, privateKey).toString('base64')
      const file = path.join(dir, `vsa-${timeVerified.slice(0, 4)}.json`)
      writeJson(file, { payloadType: envelope.payloadType, payload: payload.toString('base64'), signatures: [{ keyid: '', sig }] })
      return file
    }
    const verifyWith = (file) => cli(['verify-vsa', file, '--key', pub, '--lockfile', path.join(dir, 'package-lock.json')])
    const now = await verifyWith(signed(new Date().toISOString()))
    assert.equal(now.status, 0, now.stdout + now.stderr)
    const future = await verifyWith(signed('2999-01-01T00:00:00Z'))
    assert.notEqual(future.status, 0, future.stdout)
    assert.match(future.stderr + future.stdout, /in the future/)
  })

  it('--vsa needs --vsa-key (usage error, exit 2)', async () => {
    const run = await cli(['verify', project, '--vsa', path.join(tempDir('vsa-usage'), 'v.json')])
    assert.equal(run.status, 2)
  })
})
