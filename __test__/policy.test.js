'use strict'
// Trust policy, environments, reports and exit codes through the CLI on a real tree installed by
// npm from the loopback registry.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { tempDir, writeProject, npm, cli, copyProject } = require('./helpers/project')

let registry, url, project

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'alpha', version: '1.0.0' })
  registry.addPackage({ name: 'old-lib', version: '1.2.3' })
  registry.addPackage({ name: '@acme/tool', version: '2.0.0' })
  url = await registry.start()
  project = writeProject(tempDir('policy'), { name: 'p', version: '1.0.0', dependencies: { alpha: '1.0.0', 'old-lib': '1.2.3', '@acme/tool': '2.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('cache') })
  registry.tamper.add('old-lib@1.2.3')
})

after(() => registry.close())

function withPolicy (yaml) {
  const dir = copyProject(project, 'pol')
  fs.writeFileSync(path.join(dir, '.npm-sigverify.yaml'), yaml)
  return dir
}

const verify = (dir, ...extra) => cli(['verify', dir, '--registry', url, '--no-content', ...extra])

const POLICY = (expires) => `version: 1
rules:
  - package: "@acme/*"
    allowUnsigned: true
  - package: "*"
    require: [registry-signature]
exceptions:
  - package: "old-lib@^1.2.0"
    reason: "fork awaiting re-publication"
    expires: ${expires}
environments:
  default: production
  development:
    mode: warn
  production:
    mode: enforce
`

describe('policy decisions and environments', () => {
  it('without a policy the tampered package fails like npm (exit 1)', async () => {
    const run = await verify(project)
    assert.equal(run.status, 1)
    assert.match(run.stdout, /npm defaults \(no policy file\)/)
  })

  it('an active exception excuses the failure (warn, exit 0); an expired one does not', async () => {
    const active = await verify(withPolicy(POLICY('2999-12-31')), '--json')
    assert.equal(active.status, 0, active.stdout)
    const doc = JSON.parse(active.stdout)
    const oldLib = doc.invalid.find((p) => p.name === 'old-lib')
    assert.equal(oldLib.decision.outcome, 'warn')
    assert.equal(oldLib.decision.exception.reason, 'fork awaiting re-publication')
    const expired = await verify(withPolicy(POLICY('2020-01-01')), '--json')
    assert.equal(expired.status, 1)
    const entry = JSON.parse(expired.stdout).invalid.find((p) => p.name === 'old-lib')
    assert.equal(entry.decision.outcome, 'fail')
    assert.ok(entry.decision.checks.some((c) => c.code === 'EEXCEPTIONEXPIRED'), JSON.stringify(entry.decision.checks))
  })

  it('development warns (exit 0), production enforces (exit 1), chosen by --env or NODE_ENV', async () => {
    const dir = withPolicy(POLICY('2020-01-01'))
    assert.equal((await verify(dir, '--env', 'development')).status, 0)
    assert.equal((await verify(dir, '--env', 'production')).status, 1)
    assert.equal((await cli(['verify', dir, '--registry', url, '--no-content'], { env: { NODE_ENV: 'development' } })).status, 0)
    assert.equal((await verify(dir, '--env', 'nope')).status, 2)
  })

  it('a policy with an unknown key fails with file, line and column (exit 2)', async () => {
    const dir = withPolicy('version: 1\nrules:\n  - package: "*"\n    requre: [registry-signature]\n')
    const run = await verify(dir)
    assert.equal(run.status, 2)
    assert.match(run.stderr, /\.npm-sigverify\.yaml:4:5/)
    assert.match(run.stderr, /requre/)
  })

  it('explain prints every check, its evidence and the rule', async () => {
    const run = await cli(['explain', 'old-lib', withPolicy(POLICY('2999-12-31')), '--registry', url, '--no-content'])
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stdout, /old-lib@1\.2\.3 at node_modules\/old-lib/)
    assert.match(run.stdout, /EINTEGRITYSIGNATURE/)
    assert.match(run.stdout, /decision: +warn \(rule \*\)/)
  })

  it('an unreachable registry with no offline evidence is an operational error (exit 3)', async () => {
    const run = await cli(['verify', project, '--registry', 'http://127.0.0.1:9/', '--retries', '0', '--no-content'])
    assert.equal(run.status, 3)
  })
})

describe('reports', () => {
  it('writes JSON, SARIF, JUnit, HTML and Markdown, an audit log and GitHub annotations', async () => {
    const out = tempDir('reports')
    const file = (n) => path.join(out, n)
    const spec = `json=${file('r.json')},sarif=${file('r.sarif')},junit=${file('r.xml')},html=${file('r.html')},markdown=${file('r.md')}`
    const summary = file('summary.md')
    const run = await cli(['verify', project, '--registry', url, '--no-content', '--report', spec, '--audit-log', file('audit.jsonl')], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } })
    assert.equal(run.status, 1)
    const sarif = JSON.parse(fs.readFileSync(file('r.sarif'), 'utf8'))
    assert.equal(sarif.version, '2.1.0')
    const results = sarif.runs[0].results
    assert.equal(results.length, 1)
    assert.equal(results[0].ruleId, 'EINTEGRITYSIGNATURE')
    const lock = fs.readFileSync(path.join(project, 'package-lock.json'), 'utf8').split('\n')
    const line = results[0].locations[0].physicalLocation.region.startLine
    assert.match(lock[line - 1], /"node_modules\/old-lib"/)
    const junit = fs.readFileSync(file('r.xml'), 'utf8')
    assert.equal((junit.match(/<testcase /g) || []).length, 3)
    assert.match(junit, /<failure[^>]*type="EINTEGRITYSIGNATURE"/)
    const html = fs.readFileSync(file('r.html'), 'utf8')
    assert.match(html, /old-lib/)
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=["']?https?:/)
    assert.match(fs.readFileSync(file('r.md'), 'utf8'), /old-lib/)
    assert.equal(JSON.parse(fs.readFileSync(file('r.json'), 'utf8')).schemaVersion, 2)
    const audit = fs.readFileSync(file('audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    assert.equal(audit.length, 3)
    assert.ok(audit.every((a) => a.time && a.package && a.decision && a.environment === 'production'))
    assert.match(run.stdout, new RegExp(`::error file=[^,]*package-lock\\.json,line=${line}`))
    assert.match(fs.readFileSync(summary, 'utf8'), /old-lib/)
  })

  it('a bad --report spec is a usage error', async () => {
    const run = await verify(project, '--report', 'pdf=x.pdf')
    assert.equal(run.status, 2)
    assert.match(run.stderr, /EREPORTSPEC/)
  })
})

describe('pinned registry keys', () => {
  it('a signature by a key the policy does not pin fails with EKEYNOTPINNED', async () => {
    const pin = (keyid) => `version: 1\ntrust:\n  registries:\n    ${url}:\n      keys: ["${keyid}"]\n`
    const other = await verify(withPolicy(pin('SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')), '--json')
    assert.equal(other.status, 1)
    const alpha = JSON.parse(other.stdout).verified.find((p) => p.name === 'alpha')
    assert.equal(alpha.decision.outcome, 'fail')
    assert.ok(alpha.decision.checks.some((c) => c.code === 'EKEYNOTPINNED'), JSON.stringify(alpha.decision.checks))
    const pinned = JSON.parse((await verify(withPolicy(pin(registry.key.keyid)), '--json')).stdout)
    assert.equal(pinned.verified.find((p) => p.name === 'alpha').decision.outcome, 'pass')
  })

  it('a policy that pins keys trusts no registry it does not list (a pull request pointing .npmrc elsewhere): EKEYNOTPINNED', async () => {
    // The pins name another registry; this project's packages come from `url`, which is not listed.
    const elsewhere = `version: 1\ntrust:\n  registries:\n    https://npm.acme.example/:\n      keys: ["${registry.key.keyid}"]\n`
    const run = await verify(withPolicy(elsewhere), '--json')
    assert.equal(run.status, 1, run.stdout)
    const alpha = JSON.parse(run.stdout).verified.find((p) => p.name === 'alpha')
    assert.ok(alpha.decision.checks.some((c) => c.code === 'EKEYNOTPINNED' && /does not list/.test(c.message)), JSON.stringify(alpha.decision.checks))
    // Listed (here with its served keys), it is trusted again.
    const listed = `${elsewhere}    ${url}:\n      keys: auto\n`
    const trusted = JSON.parse((await verify(withPolicy(listed), '--json')).stdout)
    assert.equal(trusted.verified.find((p) => p.name === 'alpha').decision.outcome, 'pass')
  })

  it('a registry that stops publishing the pinned keys (a mirror stripping them) fails instead of skipping', async () => {
    const pin = `version: 1\ntrust:\n  registries:\n    ${url}:\n      keys: ["${registry.key.keyid}"]\n`
    const saved = registry.keysDocument
    registry.keysDocument = { keys: [] }
    try {
      const run = await verify(withPolicy(pin), '--json', '--cache', 'off')
      assert.equal(run.status, 1, run.stdout)
      const alpha = JSON.parse(run.stdout).skipped.find((p) => p.name === 'alpha')
      assert.equal(alpha.code, 'ENOREGISTRYKEYS')
      assert.equal(alpha.decision.outcome, 'fail')
      assert.ok(alpha.decision.checks.some((c) => c.code === 'EKEYNOTPINNED'), JSON.stringify(alpha.decision.checks))
      // Without the pin, npm's semantics: a registry without keys skips its packages.
      assert.equal((await verify(project, '--cache', 'off')).status, 0)
    } finally {
      registry.keysDocument = saved
    }
  })
})
