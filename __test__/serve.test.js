'use strict'
// The registry gate: two `npm-sigverify serve` replicas sharing a real redis-server, in front of
// the tests' loopback signing registry (with a test Sigstore for real provenance). Real npm,
// pnpm, Yarn 1, Yarn 4 and Bun install through them: clean installs succeed; tampered and
// publisher-changed (provenance downgrade) versions are never installed and the installer's
// error names the reason; a tarball whose bytes change upstream is aborted mid-stream; an
// upstream that is down gives 503 with Retry-After and no partial tarball; many parallel
// installs through both replicas all succeed with bounded memory.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { TestSigstore } = require('./helpers/sigstore')
const { tempDir, writeProject, readJson, cli } = require('./helpers/project')
const { ensureManagers, installWith } = require('./helpers/managers')
const { Gate, startRedis, request } = require('./helpers/gate')
const { runLoad, addPackages } = require('../bench/serve-load')

const SKIP = process.env.SIGVERIFY_SKIP_REDIS ? 'SIGVERIFY_SKIP_REDIS is set' : false
const SKIP_MANAGERS = process.env.SIGVERIFY_SKIP_MANAGERS === '1'
const MANAGERS = ['npm', 'pnpm10', 'yarn1', 'yarn4', 'bun']
const REPO = (name) => ({ repository: `acme/${name}`, repositoryId: '81234567', owner: 'acme', ownerId: '7654321', workflow: '.github/workflows/release.yml' })

let registry, upstream, redis, gates, cacheDir, loadNames, keys

before(async () => {
  if (SKIP) return
  if (!SKIP_MANAGERS) await ensureManagers()
  registry = new TestRegistry().useSigstore(new TestSigstore())
  registry.addPackage({ name: 'left', version: '1.0.0' })
  registry.addPackage({ name: 'left', version: '1.1.0' })
  registry.addPackage({ name: 'right', version: '1.0.0', dependencies: { left: '^1.0.0' } })
  // A tampered latest: its registry signature does not verify.
  registry.addPackage({ name: 'tampered', version: '1.0.0' })
  registry.addPackage({ name: 'tampered', version: '1.1.0' })
  registry.tamper.add('tampered@1.1.0')
  // The publisher changed: 1.0.0 was built with provenance, 1.1.0 (later, same line) was not.
  registry.addPackage({ name: 'prov', version: '1.0.0', publishedAt: '2024-03-01T10:00:00Z', provenance: { ...REPO('prov'), ref: 'refs/tags/v1.0.0' } })
  registry.addPackage({ name: 'prov', version: '1.1.0', publishedAt: '2024-04-01T10:00:00Z', repository: { type: 'git', url: 'git+https://github.com/acme/prov.git' } })
  // Too young for the policy's release age: published two hours ago (1.0.0 long before).
  registry.addPackage({ name: 'young', version: '1.0.0', publishedAt: '2024-03-01T10:00:00Z' })
  registry.addPackage({ name: 'young', version: '1.1.0', publishedAt: new Date(Date.now() - 2 * 3600e3).toISOString() })
  registry.addPackage({ name: 'pinned', version: '1.0.0' })
  registry.addPackage({ name: 'flipped', version: '1.0.0' })
  registry.addPackage({ name: 'down', version: '1.0.0' })
  // Its release line is pinned to a GitHub release identity; no version has provenance.
  registry.addPackage({ name: 'unpinned', version: '1.0.0' })
  loadNames = addPackages(registry, 12)
  upstream = await registry.start()
  redis = await startRedis()
  cacheDir = tempDir('serve-cache')
  keys = tempDir('serve-keys')
  const gen = await cli(['generate-key-pair', '--output-key-prefix', path.join(keys, 'cosign')], { env: { COSIGN_PASSWORD: 'gate vsa key' } })
  assert.equal(gen.status, 0, gen.stderr)
  const env = { NPM_SIGVERIFY_CACHE_KEY: 'serve-test-'.padEnd(48, 'x'), COSIGN_PASSWORD: 'gate vsa key', NPM_SIGVERIFY_VSA_KEY: path.join(keys, 'cosign.key') }
  // The publisher change is a failure where the policy requires provenance (npm's defaults only warn).
  const policy = path.join(tempDir('serve-policy'), 'policy.yaml')
  const pins = path.join(path.dirname(policy), 'sigverify.pins.json')
  const identity = { issuer: 'https://token.actions.githubusercontent.com', repository: 'github.com/acme/unpinned', owner: 'github.com/acme', workflow: '.github/workflows/release.yml' }
  fs.writeFileSync(pins, JSON.stringify({ version: 1, packages: { unpinned: { 1: { provenance: identity, pinnedFrom: '1.0.0' } } } }))
  // The incident signals apply at the gate as in a tree: a version younger than 2 days fails.
  fs.writeFileSync(policy, `version: 1\nrules:\n  - package: "prov"\n    require: [registry-signature, provenance]\n  - package: "*"\n    require: [registry-signature]\nsignals:\n  releaseAge:\n    minimum: 2d\n    action: fail\n  pins:\n    action: fail\n    file: ${JSON.stringify(pins)}\n`)
  const args = ['--upstream', upstream, '--cache', redis.url, '--trusted-root', registry.trustedRootPath(), '--packument-max-age', '0', '--policy', policy]
  gates = [await Gate.start(args, env), await Gate.start(args, env)]
})

after(async () => {
  for (const g of gates || []) await g.stop()
  if (redis) redis.child.kill()
  if (registry) await registry.close()
})

/** A project depending on `deps`, installed by `manager` through gate `i`; resolves to the run. */
async function install (manager, deps, i = 0, files = {}) {
  const dir = writeProject(tempDir(`serve-${manager}`), { name: `gate-${manager}`, version: '1.0.0', dependencies: deps }, files)
  const cache = tempDir(`serve-cache-${manager}`)
  try {
    const r = await installWith(manager, dir, gates[i % 2].url, cache)
    return { dir, ok: true, output: r.output }
  } catch (e) {
    return { dir, ok: false, output: e.message }
  }
}

/** The installed version of `name`: at the top, or where pnpm hoists transitive packages. */
function installedVersion (dir, name) {
  for (const where of [['node_modules'], ['node_modules', '.pnpm', 'node_modules']]) {
    const file = path.join(dir, ...where, name, 'package.json')
    if (fs.existsSync(file)) return readJson(file).version
  }
  return null
}

describe('npm-sigverify serve: a registry gate for every installer', { skip: SKIP }, () => {
  it('answers packuments with withheld versions removed, the reason in headers and logs', async () => {
    const r = await request(`${gates[0].url}tampered`)
    assert.equal(r.status, 200)
    const doc = JSON.parse(r.body)
    assert.deepEqual(Object.keys(doc.versions), ['1.0.0'])
    assert.equal(doc['dist-tags'].latest, '1.0.0', 'dist-tags repaired')
    assert.equal(doc.time['1.1.0'], undefined)
    assert.match(r.headers['x-sigverify-removed'], /1\.1\.0 EINTEGRITYSIGNATURE/)
    assert.equal(doc.versions['1.0.0'].dist.tarball, `${gates[0].url}tampered/-/tampered-1.0.0.tgz`)
    const logged = gates[0].logs().find((l) => l.msg === 'versions withheld' && l.package === 'tampered')
    assert.equal(logged.removed[0].code, 'EINTEGRITYSIGNATURE')
    const prov = JSON.parse((await request(`${gates[1].url}prov`)).body)
    assert.deepEqual(Object.keys(prov.versions), ['1.0.0'], 'the provenance downgrade is withheld')
  })

  it('refuses a withheld version\'s tarball with 403 naming package, code and remediation', async () => {
    const r = await request(`${gates[1].url}tampered/-/tampered-1.1.0.tgz`)
    assert.equal(r.status, 403)
    const body = JSON.parse(r.body)
    assert.equal(body.package, 'tampered@1.1.0')
    assert.equal(body.code, 'EINTEGRITYSIGNATURE')
    assert.match(body.remediation, /do not install this version/)
    assert.match(r.statusMessage, /EINTEGRITYSIGNATURE tampered@1\.1\.0/)
    const down = JSON.parse((await request(`${gates[0].url}prov/-/prov-1.1.0.tgz`)).body)
    assert.equal(down.code, 'EPROVENANCEDOWNGRADE')
  })

  it('a version younger than the policy\'s release age is withheld (ERELEASETOOYOUNG); installs get the older one', async () => {
    const r = await request(`${gates[0].url}young`)
    assert.equal(r.status, 200)
    const doc = JSON.parse(r.body)
    assert.deepEqual(Object.keys(doc.versions), ['1.0.0'])
    assert.equal(doc['dist-tags'].latest, '1.0.0', 'dist-tags repaired')
    assert.match(r.headers['x-sigverify-removed'], /1\.1\.0 ERELEASETOOYOUNG/)
    const t = await request(`${gates[1].url}young/-/young-1.1.0.tgz`)
    assert.equal(t.status, 403)
    assert.equal(JSON.parse(t.body).code, 'ERELEASETOOYOUNG')
    assert.equal((await request(`${gates[1].url}young/-/young-1.0.0.tgz`)).status, 200, 'control: the old version is served')
    if (SKIP_MANAGERS) return
    const run = await install('npm', { young: '^1.0.0' })
    assert.ok(run.ok, run.output)
    assert.equal(installedVersion(run.dir, 'young'), '1.0.0')
  })

  it('only the registry endpoints it names pass through: an encoded `..` or another /-/ path reaches nothing upstream', async () => {
    // Sent as written: a URL parser would resolve the encoded dots before they left here.
    const raw = (rawPath) => new Promise((resolve, reject) => {
      const { hostname, port } = new URL(gates[0].url)
      require('node:http').get({ host: hostname, port, path: rawPath }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode))
      }).on('error', reject)
    })
    assert.equal(await raw('/-/npm/v1/keys'), 200, 'control: the keys pass through')
    assert.equal(await raw('/tampered/-/tampered-1.1.0.tgz'), 403, 'control: the withheld tarball')
    for (const p of ['/-/%2e%2e/tampered', '/-/%2e%2e/tampered/-/tampered-1.1.0.tgz%20', '/-/.%2e/tampered', '/-/v1/payload', '/-/npm/v1/attestations/%2e%2e/%2e%2e/tampered/-/tampered-1.1.0.tgz']) {
      assert.equal(await raw(p), 404, p)
    }
  })

  it('a version whose publisher differs from the project\'s pin is withheld (EPINMISMATCH), as verify fails it', async () => {
    const r = await request(`${gates[0].url}unpinned`)
    assert.equal(r.status, 200)
    assert.deepEqual(Object.keys(JSON.parse(r.body).versions), [])
    assert.match(r.headers['x-sigverify-removed'], /1\.0\.0 EPINMISMATCH/)
    const t = await request(`${gates[1].url}unpinned/-/unpinned-1.0.0.tgz`)
    assert.equal(t.status, 403)
    assert.equal(JSON.parse(t.body).code, 'EPINMISMATCH')
  })

  for (const manager of MANAGERS) {
    describe(`with ${manager}`, { skip: SKIP_MANAGERS && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
      it('a clean install succeeds through the gate, picking only accepted versions', async () => {
        const r = await install(manager, { right: '1.0.0', tampered: '^1.0.0', prov: '^1.0.0' }, MANAGERS.indexOf(manager))
        assert.ok(r.ok, r.output)
        assert.equal(installedVersion(r.dir, 'left'), '1.1.0')
        assert.equal(installedVersion(r.dir, 'tampered'), '1.0.0', 'the tampered latest was never chosen')
        assert.equal(installedVersion(r.dir, 'prov'), '1.0.0', 'the publisher-changed version was never chosen')
      })

      it('a withheld version asked for by exact version is not installed', async () => {
        const r = await install(manager, { tampered: '1.1.0' }, MANAGERS.indexOf(manager) + 1)
        assert.ok(!r.ok, `installed a withheld version:\n${r.output}`)
        assert.equal(installedVersion(r.dir, 'tampered'), null)
      })

      it('a lockfile pinning a version that fails now: the install fails and names the reason', async () => {
        registry.tamper.delete('pinned@1.0.0')
        // npm records tarball URLs only with omit-lockfile-registry-resolved off (this machine's
        // global npmrc turns it on); without them it resolves from the packument again, where the
        // version is gone (ETARGET, which cannot name the reason).
        const npmrc = manager === 'npm' ? { '.npmrc': 'omit-lockfile-registry-resolved=false\n' } : {}
        const locked = await install(manager, { pinned: '1.0.0' }, 1, npmrc)
        assert.ok(locked.ok, locked.output)
        fs.rmSync(path.join(locked.dir, 'node_modules'), { recursive: true, force: true })
        registry.tamper.add('pinned@1.0.0')
        try {
          // The lockfile names the tarball at the gate: the installer fetches it and gets the 403.
          const again = await installWith(manager, locked.dir, gates[1].url, tempDir('serve-fresh-cache'), { keepLockfile: true }).then((r) => ({ ok: true, output: r.output }), (e) => ({ ok: false, output: e.message }))
          assert.ok(!again.ok, `installed a version the gate withholds:\n${again.output}`)
          assert.equal(installedVersion(locked.dir, 'pinned'), null)
          assert.match(again.output, /EINTEGRITYSIGNATURE|403/, again.output)
        } finally {
          registry.tamper.delete('pinned@1.0.0')
        }
      })
    })
  }

  it('a tarball whose bytes change upstream is aborted mid-stream, never completed', async () => {
    const file = '/flipped/-/flipped-1.0.0.tgz'
    registry.fault(file, 'flip')
    const r = await request(`${gates[0].url}flipped/-/flipped-1.0.0.tgz`)
    assert.equal(r.status, 200, 'the headers went out before the last bytes arrived')
    assert.ok(r.aborted, 'the response was completed')
    assert.ok(r.body.length < registry.tarballs.get(file).length, 'every byte was delivered')
    assert.match(await gates[0].metrics(), /sigverify_tarball_aborts_total\{code="ETARBALLMISMATCH"\} 1/)
    const logged = gates[0].logs().find((l) => l.msg === 'tarball aborted')
    assert.equal(logged.failure.code, 'ETARBALLMISMATCH')
    const clean = await request(`${gates[0].url}flipped/-/flipped-1.0.0.tgz`)
    assert.ok(!clean.aborted)
    assert.deepEqual(clean.body, registry.tarballs.get(file))
  })

  it('an upstream that is down: 503 with Retry-After, and no partial tarball', async () => {
    registry.fault('down', 'status:503', 'status:503', 'status:503')
    const packument = await request(`${gates[1].url}down`)
    assert.equal(packument.status, 503)
    assert.ok(Number(packument.headers['retry-after']) > 0)
    assert.equal(JSON.parse(packument.body).code, 'EREGISTRYUNREACHABLE')
    await request(`${gates[1].url}down`) // judged while the upstream is back
    const file = '/down/-/down-1.0.0.tgz'
    registry.fault(file, 'reset', 'reset', 'reset')
    const tarball = await request(`${gates[1].url}down/-/down-1.0.0.tgz`)
    assert.equal(tarball.status, 503)
    assert.ok(Number(tarball.headers['retry-after']) > 0)
    assert.equal(tarball.headers['content-type'], 'application/json', 'no tarball bytes')
    registry.faults.clear()
  })

  it('the verification API verifies a lockfile (any format) and signs a VSA on request', async () => {
    const locked = await install('npm', { right: '1.0.0' })
    assert.ok(locked.ok, locked.output)
    const lockfile = fs.readFileSync(path.join(locked.dir, 'package-lock.json'), 'utf8')
    const packageJson = readJson(path.join(locked.dir, 'package.json'))
    const body = JSON.stringify({ lockfile, packageJson })
    const r = await request(`${gates[1].url}-/sigverify/v1/verify`, { method: 'POST', body })
    assert.equal(r.status, 200, r.body.toString())
    const report = JSON.parse(r.body)
    assert.equal(report.summary.verified, 2, r.body.toString())
    assert.equal(r.headers['x-sigverify-exit-code'], '0')
    // The lockfile alone: its sources cannot be checked against a package.json (exit code 3).
    const alone = await request(`${gates[0].url}-/sigverify/v1/verify`, { method: 'POST', body: lockfile })
    assert.equal(alone.status, 200)
    assert.equal(alone.headers['x-sigverify-exit-code'], '3')
    assert.equal(JSON.parse(alone.body).invalid[0].code, 'ENOTCHECKED')
    const signed = await request(`${gates[0].url}-/sigverify/v1/verify?vsa=true`, { method: 'POST', body })
    assert.equal(signed.status, 200, signed.body.toString())
    const vsa = path.join(locked.dir, 'vsa.json')
    fs.writeFileSync(vsa, JSON.stringify(JSON.parse(signed.body).vsa))
    const checked = await cli(['verify-vsa', vsa, '--key', path.join(keys, 'cosign.pub'), '--lockfile', path.join(locked.dir, 'package-lock.json')])
    assert.equal(checked.status, 0, checked.stdout + checked.stderr)
    const bad = await request(`${gates[1].url}-/sigverify/v1/verify?policy=nope`, { method: 'POST', body: lockfile })
    assert.equal(bad.status, 400)
    assert.equal(JSON.parse(bad.body).code, 'EUSAGE')
  })

  it('many parallel installs through both replicas: no error, bounded memory, shared verdicts', async () => {
    const figures = await runLoad({ gates, names: loadNames, installs: 12, parallel: 6 })
    assert.deepEqual(figures.failures, [])
    for (const peak of figures.peakRssMiB) assert.ok(peak > 0 && peak < 512, `a replica peaked at ${peak} MiB`)
    const metrics = await Promise.all(gates.map((g) => g.metrics()))
    for (const m of metrics) {
      assert.match(m, /sigverify_http_requests_total\{route="packument",status="200"\} \d+/)
      assert.match(m, /sigverify_verdicts_total\{outcome="pass",code="none"\} \d+/)
      assert.match(m, /sigverify_verification_duration_seconds_count [1-9]/)
    }
    const hits = metrics.map((m) => Number(m.match(/sigverify_cache_lookups_total\{result="hit"\} (\d+)/)[1]))
    assert.ok(hits.some((h) => h > 0), 'no replica reused a verdict from the shared cache')
  })

  it('stops on SIGTERM after draining, with exit code 0', async () => {
    const extra = await Gate.start(['--upstream', upstream, '--cache', 'off'])
    const exit = await extra.stop()
    assert.equal(exit.code, 0, extra.stderr)
    assert.ok(extra.logs().some((l) => l.msg === 'shutting down: draining requests in flight'))
  })
})
