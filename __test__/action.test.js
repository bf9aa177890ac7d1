'use strict'
// The GitHub Action's script (action/run.js) run as GitHub runs it: INPUT_* variables from
// action.yml, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP files, against a real tree
// installed by npm from the loopback registry; and action.yml wired to the script.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { after, before, describe, it } = require('node:test')

const { TestRegistry } = require('./helpers/registry')
const { ROOT, BIN, tempDir, writeProject, npm, run } = require('./helpers/project')
const { commandOf, inputsOf } = require('../action/run')

const SCRIPT = path.join(ROOT, 'action', 'run.js')
let registry, url, project

before(async () => {
  registry = new TestRegistry()
  registry.addPackage({ name: 'alpha', version: '1.0.0' })
  registry.addPackage({ name: 'beta', version: '1.0.0' })
  url = await registry.start()
  project = writeProject(tempDir('action'), { name: 'p', version: '1.0.0', dependencies: { alpha: '1.0.0', beta: '1.0.0' } })
  await npm(['install'], { cwd: project, registry: url, cache: tempDir('action-cache') })
})

after(() => registry.close())

/** Runs the action's step with these inputs; resolves to its exit, outputs and summary. */
async function step (inputs) {
  const dir = tempDir('action-run')
  const files = { GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'), RUNNER_TEMP: dir }
  const env = { ...process.env, ...files, INPUT_CLI: `${process.execPath} ${BIN}`, INPUT_WORKING_DIRECTORY: project, INPUT_ARGS: `--registry ${url} --no-content`, ...inputs }
  const r = await run(process.execPath, [SCRIPT], { env })
  const read = (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')
  const outputs = Object.fromEntries(read(files.GITHUB_OUTPUT).split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2)))
  return { ...r, outputs, summary: read(files.GITHUB_STEP_SUMMARY), dir }
}

describe('the GitHub Action script', () => {
  it('a passing project: exit-code 0, a SARIF 2.1.0 report, the summary written', async () => {
    const r = await step({ INPUT_REPORTS: 'junit' })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.equal(r.outputs['exit-code'], '0')
    const sarif = JSON.parse(fs.readFileSync(r.outputs.sarif, 'utf8'))
    assert.equal(sarif.version, '2.1.0')
    assert.ok(fs.existsSync(path.join(r.outputs['report-dir'], 'npm-sigverify.xml')), 'the junit report')
    assert.match(r.summary, /npm-sigverify/i)
  })

  it('a failing project: the step still succeeds (SARIF uploads), exit-code 1 fails the job', async () => {
    registry.tamper.add('beta@1.0.0')
    try {
      const r = await step({})
      assert.equal(r.status, 0, r.stdout + r.stderr)
      assert.equal(r.outputs['exit-code'], '1')
      assert.match(fs.readFileSync(r.outputs.sarif, 'utf8'), /EINTEGRITYSIGNATURE/)
      assert.match(r.summary, /EINTEGRITYSIGNATURE/)
    } finally {
      registry.tamper.delete('beta@1.0.0')
    }
  })

  it('policy, environment and lockfile-only become flags; an unknown format is a usage error', async () => {
    const inputs = inputsOf({ INPUT_POLICY: 'p.yaml', INPUT_ENVIRONMENT: 'ci', INPUT_LOCKFILE_ONLY: 'true', INPUT_CLI: 'npm-sigverify' })
    const { program, args } = commandOf(inputs, '/out')
    assert.equal(program, 'npm-sigverify')
    assert.deepEqual(args, ['verify', '.', '--report', 'sarif=/out/npm-sigverify.sarif,markdown=/out/npm-sigverify.md', '--policy', 'p.yaml', '--env', 'ci', '--lockfile-only'])
    const bad = await step({ INPUT_REPORTS: 'pdf' })
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /unknown report format/)
  })

  it('action.yml declares every input it uses and hands each to the script', () => {
    const yml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')
    const declared = [...yml.split('\noutputs:')[0].matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1])
    const used = new Set([...yml.matchAll(/inputs\.([a-z-]+)/g)].map((m) => m[1]))
    for (const name of used) assert.ok(declared.includes(name), `inputs.${name} is not declared`)
    const script = fs.readFileSync(SCRIPT, 'utf8')
    for (const [, variable, input] of yml.matchAll(/^ +(INPUT_[A-Z_]+): \$\{\{ inputs\.([a-z-]+) \}\}$/gm)) {
      assert.equal(variable, `INPUT_${input.toUpperCase().replaceAll('-', '_')}`)
      assert.ok(script.includes(`get('${variable.slice(6)}')`), `run.js does not read ${variable}`)
    }
    assert.match(yml, /run: node "\$GITHUB_ACTION_PATH\/action\/run\.js"/)
    assert.match(yml, /using: composite/)
  })
})
