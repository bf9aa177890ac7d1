'use strict'
// One verdict: verifyTree() / verifyPackage(), `verify --json` and the safe `install` decide the
// same tree the same way under the same policy (a file, the same policy as an object, an
// environment), and a trusted root refreshed by `trust update` is used by all of them.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree, verifyPackage } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { TestSigstore } = require('./helpers/sigstore')
const { tempDir, writeProject, npm, cli, copyProject } = require('./helpers/project')
const { markerScript, exists } = require('./helpers/install')

let registry, url, project, npmCache
const saved = {}

/** The provenance of a release run of `repository` (a GitHub `owner/name`). */
const release = (repository, version) => ({ repository, repositoryId: '81234567', ownerId: '7654321', ref: `refs/tags/v${version}` })

const POLICY = {
  version: 1,
  rules: [
    { package: 'widget', require: ['registry-signature', 'provenance'], provenance: { repositoryMatch: true } },
    { package: 'forked', require: ['registry-signature', 'provenance'], provenance: { repositoryMatch: true } },
    { package: 'scripted', require: ['registry-signature', 'provenance'] },
    { package: '*', require: ['registry-signature'] },
  ],
  environments: { default: 'production', production: { mode: 'enforce' }, development: { mode: 'warn' } },
}

/** POLICY written as a YAML-free policy file (JSON is YAML) with extra top-level sections. */
function policyFile (extra = {}) {
  const file = path.join(tempDir('one-verdict-policy'), 'policy.json')
  fs.writeFileSync(file, JSON.stringify({ ...POLICY, ...extra }, null, 2))
  return file
}

before(async () => {
  registry = new TestRegistry().useSigstore(new TestSigstore())
  registry.addPackage({ name: 'widget', version: '1.0.0', provenance: release('acme/widget', '1.0.0') })
  // Built from another repository than the one its package.json names.
  registry.addPackage({
    name: 'forked', version: '1.0.0', provenance: release('mallory/forked', '1.0.0'),
    repository: { type: 'git', url: 'git+https://github.com/acme/forked.git' },
  })
  registry.addPackage({ name: 'plain', version: '1.0.0' })
  registry.addPackage({ name: 'old-lib', version: '1.2.3' })
  registry.addPackage({ name: 'scripted', version: '1.0.0', scripts: { postinstall: markerScript('scripted.ran') } })
  url = await registry.start()
  npmCache = tempDir('one-verdict-npm-cache')
  project = writeProject(tempDir('one-verdict'), {
    name: 'one-verdict', version: '1.0.0',
    dependencies: { widget: '1.0.0', forked: '1.0.0', plain: '1.0.0', 'old-lib': '1.2.3', scripted: '1.0.0' },
  })
  await npm(['install', '--ignore-scripts'], { cwd: project, registry: url, cache: npmCache })
  registry.tamper.add('old-lib@1.2.3')
  // Every run here reads the same npm cache and no verdict cache, so each one does the work.
  for (const [key, value] of [['npm_config_cache', npmCache], ['NPM_SIGVERIFY_CACHE', 'off'], ['NPM_SIGVERIFY_ENV', undefined], ['NODE_ENV', undefined]]) {
    saved[key] = process.env[key]
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

after(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  return registry.close()
})

/** What a verdict is made of, per package location: status, code, policy outcome and rule, checks. */
function verdicts (packages) {
  const out = {}
  for (const p of packages) {
    out[p.location || `${p.name}@${p.version}`] = {
      id: `${p.name}@${p.version}`,
      status: p.status,
      code: p.code || null,
      outcome: p.decision ? p.decision.outcome : null,
      rule: p.decision ? p.decision.rule : null,
      failed: p.decision ? p.decision.checks.filter((c) => !c.passed).map((c) => `${c.check}:${c.code || ''}:${c.required ? 'required' : 'advisory'}`).sort() : [],
    }
  }
  return out
}

/** The packages of a `verify --json` document, whatever their bucket. */
function documentPackages (doc) {
  return ['invalid', 'missing', 'skipped', 'verified'].flatMap((bucket) => doc[bucket] || [])
}

async function cliVerdict (dir, extra = [], env = {}) {
  const run = await cli(['verify', dir, '--registry', url, '--json', '--trusted-root', registry.trustedRootPath(), ...extra], { env })
  let doc
  try {
    doc = JSON.parse(run.stdout)
  } catch {
    assert.fail(`verify --json printed no JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`)
  }
  return { status: run.status, doc, verdicts: verdicts(documentPackages(doc)) }
}

function apiVerdict (dir, options = {}) {
  return verifyTree({ dir, registry: url, provenance: { trustedRoot: registry.trustedRootPath() }, ...options })
    .then((report) => ({ report, verdicts: verdicts(report.packages) }))
}

const byName = (verdictMap, name) => Object.values(verdictMap).find((v) => v.id.startsWith(`${name}@`))

describe('verifyTree() and verify --json give one verdict', () => {
  it('under a policy file: same package verdicts, same exit code, repositoryMatch decides the fork', async () => {
    const file = policyFile()
    const api = await apiVerdict(project, { policy: file })
    const run = await cliVerdict(project, ['--policy', file])
    assert.deepEqual(api.verdicts, run.verdicts)
    assert.equal(api.report.exitCode, run.status)
    assert.equal(run.status, 1)
    assert.equal(byName(api.verdicts, 'widget').outcome, 'pass', JSON.stringify(api.verdicts, null, 2))
    const forked = byName(api.verdicts, 'forked')
    assert.equal(forked.outcome, 'fail')
    assert.equal(forked.rule, 'forked')
    assert.ok(forked.failed.some((c) => c.startsWith('provenance')), JSON.stringify(forked))
    assert.equal(byName(api.verdicts, 'old-lib').outcome, 'fail')
    assert.equal(byName(api.verdicts, 'scripted').outcome, 'fail')
    assert.equal(byName(api.verdicts, 'plain').outcome, 'pass')
    assert.equal(api.report.policy.source !== undefined || api.report.policy !== undefined, true)
  })

  it('the same policy given as an object decides exactly as the file', async () => {
    const fromFile = await apiVerdict(project, { policy: policyFile() })
    const fromObject = await apiVerdict(project, { policy: POLICY })
    assert.deepEqual(fromObject.verdicts, fromFile.verdicts)
    assert.equal(fromObject.report.exitCode, fromFile.report.exitCode)
  })

  it('the project\'s own policy file is found by both when none is given', async () => {
    const dir = copyProject(project, 'one-verdict-own')
    fs.writeFileSync(path.join(dir, '.npm-sigverify.json'), JSON.stringify(POLICY))
    const api = await apiVerdict(dir)
    const run = await cliVerdict(dir)
    assert.deepEqual(api.verdicts, run.verdicts)
    assert.equal(api.report.exitCode, run.status)
    assert.equal(byName(api.verdicts, 'forked').rule, 'forked', 'the project policy was not applied')
  })

  it('policy false is npm\'s defaults for both, whatever policy file the project has', async () => {
    const dir = copyProject(project, 'one-verdict-nopolicy')
    fs.writeFileSync(path.join(dir, '.npm-sigverify.json'), JSON.stringify(POLICY))
    const api = await apiVerdict(dir, { policy: false })
    const run = await cliVerdict(dir, ['--no-policy'])
    assert.deepEqual(api.verdicts, run.verdicts)
    for (const verdict of Object.values(api.verdicts)) assert.equal(verdict.rule, 'default', JSON.stringify(verdict))
    // npm's defaults do not require provenance: scripted (signed, no provenance) passes.
    assert.equal(byName(api.verdicts, 'scripted').outcome, 'pass')
    // A provenance that is there is still checked: built from another repository, it fails.
    assert.equal(byName(api.verdicts, 'forked').outcome, 'fail')
    assert.equal(byName(api.verdicts, 'old-lib').outcome, 'fail')
    assert.equal(api.report.exitCode, 1)
    assert.equal(run.status, 1)
  })

  it('an environment in warn mode is the same for both (exit 0) (exit 0), chosen by option, flag or NODE_ENV', async () => {
    const file = policyFile()
    const api = await apiVerdict(project, { policy: file, env: 'development' })
    const run = await cliVerdict(project, ['--policy', file, '--env', 'development'])
    const byEnv = await cliVerdict(project, ['--policy', file], { NODE_ENV: 'development' })
    assert.deepEqual(api.verdicts, run.verdicts)
    assert.deepEqual(byEnv.verdicts, run.verdicts)
    assert.equal(api.report.exitCode, 0)
    assert.equal(run.status, 0)
    // Warn mode keeps the verdict (fail) and changes only the exit code.
    assert.equal(byName(api.verdicts, 'forked').outcome, 'fail')
  })

  it('the reports of a run that passes (warn mode) say so: no SARIF error, no JUnit failure, never "failed"', async () => {
    const file = policyFile()
    const out = tempDir('one-verdict-reports')
    const f = (name) => path.join(out, name)
    const reports = ['--report', `sarif=${f('r.sarif')},junit=${f('r.xml')},json=${f('r.json')},markdown=${f('r.md')}`]
    const base = ['verify', project, '--registry', url, '--trusted-root', registry.trustedRootPath(), '--policy', file]
    const levels = () => JSON.parse(fs.readFileSync(f('r.sarif'), 'utf8')).runs[0].results.map((r) => r.level)
    const warned = await cli([...base, '--env', 'development', ...reports])
    assert.equal(warned.status, 0, warned.stdout + warned.stderr)
    assert.ok(levels().length > 0 && !levels().includes('error'), `SARIF levels: ${levels()}`)
    assert.match(fs.readFileSync(f('r.xml'), 'utf8'), /<testsuites [^>]*failures="0"/)
    assert.equal(JSON.parse(fs.readFileSync(f('r.json'), 'utf8')).decision, 'warn')
    assert.doesNotMatch(fs.readFileSync(f('r.md'), 'utf8'), /npm-sigverify: failed/)
    // Enforced, the same failures are errors and failures.
    const enforced = await cli([...base, ...reports])
    assert.equal(enforced.status, 1)
    assert.ok(levels().includes('error'), `SARIF levels: ${levels()}`)
    assert.match(fs.readFileSync(f('r.xml'), 'utf8'), /<testsuites [^>]*failures="[1-9]\d*"/)
    assert.equal(JSON.parse(fs.readFileSync(f('r.json'), 'utf8')).decision, 'fail')
    assert.match(fs.readFileSync(f('r.md'), 'utf8'), /npm-sigverify: failed/)
  })

  it('an exception excuses one package in both, and nothing else', async () => {
    const file = policyFile({ exceptions: [{ package: 'forked@1.0.0', reason: 'audited fork', expires: '2999-01-01' }] })
    const api = await apiVerdict(project, { policy: file })
    const run = await cliVerdict(project, ['--policy', file])
    assert.deepEqual(api.verdicts, run.verdicts)
    assert.equal(byName(api.verdicts, 'forked').outcome, 'warn')
    assert.equal(byName(api.verdicts, 'old-lib').outcome, 'fail')
    assert.equal(run.status, 1)
  })

  it('verifyPackage() decides one package as verifyTree() does', async () => {
    const file = policyFile()
    const tree = await apiVerdict(project, { policy: file })
    for (const name of ['widget', 'forked', 'plain']) {
      const one = await verifyPackage(`${name}@1.0.0`, { registry: url, policy: file, provenance: { trustedRoot: registry.trustedRootPath() } })
      const [verdict] = Object.values(verdicts([one]))
      const inTree = byName(tree.verdicts, name)
      assert.equal(verdict.status, inTree.status, name)
      assert.equal(verdict.outcome, inTree.outcome, name)
      assert.equal(verdict.rule, inTree.rule, name)
      assert.deepEqual(verdict.failed, inTree.failed, name)
    }
  })
})

describe('one package judged alone is held to what a tree run holds it to', () => {
  it('allowedFailures is a budget of a whole tree: verifyPackage() and verify-package spend none', async () => {
    const file = policyFile({ environments: { default: 'production', production: { mode: 'enforce', allowedFailures: 5 } } })
    const tree = await apiVerdict(project, { policy: file })
    assert.equal(byName(tree.verdicts, 'old-lib').outcome, 'fail')
    assert.equal(tree.report.exitCode, 0, 'the tree spends its budget')
    const one = await verifyPackage('old-lib@1.2.3', { registry: url, policy: file, provenance: { trustedRoot: registry.trustedRootPath() } })
    assert.equal(one.decision.outcome, 'fail')
    assert.equal(one.exitCode, 1, 'a package alone passed on the tree\'s budget')
    const run = await cli(['verify-package', 'old-lib@1.2.3', '--registry', url, '--policy', file, '--trusted-root', registry.trustedRootPath()])
    assert.equal(run.status, 1, run.stdout + run.stderr)
  })

  it('the project\'s pins hold in verifyPackage() and verify-package as in verify (EPINMISMATCH)', async () => {
    const dir = copyProject(project, 'one-verdict-pins')
    // plain has no provenance; its line 1 is pinned to a GitHub release identity.
    const pins = { version: 1, packages: { plain: { 1: { provenance: { issuer: 'https://token.actions.githubusercontent.com', repository: 'github.com/acme/plain', owner: 'github.com/acme', workflow: '.github/workflows/release.yml' }, pinnedFrom: '1.0.0' } } } }
    fs.writeFileSync(path.join(dir, 'sigverify.pins.json'), JSON.stringify(pins, null, 2))
    fs.writeFileSync(path.join(dir, '.npm-sigverify.yaml'), 'version: 1\nsignals:\n  pins: fail\n')
    const trusted = ['--trusted-root', registry.trustedRootPath()]
    const tree = await cli(['verify', dir, '--registry', url, ...trusted])
    assert.equal(tree.status, 1, tree.stdout)
    assert.match(tree.stdout, /EPINMISMATCH/)
    const one = await verifyPackage('plain@1.0.0', { dir, registry: url, provenance: { trustedRoot: registry.trustedRootPath() } })
    assert.equal(one.exitCode, 1, JSON.stringify(one.pin))
    const run = await cli(['verify-package', 'plain@1.0.0', '--registry', url, ...trusted], { cwd: dir })
    assert.equal(run.status, 1, run.stdout + run.stderr)
    assert.match(run.stdout, /EPINMISMATCH/)
  })

  it('a --baseline one package cannot be compared with is refused (exit 2), not ignored', async () => {
    const run = await cli(['verify-package', 'plain@1.0.0', '--registry', url, '--baseline', 'HEAD', '--no-policy'])
    assert.equal(run.status, 2, run.stdout + run.stderr)
    assert.match(run.stderr, /--baseline/)
  })
})

describe('every entry point finds the project and environment verify finds', () => {
  /** A copy of the project with POLICY as its policy file and a workspace-like subfolder. */
  function projectWithPolicy (prefix) {
    const dir = copyProject(project, prefix)
    fs.writeFileSync(path.join(dir, '.npm-sigverify.json'), JSON.stringify(POLICY, null, 2))
    fs.mkdirSync(path.join(dir, 'packages', 'site'), { recursive: true })
    return dir
  }

  it('verifyPackage() and verify-package from a subfolder apply the root\'s policy, as verify does', async () => {
    const dir = projectWithPolicy('one-verdict-subfolder')
    const sub = path.join(dir, 'packages', 'site')
    // scripted has no provenance: npm's defaults pass it, POLICY (which requires it) fails it.
    const control = await verifyPackage('scripted@1.0.0', { dir: sub, registry: url, policy: false })
    assert.equal(control.exitCode, 0, JSON.stringify(control.decision))
    const one = await verifyPackage('scripted@1.0.0', { dir: sub, registry: url })
    assert.equal(one.exitCode, 1, JSON.stringify(one.decision))
    assert.equal(one.decision.outcome, 'fail')
    const run = await cli(['verify-package', 'scripted@1.0.0', '--registry', url, '--json'], { cwd: sub })
    assert.equal(run.status, 1, run.stdout + run.stderr)
  })

  it('an environment name the policy does not declare (NODE_ENV=test) keeps the default\'s requirements', async () => {
    const dir = projectWithPolicy('one-verdict-node-env')
    const write = (production) => fs.writeFileSync(path.join(dir, '.npm-sigverify.json'),
      JSON.stringify({ ...POLICY, environments: { default: 'production', production } }, null, 2))
    const verifyPlain = (env = {}) => cli(['verify-package', 'plain@1.0.0', '--registry', url, '--json'], { cwd: dir, env })
    // Control: plain passes the production environment until it requires provenance.
    write({ mode: 'enforce' })
    const control = await verifyPlain({ NODE_ENV: 'test' })
    assert.equal(control.status, 0, control.stdout + control.stderr)
    write({ mode: 'enforce', require: ['provenance'] })
    const without = await verifyPlain()
    assert.equal(without.status, 1, without.stdout + without.stderr)
    const underJest = await verifyPlain({ NODE_ENV: 'test' })
    assert.equal(underJest.status, 1, underJest.stdout + underJest.stderr)
    process.env.NODE_ENV = 'test'
    try {
      assert.equal((await verifyPackage('plain@1.0.0', { dir, registry: url })).exitCode, 1)
    } finally {
      delete process.env.NODE_ENV
    }
  })
})

describe('a misspelled option is an error, never a weaker run', () => {
  /** The keys index.d.ts declares for `interface name`. */
  function declaredKeys (name) {
    const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
    const body = dts.slice(dts.indexOf(`export interface ${name} {`)).split('\n}')[0]
    return [...body.matchAll(/^ {2}([A-Za-z]+)\??:/gm)].map((m) => m[1])
  }

  it('every key index.d.ts declares is accepted (each one undefined)', async () => {
    for (const [fn, name] of [[verifyTree, 'VerifyTreeOptions'], [(o) => verifyPackage('plain@1.0.0', o), 'VerifyPackageOptions']]) {
      const keys = declaredKeys(name)
      assert.ok(keys.length > 10, `${name}: ${keys}`)
      const options = Object.fromEntries(keys.map((k) => [k, undefined]))
      const nested = { provenance: Object.fromEntries(declaredKeys('ProvenanceOptions').map((k) => [k, undefined])), signals: Object.fromEntries(declaredKeys('SignalOptions').map((k) => [k, undefined])) }
      const result = await fn({ ...options, ...nested, dir: project, registry: url, policy: false })
      assert.ok(result, name)
    }
  })

  it('an options object given as anything else rejects with EUSAGE (it would be read as no options)', async () => {
    for (const extra of [{ provenance: true }, { provenance: 1 }, { provenance: '{"requireProvenance":true}' }, { signals: '{"minReleaseAge":"2d"}' }, { signals: 1 }]) {
      const message = /must be an object of options/
      await assert.rejects(verifyTree({ dir: project, registry: url, ...extra }), { code: 'EUSAGE', message }, JSON.stringify(extra))
      await assert.rejects(verifyPackage('plain@1.0.0', { registry: url, ...extra }), { code: 'EUSAGE', message }, JSON.stringify(extra))
    }
  })

  it('a provenance requirement with attestations off is refused, never dropped (API and CLI)', async () => {
    const provenance = { requireProvenance: true, attestations: false }
    await assert.rejects(verifyTree({ dir: project, registry: url, policy: false, provenance }), { code: 'EUSAGE', message: /--require-provenance/ })
    await assert.rejects(verifyPackage('plain@1.0.0', { registry: url, policy: false, provenance }), { code: 'EUSAGE' })
    for (const args of [['verify', project], ['verify-package', 'plain@1.0.0']]) {
      const run = await cli([...args, '--registry', url, '--no-policy', '--require-provenance', '--no-attestations'])
      assert.equal(run.status, 2, `${args[0]}: ${run.stdout}${run.stderr}`)
      assert.match(run.stderr, /cannot be checked with attestations off/)
    }
    const refs = await cli(['verify', project, '--registry', url, '--no-policy', '--allowed-workflow-ref', 'refs/tags/*', '--no-attestations'])
    assert.equal(refs.status, 2, refs.stdout + refs.stderr)
  })

  it('unknown keys, at the top or nested, reject with EUSAGE naming them', async () => {
    const cases = [
      [{ polcy: POLICY }, /'polcy'/],
      [{ environment: 'production' }, /'environment'/],
      [{ requireProvenance: true }, /'requireProvenance'/],
      [{ provenance: { require: true } }, /'provenance\.require'/],
      [{ signals: { releaseAge: '3d' } }, /'signals\.releaseAge'/],
    ]
    for (const [extra, message] of cases) {
      await assert.rejects(verifyTree({ dir: project, registry: url, ...extra }), { code: 'EUSAGE', message }, JSON.stringify(extra))
      await assert.rejects(verifyPackage('plain@1.0.0', { registry: url, ...extra }), { code: 'EUSAGE', message }, JSON.stringify(extra))
    }
  })
})

describe('a trusted root refreshed by trust update is used without --trusted-root', () => {
  it('verifyTree(), verifyPackage() and the CLI all verify the provenance with it', async () => {
    const configHome = tempDir('one-verdict-xdg')
    fs.mkdirSync(path.join(configHome, 'npm-sigverify'), { recursive: true, mode: 0o755 })
    fs.copyFileSync(registry.trustedRootPath(), path.join(configHome, 'npm-sigverify', 'trusted_root.json'))
    fs.chmodSync(path.join(configHome, 'npm-sigverify', 'trusted_root.json'), 0o644)
    const savedXdg = process.env.XDG_CONFIG_HOME
    process.env.XDG_CONFIG_HOME = configHome
    try {
      const report = await verifyTree({ dir: project, registry: url, policy: false })
      assert.equal(byName(verdicts(report.packages), 'widget').status, 'verified')
      assert.equal(report.packages.find((p) => p.name === 'widget').provenance, 'verified')
      const one = await verifyPackage('widget@1.0.0', { registry: url, policy: false })
      assert.equal(one.provenance, 'verified')
      const run = await cli(['verify-package', 'widget@1.0.0', '--registry', url, '--json', '--no-policy'], { env: { XDG_CONFIG_HOME: configHome } })
      assert.equal(run.status, 0, run.stdout + run.stderr)
      assert.equal(JSON.parse(run.stdout).provenance, 'verified')
      // A root others can replace is refused, not used (ETRUSTEDROOT).
      fs.chmodSync(path.join(configHome, 'npm-sigverify', 'trusted_root.json'), 0o666)
      await assert.rejects(verifyTree({ dir: project, registry: url, policy: false }), { code: 'ETRUSTEDROOT', message: /writable by other users/ })
    } finally {
      if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME
      else process.env.XDG_CONFIG_HOME = savedXdg
    }
    // Without it, the embedded public-good root cannot verify the test Sigstore's bundles.
    const report = await verifyTree({ dir: project, registry: url, policy: false })
    assert.notEqual(report.packages.find((p) => p.name === 'widget').provenance, 'verified')
  })

  it('a trusted root planted in the cache folder (shared or restored) is never used', async () => {
    const cacheHome = tempDir('one-verdict-planted')
    fs.mkdirSync(path.join(cacheHome, 'npm-sigverify'), { recursive: true })
    fs.copyFileSync(registry.trustedRootPath(), path.join(cacheHome, 'npm-sigverify', 'trusted_root.json'))
    const run = await cli(['verify-package', 'widget@1.0.0', '--registry', url, '--json', '--no-policy'], { env: { XDG_CACHE_HOME: cacheHome } })
    assert.notEqual(JSON.parse(run.stdout).provenance, 'verified', run.stdout + run.stderr)
  })
})

describe('the safe install decides with the same policy', () => {
  const installCli = (dir, extra = []) => cli(['install', dir, '--registry', url, '--trusted-root', registry.trustedRootPath(), ...extra],
    { env: { npm_config_cache: npmCache, npm_config_update_notifier: 'false' } })

  /** A project with only the scripted package (and plain), locked, nothing installed. */
  async function lockedProject (prefix) {
    const dir = writeProject(tempDir(prefix), { name: prefix, version: '1.0.0', dependencies: { scripted: '1.0.0', plain: '1.0.0' } })
    await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
    return dir
  }

  it('a package the policy fails is refused: exit 1, its install script never ran', async () => {
    const dir = await lockedProject('one-verdict-install-refused')
    const r = await installCli(dir, ['--policy', policyFile()])
    assert.equal(r.status, 1, r.stdout + r.stderr)
    assert.ok(!exists(dir, 'scripted.ran'), 'the install script of a package the policy fails ran')
    assert.match(r.stdout, /STOPPED: the lockfile failed verification/)
    assert.match(r.stdout, /scripted@1\.0\.0 .*\n\s+provenance /)
  })

  it('the same policy with an exception for it: exit 0 and its script ran', async () => {
    const dir = await lockedProject('one-verdict-install-excepted')
    const file = policyFile({ exceptions: [{ package: 'scripted@1.0.0', reason: 'built in-house', expires: '2999-01-01' }] })
    const r = await installCli(dir, ['--policy', file])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'scripted.ran'), `the install script did not run:\n${r.stdout}${r.stderr}`)
  })

  it('the development environment (warn) does not run scripts of packages the policy would fail', async () => {
    const dir = await lockedProject('one-verdict-install-warn')
    const r = await installCli(dir, ['--policy', policyFile(), '--env', 'development'])
    assert.ok(!exists(dir, 'scripted.ran'), 'a warned package\'s install script ran')
    assert.equal(r.status, 0, r.stdout + r.stderr)
  })
})
