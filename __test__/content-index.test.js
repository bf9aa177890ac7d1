'use strict'
// The content index: a warm run takes the earlier comparison of a package folder whose stat
// snapshot is unchanged (no tarball fetched, no file hashed), and any change an attacker can
// make to the folder (a rewrite with the size and modification time put back, a folder copied
// back from a cache, a file added) makes it compare in full again.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, copyProject } = require('./helpers/project')

let registry, url, project

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'alpha', version: '1.0.0', files: { 'lib/util.js': 'module.exports = 1\n' } })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  url = await registry.start()
  project = writeProject(tempDir('index'), { name: 'p', version: '1.0.0', dependencies: { alpha: '1.0.0', beta: '1.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('index-npm-cache') })
})

after(() => registry.close())

/** A copy of the clean tree, its own evidence cache, and an empty npm cache (tarballs then come
 * from the registry, so fetching one is visible in its counters). */
function setup () {
  const dir = copyProject(project, 'index-case')
  fs.writeFileSync(path.join(dir, '.npmrc'), `cache=${tempDir('index-empty-npm-cache')}\n`)
  return { dir, cache: tempDir('index-sv-cache') }
}

async function run (dir, cache, extra = {}) {
  const before = registry.stats.tarballs
  const report = await verifyTree({ dir, registry: url, cache, policy: false, ...extra })
  const alpha = report.packages.find((p) => p.name === 'alpha')
  return { report, alpha, tarballs: registry.stats.tarballs - before }
}

const file = (dir) => path.join(dir, 'node_modules', 'alpha', 'lib', 'util.js')

describe('the content index', () => {
  it('a warm run of an unchanged tree fetches no tarball and gives the same verdicts', async () => {
    const { dir, cache } = setup()
    const cold = await run(dir, cache)
    assert.equal(cold.report.exitCode, 0)
    assert.equal(cold.tarballs, 2)
    const warm = await run(dir, cache)
    assert.equal(warm.report.exitCode, 0)
    assert.equal(warm.tarballs, 0, 'the index was not used')
    assert.equal(warm.alpha.checks.contents.state, 'passed')
    assert.equal(warm.alpha.contents.checkedFiles, cold.alpha.contents.checkedFiles)
    // --rehash compares in full again.
    const full = await run(dir, cache, { rehash: true })
    assert.equal(full.tarballs, 2)
  })

  it('a file rewritten with the same size and its modification time put back is still found', async () => {
    const { dir, cache } = setup()
    await run(dir, cache)
    const stat = fs.statSync(file(dir))
    fs.writeFileSync(file(dir), 'module.exports = 2\n')
    fs.utimesSync(file(dir), stat.atime, stat.mtime)
    assert.equal(fs.statSync(file(dir)).size, stat.size)
    const warm = await run(dir, cache)
    assert.equal(warm.alpha.status, 'invalid')
    assert.equal(warm.alpha.code, 'ECONTENTMODIFIED')
    assert.equal(warm.report.exitCode, 1)
  })

  it('a folder copied back with its times preserved (a restored CI cache) is compared in full', async () => {
    const { dir, cache } = setup()
    await run(dir, cache)
    const folder = path.join(dir, 'node_modules', 'alpha')
    const saved = tempDir('index-saved')
    fs.cpSync(folder, saved, { recursive: true, preserveTimestamps: true })
    fs.writeFileSync(path.join(saved, 'lib', 'util.js'), 'module.exports = 2\n')
    fs.rmSync(folder, { recursive: true })
    fs.cpSync(saved, folder, { recursive: true, preserveTimestamps: true })
    const warm = await run(dir, cache)
    assert.equal(warm.alpha.code, 'ECONTENTMODIFIED')
  })

  it('an added file is found on a warm run', async () => {
    const { dir, cache } = setup()
    await run(dir, cache)
    fs.writeFileSync(path.join(dir, 'node_modules', 'alpha', 'lib', 'extra.js'), 'x\n')
    const warm = await run(dir, cache)
    assert.equal(warm.alpha.status, 'invalid')
    assert.equal(warm.alpha.code, 'ECONTENTADDED')
  })

  it('a cache whose entries cannot be authenticated is not used for contents', async () => {
    const { dir, cache } = setup()
    await run(dir, cache, {})
    const keyFile = path.join(tempDir('index-key'), 'key')
    fs.writeFileSync(keyFile, 'another-secret-of-sufficient-length-0123456789')
    const saved = process.env.NPM_SIGVERIFY_CACHE_KEY_FILE
    process.env.NPM_SIGVERIFY_CACHE_KEY_FILE = keyFile
    try {
      const other = await run(dir, cache)
      assert.equal(other.tarballs, 2, 'entries written under another secret were believed')
    } finally {
      if (saved === undefined) delete process.env.NPM_SIGVERIFY_CACHE_KEY_FILE
      else process.env.NPM_SIGVERIFY_CACHE_KEY_FILE = saved
    }
  })
})
