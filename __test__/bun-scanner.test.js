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

  it('a registry named in bunfig.toml alone is the configured one: a clean tree installs, a tampered package is fatal', async () => {
    // No npm_config_registry: Bun and the scanner both take the registry from bunfig.toml.
    const env = { npm_config_registry: undefined, HOME: tempDir('bun-scanner-home'), npm_config_userconfig: path.join(tempDir('bun-scanner-user'), '.npmrc') }
    const r = await bunInstall(project(), env)
    assert.equal(r.status, 0, r.output)
    assert.deepEqual(r.installed.sort(), ['@acme', 'alpha', 'beta'])
    registry.tamper.add('beta@1.0.0')
    const bad = await bunInstall(project(), env)
    assert.notEqual(bad.status, 0, bad.output)
    assert.match(bad.output, /beta@1\.0\.0: npm-sigverify: registry-signature EINTEGRITYSIGNATURE/)
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

  it('allowedFailures is a tree\'s budget: the scanner, judging one package at a time, spends none (fatal)', async () => {
    const policy = JSON.stringify({ version: 1, environments: { default: 'production', production: { mode: 'enforce', allowedFailures: 5 } } })
    registry.tamper.add('beta@1.0.0')
    const r = await bunInstall(project({ '.npm-sigverify.json': policy }))
    assert.notEqual(r.status, 0, r.output)
    assert.match(r.output, /FATAL: beta/)
    assert.doesNotMatch(r.output, /not enforced in this environment/)
  })

})

// scan() called directly, as Bun calls it, in a project folder: the registry is the one the
// project configures for the name, never one read from the (unsigned) tarball URL.
describe('the scanner\'s registry and source check', () => {
  const { scanner } = require('../bun-scanner')
  const { parseToml } = require('../bun-scanner/config')
  let a, b, aUrl, bUrl
  const saved = { cwd: process.cwd(), env: { ...process.env } }

  before(async () => {
    a = new TestRegistry()
    b = new TestRegistry()
    for (const r of [a, b]) {
      r.addPackage({ name: 'alpha', version: '1.0.0' })
      r.addPackage({ name: '@acme/scoped', version: '1.0.0' })
    }
    aUrl = await a.start()
    bUrl = await b.start()
    // No user or global configuration of this machine: a fresh HOME, no npm_config_* variables.
    for (const k of Object.keys(process.env)) if (/^(npm_config_|BUN_CONFIG_)/i.test(k)) delete process.env[k]
    process.env.HOME = tempDir('bun-scanner-home')
    process.env.npm_config_userconfig = path.join(process.env.HOME, '.npmrc')
    process.env.NPM_SIGVERIFY_CACHE = 'off'
  })

  after(async () => {
    process.chdir(saved.cwd)
    for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k]
    Object.assign(process.env, saved.env)
    await Promise.all([a.close(), b.close()])
  })

  afterEach(() => {
    a.tamper.clear()
    b.tamper.clear()
  })

  /** Scans `packages` from a fresh project folder holding `files`. */
  async function scanIn (files, packages) {
    const dir = writeProject(tempDir('bun-scanner-unit'), { name: 'scanned', version: '1.0.0' }, files)
    process.chdir(dir)
    try {
      return await scanner.scan({ packages: packages.map((p) => ({ version: '1.0.0', requestedRange: '1.0.0', ...p })) })
    } finally {
      process.chdir(saved.cwd)
    }
  }
  const alphaOn = (url) => ({ name: 'alpha', tarball: `${url}alpha/-/alpha-1.0.0.tgz` })
  const scopedOn = (url) => ({ name: '@acme/scoped', tarball: `${url}@acme/scoped/-/scoped-1.0.0.tgz` })

  it('control: packages from the configured registry (.npmrc) are verified against it', async () => {
    assert.deepEqual(await scanIn({ '.npmrc': `registry=${aUrl}\n` }, [alphaOn(aUrl), scopedOn(aUrl)]), [])
    a.tamper.add('alpha@1.0.0')
    const found = await scanIn({ '.npmrc': `registry=${aUrl}\n` }, [alphaOn(aUrl)])
    assert.equal(found.length, 1)
    assert.equal(found[0].level, 'fatal')
    assert.match(found[0].description, /^alpha@1\.0\.0: npm-sigverify: registry-signature EINTEGRITYSIGNATURE/)
  })

  it('a tarball URL without /<name>/-/ is a fatal ELOCKFILESOURCE, not a package waved through', async () => {
    const found = await scanIn({ '.npmrc': `registry=${aUrl}\n` }, [{ name: 'alpha', tarball: `${aUrl}download/alpha-1.0.0.tgz` }])
    assert.equal(found.length, 1, 'an unchecked package must not pass')
    assert.equal(found[0].level, 'fatal')
    assert.equal(found[0].package, 'alpha')
    assert.match(found[0].description, /^alpha@1\.0\.0: npm-sigverify: source ELOCKFILESOURCE: Bun would install it from http:\/\/127\.0\.0\.1:\d+\/download\/alpha-1\.0\.0\.tgz, which is not a registry tarball of alpha@1\.0\.0 on /)
    assert.match(found[0].description, /\(fix: install it from the configured registry/)
  })

  it('a tarball on another host than the configured registry is a fatal ELOCKFILESOURCE (not verified with that host\'s keys)', async () => {
    // b signs alpha with its own key, validly: verified against b, it would pass.
    const found = await scanIn({ '.npmrc': `registry=${aUrl}\n` }, [alphaOn(bUrl)])
    assert.equal(found.length, 1, 'a package from another registry must not pass')
    assert.equal(found[0].level, 'fatal')
    assert.match(found[0].description, new RegExp(`^alpha@1\\.0\\.0: npm-sigverify: source ELOCKFILESOURCE: Bun would download it from ${bUrl}alpha/-/alpha-1\\.0\\.0\\.tgz, another registry than ${aUrl}, the registry the project's configuration assigns to it`))
    // The same for a scoped package against its scope's registry.
    const npmrc = `registry=${aUrl}\n@acme:registry=${bUrl}\n`
    assert.deepEqual(await scanIn({ '.npmrc': npmrc }, [scopedOn(bUrl), alphaOn(aUrl)]), [])
    const scoped = await scanIn({ '.npmrc': npmrc }, [scopedOn(aUrl)])
    assert.match(scoped[0].description, new RegExp(`^@acme/scoped@1\\.0\\.0: npm-sigverify: source ELOCKFILESOURCE: .*another registry than ${bUrl},`))
  })

  it('bunfig.toml\'s registry and scopes are the configured ones (over .npmrc), as for verify', async () => {
    const bunfig = `[install]\nregistry = "${aUrl}" # the default\n\n[install.scopes]\nacme = { url = "${bUrl}", token = "t0k" }\n`
    const files = { 'bunfig.toml': bunfig, '.npmrc': `registry=${bUrl}\n` }
    assert.deepEqual(await scanIn(files, [alphaOn(aUrl), scopedOn(bUrl)]), [])
    const found = await scanIn(files, [alphaOn(bUrl)])
    assert.match(found[0].description, new RegExp(`ELOCKFILESOURCE: .*another registry than ${aUrl},`))
    b.tamper.add('@acme/scoped@1.0.0')
    assert.match((await scanIn(files, [scopedOn(bUrl)]))[0].description, /EINTEGRITYSIGNATURE/)
  })

  it('local folders and tarballs download nothing and get no advisory; any other source is fatal', async () => {
    const local = [
      { name: 'lnk', version: 'link:./lnk', requestedRange: 'link:./lnk', tarball: '' },
      { name: 'dir', version: 'file:dir', requestedRange: 'file:./dir', tarball: '' },
      { name: 'tp', version: './tp-3.0.0.tgz', requestedRange: './tp-3.0.0.tgz', tarball: './tp-3.0.0.tgz' },
    ]
    assert.deepEqual(await scanIn({ '.npmrc': `registry=${aUrl}\n` }, local), [])
    const other = [
      { name: 'alpha', tarball: '' },
      { name: 'gh', requestedRange: 'github:o/r', tarball: 'https://api.github.com/repos/o/r/tarball/0123abc' },
    ]
    const found = await scanIn({ '.npmrc': `registry=${aUrl}\n` }, other)
    assert.deepEqual(found.map((f) => [f.package, f.level]), [['alpha', 'fatal'], ['gh', 'fatal']])
    assert.match(found[0].description, /ELOCKFILESOURCE: Bun would install it from no registry tarball \(requested as 1\.0\.0\)/)
    for (const f of found) assert.match(f.description, /source ELOCKFILESOURCE/)
  })

  it('reads a registry tarball URL as verify reads a lockfile\'s resolved', () => {
    assert.equal(registryOf('alpha', 'http://127.0.0.1:1/npm/alpha/-/alpha-1.0.0.tgz', '1.0.0'), 'http://127.0.0.1:1/npm/')
    assert.equal(registryOf('@s/x', 'https://r.example/@s/x/-/x-1.0.0.tgz', '1.0.0'), 'https://r.example/')
    assert.equal(registryOf('@s/x', 'https://r.example/@s%2fx/-/x-1.0.0.tgz', '1.0.0'), 'https://r.example/')
    assert.equal(registryOf('@s/x', 'https://a.example/api/npm/@s/x/-/@s/x-1.0.0.tgz', '1.0.0'), 'https://a.example/api/npm/')
    assert.equal(registryOf('a', 'https://u:secret@r.example/a/-/a-1.2.0.tgz?token=x', '1.2.0'), 'https://r.example/')
    assert.equal(registryOf('is-number', 'https://r.example/is-number/-/is-number-7.0.0.tgz', '7.0.0'), 'https://r.example/')
    assert.equal(registryOf('is-number', 'https://r.example/is-number/-/is-number-7.0.0.tgz'), 'https://r.example/')
    for (const [name, url] of [
      ['x', '/tmp/x.tgz'],
      ['a', 'https://r.example/download/a-1.0.0.tgz'],
      ['a', 'https://r.example/a/-/a-1.0.1.tgz'],
      ['a', 'https://r.example/b/-/b-1.0.0.tgz'],
      ['a', 'https://r.example/xa/-/a-1.0.0.tgz'],
      ['a', 'https://r.example/a/-/a-1.0.0.tgz#x'],
      ['a', 'ftp://r.example/a/-/a-1.0.0.tgz'],
    ]) assert.equal(registryOf(name, url, '1.0.0'), null, url)
  })

  it('reads bunfig.toml outside Bun too', () => {
    const doc = parseToml('# c\n[install]\nregistry = { url = "https://r.example/", token = \'t\' }\n' +
      'lockfile.save = false\npreload = [\n  "a", # x\n  "b",\n]\n[install.scopes]\n"@corp" = "https://c.example/"\n[[x]]\ny = 1\n')
    assert.deepEqual(doc.install.registry, { url: 'https://r.example/', token: 't' })
    assert.deepEqual(doc.install.scopes, { '@corp': 'https://c.example/' })
    assert.deepEqual(doc.install.preload, ['a', 'b'])
    assert.throws(() => parseToml('[install]\nregistry = "x\n'), /line 2: unterminated string/)
  })
})
