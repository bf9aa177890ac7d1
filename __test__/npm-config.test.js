'use strict'
// npm's global npmrc is `<prefix>/etc/npmrc`, where the prefix is npm_config_prefix, a `prefix`
// in the project or user npmrc, PREFIX, else the folder above node's (a company sets its
// registry mirror there). npm-sigverify reads the file npm reads; the real npm says which.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli, run } = require('./helpers/project')

let registry, url, project, home

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'one', version: '1.0.0' })
  url = await registry.start()
  project = writeProject(tempDir('npmrc-project'), { name: 'p', version: '1.0.0', dependencies: { one: '1.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('npmcache') })
  home = tempDir('npmrc-home')
})

after(async () => {
  if (registry) await registry.close()
})

/** A prefix folder whose etc/npmrc names `registryUrl`. */
function prefixNaming (registryUrl) {
  const prefix = tempDir('npm-prefix')
  fs.mkdirSync(path.join(prefix, 'etc'))
  fs.writeFileSync(path.join(prefix, 'etc', 'npmrc'), `registry=${registryUrl}\n`)
  return prefix
}

/** The environment of a run: this test's home, no npm settings but `extra`. */
function envWith (extra) {
  const env = { ...process.env, HOME: home, USERPROFILE: home, ...extra }
  for (const key of Object.keys(env)) {
    if (/^npm_config_/i.test(key) && !(key in extra)) delete env[key]
  }
  return env
}

/** What the real npm says the registry is, in the project, with `env`. */
async function npmRegistry (env) {
  const r = await run('npm', ['config', 'get', 'registry'], { cwd: project, env })
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.trim()
}

/** `verify --json` of the project without --registry, with `env`. */
async function verify (env) {
  const r = await cli(['verify', project, '--json', '--cache', tempDir('npmrc-cache')], { env })
  return { status: r.status, doc: JSON.parse(r.stdout) }
}

describe('the global npmrc, where npm reads it', () => {
  it('PREFIX/etc/npmrc names the registry for npm and for npm-sigverify', async () => {
    const env = envWith({ PREFIX: prefixNaming(url) })
    assert.equal(await npmRegistry(env), url)
    const { status, doc } = await verify(env)
    assert.equal(status, 0, JSON.stringify(doc.invalid))
    assert.deepEqual(doc.verified.map((p) => p.name), ['one'])
    assert.deepEqual(doc.registries.map((r) => r.url), [url])
  })

  it('a prefix the user npmrc sets wins over PREFIX, in npm and here', async () => {
    const userrc = path.join(tempDir('npmrc-user'), '.npmrc')
    fs.writeFileSync(userrc, `prefix=${prefixNaming(url)}\n`)
    const env = envWith({ PREFIX: prefixNaming('http://127.0.0.1:1/'), npm_config_userconfig: userrc })
    assert.equal(await npmRegistry(env), url)
    const { status, doc } = await verify(env)
    assert.equal(status, 0, JSON.stringify(doc.invalid))
    assert.deepEqual(doc.verified.map((p) => p.name), ['one'])
  })

  it('the registry a global npmrc names is the one checked: an unreachable one verifies nothing', async () => {
    const closed = 'http://127.0.0.1:1/'
    const env = envWith({ PREFIX: prefixNaming(closed) })
    assert.equal(await npmRegistry(env), closed)
    const { status, doc } = await verify(env)
    assert.notEqual(status, 0)
    assert.deepEqual(doc.verified, [])
    assert.deepEqual(doc.registries.map((r) => r.url), [closed])
  })

  it('verifyTree() reads the same file as the CLI', async () => {
    const saved = { ...process.env }
    for (const key of Object.keys(process.env)) if (/^npm_config_/i.test(key)) delete process.env[key]
    Object.assign(process.env, { HOME: home, USERPROFILE: home, PREFIX: prefixNaming(url) })
    try {
      const report = await verifyTree({ dir: project, cache: tempDir('npmrc-api-cache') })
      assert.equal(report.exitCode, 0)
      assert.deepEqual(report.packages.map((p) => `${p.name}:${p.status}`), ['one:verified'])
    } finally {
      for (const key of Object.keys(process.env)) delete process.env[key]
      Object.assign(process.env, saved)
    }
  })
})

describe('npm\'s other config files', () => {
  it('a userconfig set in the project npmrc names the user file, in npm and here', async () => {
    const userrc = path.join(tempDir('npmrc-user'), 'named.npmrc')
    fs.writeFileSync(userrc, `registry=${url}\n`)
    const projectrc = path.join(project, '.npmrc')
    fs.writeFileSync(projectrc, `userconfig=${userrc}\n`)
    try {
      const env = envWith({ PREFIX: prefixNaming('http://127.0.0.1:1/') })
      assert.equal(await npmRegistry(env), url)
      const { status, doc } = await verify(env)
      assert.equal(status, 0, JSON.stringify(doc.invalid))
      assert.deepEqual(doc.registries.map((r) => r.url), [url])
    } finally {
      fs.rmSync(projectrc)
    }
  })

  it('npm\'s builtin npmrc (in the npm the PATH runs) names the registry, in npm and here', async (t) => {
    if (process.platform === 'win32') return t.skip('npm on PATH is a .cmd shim on Windows')
    const npmCli = fs.realpathSync(await whichNpm())
    const copy = path.join(tempDir('npm-builtin'), 'lib', 'node_modules', 'npm')
    fs.cpSync(path.dirname(path.dirname(npmCli)), copy, { recursive: true })
    fs.writeFileSync(path.join(copy, 'npmrc'), `registry=${url}\n`)
    const bin = path.join(copy, '..', '..', '..', 'bin')
    fs.mkdirSync(bin)
    fs.symlinkSync(path.join(copy, 'bin', 'npm-cli.js'), path.join(bin, 'npm'))
    const env = envWith({ PATH: `${bin}${path.delimiter}${process.env.PATH}` })
    assert.equal(await npmRegistry(env), url)
    const { status, doc } = await verify(env)
    assert.equal(status, 0, JSON.stringify(doc.invalid))
    assert.deepEqual(doc.registries.map((r) => r.url), [url])
  })
})

/** The npm script the first `npm` on PATH runs. */
async function whichNpm () {
  const r = await run('sh', ['-c', 'command -v npm'], {})
  assert.equal(r.status, 0, r.stderr)
  return r.stdout.trim()
}
