'use strict'
// `npm-sigverify/bun-scanner` in real Bun installs: Bun hands every package to the scanner before
// downloading it; a package the project's policy fails is a fatal advisory and Bun installs
// nothing. One change per case against a clean control.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, afterEach, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { ROOT, tempDir, writeProject } = require('./helpers/project')
const { ensureManagers, managerEnv } = require('./helpers/managers')
const { run } = require('./helpers/install')
const { registryOf } = require('../bun-scanner')

const SKIP = process.env.SIGVERIFY_SKIP_MANAGERS === '1'
let registry, url, bun, cacheDir

before(async () => {
  if (SKIP) return
  bun = (await ensureManagers()).bun[0]
  registry = new TestRegistry()
  registry.addPackage({ name: 'alpha', version: '1.0.0', dependencies: { beta: '^1.0.0' } })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  registry.addPackage({ name: '@acme/scoped', version: '1.0.0' })
  url = await registry.start()
  cacheDir = tempDir('bun-scanner-cache')
})

after(() => registry && registry.close())
afterEach(() => {
  if (!registry) return
  registry.tamper.clear()
  registry.drop.clear()
})

/** A project using the scanner (npm-sigverify linked in, as an installed copy would be). */
function project (extra = {}) {
  const dir = writeProject(tempDir('bun-scanner'), { name: 'scanned', version: '1.0.0', dependencies: { alpha: '1.0.0', '@acme/scoped': '1.0.0' } }, {
    'bunfig.toml': `[install]\nregistry = "${url}"\n\n[install.security]\nscanner = "npm-sigverify/bun-scanner"\n`,
    ...extra,
  })
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'npm-sigverify'), 'dir')
  return dir
}

async function bunInstall (dir, env = {}) {
  // A fresh Bun cache per install: Bun would otherwise reuse a tarball it fetched for an earlier case.
  const r = await run(bun, ['install', '--ignore-scripts'], { cwd: dir, env: { ...managerEnv(url, tempDir('bun-cache')), NPM_SIGVERIFY_CACHE: 'off', ...env } })
  const installed = fs.readdirSync(path.join(dir, 'node_modules')).filter((n) => n !== 'npm-sigverify')
  return { ...r, installed }
}

describe('the Bun security scanner', { skip: SKIP && 'SIGVERIFY_SKIP_MANAGERS=1' }, () => {
  it('control: a clean tree installs (exit 0)', async () => {
    const r = await bunInstall(project())
    assert.equal(r.status, 0, r.output)
    assert.deepEqual(r.installed.sort(), ['@acme', 'alpha', 'beta'])
  })

  it('a tampered transitive dependency: fatal advisory naming it and the code, nothing installed', async () => {
    registry.tamper.add('beta@1.0.0')
    const r = await bunInstall(project())
    assert.notEqual(r.status, 0, r.output)
    assert.match(r.output, /FATAL: beta/)
    assert.match(r.output, /beta@1\.0\.0: npm-sigverify: registry-signature EINTEGRITYSIGNATURE/)
    assert.deepEqual(r.installed, [])
  })

  it('a dropped signature is fatal too (EMISSINGSIGNATURE)', async () => {
    registry.drop.add('@acme/scoped@1.0.0')
    const r = await bunInstall(project())
    assert.notEqual(r.status, 0, r.output)
    assert.match(r.output, /@acme\/scoped@1\.0\.0: npm-sigverify: .*EMISSINGSIGNATURE/)
  })

  it('the project\'s policy decides: a rule requiring provenance stops the install', async () => {
    const policy = JSON.stringify({ version: 1, rules: [{ package: 'alpha', require: ['registry-signature', 'provenance'] }] })
    const r = await bunInstall(project({ '.npm-sigverify.json': policy }))
    assert.notEqual(r.status, 0, r.output)
    assert.match(r.output, /alpha@1\.0\.0: npm-sigverify: provenance EPROVENANCEREQUIRED/)
    assert.doesNotMatch(r.output, /FATAL: beta/)
  })

  it('an environment in warn mode reports on stderr and lets the install go on', async () => {
    const policy = JSON.stringify({
      version: 1,
      rules: [{ package: 'alpha', require: ['registry-signature', 'provenance'] }],
      environments: { default: 'production', production: { mode: 'enforce' }, development: { mode: 'warn' } },
    })
    const r = await bunInstall(project({ '.npm-sigverify.json': policy }), { NPM_SIGVERIFY_ENV: 'development' })
    assert.equal(r.status, 0, r.output)
    assert.match(r.output, /not enforced in this environment\): alpha@1\.0\.0 fails rule 'alpha'/)
    assert.ok(r.installed.includes('alpha'))
  })

  it('the registry of a package is the one its tarball comes from', () => {
    assert.equal(registryOf('alpha', 'http://127.0.0.1:1/npm/alpha/-/alpha-1.0.0.tgz'), 'http://127.0.0.1:1/npm/')
    assert.equal(registryOf('@s/x', 'https://r.example/@s/x/-/x-1.0.0.tgz'), 'https://r.example/')
    assert.equal(registryOf('@s/x', 'https://r.example/@s%2fx/-/x-1.0.0.tgz'), 'https://r.example/')
    assert.equal(registryOf('x', '/tmp/x.tgz'), null)
  })
})
