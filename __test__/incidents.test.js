'use strict'
// Issue 15: the incident signals, replayed on a loopback registry that publishes with a private,
// test-only Sigstore (real Fulcio-style certificates for chosen repositories, workflows and
// times; a real transparency log). The patterns of the 2025-2026 npm compromises:
//   - axios 1.14.1: a trusted-publisher package, then a token publish adding a dependency whose
//     postinstall drops malware                      -> EPUBLISHERCHANGED (and ENEWDEPENDENCY)
//   - Shai-Hulud, Bitwarden CLI: a patch release adding a preinstall -> ENEWINSTALLSCRIPT
//   - chalk/debug: a fresh version inside the cooldown                -> ERELEASETOOYOUNG
//   - a version built from a fork; a changed release workflow          -> EPUBLISHERCHANGED
// With the policy `init --recommended-policy` writes (naming the private trusted root), each
// malicious version fails with its code and `npm-sigverify install` runs none of its scripts,
// while ordinary updates (same identity, old enough; a new major without provenance) install
// and run theirs. Then each signal alone, positive and negative, with its JSON fields.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { verifyTree, verifyPackage } = require('../index.js')
const { TestRegistry } = require('./helpers/registry')
const { TestSigstore } = require('./helpers/sigstore')
const { tempDir, writeProject, npm, cli, readJson, writeJson, run } = require('./helpers/project')
const { markerScript, exists } = require('./helpers/install')

const DAY = 24 * 3600 * 1000
const ago = (ms) => new Date(Date.now() - ms).toISOString()
const daysAgo = (n) => ago(n * DAY)
const hoursAgo = (n) => ago(n * 3600 * 1000)

/** The release run of `owner/<name>` (stable numeric ids per owner and repository). */
const ci = (repository, extra = {}) => ({
  repository,
  repositoryId: { acme: '81234567', evil: '66600001' }[repository.split('/')[0]] + repository.length,
  ownerId: { acme: '7654321', evil: '6660000' }[repository.split('/')[0]],
  workflow: '.github/workflows/release.yml',
  ...extra,
})

let registry, url, npmCache, trustedRoot
const env = () => ({ npm_config_cache: npmCache, npm_config_update_notifier: 'false', NPM_SIGVERIFY_CACHE: 'off', NODE_ENV: '', NPM_SIGVERIFY_ENV: '' })

function publish () {
  const add = (o) => registry.addPackage(o)
  // axios pattern: trusted publishing with provenance, then a token publish with a dropper.
  add({ name: 'tp-lib', version: '1.0.0', publishedAt: daysAgo(60), trustedPublisher: true, provenance: ci('acme/tp-lib') })
  add({ name: 'tp-lib', version: '1.0.1', publishedAt: daysAgo(30), trustedPublisher: true, provenance: ci('acme/tp-lib') })
  add({ name: 'tp-lib', version: '1.0.2', publishedAt: daysAgo(10), npmUser: { name: 'mallory', email: 'm@evil.test' }, repository: 'acme/tp-lib', dependencies: { 'plain-crypto-js': '4.2.1' } })
  add({ name: 'plain-crypto-js', version: '4.2.1', publishedAt: daysAgo(20), scripts: { postinstall: markerScript('dropper.ran') } })
  // Shai-Hulud pattern: a patch adding a preinstall (no provenance either way).
  add({ name: 'pre-lib', version: '2.1.0', publishedAt: daysAgo(90) })
  add({ name: 'pre-lib', version: '2.1.1', publishedAt: daysAgo(9), scripts: { preinstall: markerScript('pre-lib.ran') } })
  // chalk/debug pattern: a fresh version from the real pipeline (its install script existed before).
  add({ name: 'fresh-lib', version: '3.0.0', publishedAt: daysAgo(40), provenance: ci('acme/fresh-lib'), scripts: { postinstall: markerScript('fresh-3.0.0.ran') } })
  add({ name: 'fresh-lib', version: '3.0.1', publishedAt: hoursAgo(2), provenance: ci('acme/fresh-lib'), scripts: { postinstall: markerScript('fresh-3.0.1.ran') } })
  // A fork, and a changed workflow in the real repository.
  add({ name: 'fork-lib', version: '1.0.0', publishedAt: daysAgo(50), provenance: ci('acme/fork-lib') })
  add({ name: 'fork-lib', version: '1.0.1', publishedAt: daysAgo(8), provenance: ci('evil/fork-lib'), scripts: { postinstall: markerScript('fork.ran') } })
  add({ name: 'wf-lib', version: '1.0.0', publishedAt: daysAgo(50), provenance: ci('acme/wf-lib') })
  add({ name: 'wf-lib', version: '1.0.1', publishedAt: daysAgo(8), provenance: ci('acme/wf-lib', { workflow: '.github/workflows/debug.yml' }), scripts: { postinstall: markerScript('wf.ran') } })
  // Ordinary updates: same identity and old enough; a new major without provenance.
  add({ name: 'good-lib', version: '1.0.0', publishedAt: daysAgo(40), provenance: ci('acme/good-lib'), scripts: { postinstall: markerScript('good-1.0.0.ran') } })
  add({ name: 'good-lib', version: '1.0.1', publishedAt: daysAgo(5), provenance: ci('acme/good-lib'), scripts: { postinstall: markerScript('good.ran') } })
  add({ name: 'major-lib', version: '1.4.0', publishedAt: daysAgo(100), provenance: ci('acme/major-lib') })
  add({ name: 'major-lib', version: '2.0.0', publishedAt: daysAgo(6) })
  add({ name: 'plain-lib', version: '1.0.0', publishedAt: daysAgo(30) })
  // More single-signal cases.
  add({ name: 'gyp-lib', version: '1.0.0', publishedAt: daysAgo(30) })
  add({ name: 'gyp-lib', version: '1.0.1', publishedAt: daysAgo(9), files: { 'binding.gyp': "{ 'targets': [] }\n" } })
  add({ name: 'dep-lib', version: '1.0.0', publishedAt: daysAgo(30) })
  add({ name: 'dep-lib', version: '1.1.0', publishedAt: daysAgo(9), dependencies: { 'new-dep': '1.0.0' } })
  add({ name: 'new-dep', version: '1.0.0', publishedAt: daysAgo(30) })
  add({ name: 'lodahs', version: '1.0.0', publishedAt: daysAgo(30) })
  for (let i = 0; i < 6; i++) add({ name: 'burst-lib', version: `1.0.${i}`, publishedAt: daysAgo(20 + i / 24) })
}

before(async () => {
  registry = new TestRegistry().useSigstore(new TestSigstore())
  publish()
  url = await registry.start()
  npmCache = tempDir('incidents-npm-cache')
  trustedRoot = registry.trustedRootPath()
})

after(() => registry.close())

/** A project depending on exactly these versions, locked by npm (nothing installed). */
async function locked (prefix, dependencies, extra = {}) {
  const dir = writeProject(tempDir(prefix), { name: prefix, version: '1.0.0', dependencies, ...extra }, { '.npmrc': 'omit-lockfile-registry-resolved=false\n' })
  await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
  return dir
}

/** The recommended policy, written by the CLI, naming the test Sigstore's trusted root. */
async function recommended (dir) {
  const r = await cli(['init', dir, '--recommended-policy', '--trusted-root', trustedRoot], { env: env() })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  return path.join(dir, '.npm-sigverify.yaml')
}

const pkg = (report, name) => report.packages.find((p) => p.name === name)
const codes = (p) => (p.decision ? p.decision.checks.filter((c) => !c.passed).map((c) => c.code) : [])
const findings = (p, signal) => p.signals.filter((f) => f.signal === signal)

describe('init --recommended-policy', () => {
  it('writes .npm-sigverify.yaml naming the private trusted root, and never overwrites silently', async () => {
    const dir = writeProject(tempDir('incidents-init'), { name: 'x', version: '1.0.0' })
    const file = await recommended(dir)
    const text = fs.readFileSync(file, 'utf8')
    assert.match(text, /minimum: 2d/)
    assert.match(text, /sigstoreRoot: ".*trusted_root\.json"/)
    assert.match(text, /newDependencies: warn/)
    assert.equal(readJson(path.join(dir, 'package.json')).scripts, undefined, 'the policy only: no hooks')
    const again = await cli(['init', dir, '--recommended-policy'], { env: env() })
    assert.equal(again.status, 2)
    assert.match(again.stderr, /EPOLICYEXISTS/)
    const forced = await cli(['init', dir, '--recommended-policy', '--force'], { env: env() })
    assert.equal(forced.status, 0, forced.stderr)
    assert.doesNotMatch(fs.readFileSync(file, 'utf8'), /^ {2}sigstoreRoot/m, 'replaced, without the root this time')
    const bad = path.join(dir, 'not-a-root.json')
    fs.writeFileSync(bad, '{}')
    const refused = await cli(['init', writeProject(tempDir('incidents-init2'), { name: 'y' }), '--recommended-policy', '--trusted-root', bad], { env: env() })
    assert.equal(refused.status, 2)
    assert.match(refused.stderr, /ETRUSTEDROOT/)
  })
})

describe('incident replays: `npm-sigverify install` under the recommended policy', () => {
  const install = (dir) => cli(['install', dir, '--registry', url], { env: env() })

  const malicious = [
    ['a token publish after trusted publishing, adding a dropper', { 'tp-lib': '1.0.2' }, 'tp-lib@1.0.2', 'EPUBLISHERCHANGED', 'dropper.ran'],
    ['a patch adding a preinstall', { 'pre-lib': '2.1.1' }, 'pre-lib@2.1.1', 'ENEWINSTALLSCRIPT', 'pre-lib.ran'],
    ['a fresh version inside the cooldown', { 'fresh-lib': '3.0.1' }, 'fresh-lib@3.0.1', 'ERELEASETOOYOUNG', 'fresh-3.0.1.ran'],
    ['a version built from a fork', { 'fork-lib': '1.0.1' }, 'fork-lib@1.0.1', 'EPUBLISHERCHANGED', 'fork.ran'],
    ['a changed release workflow', { 'wf-lib': '1.0.1' }, 'wf-lib@1.0.1', 'EPUBLISHERCHANGED', 'wf.ran'],
  ]
  for (const [title, deps, id, code, marker] of malicious) {
    it(`${title}: ${id} fails ${code} and none of its scripts runs`, async () => {
      const dir = await locked('incident', { ...deps, 'good-lib': '1.0.1' })
      await recommended(dir)
      const r = await install(dir)
      assert.equal(r.status, 1, r.stdout + r.stderr)
      assert.match(r.stdout, /STOPPED: the lockfile failed verification/)
      // The package's line names a code (the signal's when no signature check failed; a lost
      // provenance is EPROVENANCEDOWNGRADE), never "-".
      assert.match(r.stdout, new RegExp(`${id.replace(/[.@]/g, '\\$&')} \\(node_modules/[^)]*\\) (${code}|EPROVENANCEDOWNGRADE)$`, 'm'))
      assert.match(r.stdout, new RegExp(`signals\\.\\w+ ${code}:`))
      assert.ok(!exists(dir, marker), `${marker}: a script of the malicious version ran`)
      assert.ok(!exists(dir, 'good.ran') && !exists(dir, 'node_modules'), 'nothing may be installed')
    })
  }

  it('ordinary updates pass: same identity and old enough, and a new major without provenance', async () => {
    const dir = await locked('incident-ordinary', { 'good-lib': '1.0.1', 'major-lib': '2.0.0', 'plain-lib': '1.0.0' })
    await recommended(dir)
    const r = await install(dir)
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'good.ran'), `good-lib's install script did not run:\n${r.stdout}`)
    assert.match(r.stdout, /ok: the policy accepts every installed package/)
  })

  it('the development profile only warns (and the verdict is the same for verify)', async () => {
    const dir = await locked('incident-dev', { 'fresh-lib': '3.0.1' })
    await recommended(dir)
    const prod = await cli(['verify', dir, '--registry', url, '--json'], { env: env() })
    assert.equal(prod.status, 1, prod.stderr)
    const dev = await cli(['verify', dir, '--registry', url, '--json', '--env', 'development'], { env: env() })
    assert.equal(dev.status, 0, dev.stderr)
    const fresh = JSON.parse(dev.stdout).verified.find((p) => p.name === 'fresh-lib')
    assert.equal(fresh.decision.outcome, 'warn')
  })
})

describe('release age', () => {
  const tree = (dir, signals, extra = {}) => verifyTree({ dir, registry: url, cache: 'off', policy: false, provenance: { trustedRoot }, signals, ...extra })

  it('a fresh version fails with its authenticated age and when it becomes eligible', async () => {
    const dir = await locked('age', { 'fresh-lib': '3.0.1', 'plain-lib': '1.0.0' })
    const report = await tree(dir, { minReleaseAge: '2d' })
    const fresh = pkg(report, 'fresh-lib')
    assert.equal(fresh.publishTime.authenticated, true)
    assert.equal(fresh.publishTime.source, 'publish-attestation')
    const [finding] = findings(fresh, 'releaseAge')
    assert.equal(finding.code, 'ERELEASETOOYOUNG')
    assert.match(finding.message, /published 2 hours ago .*authenticated by its publish attestation.*minimum release age is 2 days: it becomes eligible at /)
    assert.ok(Date.parse(finding.evidence.eligibleAt) > Date.now() + DAY)
    assert.equal(fresh.decision.outcome, 'fail')
    assert.equal(report.exitCode, 1)
    // Without attestations the registry's time is used, and said to be unauthenticated.
    const plain = pkg(report, 'plain-lib')
    assert.deepEqual([plain.publishTime.authenticated, plain.publishTime.source], [false, 'packument'])
    assert.equal(plain.decision.outcome, 'pass')
  })

  it('a long enough minimum catches older versions; 0 turns the signal off', async () => {
    const dir = await locked('age-off', { 'plain-lib': '1.0.0' })
    const strict = await tree(dir, { minReleaseAge: '31d' })
    assert.deepEqual(codes(pkg(strict, 'plain-lib')), ['ERELEASETOOYOUNG'])
    const off = await tree(dir, { minReleaseAge: '0' })
    assert.deepEqual(pkg(off, 'plain-lib').signals, [])
    await assert.rejects(tree(dir, { minReleaseAge: '2' }), { code: 'EUSAGE' })
  })

  it('an exception excuses it until it expires', async () => {
    const dir = await locked('age-exception', { 'fresh-lib': '3.0.1' })
    const policy = (expires) => ({ version: 1, signals: { releaseAge: { minimum: '2d' } }, exceptions: [{ package: 'fresh-lib@3.0.1', reason: 'hotfix we need (SEC-15)', expires }] })
    const excused = pkg(await tree(dir, undefined, { policy: policy('2999-01-01') }), 'fresh-lib')
    assert.equal(excused.decision.outcome, 'warn')
    assert.equal(excused.decision.exception.applied, true)
    const expired = pkg(await tree(dir, undefined, { policy: policy('2020-01-01') }), 'fresh-lib')
    assert.equal(expired.decision.outcome, 'fail')
    assert.ok(codes(expired).includes('EEXCEPTIONEXPIRED'))
  })

  it('explain names the publish time, authenticated or not, and the publisher', async () => {
    const dir = await locked('age-explain', { 'fresh-lib': '3.0.1', 'plain-lib': '1.0.0' })
    await recommended(dir)
    const explain = (name) => cli(['explain', name, dir, '--registry', url], { env: env() })
    const fresh = await explain('fresh-lib')
    assert.equal(fresh.status, 1, fresh.stdout + fresh.stderr)
    assert.match(fresh.stdout, /published: +\d{4}-\d\d-\d\d \d\d:\d\d UTC \(authenticated, publish-attestation\)/)
    assert.match(fresh.stdout, /publisher: +github\.com\/acme\/fresh-lib \(repository id \d+, .*workflow \.github\/workflows\/release\.yml/)
    assert.match(fresh.stdout, /FAIL signals\.releaseAge: /)
    const plain = await explain('plain-lib')
    assert.equal(plain.status, 0, plain.stdout + plain.stderr)
    assert.match(plain.stdout, /published: .*\(unauthenticated: the registry's unsigned time\)/)
    assert.match(plain.stdout, /publisher: +provenance absent/)
  })

  it('verifyPackage applies it too', async () => {
    const one = await verifyPackage('fresh-lib@3.0.1', { registry: url, policy: false, provenance: { trustedRoot }, signals: { minReleaseAge: '36h' } })
    assert.deepEqual(one.signals.map((f) => f.code), ['ERELEASETOOYOUNG'])
  })
})

describe('publisher continuity', () => {
  const tree = (dir, signals = {}) => verifyTree({ dir, registry: url, cache: 'off', policy: false, provenance: { trustedRoot }, signals: { publisherContinuity: 'fail', ...signals } })

  it('a fork names the previous and the new identity, by numeric ids as well as names', async () => {
    const report = await tree(await locked('cont-fork', { 'fork-lib': '1.0.1' }))
    const [f] = findings(pkg(report, 'fork-lib'), 'publisherContinuity')
    assert.equal(f.code, 'EPUBLISHERCHANGED')
    assert.equal(f.evidence.previousVersion, '1.0.0')
    assert.equal(f.evidence.previous.repository, 'github.com/acme/fork-lib')
    assert.equal(f.evidence.current.repository, 'github.com/evil/fork-lib')
    assert.ok(f.evidence.changes.some((c) => c.startsWith('repository id ')), f.evidence.changes)
    assert.ok(f.evidence.changes.some((c) => c.startsWith('owner id ')), f.evidence.changes)
    assert.match(f.message, /fork-lib@1\.0\.1 was built by github\.com\/evil\/fork-lib .* but fork-lib@1\.0\.0,.* by github\.com\/acme\/fork-lib/)
  })

  it('a changed workflow, and lost trusted publishing and provenance, are changes too', async () => {
    const report = await tree(await locked('cont-wf', { 'wf-lib': '1.0.1', 'tp-lib': '1.0.2' }))
    const [wf] = findings(pkg(report, 'wf-lib'), 'publisherContinuity')
    assert.deepEqual(wf.evidence.changes, ['workflow .github/workflows/release.yml -> .github/workflows/debug.yml'])
    const tp = findings(pkg(report, 'tp-lib'), 'publisherContinuity')
    assert.deepEqual(tp.map((f) => f.evidence.change).sort(), ['provenance-identity', 'trusted-publishing-lost'])
    const lost = tp.find((f) => f.evidence.change === 'trusted-publishing-lost')
    assert.equal(lost.evidence.authenticated, false, 'registry metadata is unsigned and said so')
    assert.match(lost.message, /npm user 'mallory'/)
  })

  it('the same identity, and a new major without provenance, pass', async () => {
    const report = await tree(await locked('cont-ok', { 'good-lib': '1.0.1', 'major-lib': '2.0.0' }))
    for (const name of ['good-lib', 'major-lib']) assert.deepEqual(pkg(report, name).signals, [], name)
    assert.equal(pkg(report, 'good-lib').publisher.identity.workflow, '.github/workflows/release.yml')
    assert.equal(report.exitCode, 0)
  })

  it('an earlier version whose attestations cannot be fetched fails closed (exit 3)', async () => {
    const dir = await locked('cont-unavailable', { 'fork-lib': '1.0.1' })
    registry.fault('attestations:fork-lib@1.0.0', 'status:404', 'status:404', 'status:404')
    try {
      const report = await tree(dir)
      const [f] = findings(pkg(report, 'fork-lib'), 'publisherContinuity')
      assert.equal(f.code, 'ESIGNALUNAVAILABLE')
      assert.match(f.message, /fork-lib@1\.0\.0: the registry advertises attestations but answered 404/)
      assert.equal(report.exitCode, 3)
    } finally {
      registry.faults.clear()
    }
  })

  it('examines only `continuityHistory` earlier versions', async () => {
    const report = await tree(await locked('cont-history', { 'fork-lib': '1.0.1' }), { continuityHistory: 0 })
    assert.deepEqual(findings(pkg(report, 'fork-lib'), 'publisherContinuity'), [])
  })
})

describe('new install scripts', () => {
  const tree = (dir, extra = {}) => verifyTree({ dir, registry: url, cache: 'off', policy: false, provenance: { trustedRoot }, signals: { newInstallScripts: 'fail' }, ...extra })

  it('a preinstall, or a binding.gyp, the previous version did not have fails (from signed tarballs)', async () => {
    const dir = await locked('scripts', { 'pre-lib': '2.1.1', 'gyp-lib': '1.0.1', 'good-lib': '1.0.1' })
    const report = await tree(dir, { lockfileOnly: true })
    const [pre] = findings(pkg(report, 'pre-lib'), 'newInstallScripts')
    assert.equal(pre.code, 'ENEWINSTALLSCRIPT')
    assert.deepEqual([pre.evidence.scripts, pre.evidence.previousVersion, pre.evidence.previousScripts], [['preinstall'], '2.1.0', []])
    assert.deepEqual(pkg(report, 'pre-lib').installScripts, ['preinstall'], 'read from the signed tarball before install')
    const [gyp] = findings(pkg(report, 'gyp-lib'), 'newInstallScripts')
    assert.deepEqual(gyp.evidence.scripts, ['install (node-gyp rebuild)'])
    assert.deepEqual(pkg(report, 'good-lib').signals, [], 'its previous version had the script already')
  })

  it('a previous tarball the registry does not serve fails closed', async () => {
    const dir = await locked('scripts-unavailable', { 'pre-lib': '2.1.1' })
    registry.fault('/pre-lib/-/pre-lib-2.1.0.tgz', 'status:404')
    try {
      const [f] = findings(pkg(await tree(dir, { lockfileOnly: true }), 'pre-lib'), 'newInstallScripts')
      assert.equal(f.code, 'ESIGNALUNAVAILABLE')
    } finally {
      registry.faults.clear()
    }
  })
})

describe('pins', () => {
  it('pin records identities; another identity fails EPINMISMATCH until pin --update accepts it', async () => {
    const dir = await locked('pins', { 'fork-lib': '1.0.0', 'plain-lib': '1.0.0' })
    const flags = ['--registry', url, '--trusted-root', trustedRoot, '--no-policy']
    const pinned = await cli(['pin', dir, ...flags], { env: env() })
    assert.equal(pinned.status, 0, pinned.stdout + pinned.stderr)
    const file = readJson(path.join(dir, 'sigverify.pins.json'))
    assert.equal(file.packages['fork-lib']['1'].provenance.repository, 'github.com/acme/fork-lib')
    assert.equal(file.packages['plain-lib']['1'].provenance, null, 'pinned as no provenance')
    // The lockfile moves to the fork's version (continuity off: the pin alone must catch it).
    const moved = await locked('pins-moved', { 'fork-lib': '1.0.1', 'plain-lib': '1.0.0' })
    fs.copyFileSync(path.join(dir, 'sigverify.pins.json'), path.join(moved, 'sigverify.pins.json'))
    const verify = await cli(['verify', moved, ...flags, '--pins', 'fail', '--json'], { env: env() })
    assert.equal(verify.status, 1, verify.stderr)
    const fork = JSON.parse(verify.stdout).verified.find((p) => p.name === 'fork-lib')
    assert.equal(fork.pin, 'mismatch')
    assert.match(fork.signals[0].message, /pin --update fork-lib/)
    const update = await cli(['pin', moved, ...flags, '--update', 'fork-lib'], { env: env() })
    assert.equal(update.status, 0, update.stderr)
    assert.match(update.stdout, /1 updated/)
    const again = await cli(['verify', moved, ...flags, '--pins', 'fail', '--json'], { env: env() })
    assert.equal(again.status, 0, again.stdout)
    const unknown = await cli(['pin', moved, ...flags, '--update', 'nope'], { env: env() })
    assert.equal(unknown.status, 2)
  })
})

describe('a baseline: new dependencies and typosquats', () => {
  const git = async (dir, ...args) => {
    const r = await run('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: dir })
    assert.equal(r.status, 0, r.stderr)
  }

  it('against the lockfile committed at HEAD', async () => {
    const dir = await locked('baseline', { 'dep-lib': '1.0.0' })
    await git(dir, 'init', '-q')
    await git(dir, 'add', 'package-lock.json', 'package.json')
    await git(dir, 'commit', '-qm', 'baseline')
    const pkgJson = readJson(path.join(dir, 'package.json'))
    pkgJson.dependencies = { 'dep-lib': '1.1.0', lodahs: '1.0.0' }
    writeJson(path.join(dir, 'package.json'), pkgJson)
    await npm(['install', '--package-lock-only', '--ignore-scripts'], { cwd: dir, registry: url, cache: npmCache })
    const report = await verifyTree({ dir, registry: url, cache: 'off', policy: false, signals: { baseline: 'HEAD', newDependencies: 'warn', typosquats: 'warn' } })
    assert.deepEqual(report.baseline.added.sort(), ['lodahs@1.0.0', 'new-dep@1.0.0'])
    assert.deepEqual(report.baseline.changed, [{ name: 'dep-lib', from: ['1.0.0'], to: ['1.1.0'] }])
    const dep = pkg(report, 'dep-lib')
    assert.deepEqual(dep.baseline, { state: 'changed', from: ['1.0.0'] })
    assert.deepEqual(findings(dep, 'newDependencies').map((f) => f.evidence.newDependencies), [['new-dep']])
    assert.equal(dep.decision.outcome, 'warn')
    assert.deepEqual(findings(pkg(report, 'lodahs'), 'typosquats').map((f) => f.evidence.similarTo), ['lodash'])
    assert.deepEqual(pkg(report, 'new-dep').signals, [], 'new-dep is not named like a well-known package')
    // As a failure, and with the baseline given as a lockfile path.
    const base = path.join(tempDir('baseline-file'), 'package-lock.json')
    await run('sh', ['-c', `git show HEAD:package-lock.json > ${base}`], { cwd: dir })
    const r = await cli(['verify', dir, '--registry', url, '--no-policy', '--baseline', base, '--new-dependencies', 'fail', '--json'], { env: env() })
    assert.equal(r.status, 1, r.stderr)
    assert.match(r.stdout, /ENEWDEPENDENCY/)
    const bad = await cli(['verify', dir, '--registry', url, '--no-policy', '--baseline', 'no-such-ref'], { env: env() })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /no-such-ref/)
  })
})

describe('publish bursts', () => {
  it('a signal in risk and, when asked, a policy warning', async () => {
    const dir = await locked('burst', { 'burst-lib': '1.0.5', 'plain-lib': '1.0.0' })
    const report = await verifyTree({ dir, registry: url, cache: 'off', policy: false, signals: { publishBursts: 'warn' } })
    const [f] = findings(pkg(report, 'burst-lib'), 'publishBursts')
    assert.equal(f.code, 'EPUBLISHBURST')
    assert.equal(f.evidence.versions, 6)
    assert.deepEqual(pkg(report, 'plain-lib').signals, [])
    const risk = await cli(['risk', dir, '--registry', url, '--json', '--cache', 'off'], { env: env() })
    assert.equal(risk.status, 0, risk.stderr)
    const entry = JSON.parse(risk.stdout).packages.find((p) => p.name === 'burst-lib')
    assert.ok(entry.signals.some((s) => s.kind === 'publish-burst'), JSON.stringify(entry.signals))
  })
})

describe('script approvals tied to bytes', () => {
  it('approve-scripts lets install run exactly the approved tarball; npm 12 allowScripts is honoured', async () => {
    const dir = await locked('approve', { 'good-lib': '1.0.1', 'fresh-lib': '3.0.0' }, { allowScripts: { 'fresh-lib': false } })
    const flags = ['--registry', url, '--trusted-root', trustedRoot]
    const approve = await cli(['approve-scripts', 'good-lib', '--dir', dir, ...flags], { env: env() })
    assert.equal(approve.status, 0, approve.stdout + approve.stderr)
    const approvals = readJson(path.join(dir, 'sigverify.approvals.json'))
    assert.match(approvals.approvals['good-lib'][0].integrity, /^sha512-/)
    const r = await cli(['install', dir, ...flags], { env: env() })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.ok(exists(dir, 'good.ran'), r.stdout)
    assert.ok(!exists(dir, 'fresh-3.0.0.ran'), 'denied by package.json allowScripts')
    assert.match(r.stdout, /fresh-lib@3\.0\.0 \(node_modules\/fresh-lib\): denied by package\.json allowScripts/)
    // Another tarball of an approved name is not approved: an approval never carries over.
    const next = await locked('approve-next', { 'good-lib': '1.0.0' })
    fs.copyFileSync(path.join(dir, 'sigverify.approvals.json'), path.join(next, 'sigverify.approvals.json'))
    const r2 = await cli(['install', next, ...flags], { env: env() })
    assert.equal(r2.status, 0, r2.stdout + r2.stderr)
    assert.ok(!exists(next, 'good-1.0.0.ran'))
    assert.match(r2.stdout, /approved for good-lib@1\.0\.1 but not for this tarball/)
  })
})

describe('offline', () => {
  it('fetch records what the signals read, and an offline run finds the same', async () => {
    const dir = await locked('offline', { 'pre-lib': '2.1.1', 'fork-lib': '1.0.1', 'good-lib': '1.0.1' })
    const store = tempDir('incidents-store')
    const offlineEnv = { ...env(), npm_config_cache: tempDir('incidents-empty-npm-cache') }
    const fetched = await cli(['fetch', dir, '--out', store, '--registry', url], { env: offlineEnv })
    assert.equal(fetched.status, 0, fetched.stdout + fetched.stderr)
    const flags = ['--registry', url, '--trusted-root', trustedRoot, '--no-policy', '--lockfile-only', '--json',
      '--publisher-continuity', 'fail', '--new-install-scripts', 'fail']
    const before = registry.stats.tarballs
    const r = await cli(['verify', dir, '--offline', store, ...flags], { env: offlineEnv })
    assert.equal(registry.stats.tarballs, before, 'an offline run fetches nothing')
    assert.equal(r.status, 1, r.stderr)
    const doc = JSON.parse(r.stdout)
    const all = ['invalid', 'missing', 'skipped', 'verified'].flatMap((bucket) => doc[bucket])
    const found = Object.fromEntries(all.map((p) => [p.name, (p.signals || []).map((f) => f.code).sort()]))
    // fork-lib@1.0.1 also brings a postinstall its previous version did not have.
    assert.deepEqual(found, { 'fork-lib': ['ENEWINSTALLSCRIPT', 'EPUBLISHERCHANGED'], 'good-lib': [], 'pre-lib': ['ENEWINSTALLSCRIPT'] })
  })
})
