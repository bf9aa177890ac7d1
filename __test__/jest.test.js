'use strict'
// The Jest matchers of `npm-sigverify/jest`, exercised in a REAL Jest run: a temp project whose
// test file requires `npm-sigverify/jest` and runs verifyTree against the loopback registry.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { ROOT, tempDir, writeProject, npm, cli } = require('./helpers/project')
const { run } = require('./helpers/install')
const { matchers } = require('../jest')
const { verifyPackage } = require('../index.js')

const SPEC = `'use strict'
const { verifyTree } = require('npm-sigverify')
require('npm-sigverify/jest')

const registry = process.env.SIGVERIFY_REGISTRY
const verify = (dir) => verifyTree({ dir, registry })

test('clean project', async () => {
  expect(await verify(process.env.GOOD_DIR)).toHaveNoSignatureFailures()
})

test('tampered project', async () => {
  expect(await verify(process.env.BAD_DIR)).toHaveNoSignatureFailures()
})

test('tampered project, negated', async () => {
  expect(await verify(process.env.BAD_DIR)).not.toHaveNoSignatureFailures()
})

test('provenance of plain', async () => {
  expect(await verify(process.env.GOOD_DIR)).toHaveVerifiedProvenance('plain')
})

test('policy of the clean project', async () => {
  expect(await verify(process.env.GOOD_DIR)).toPassPolicy()
})

test('policy requiring provenance', async () => {
  const report = await verifyTree({ dir: process.env.GOOD_DIR, registry, policy: { version: 1, rules: [{ package: '*', require: ['registry-signature', 'provenance'] }] } })
  expect(report).toHaveNoSignatureFailures()
  expect(report).toPassPolicy()
})
`

describe('npm-sigverify/jest in a real Jest run', () => {
  let registry, results, jestRun

  before(async () => {
    registry = new TestRegistry()
    registry.addPackage({ name: 'plain', version: '1.0.0' })
    registry.addPackage({ name: 'badpkg', version: '2.1.0' })
    const url = await registry.start()
    const cache = tempDir('npm-cache')
    const good = writeProject(tempDir('jest-good'), { name: 'good', version: '1.0.0', dependencies: { plain: '1.0.0' } })
    const bad = writeProject(tempDir('jest-bad'), { name: 'bad', version: '1.0.0', dependencies: { badpkg: '2.1.0' } })
    await npm(['install'], { cwd: good, registry: url, cache })
    await npm(['install'], { cwd: bad, registry: url, cache })
    registry.tamper.add('badpkg@2.1.0')
    // The temp project resolves `npm-sigverify` to this repository, as an installed copy would.
    const project = writeProject(tempDir('jest-project'), { name: 'jest-project', version: '1.0.0' }, { 'sig.test.js': SPEC })
    fs.mkdirSync(path.join(project, 'node_modules'))
    fs.symlinkSync(ROOT, path.join(project, 'node_modules', 'npm-sigverify'), 'dir')
    const out = path.join(project, 'results.json')
    const env = { SIGVERIFY_REGISTRY: url, GOOD_DIR: good, BAD_DIR: bad }
    jestRun = await run('npx', ['jest', '--rootDir', project, '--ci', '--json', '--outputFile', out], { cwd: ROOT, env })
    assert.ok(fs.existsSync(out), `jest wrote no results:\n${jestRun.output}`)
    const [file] = JSON.parse(fs.readFileSync(out, 'utf8')).testResults
    results = Object.fromEntries(file.assertionResults.map((a) => [a.title, a]))
  })

  after(() => registry.close())

  it('ran the six tests and failed the run for the failing ones', () => {
    assert.deepEqual(Object.keys(results).sort(), ['clean project', 'policy of the clean project', 'policy requiring provenance', 'provenance of plain', 'tampered project', 'tampered project, negated'])
    assert.equal(jestRun.status, 1, jestRun.output)
  })

  it('passes on a clean project and on the negated tampered one', () => {
    assert.equal(results['clean project'].status, 'passed', results['clean project'].failureMessages.join('\n'))
    assert.equal(results['tampered project, negated'].status, 'passed')
  })

  it('fails a tampered project naming name@version, code, message and remediation', () => {
    const r = results['tampered project']
    assert.equal(r.status, 'failed')
    const text = r.failureMessages.join('\n')
    assert.match(text, /expected no signature failures, but 1 of 1 packages failed/)
    assert.match(text, /badpkg@2\.1\.0 \(node_modules\/badpkg\) EINTEGRITYSIGNATURE: /)
    assert.match(text, /fix: do not install this version/)
  })

  it('toPassPolicy gives the CLI\'s verdict: the clean project passes, a policy requiring provenance fails naming the rule', () => {
    assert.equal(results['policy of the clean project'].status, 'passed', results['policy of the clean project'].failureMessages.join('\n'))
    const r = results['policy requiring provenance']
    assert.equal(r.status, 'failed')
    const text = r.failureMessages.join('\n')
    assert.match(text, /expected the policy to pass, but it fails 1 of 1 packages \(exit code 1\)/)
    assert.match(text, /plain@1\.0\.0 \(node_modules\/plain\) fails rule '\*':\n {4}provenance EPROVENANCEREQUIRED: /)
  })

  it('toPassPolicy on a verifyPackage result passes exactly when verify-package exits 0', async () => {
    // A rule the package fails, in an environment that only warns: verify-package exits 0.
    const policy = { version: 1, rules: [{ package: 'plain', require: ['registry-signature', 'provenance'] }], environments: { default: 'production', production: { mode: 'enforce' }, development: { mode: 'warn' } } }
    const dir = writeProject(tempDir('jest-package'), { name: 'p', version: '1.0.0' }, { '.npm-sigverify.json': JSON.stringify(policy) })
    const registryUrl = `${registry.url}/`
    for (const [env, exit] of [['development', 0], ['production', 1]]) {
      const result = await verifyPackage('plain@1.0.0', { dir, registry: registryUrl, env })
      assert.equal(result.decision.outcome, 'fail')
      assert.equal(result.exitCode, exit)
      const run = await cli(['verify-package', 'plain@1.0.0', '--registry', registryUrl, '--env', env], { cwd: dir })
      assert.equal(run.status, exit, run.stdout + run.stderr)
      const r = matchers.toPassPolicy(result)
      assert.equal(r.pass, exit === 0, r.message())
      assert.match(r.message(), new RegExp(`\\(exit code ${exit}\\)`))
    }
  })

  it('fails provenance with a clear message while the report has no verified provenance', () => {
    const r = results['provenance of plain']
    assert.equal(r.status, 'failed')
    const text = r.failureMessages.join('\n')
    assert.match(text, /expected verified provenance for plain, but 1 of 1 packages lack it/)
    assert.match(text, /plain@1\.0\.0 \(node_modules\/plain\)(: has no provenance field|( [A-Z]+)?: provenance is '(?!verified))/)
  })
})

describe('the matchers on their own', () => {
  const report = {
    packages: [
      { name: 'a', version: '1.0.0', location: 'node_modules/a', source: 'registry', status: 'verified', provenance: 'verified' },
      { name: 'b', version: '2.0.0', location: 'node_modules/b', source: 'registry', status: 'missing', code: 'EMISSINGSIGNATURE', message: 'b@2.0.0 has a missing registry signature', remediation: 'check the mirror' },
      { name: 'c', version: '0.1.0', location: 'node_modules/c', source: 'git', status: 'skipped', code: 'ENOTREGISTRY' },
    ],
  }

  it('reject what is not a report', () => {
    for (const bad of [null, undefined, 42, {}, { packages: 'x' }]) {
      const r = matchers.toHaveNoSignatureFailures(bad)
      assert.equal(r.pass, false)
      assert.match(r.message(), /expected an npm-sigverify report/)
    }
  })

  it('count missing signatures as failures, skipped packages not', () => {
    const r = matchers.toHaveNoSignatureFailures(report)
    assert.equal(r.pass, false)
    assert.match(r.message(), /1 of 3 packages failed:\n {2}b@2\.0\.0 \(node_modules\/b\) EMISSINGSIGNATURE: b@2\.0\.0 has a missing registry signature\n {4}fix: check the mirror/)
    assert.equal(matchers.toHaveNoSignatureFailures({ packages: [report.packages[0], report.packages[2]] }).pass, true)
  })

  it('judge provenance by name, and every registry package without one', () => {
    assert.equal(matchers.toHaveVerifiedProvenance(report, 'a').pass, true)
    const b = matchers.toHaveVerifiedProvenance(report, 'b')
    assert.equal(b.pass, false)
    assert.match(b.message(), /b@2\.0\.0 \(node_modules\/b\): has no provenance field/)
    const none = { ...report.packages[0], provenance: 'missing', provenanceCode: 'ENOPROVENANCE', provenanceMessage: 'a@1.0.0 has no attestations' }
    assert.match(matchers.toHaveVerifiedProvenance({ packages: [none] }, 'a').message(),
      /a@1\.0\.0 \(node_modules\/a\) ENOPROVENANCE: provenance is 'missing': a@1\.0\.0 has no attestations/)
    assert.match(matchers.toHaveVerifiedProvenance(report, 'zzz').message(), /no package named zzz/)
    const all = matchers.toHaveVerifiedProvenance(report)
    assert.equal(all.pass, false)
    assert.match(all.message(), /1 of 2 packages lack it/)
  })

  it('toPassPolicy follows the exit code of a report and the decision of a package', () => {
    const decided = (outcome, extra = {}) => ({
      name: 'd', version: '1.0.0', location: 'node_modules/d', status: 'verified',
      decision: { outcome, rule: 'd', checks: [{ check: 'provenance', passed: false, required: true, code: 'EPROVENANCEREQUIRED', message: 'no provenance' }], remediation: ['publish with provenance'], ...extra },
    })
    const failing = { exitCode: 1, packages: [decided('fail'), decided('pass')] }
    const r = matchers.toPassPolicy(failing)
    assert.equal(r.pass, false)
    assert.match(r.message(), /fails 1 of 2 packages \(exit code 1\):\n {2}d@1\.0\.0 \(node_modules\/d\) fails rule 'd':\n {4}provenance EPROVENANCEREQUIRED: no provenance\n {4}fix: publish with provenance/)
    // An environment in warn mode exits 0: the same verdict as the CLI.
    assert.equal(matchers.toPassPolicy({ ...failing, exitCode: 0 }).pass, true)
    // Only operational failures exit 3: still not a pass.
    assert.equal(matchers.toPassPolicy({ exitCode: 3, packages: [decided('fail')] }).pass, false)
    // A verifyPackage result carries verify-package's exit code: it decides, as for a report.
    assert.equal(matchers.toPassPolicy({ ...decided('fail'), exitCode: 0 }).pass, true)
    assert.match(matchers.toPassPolicy({ ...decided('fail'), exitCode: 0 }).message(), /passes all 1 packages \(exit code 0\)/)
    assert.equal(matchers.toPassPolicy({ ...decided('fail'), exitCode: 1 }).pass, false)
    assert.equal(matchers.toPassPolicy({ ...decided('fail'), exitCode: 3 }).pass, false)
    assert.equal(matchers.toPassPolicy({ ...decided('pass'), exitCode: 0 }).pass, true)
    // A package entry of a tree report has no exit code: its decision decides.
    assert.equal(matchers.toPassPolicy(decided('warn')).pass, true)
    assert.equal(matchers.toPassPolicy(decided('fail')).pass, false)
    assert.equal(matchers.toPassPolicy({ ...decided('pass'), decision: undefined }).pass, false)
    assert.match(matchers.toPassPolicy(null).message(), /expected an npm-sigverify report/)
  })
})
