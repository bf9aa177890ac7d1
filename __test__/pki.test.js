'use strict'
// Internal packages signed with a certificate from a private CA made with OpenSSL and with a key
// inside a SoftHSM2 token, verified by verifyTree and `verify` under a policy that requires
// them; revoked, expired and wrong-identity certificates and a revoked token key rejected with
// their codes. Real npm installs of `file:` tarballs, real OpenSSL (req, ca, CRLs), a real
// SoftHSM2 token (softhsm2-util), the CLI for signing.
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli, copyProject } = require('./helpers/project')
const { tarball } = require('./helpers/tarball')

const PASSWORD = 'pki test password'
const PIN = '48151623'
const ISSUER = 'https://ca.acme.example'
// SoftHSM2 is required: a missing one fails before() with the command that installs it.
// SIGVERIFY_SKIP_SOFTHSM=1 skips the token tests knowingly (they are reported as skipped).
const SKIP_SOFTHSM = process.env.SIGVERIFY_SKIP_SOFTHSM ? 'SIGVERIFY_SKIP_SOFTHSM is set' : false
const MODULES = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib64/pkcs11/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so']

const OPENSSL_CNF = `
[ ca ]
default_ca = inter_ca
[ inter_ca ]
dir = ./inter
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
certificate = ./intermediate.pem
private_key = ./intermediate.key
default_md = sha256
default_days = 1
default_crl_days = 7
policy = policy_any
unique_subject = no
email_in_dn = no
[ root_ca ]
dir = ./root
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
certificate = ./root.pem
private_key = ./root.key
default_md = sha256
default_days = 1825
default_crl_days = 7
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
nameConstraints = critical, permitted;email:acme.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectAltName = \${ENV::SAN}
1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${ISSUER}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_tsa ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`

function openssl (dir, args, env = {}) {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, SAN: 'email:x@acme.example', ...env } })
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** A root and an intermediate (name constraint: emails at acme.example) made by OpenSSL. */
function opensslCa (dir) {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'openssl.cnf'), OPENSSL_CNF)
  for (const ca of ['root', 'inter']) {
    fs.mkdirSync(path.join(dir, ca, 'newcerts'), { recursive: true })
    fs.writeFileSync(path.join(dir, ca, 'index.txt'), '')
    fs.writeFileSync(path.join(dir, ca, 'serial'), '1000\n')
    fs.writeFileSync(path.join(dir, ca, 'crlnumber'), '01\n')
  }
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl(dir, ['req', '-x509', '-new', ...ec, '-keyout', 'root.key', '-out', 'root.pem', '-days', '3650', '-subj', '/CN=Acme OpenSSL Root', '-config', 'openssl.cnf', '-extensions', 'v3_root'])
  openssl(dir, ['req', '-new', ...ec, '-keyout', 'intermediate.key', '-out', 'intermediate.csr', '-subj', '/CN=Acme OpenSSL Intermediate', '-config', 'openssl.cnf'])
  openssl(dir, ['ca', '-batch', '-config', 'openssl.cnf', '-name', 'root_ca', '-extensions', 'v3_inter', '-in', 'intermediate.csr', '-out', 'intermediate.pem', '-notext'])
  gencrl(dir)
  return dir
}

function gencrl (dir) {
  openssl(dir, ['ca', '-config', 'openssl.cnf', '-gencrl', '-out', 'crls.pem'])
}

/**
 * An OpenSSL-made key imported into cosign's format (`<name>.key`, COSIGN_PASSWORD) and a leaf
 * certificate for `san` from the OpenSSL intermediate (`<name>.pem`), `days` long or to `end`.
 */
async function signer (ca, name, san, { end } = {}) {
  openssl(ca, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.plain`])
  fs.chmodSync(path.join(ca, `${name}.plain`), 0o600)
  openssl(ca, ['req', '-new', '-key', `${name}.plain`, '-out', `${name}.csr`, '-subj', `/CN=${name}`, '-config', 'openssl.cnf'])
  const dates = end ? ['-enddate', end] : []
  openssl(ca, ['ca', '-batch', '-config', 'openssl.cnf', '-extensions', 'v3_leaf', '-in', `${name}.csr`, '-out', `${name}.pem`, '-notext', ...dates], { SAN: san })
  const r = await cli(['import-key-pair', '--key', `${name}.plain`, '--output-key-prefix', name], { cwd: ca, env: { COSIGN_PASSWORD: PASSWORD } })
  assert.equal(r.status, 0, r.stderr)
  return { key: path.join(ca, `${name}.key`), cert: path.join(ca, `${name}.pem`) }
}

/**
 * An RFC 3161 TSA: a TSA certificate from the OpenSSL root (`tsa-chain.pem`: TSA, root) and
 * `openssl ts -reply` behind a loopback HTTP server. Resolves to { url, server }.
 */
async function tsa (ca) {
  openssl(ca, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'tsa.key'])
  openssl(ca, ['req', '-new', '-key', 'tsa.key', '-out', 'tsa.csr', '-subj', '/CN=Acme TSA', '-config', 'openssl.cnf'])
  openssl(ca, ['ca', '-batch', '-config', 'openssl.cnf', '-name', 'root_ca', '-extensions', 'v3_tsa', '-in', 'tsa.csr', '-out', 'tsa.pem', '-notext'])
  fs.writeFileSync(path.join(ca, 'tsa-chain.pem'), fs.readFileSync(path.join(ca, 'tsa.pem'), 'utf8') + fs.readFileSync(path.join(ca, 'root.pem'), 'utf8'))
  fs.writeFileSync(path.join(ca, 'tsaserial'), '01\n')
  fs.writeFileSync(path.join(ca, 'tsa.cnf'), `[ tsa ]\ndefault_tsa = t\n[ t ]\ndir = ${ca}\nserial = $dir/tsaserial\nsigner_cert = $dir/tsa.pem\nsigner_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256\naccuracy = secs:1\ness_cert_id_alg = sha256\n`)
  let n = 0
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const q = `q${++n}.tsq`
      fs.writeFileSync(path.join(ca, q), Buffer.concat(chunks))
      openssl(ca, ['ts', '-reply', '-config', 'tsa.cnf', '-queryfile', q, '-out', `${q}.tsr`])
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' })
      res.end(fs.readFileSync(path.join(ca, `${q}.tsr`)))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/tsr`, server }
}

/** A SoftHSM2 token folder with one token (label `release`). */
function softhsm (dir) {
  const module = MODULES.find((m) => fs.existsSync(m))
  const util = spawnSync('softhsm2-util', ['--version'], { encoding: 'utf8' })
  if (!module || util.error) {
    throw new Error('SoftHSM2 is not installed: install it (Debian/Ubuntu: `sudo apt-get install softhsm2`, macOS: `brew install softhsm`), or set SIGVERIFY_SKIP_SOFTHSM=1 to skip the token tests knowingly')
  }
  fs.mkdirSync(path.join(dir, 'tokens'), { recursive: true })
  const conf = path.join(dir, 'softhsm2.conf')
  fs.writeFileSync(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  const r = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', 'release', '--pin', PIN, '--so-pin', '12121212'], { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  return { conf, uri: (object) => `pkcs11:token=release;object=${object}?module-path=${module}` }
}

const POLICY = (fingerprint) => [
  'trust:',
  '  internalKeys: trust.json',
  '  keys:',
  `    release-hsm: ${fingerprint}`,
  '  certificateAuthorities:',
  '    acme:',
  '      roots: ca/root.pem',
  '      intermediates: ca/intermediate.pem',
  '      crls: ca/crls.pem',
  '  identities:',
  `    alice: { ca: acme, subject: alice@acme.example, issuer: "${ISSUER}" }`,
  'rules:',
  '  - package: internal-a',
  '    require: [internal-signature]',
  '    approvals: { threshold: 1, identities: [alice] }',
  '  - package: internal-b',
  '    require: [internal-signature]',
  '    approvals: { threshold: 1, keys: [release-hsm] }',
  ''
].join('\n')

describe('internal signatures from a private CA (OpenSSL) and a SoftHSM2 token, under a policy', () => {
  let registry, url, base, ca, hsm, hsmEnv, alice, releaseFp, timestamps
  const outputs = []
  const run = async (args, cwd, env = {}) => {
    const r = await cli(args, { cwd, env: { COSIGN_PASSWORD: PASSWORD, ...hsmEnv, ...env } })
    outputs.push(r.stdout + r.stderr)
    return r
  }
  const pkg = (name) => tarball({ 'package.json': JSON.stringify({ name, version: '1.0.0' }), 'index.js': `module.exports = '${name}'\n` })
  const tgz = (project, name) => path.join(project, 'pkgs', `${name}-1.0.0.tgz`)
  const find = (report, name) => report.packages.find((p) => p.name === name)

  before(async () => {
    const work = tempDir('pki')
    registry = new TestRegistry()
    url = await registry.start()
    base = writeProject(path.join(work, 'base'), { name: 'app', version: '1.0.0', dependencies: { 'internal-a': 'file:pkgs/internal-a-1.0.0.tgz', 'internal-b': 'file:pkgs/internal-b-1.0.0.tgz' } }, {
      'pkgs/internal-a-1.0.0.tgz': pkg('internal-a'),
      'pkgs/internal-b-1.0.0.tgz': pkg('internal-b')
    })
    await npm(['install'], { cwd: base, registry: url, cache: tempDir('pki-cache') })
    ca = opensslCa(path.join(work, 'openssl-ca'))
    alice = await signer(ca, 'alice', 'email:alice@acme.example')
    timestamps = await tsa(ca)
    if (SKIP_SOFTHSM) return
    hsm = softhsm(path.join(work, 'hsm'))
    fs.writeFileSync(path.join(work, 'pin'), `${PIN}\n`, { mode: 0o600 })
    hsmEnv = { SOFTHSM2_CONF: hsm.conf, COSIGN_PKCS11_PIN: PIN }
    const gen = await run(['generate-key-pair', '--key', hsm.uri('release-2026'), '--output-key-prefix', path.join(work, 'release')], work)
    assert.equal(gen.status, 0, gen.stderr)
    releaseFp = /Fingerprint: ([0-9a-f]{64})/.exec(gen.stdout)[1]
  })

  after(async () => {
    if (timestamps) timestamps.server.close()
    if (registry) await registry.close()
  })

  /** A copy of the installed project with the CA files, the trust file and the policy. */
  async function project (prefix) {
    const dir = copyProject(base, prefix)
    fs.mkdirSync(path.join(dir, 'ca'))
    for (const f of ['root.pem', 'intermediate.pem', 'crls.pem']) fs.copyFileSync(path.join(ca, f), path.join(dir, 'ca', f))
    if (SKIP_SOFTHSM) {
      fs.writeFileSync(path.join(dir, 'trust.json'), JSON.stringify({ version: 1, keys: [] }))
    } else {
      const added = await run(['keys', 'add', '--trust', 'trust.json', '--key', path.join(path.dirname(ca), 'release.pub'), '--owner', 'release-hsm'], dir)
      assert.equal(added.status, 0, added.stderr)
    }
    fs.writeFileSync(path.join(dir, '.npm-sigverify.yaml'), POLICY(releaseFp || 'a'.repeat(64)))
    return dir
  }

  async function signWithCert (project, name, who) {
    const r = await run(['sign', tgz(project, name), '--key', who.key, '--certificate', who.cert, '--certificate-chain', path.join(ca, 'intermediate.pem'), '--audit-log', path.join(project, 'audit.jsonl')], project)
    assert.equal(r.status, 0, r.stderr)
  }

  it('an OpenSSL-CA certificate signature and a SoftHSM2 key signature pass the policy that requires them', { skip: SKIP_SOFTHSM }, async () => {
    const dir = await project('pki-ok')
    await signWithCert(dir, 'internal-a', alice)
    const signed = await run(['sign', tgz(dir, 'internal-b'), '--key', hsm.uri('release-2026'), '--audit-log', path.join(dir, 'audit.jsonl')], dir)
    assert.equal(signed.status, 0, signed.stderr)
    const report = await verifyTree({ dir, registry: url })
    const a = find(report, 'internal-a')
    const b = find(report, 'internal-b')
    assert.equal(a.status, 'verified', a.message)
    assert.equal(b.status, 'verified', b.message)
    assert.equal(a.decision.outcome, 'pass', JSON.stringify(a.decision))
    assert.equal(b.decision.outcome, 'pass', JSON.stringify(b.decision))
    assert.deepEqual(a.internalSignatures.map((s) => [s.valid, s.identities, s.timestamped]), [[true, ['alice'], false]])
    assert.match(a.internalSignatures[0].owner, /^alice@acme\.example \(certificate 1000 from CA acme\)$/)
    assert.equal(b.internalSignatures.filter((s) => s.valid).length, 2, '.sig and .sigstore.json by the token key')
    assert.ok(b.internalSignatures.every((s) => s.fingerprint === releaseFp && s.owner === 'release-hsm'))
    const cliRun = await run(['verify', dir, '--registry', url, '--json'], dir)
    assert.equal(cliRun.status, 0, cliRun.stdout + cliRun.stderr)
    // The audit log names both signings: the certificate identity, the token key, the digests.
    const audit = fs.readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map(JSON.parse)
    assert.deepEqual(audit.map((l) => [l.identity || null, l.keySource.startsWith('pkcs11:token=release;object=release-2026')]), [['alice@acme.example', false], [null, true]])
    assert.ok(outputs.every((o) => !o.includes(PIN) && !o.includes(PASSWORD) && !o.includes('PRIVATE KEY-----')), 'no secret in any output')
  })

  it('each package needs its own signer: the certificate does not satisfy the key rule (EAPPROVALTHRESHOLD)', async () => {
    const dir = await project('pki-swapped')
    await signWithCert(dir, 'internal-b', alice)
    const b = find(await verifyTree({ dir, registry: url }), 'internal-b')
    assert.equal(b.status, 'verified', 'the signature itself is valid')
    assert.equal(b.decision.outcome, 'fail')
    assert.ok(b.decision.checks.some((c) => c.check === 'approvals' && c.code === 'EAPPROVALTHRESHOLD'), JSON.stringify(b.decision.checks))
  })

  it('a certificate revoked by the OpenSSL CA is rejected (ECERTREVOKED), CLI exit 1', async () => {
    const dir = await project('pki-revoked')
    const carol = await signer(ca, 'carol', 'email:alice@acme.example')
    await signWithCert(dir, 'internal-a', carol)
    assert.equal(find(await verifyTree({ dir, registry: url }), 'internal-a').status, 'verified')
    openssl(ca, ['ca', '-config', 'openssl.cnf', '-revoke', 'carol.pem', '-crl_reason', 'keyCompromise'])
    gencrl(ca)
    fs.copyFileSync(path.join(ca, 'crls.pem'), path.join(dir, 'ca', 'crls.pem'))
    const a = find(await verifyTree({ dir, registry: url }), 'internal-a')
    assert.equal(a.status, 'invalid')
    assert.equal(a.code, 'EINTERNALSIGNATURE')
    assert.equal(a.internalSignatures[0].code, 'ECERTREVOKED')
    assert.match(a.internalSignatures[0].message, /internal-a-1\.0\.0\.tgz\.sigstore\.json: certificate of alice@acme\.example \(serial [0-9a-f]+\) was revoked/)
    const r = await run(['verify', dir, '--registry', url, '--json'], dir)
    assert.equal(r.status, 1, r.stdout + r.stderr)
  })

  it('a certificate that expired since signing, with no timestamp, is rejected (ECERTEXPIRED)', async () => {
    const dir = await project('pki-expired')
    const end = new Date(Date.now() + 3000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '')
    const brief = await signer(ca, 'brief', 'email:alice@acme.example', { end })
    await signWithCert(dir, 'internal-a', brief)
    await new Promise((resolve) => setTimeout(resolve, 4500))
    const a = find(await verifyTree({ dir, registry: url }), 'internal-a')
    assert.equal(a.status, 'invalid')
    assert.equal(a.internalSignatures[0].code, 'ECERTEXPIRED')
    assert.match(a.internalSignatures[0].message, /checked at .* \(now\)/)
  })

  it('a valid certificate for another identity is rejected (ECERTIDENTITY)', async () => {
    const dir = await project('pki-identity')
    const bob = await signer(ca, 'bob', 'email:bob@acme.example')
    await signWithCert(dir, 'internal-a', bob)
    const a = find(await verifyTree({ dir, registry: url }), 'internal-a')
    assert.equal(a.status, 'invalid')
    assert.equal(a.internalSignatures[0].code, 'ECERTIDENTITY')
    assert.match(a.internalSignatures[0].message, /bob@acme\.example .* matches none of the policy's identities for that CA \(alice\)/)
  })

  it('a signature timestamped before its certificate was revoked stays valid where the policy says revocation: signing-time', async () => {
    const dir = await project('pki-tsa')
    fs.copyFileSync(path.join(ca, 'tsa-chain.pem'), path.join(dir, 'ca', 'tsa-chain.pem'))
    const dave = await signer(ca, 'dave', 'email:alice@acme.example')
    const r = await run(['sign', tgz(dir, 'internal-a'), '--key', dave.key, '--certificate', dave.cert, '--timestamp-server-url', timestamps.url], dir)
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /with an RFC 3161 timestamp/)
    // OpenSSL dates revocations to the second: revoke strictly after the timestamp.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    openssl(ca, ['ca', '-config', 'openssl.cnf', '-revoke', 'dave.pem', '-crl_reason', 'superseded'])
    gencrl(ca)
    fs.copyFileSync(path.join(ca, 'crls.pem'), path.join(dir, 'ca', 'crls.pem'))
    const policy = path.join(dir, '.npm-sigverify.yaml')
    const strict = fs.readFileSync(policy, 'utf8').replace('      crls: ca/crls.pem\n', '      crls: ca/crls.pem\n      timestampAuthorities: ca/tsa-chain.pem\n')
    fs.writeFileSync(policy, strict)
    const always = find(await verifyTree({ dir, registry: url }), 'internal-a')
    assert.equal(always.internalSignatures[0].code, 'ECERTREVOKED', 'the default: any revocation counts')
    assert.match(always.internalSignatures[0].message, /signed at .* \(verified timestamp\)/)
    fs.writeFileSync(policy, strict.replace('      timestampAuthorities:', '      revocation: signing-time\n      timestampAuthorities:'))
    const lenient = find(await verifyTree({ dir, registry: url }), 'internal-a')
    assert.equal(lenient.status, 'verified', lenient.message)
    assert.deepEqual(lenient.internalSignatures.map((s) => [s.valid, s.timestamped]), [[true, true]])
    assert.equal(lenient.decision.outcome, 'pass')
  })

  it('a revoked SoftHSM2 key no longer counts (EKEYREVOKED)', { skip: SKIP_SOFTHSM }, async () => {
    const dir = await project('pki-hsm-revoked')
    const signed = await run(['sign', tgz(dir, 'internal-b'), '--key', hsm.uri('release-2026')], dir)
    assert.equal(signed.status, 0, signed.stderr)
    const revoked = await run(['keys', 'revoke', '--trust', 'trust.json', '--fingerprint', releaseFp.slice(0, 16), '--reason', 'token lost'], dir)
    assert.equal(revoked.status, 0, revoked.stderr)
    const b = find(await verifyTree({ dir, registry: url }), 'internal-b')
    assert.equal(b.status, 'invalid')
    assert.deepEqual([...new Set(b.internalSignatures.map((s) => s.code))], ['EKEYREVOKED'])
  })
})
