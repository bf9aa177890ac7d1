'use strict'
// Attacker cases against the trust decisions (a third red-team round): signatures counted for
// the package their bytes name, exceptions that excuse only what they name, the lockfile the
// installer reads, the project a run verifies, the project's own workspaces, and the incident
// signals against a mirror that edits the unsigned version list. Each case changes one thing
// against a control that passes (or fails) first. Real npm installs, a loopback registry.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { describe, it } = require('node:test')

const { verifyTree, fetchStore } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { TestSigstore } = require('./helpers/sigstore')
const { tempDir, writeProject, npm, cli } = require('./helpers/project')
const { tarball } = require('./helpers/tarball')

/** Every package entry of a `--json` report. */
function entries (report) {
  return [...(report.verified || []), ...(report.invalid || []), ...(report.missing || []), ...(report.skipped || [])]
}

/** `verify --json` of `dir`, parsed, with the exit code. */
async function verifyJson (dir, args, env = {}) {
  const r = await cli(['verify', dir, '--json', ...args], { env })
  assert.ok(r.stdout.trim().startsWith('{'), `no JSON report (exit ${r.status}):\n${r.stderr}`)
  return { status: r.status, report: JSON.parse(r.stdout), stderr: r.stderr }
}

describe('internal signatures count for the package their bytes name', () => {
  it('a store signature copied under another version of the package fails (EINTERNALSIGNATURE)', async () => {
    const dir = tempDir('trust-store-copy')
    const signer = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pub = path.join(dir, 'release.pub')
    fs.writeFileSync(pub, signer.publicKey.export({ type: 'spki', format: 'pem' }))
    const trust = path.join(dir, 'trust.json')
    const added = await cli(['keys', 'add', '--trust', trust, '--key', pub, '--owner', 'release@acme.example'])
    assert.equal(added.status, 0, added.stderr)
    const registry = new TestRegistry()
    registry.keysDocument = null // a private registry that signs nothing itself
    registry.addPackage({ name: '@acme/payments', version: '1.0.0', files: { 'index.js': "module.exports = 'old'\n" } })
    registry.addPackage({ name: '@acme/payments', version: '2.0.0', files: { 'index.js': "module.exports = 'new'\n" } })
    const oldTgz = registry.tarballs.get('/@acme/payments/-/payments-1.0.0.tgz')
    const sigOld = crypto.sign('sha256', oldTgz, signer.privateKey).toString('base64')
    // The insider: 2.0.0 now serves 1.0.0's (signed) bytes.
    const v2 = registry.versions.get('@acme/payments').get('2.0.0')
    registry.tarballs.set(v2._path, oldTgz)
    v2.dist = { integrity: 'sha512-' + crypto.createHash('sha512').update(oldTgz).digest('base64'), shasum: crypto.createHash('sha1').update(oldTgz).digest('hex') }
    const url = await registry.start()
    try {
      const npmCache = tempDir('trust-store-copy-cache')
      const policy = ['trust:', `  internalKeys: ${JSON.stringify(trust)}`, 'rules:', '  - package: "@acme/*"', '    require: [internal-signature]', ''].join('\n')
      const project = writeProject(tempDir('trust-store-copy-project'), { name: 'app', version: '1.0.0', dependencies: { '@acme/payments': '2.0.0' } }, { '.npm-sigverify.yaml': policy })
      await npm(['install', '--ignore-scripts'], { cwd: project, registry: url, cache: npmCache })
      const store = tempDir('trust-store-copy-store')
      process.env.npm_config_cache = npmCache
      try { await fetchStore({ dir: project, registry: url, out: store }) } finally { delete process.env.npm_config_cache }
      const signatures = path.join(store, `127.0.0.1:${new URL(url).port}`, '-', 'npm-sigverify', 'internal', '@acme')
      fs.mkdirSync(signatures, { recursive: true })
      fs.writeFileSync(path.join(signatures, 'payments@2.0.0.sig'), sigOld)
      const { status, report } = await verifyJson(project, ['--offline', store, '--registry', url], { npm_config_cache: npmCache })
      const payments = entries(report).find((p) => p.name === '@acme/payments')
      assert.equal(status, 1, JSON.stringify(payments, null, 2))
      assert.equal(payments.internalSignatures.length, 1)
      assert.equal(payments.internalSignatures[0].valid, false)
      assert.match(payments.internalSignatures[0].message, /@acme\/payments@1\.0\.0, not this package/)
      // Control: the same signature under the version its bytes name verifies.
      fs.renameSync(path.join(signatures, 'payments@2.0.0.sig'), path.join(signatures, 'payments@1.0.0.sig'))
      const control = await verifyJson(project, ['--offline', store, '--registry', url], { npm_config_cache: npmCache })
      assert.equal(control.status, 1, 'no signature for 2.0.0 any more: still failing')
      const failing = entries(control.report).find((p) => p.name === '@acme/payments').decision.checks.filter((c) => !c.passed)
      assert.deepEqual(failing.map((c) => c.code), ['EINTERNALSIGNATUREMISSING'])
    } finally {
      registry.close()
    }
  })

  it('a DSSE attestation by a trusted key (an SBOM, a review) is not a signature of the tarball', async () => {
    const sigstore = new TestSigstore()
    const dir = tempDir('trust-dsse')
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const fingerprint = crypto.createHash('sha256').update(pair.publicKey.export({ type: 'spki', format: 'der' })).digest('hex')
    const pub = path.join(dir, 'release.pub')
    fs.writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }))
    const trust = path.join(dir, 'trust.json')
    const added = await cli(['keys', 'add', '--trust', trust, '--key', pub, '--owner', 'release@acme.example'])
    assert.equal(added.status, 0, added.stderr)
    const tgz = tarball({ 'package.json': JSON.stringify({ name: '@acme/lib', version: '6.6.6' }), 'index.js': 'module.exports = 1\n' })
    const project = writeProject(tempDir('trust-dsse-project'), { name: 'app', version: '1.0.0', dependencies: { '@acme/lib': 'file:pkgs/lib-6.6.6.tgz' } }, {
      'pkgs/lib-6.6.6.tgz': tgz,
      '.npm-sigverify.yaml': ['trust:', `  internalKeys: ${JSON.stringify(trust)}`, 'rules:', '  - package: "@acme/*"', '    require: [internal-signature]', ''].join('\n'),
    })
    await npm(['install', '--offline'], { cwd: project, registry: 'http://127.0.0.1:9/', cache: tempDir('trust-dsse-cache') })
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'lib-6.6.6.tgz', digest: { sha256: crypto.createHash('sha256').update(tgz).digest('hex') } }],
      predicateType: 'https://acme.example/review/v1',
      predicate: { verdict: 'REJECTED' },
    }
    // Logged after the key became valid (keys add starts its window now).
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const integratedTime = new Date(Date.now() - 500)
    const bundle = sigstore.signWithKey(statement, { key: { ...pair, keyid: fingerprint }, integratedTime, kind: 'dsse' })
    fs.writeFileSync(path.join(project, 'pkgs', 'lib-6.6.6.tgz.sigstore.json'), JSON.stringify(bundle))
    const { status, report } = await verifyJson(project, ['--trusted-root', sigstore.trustedRootPath()])
    const lib = entries(report).find((p) => p.name === '@acme/lib')
    assert.equal(status, 1, JSON.stringify(lib.internalSignatures, null, 2))
    assert.equal(lib.internalSignatures[0].valid, false)
    assert.match(lib.internalSignatures[0].message, /DSSE attestation/)
  })

  it('a key the trust file revokes stays revoked when a CA certificate vouches for it (EKEYREVOKED)', async () => {
    const env = { COSIGN_PASSWORD: 'pw' }
    const run = async (args) => {
      const r = await cli(args, { env, cwd: dir })
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`)
      return r
    }
    const dir = writeProject(tempDir('trust-revoked-cert'), { name: 'app', version: '1.0.0', dependencies: { '@acme/lib': 'file:pkgs/lib-1.0.0.tgz' } }, {
      'pkgs/lib-1.0.0.tgz': tarball({ 'package.json': JSON.stringify({ name: '@acme/lib', version: '1.0.0' }), 'index.js': 'module.exports = 1\n' }),
    })
    await npm(['install', '--offline'], { cwd: dir, registry: 'http://127.0.0.1:9/', cache: tempDir('trust-revoked-cert-cache') })
    await run(['generate-key-pair', '--output-key-prefix', 'hsm'])
    await run(['keys', 'add', '--trust', 'trust.json', '--key', 'hsm.pub', '--owner', 'release-hsm'])
    const listed = JSON.parse((await run(['keys', 'list', '--trust', 'trust.json', '--json'])).stdout)
    const fingerprint = listed.find((k) => k.owner === 'release-hsm').fingerprint
    await run(['ca', 'init', '--name', 'Acme CS', '--issuer-url', 'https://ca.acme.example', '--permit-email', 'acme.example', '--dir', 'ca'])
    await run(['ca', 'issue', '--dir', 'ca', '--identity', 'ops@acme.example', '--public-key', 'hsm.pub', '--out', 'hsm.pem'])
    await run(['sign', 'pkgs/lib-1.0.0.tgz', '--key', 'hsm.key', '--certificate', 'hsm.pem', '--certificate-chain', 'ca/chain.pem'])
    fs.writeFileSync(path.join(dir, '.npm-sigverify.yaml'), [
      'trust:', '  internalKeys: trust.json',
      '  certificateAuthorities:', '    acme: { roots: ca/root.pem, intermediates: ca/intermediate.pem, crls: ca/crls.pem }',
      '  identities:', '    ops: { ca: acme, subject: ops@acme.example }',
      'rules:', '  - package: "@acme/*"', '    require: [internal-signature]', '    approvals: { threshold: 1, identities: [ops] }', '',
    ].join('\n'))
    const control = await verifyJson(dir, [])
    assert.equal(control.status, 0, JSON.stringify(entries(control.report), null, 2))
    const hourAgo = new Date(Date.now() - 3600000).toISOString().replace(/\.\d+Z$/, 'Z')
    await run(['keys', 'revoke', '--trust', 'trust.json', '--fingerprint', fingerprint, '--reason', 'HSM compromised', '--at', hourAgo])
    const { status, report } = await verifyJson(dir, [])
    const lib = entries(report).find((p) => p.name === '@acme/lib')
    assert.equal(status, 1)
    assert.equal(lib.internalSignatures[0].code, 'EKEYREVOKED', JSON.stringify(lib.internalSignatures, null, 2))
  })

  it('verify-blob refuses certificate flags with --key or --trust (they would go unchecked)', async () => {
    const dir = tempDir('trust-blob-flags')
    const blob = path.join(dir, 'a.tgz')
    fs.writeFileSync(blob, 'bytes')
    const key = path.join(dir, 'k.pub')
    fs.writeFileSync(key, crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }))
    for (const [mode, extra] of [['--key', ['--certificate-identity', 'release@acme.example']], ['--trust', ['--crl', path.join(dir, 'none.pem')]]]) {
      const r = await cli(['verify-blob', blob, mode, mode === '--key' ? key : path.join(dir, 'trust.json'), '--signature', blob, ...extra])
      assert.equal(r.status, 2, `${mode}: ${r.stderr}`)
      assert.match(r.stderr, new RegExp(`${extra[0]}.*${mode} does not read`))
    }
  })
})

describe('exceptions excuse only what they name', () => {
  it('an exception for the signature (codes: [EINTEGRITYSIGNATURE]) does not excuse a swapped lockfile integrity', async () => {
    const registry = new TestRegistry()
    registry.addPackage({ name: 'old-lib', version: '1.2.3' })
    const other = registry.addPackage({ name: 'other', version: '9.9.9' })
    const url = await registry.start()
    registry.tamper.add('old-lib@1.2.3')
    try {
      const policy = 'rules:\n  - package: "*"\n    require: [registry-signature]\nexceptions:\n  - package: "old-lib@^1.2.0"\n    reason: "re-signing pending"\n    expires: 2999-12-31\n    codes: [EINTEGRITYSIGNATURE]\n'
      const dir = writeProject(tempDir('trust-exception'), { name: 'p', version: '1.0.0', dependencies: { 'old-lib': '^1.2.0' } }, { '.npm-sigverify.yaml': policy })
      await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: tempDir('trust-exception-cache') })
      const control = await cli(['verify', dir, '--registry', url, '--lockfile-only', '--cache', 'off'])
      assert.equal(control.status, 0, `the bad signature alone is excused:\n${control.stdout}`)
      const file = path.join(dir, 'package-lock.json')
      const lock = JSON.parse(fs.readFileSync(file, 'utf8'))
      lock.packages['node_modules/old-lib'].integrity = other
      fs.writeFileSync(file, JSON.stringify(lock, null, 2))
      const { status, report } = await verifyJson(dir, ['--registry', url, '--lockfile-only', '--cache', 'off'])
      const oldLib = entries(report).find((p) => p.name === 'old-lib')
      assert.equal(status, 1)
      assert.equal(oldLib.checks.integrity.code, 'EINTEGRITYMISMATCH')
      assert.equal(oldLib.decision.exception.applied, false)
      const tree = await verifyTree({ dir, registry: url, lockfileOnly: true, cache: 'off' })
      assert.equal(tree.exitCode, 1)
      // verify-package with another package's tarball: the same swap.
      const otherTgz = path.join(tempDir('trust-exception-tgz'), 'other.tgz')
      fs.writeFileSync(otherTgz, registry.tarballs.get('/other/-/other-9.9.9.tgz'))
      const single = await cli(['verify-package', 'old-lib@1.2.3', '--tarball', otherTgz, '--registry', url, '--cache', 'off'], { cwd: dir })
      assert.equal(single.status, 1, single.stdout + single.stderr)
    } finally {
      registry.close()
    }
  })
})

describe('the lockfile and the project a run reads', () => {
  it('a decoy yarn.lock named by packageManager beside package-lock.json is EAMBIGUOUSLOCKFILE (npm ci installs package-lock.json)', async () => {
    const dir = writeProject(tempDir('trust-decoy'), { name: 'p', version: '1.0.0', packageManager: 'yarn@1.22.22' }, {
      'package-lock.json': JSON.stringify({ name: 'p', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'p', version: '1.0.0' } } }),
      'yarn.lock': '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n\n',
    })
    const decoy = await cli(['verify', dir, '--lockfile-only', '--offline', tempDir('trust-decoy-store')])
    assert.equal(decoy.status, 2, decoy.stdout + decoy.stderr)
    assert.match(decoy.stdout + decoy.stderr, /EAMBIGUOUSLOCKFILE/)
    // Naming the lockfile the install reads decides.
    const named = await cli(['verify', dir, '--lockfile', path.join(dir, 'package-lock.json'), '--lockfile-only', '--offline', tempDir('trust-decoy-store2'), '--json'])
    assert.notEqual(named.status, 2, named.stdout + named.stderr)
    const doc = JSON.parse(named.stdout)
    assert.equal(path.basename(doc.inputPath), 'package-lock.json', 'the named lockfile is the one read')
  })

  it('a lockfile dropped into a subfolder without a package.json does not take the run over', async () => {
    const registry = new TestRegistry()
    registry.addPackage({ name: 'alpha', version: '1.0.0' })
    const url = await registry.start()
    registry.tamper.add('alpha@1.0.0')
    try {
      const dir = writeProject(tempDir('trust-subfolder'), { name: 'p', version: '1.0.0', dependencies: { alpha: '1.0.0' } })
      await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: tempDir('trust-subfolder-cache') })
      fs.mkdirSync(path.join(dir, 'test'))
      fs.writeFileSync(path.join(dir, 'test', 'package-lock.json'), JSON.stringify({ name: 'x', lockfileVersion: 3, requires: true, packages: { '': { name: 'x' } } }))
      const report = await verifyTree({ dir: path.join(dir, 'test'), registry: url, lockfileOnly: true, cache: 'off' })
      assert.equal(report.exitCode, 1, 'the root lockfile (with its tampered alpha) is the one judged')
      assert.ok(report.packages.some((p) => p.name === 'alpha' && p.status === 'invalid'))
    } finally {
      registry.close()
    }
  })

  it('the project\'s own workspaces are not held to the evidence rules (a strict policy passes a clean monorepo)', async () => {
    const dir = writeProject(tempDir('trust-workspaces'), { name: 'root', version: '1.0.0', workspaces: ['packages/*'], dependencies: { '@acme/utils': '1.0.0' } }, {
      'packages/utils/package.json': JSON.stringify({ name: '@acme/utils', version: '1.0.0' }),
      '.npm-sigverify.yaml': 'rules:\n  - package: "*"\n    require: [registry-signature, provenance]\n  - package: "@acme/*"\n    require: [internal-signature]\n',
    })
    await npm(['install', '--ignore-scripts', '--offline'], { cwd: dir, registry: 'http://127.0.0.1:9/', cache: tempDir('trust-workspaces-cache') })
    const { status, report } = await verifyJson(dir, ['--offline', tempDir('trust-workspaces-store')])
    assert.equal(status, 0, JSON.stringify(entries(report).map((p) => [p.location, p.decision && p.decision.outcome]), null, 2))
    // A workspace's own policy file is not read when the project is verified from there: said.
    fs.writeFileSync(path.join(dir, 'packages', 'utils', '.npm-sigverify.yaml'), 'rules:\n  - package: "*"\n    require: [internal-signature]\n')
    const fromWorkspace = await verifyTree({ dir: path.join(dir, 'packages', 'utils'), offline: tempDir('trust-workspaces-store3') })
    assert.equal(fromWorkspace.exitCode, 0)
    assert.ok(fromWorkspace.warnings.some((w) => w.includes('.npm-sigverify.yaml is not read')), fromWorkspace.warnings.join('\n'))
    // The link replaced by a folder of other code still fails (its checks are kept).
    const link = path.join(dir, 'node_modules', '@acme', 'utils')
    fs.rmSync(link)
    fs.mkdirSync(link)
    fs.writeFileSync(path.join(link, 'package.json'), JSON.stringify({ name: '@acme/utils', version: '1.0.0' }))
    const replaced = await verifyJson(dir, ['--offline', tempDir('trust-workspaces-store2')])
    assert.equal(replaced.status, 1)
  })
})

describe('incident signals against a mirror that edits the version list', () => {
  const ci = (owner) => ({ repository: `${owner}/lib`, repositoryId: owner === 'acme' ? '812345' : '666001', ownerId: owner === 'acme' ? '7654321' : '6660000', workflow: '.github/workflows/release.yml' })
  const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString()

  /** A registry whose answers for `name` pass through `lie(doc)` once set. */
  function lyingRegistry () {
    const registry = new TestRegistry().useSigstore(new TestSigstore())
    registry.lies = {}
    const served = registry.packument.bind(registry)
    registry.packument = (name, corgi) => {
      const raw = served(name, corgi)
      const lie = registry.lies[name]
      if (!lie || raw == null) return raw
      const doc = JSON.parse(raw)
      lie(doc)
      return JSON.stringify(doc)
    }
    return registry
  }

  function policyFor (registry, url, extra = '') {
    return [
      'trust:', `  sigstoreRoot: "${registry.trustedRootPath()}"`, '  registries:', `    ${url}:`, `      keys: ["${registry.key.keyid}"]`,
      'rules:', '  - package: "*"', '    require: [registry-signature, provenance]',
      'signals:', '  publisherContinuity: { action: fail, history: 5 }', '  newInstallScripts: fail', extra, '',
    ].join('\n')
  }

  async function signalVerdict (dir, url, npmCache, name) {
    const { status, report } = await verifyJson(dir, ['--registry', url, '--cache', 'off'], { npm_config_cache: npmCache, NODE_ENV: '', NPM_SIGVERIFY_ENV: '' })
    const p = entries(report).find((x) => x.name === name)
    return { status, codes: (p.signals || []).map((s) => s.code) }
  }

  it('invented, unsigned earlier versions filling the history window make continuity unavailable, not a pass', async () => {
    const registry = lyingRegistry()
    registry.addPackage({ name: 'fork-lib', version: '1.0.0', publishedAt: daysAgo(50), provenance: ci('acme') })
    registry.addPackage({ name: 'fork-lib', version: '1.0.1', publishedAt: daysAgo(8), provenance: ci('evil') })
    const url = await registry.start()
    try {
      const npmCache = tempDir('trust-fork-cache')
      const dir = writeProject(tempDir('trust-fork'), { name: 'p', version: '1.0.0', dependencies: { 'fork-lib': '1.0.1' } })
      await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
      fs.writeFileSync(path.join(dir, '.npm-sigverify.yaml'), policyFor(registry, url))
      const honest = await signalVerdict(dir, url, npmCache, 'fork-lib')
      assert.equal(honest.status, 1)
      assert.deepEqual(honest.codes, ['EPUBLISHERCHANGED'])
      registry.lies['fork-lib'] = (doc) => {
        for (let i = 0; i < 5; i++) {
          const v = `1.0.1-${i}`
          doc.versions[v] = { name: 'fork-lib', version: v, dist: { ...doc.versions['1.0.0'].dist } }
          delete doc.versions[v].dist.attestations
          delete doc.versions[v].dist.signatures
          doc.time[v] = daysAgo(20)
        }
      }
      const lied = await signalVerdict(dir, url, npmCache, 'fork-lib')
      assert.notEqual(lied.status, 0)
      assert.deepEqual(lied.codes, ['ESIGNALUNAVAILABLE'])
    } finally {
      registry.close()
    }
  })

  it('a previous version the baseline installs, hidden from the packument, makes new install scripts unavailable, not a pass', async () => {
    const registry = lyingRegistry()
    registry.addPackage({ name: 'hook-lib', version: '1.0.0', publishedAt: daysAgo(40), provenance: ci('acme') })
    registry.addPackage({ name: 'hook-lib', version: '1.0.1', publishedAt: daysAgo(5), provenance: ci('acme'), scripts: { postinstall: 'node -e 0' } })
    const url = await registry.start()
    try {
      const npmCache = tempDir('trust-hook-cache')
      const base = writeProject(tempDir('trust-hook-base'), { name: 'p', version: '1.0.0', dependencies: { 'hook-lib': '1.0.0' } })
      await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: base, registry: url, cache: npmCache })
      const dir = writeProject(tempDir('trust-hook'), { name: 'p', version: '1.0.0', dependencies: { 'hook-lib': '1.0.1' } })
      await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
      fs.copyFileSync(path.join(base, 'package-lock.json'), path.join(dir, 'baseline-lock.json'))
      fs.writeFileSync(path.join(dir, '.npm-sigverify.yaml'), policyFor(registry, url, '  newDependencies: warn\n  baseline: baseline-lock.json'))
      const honest = await signalVerdict(dir, url, npmCache, 'hook-lib')
      assert.equal(honest.status, 1)
      assert.ok(honest.codes.includes('ENEWINSTALLSCRIPT'), honest.codes.join())
      registry.lies['hook-lib'] = (doc) => { delete doc.versions['1.0.0']; delete doc.time['1.0.0'] }
      const lied = await signalVerdict(dir, url, npmCache, 'hook-lib')
      assert.notEqual(lied.status, 0)
      assert.ok(lied.codes.length > 0 && lied.codes.every((c) => c === 'ESIGNALUNAVAILABLE'), lied.codes.join())
    } finally {
      registry.close()
    }
  })
})

describe('provenance is matched against the signed package.json, not the packument', () => {
  const ci = (owner) => ({ repository: `${owner}/lib`, repositoryId: '666001', ownerId: '6660000', workflow: '.github/workflows/release.yml' })

  /** `prov-lib@1.0.0`, whose signed package.json names acme/lib, with a genuine provenance
   * built by evil/lib (anyone can have their own workflow certified), from a registry whose
   * packument `repository` a mirror edits with `edit(repository)`. */
  async function mirrored (edit) {
    const registry = new TestRegistry().useSigstore(new TestSigstore())
    registry.addPackage({
      name: 'prov-lib',
      version: '1.0.0',
      repository: { type: 'git', url: 'git+https://github.com/acme/lib.git' },
      provenance: ci('evil'),
    })
    const entry = registry.versions.get('prov-lib').get('1.0.0')
    const url = await registry.start()
    const npmCache = tempDir('prov-bind-cache')
    const dir = writeProject(tempDir('prov-bind'), { name: 'p', version: '1.0.0', dependencies: { 'prov-lib': '1.0.0' } })
    await npm(['install', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
    const run = async (args = []) => {
      const { status, report } = await verifyJson(dir, ['--registry', url, '--cache', 'off', '--trusted-root', registry.trustedRootPath(), '--require-provenance', ...args], { npm_config_cache: npmCache })
      const p = entries(report).find((x) => x.name === 'prov-lib')
      return { status, code: p.code, provenance: p.provenance, message: p.message }
    }
    const honest = await run()
    edit(entry)
    return { registry, url, npmCache, honest, run }
  }

  for (const [what, edit] of [
    ['rewritten to the provenance\'s repository', (e) => { e.repository = { type: 'git', url: 'git+https://github.com/evil/lib.git' } }],
    ['removed', (e) => { delete e.repository }],
    ['made unreadable', (e) => { e.repository = { type: 'git', url: 'https://example.invalid' } }],
  ]) {
    it(`a packument repository ${what} does not make another repository's provenance the package's own`, async () => {
      const { registry, run } = await mirrored(edit)
      try {
        const { honest } = { honest: await run() }
        assert.equal(honest.status, 1)
        assert.equal(honest.code, 'EPROVENANCEREPOSITORY', honest.message)
        for (const args of [[], ['--lockfile-only'], ['--no-content']]) {
          const lied = await run(args)
          assert.equal(lied.status, 1, `${args.join(' ')}: ${JSON.stringify(lied)}`)
          assert.equal(lied.code, 'EPROVENANCEREPOSITORY', lied.message)
        }
      } finally {
        registry.close()
      }
    })
  }

  it('verify-package and verifyPackage() read the signed package.json too', async () => {
    const { registry, url, npmCache, honest } = await mirrored((e) => { e.repository = { type: 'git', url: 'git+https://github.com/evil/lib.git' } })
    try {
      assert.equal(honest.code, 'EPROVENANCEREPOSITORY')
      const r = await cli(['verify-package', 'prov-lib@1.0.0', '--registry', url, '--trusted-root', registry.trustedRootPath(), '--require-provenance', '--json', '--no-policy'], { env: { npm_config_cache: npmCache, NPM_SIGVERIFY_CACHE: 'off' } })
      assert.equal(r.status, 1, r.stdout + r.stderr)
      assert.match(r.stdout, /EPROVENANCEREPOSITORY/)
      const { verifyPackage } = require('../index.js')
      const p = await verifyPackage('prov-lib@1.0.0', { registry: url, policy: false, provenance: { requireProvenance: true, trustedRoot: registry.trustedRootPath() } })
      assert.equal(p.status, 'invalid')
      assert.equal(p.code, 'EPROVENANCEREPOSITORY')
    } finally {
      registry.close()
    }
  })

  it('a provenance from the package\'s own repository still verifies, and allow-list violations carry their own codes', async () => {
    const registry = new TestRegistry().useSigstore(new TestSigstore())
    registry.addPackage({ name: 'own-lib', version: '1.0.0', provenance: { ...ci('acme'), ref: 'refs/heads/main' } })
    const url = await registry.start()
    try {
      const npmCache = tempDir('prov-own-cache')
      const dir = writeProject(tempDir('prov-own'), { name: 'p', version: '1.0.0', dependencies: { 'own-lib': '1.0.0' } })
      await npm(['install', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
      const base = ['--registry', url, '--cache', 'off', '--trusted-root', registry.trustedRootPath(), '--require-provenance']
      const verdict = async (args) => {
        const { status, report } = await verifyJson(dir, [...base, ...args], { npm_config_cache: npmCache })
        return { status, code: entries(report).find((x) => x.name === 'own-lib').code }
      }
      assert.deepEqual(await verdict([]), { status: 0, code: null })
      assert.deepEqual(await verdict(['--lockfile-only']), { status: 0, code: null })
      assert.deepEqual(await verdict(['--allowed-workflow-ref', 'refs/tags/*']), { status: 1, code: 'EPROVENANCEWORKFLOW' })
      assert.deepEqual(await verdict(['--allowed-issuer', 'https://gitlab.example']), { status: 1, code: 'EPROVENANCEISSUER' })
    } finally {
      registry.close()
    }
  })
})
