#!/usr/bin/env node
'use strict'
// The GitHub Action's verification step (see action.yml): runs `npm-sigverify verify` with the
// action's inputs, writes the requested reports (SARIF always, for the upload step), appends the
// Markdown report to the job's step summary and sets the step outputs. It exits 0 after a
// verification whatever its verdict, so that the SARIF upload still runs; action.yml's last step
// fails the job with the verification's exit code (outputs.exit-code).
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const FORMATS = ['json', 'sarif', 'junit', 'html', 'markdown']
const EXTENSIONS = { json: 'json', sarif: 'sarif', junit: 'xml', html: 'html', markdown: 'md' }

/** The action's inputs from the INPUT_* environment action.yml sets (empty means not given). */
function inputsOf (env) {
  const get = (name) => (env[`INPUT_${name}`] || '').trim()
  return {
    directory: get('WORKING_DIRECTORY') || '.',
    policy: get('POLICY'),
    environment: get('ENVIRONMENT'),
    reports: get('REPORTS') || 'sarif,markdown',
    lockfileOnly: get('LOCKFILE_ONLY') === 'true',
    extraArgs: get('ARGS'),
    cli: get('CLI') || 'npx --yes npm-sigverify@latest',
  }
}

/** The report formats asked for, plus SARIF (uploaded) and Markdown (the step summary). */
function formatsOf (list) {
  const asked = list.split(/[\s,]+/).filter(Boolean)
  const unknown = asked.filter((f) => !FORMATS.includes(f))
  if (unknown.length) throw new Error(`unknown report format(s) ${unknown.join(', ')}: use any of ${FORMATS.join(', ')}`)
  return [...new Set([...asked, 'sarif', 'markdown'])]
}

/** The command line (program and arguments) of the verification, and each report's path. */
function commandOf (inputs, outDir) {
  const files = Object.fromEntries(formatsOf(inputs.reports).map((f) => [f, path.join(outDir, `npm-sigverify.${EXTENSIONS[f]}`)]))
  const [program, ...prefix] = inputs.cli.split(/\s+/).filter(Boolean)
  const args = [...prefix, 'verify', inputs.directory, '--report', Object.entries(files).map(([f, file]) => `${f}=${file}`).join(',')]
  if (inputs.policy) args.push('--policy', inputs.policy)
  if (inputs.environment) args.push('--env', inputs.environment)
  if (inputs.lockfileOnly) args.push('--lockfile-only')
  if (inputs.extraArgs) args.push(...inputs.extraArgs.split(/\s+/).filter(Boolean))
  return { program, args, files }
}

/** Appends `name=value` lines to the file GitHub reads step outputs from. */
function setOutputs (env, outputs) {
  const lines = Object.entries(outputs).map(([k, v]) => `${k}=${v}\n`).join('')
  if (env.GITHUB_OUTPUT) fs.appendFileSync(env.GITHUB_OUTPUT, lines)
  else process.stdout.write(lines)
}

/** The step summary: the Markdown report, or why there is none. */
function writeSummary (env, files, status) {
  if (!env.GITHUB_STEP_SUMMARY) return
  const text = fs.existsSync(files.markdown)
    ? fs.readFileSync(files.markdown, 'utf8')
    : `## npm-sigverify\n\nThe verification wrote no report (exit code ${status}); see the step log.\n`
  fs.appendFileSync(env.GITHUB_STEP_SUMMARY, text.endsWith('\n') ? text : `${text}\n`)
}

/** Runs the step; resolves to the verification's exit code (the step itself exits 0 after it). */
function main (env = process.env) {
  const inputs = inputsOf(env)
  const outDir = path.join(env.RUNNER_TEMP || fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sigverify-action-')), 'npm-sigverify')
  fs.mkdirSync(outDir, { recursive: true })
  const { program, args, files } = commandOf(inputs, outDir)
  console.log(`npm-sigverify action: ${program} ${args.join(' ')}`)
  const run = spawnSync(program, args, { stdio: 'inherit', env })
  const status = run.status ?? 2
  writeSummary(env, files, status)
  setOutputs(env, { 'exit-code': status, sarif: fs.existsSync(files.sarif) ? files.sarif : '', 'report-dir': outDir })
  return status
}

if (require.main === module) {
  try {
    main()
  } catch (e) {
    console.error(`npm-sigverify action: ${e.message}`)
    process.exit(2)
  }
}

module.exports = { main, commandOf, formatsOf, inputsOf }
