'use strict'
// The evidence cache: the embedded disk cache revalidates every run by default (a changed
// registry answer is always seen); a shared Redis lets one CI runner's fetches serve another
// (a real redis-server, started here).
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const net = require('node:net')
const { after, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli } = require('./helpers/project')

let registry, url, project, redis, redisUrl

// Redis is required: a missing redis-server fails before() with the command to install it.
// SIGVERIFY_SKIP_REDIS=1 skips the Redis tests knowingly (they are reported as skipped).
const SKIP_REDIS = process.env.SIGVERIFY_SKIP_REDIS ? 'SIGVERIFY_SKIP_REDIS is set' : false

function freePort () {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** True when redis-server is on PATH. */
function redisInstalled () {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

async function startRedis () {
  if (!redisInstalled()) {
    throw new Error('redis-server is not on PATH: install it (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`), or set SIGVERIFY_SKIP_REDIS=1 to skip the Redis tests knowingly')
  }
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true) }).on('error', () => resolve(false))
    })
    if (up) return { child, url: `redis://127.0.0.1:${port}/3` }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill()
  throw new Error('redis-server did not start within 5 s')
}

before(async () => {
  registry = new TestRegistry()
  for (const name of ['one', 'two', 'three']) registry.addPackage({ name, version: '1.0.0' })
  url = await registry.start()
  project = writeProject(tempDir('cache'), { name: 'p', version: '1.0.0', dependencies: { one: '1.0.0', two: '1.0.0', three: '1.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('npmcache') })
  if (SKIP_REDIS) return
  const started = await startRedis()
  redis = started.child
  redisUrl = started.url
})

// Always release what before() started, whatever failed: a hook that throws here would leave
// the registry listening and the test process would never exit.
after(async () => {
  if (redis) redis.kill()
  if (registry) await registry.close()
})

describe('evidence cache', () => {
  it('the local cache honours the registry\'s Cache-Control max-age, like npm; --cache-max-age 0 asks again', async () => {
    const cache = tempDir('disk-cache-max-age')
    registry.cacheControl = 'public, max-age=300'
    try {
      const first = await verifyTree({ dir: project, registry: url, cache, contents: false })
      assert.equal(first.summary.verified, 3)
      const before = registry.stats.packuments
      registry.tamper.add('two@1.0.0')
      const fresh = await verifyTree({ dir: project, registry: url, cache, contents: false })
      assert.equal(registry.stats.packuments, before, 'fresh entries must not be fetched again')
      assert.equal(fresh.summary.verified, 3, 'the fresh cached evidence (re-verified) is used')
      const forced = await verifyTree({ dir: project, registry: url, cache, contents: false, cacheMaxAge: 0 })
      assert.equal(registry.stats.packuments, before + 3)
      assert.equal(forced.packages.find((p) => p.name === 'two').code, 'EINTEGRITYSIGNATURE')
    } finally {
      registry.cacheControl = null
      registry.tamper.clear()
    }
  })

  it('a fresh entry without the wanted version\'s facts is a miss, and then keeps both versions', async () => {
    registry.addPackage({ name: 'one', version: '2.0.0' })
    const other = writeProject(tempDir('cache-other'), { name: 'q', version: '1.0.0', dependencies: { one: '2.0.0' } })
    await npm(['install'], { cwd: other, registry: url, cache: tempDir('npmcache-other') })
    const cache = tempDir('disk-cache-versions')
    registry.cacheControl = 'public, max-age=300'
    try {
      await verifyTree({ dir: project, registry: url, cache, contents: false })
      const before = registry.stats.byName.one
      const second = await verifyTree({ dir: other, registry: url, cache, contents: false })
      assert.equal(second.packages.find((p) => p.name === 'one').status, 'verified')
      assert.equal(registry.stats.byName.one, before + 1, 'one@2.0.0 is not in the cached entry: fetched again')
      await verifyTree({ dir: project, registry: url, cache, contents: false })
      await verifyTree({ dir: other, registry: url, cache, contents: false })
      assert.equal(registry.stats.byName.one, before + 1, 'the new entry serves both versions')
    } finally {
      registry.cacheControl = null
    }
  })

  it('without Cache-Control the local cache revalidates every run, so a changed registry answer is seen', async () => {
    const cache = tempDir('disk-cache')
    const clean = await verifyTree({ dir: project, registry: url, cache, contents: false })
    assert.equal(clean.summary.verified, 3)
    assert.equal(clean.cache, 'disk')
    registry.tamper.add('two@1.0.0')
    try {
      const tampered = await verifyTree({ dir: project, registry: url, cache, contents: false })
      assert.equal(tampered.packages.find((p) => p.name === 'two').code, 'EINTEGRITYSIGNATURE')
    } finally {
      registry.tamper.clear()
    }
  })

  it('fleet: an unkeyed Redis keeps no packument facts (their unsigned parts could be forged): runner B fetches them', { skip: SKIP_REDIS }, async () => {
    const unkeyed = redisUrl.replace(/\/3$/, '/4')
    const a = await cli(['verify', project, '--registry', url, '--cache', unkeyed, '--no-content', '--json'])
    assert.equal(a.status, 0, a.stderr)
    const before = registry.stats.packuments
    const b = await cli(['verify', project, '--registry', url, '--cache', unkeyed, '--no-content', '--json'], { env: { HOME: tempDir('runner-b-unkeyed') } })
    assert.equal(b.status, 0, b.stderr)
    assert.ok(registry.stats.packuments > before, 'runner B must fetch the packuments itself')
  })

  it('fleet: runner B with an empty local cache and runner A\'s keyed Redis fetches no packuments', { skip: SKIP_REDIS }, async () => {
    const fleet = { NPM_SIGVERIFY_CACHE_KEY: 'a fleet key of at least thirty-two bytes, shared by runners' }
    const a = await cli(['verify', project, '--registry', url, '--cache', redisUrl, '--no-content', '--json'], { env: fleet })
    assert.equal(a.status, 0, a.stderr)
    assert.equal(JSON.parse(a.stdout).cache, 'redis')
    const before = registry.stats.packuments
    const b = await cli(['verify', project, '--registry', url, '--cache', redisUrl, '--no-content', '--json'], { env: { ...fleet, HOME: tempDir('runner-b') } })
    assert.equal(b.status, 0, b.stderr)
    assert.equal(registry.stats.packuments, before, 'runner B must not fetch packuments')
    assert.equal(JSON.parse(b.stdout).summary.verified, 3)
    const stats = await cli(['cache', 'stats', '--cache', redisUrl, '--json'])
    assert.equal(stats.status, 0, stats.stderr)
    assert.match(stats.stdout, /packument/)
  })

  it('with --cache-max-age 0 the shared cache revalidates and sees a changed registry answer', { skip: SKIP_REDIS }, async () => {
    // Runner A stored facts; the registry now serves a tampered signature. With max-age 0
    // the cached facts are not used as they are: the new answer is fetched and judged.
    registry.tamper.add('one@1.0.0')
    try {
      const run = await cli(['verify', project, '--registry', url, '--cache', redisUrl, '--cache-max-age', '0', '--no-content', '--json'])
      assert.equal(run.status, 1)
      assert.equal(JSON.parse(run.stdout).invalid[0].name, 'one')
    } finally {
      registry.tamper.clear()
    }
  })

  it('a dead Redis is a warning, not a failure', { skip: SKIP_REDIS }, async () => {
    const port = await freePort()
    const run = await cli(['verify', project, '--registry', url, '--cache', `redis://127.0.0.1:${port}`, '--no-content', '--json'])
    assert.equal(run.status, 0, run.stderr)
    const doc = JSON.parse(run.stdout)
    assert.equal(doc.cache, 'off')
    assert.match(doc.warnings[0], /cache unavailable/)
  })
})
