#!/usr/bin/env node
'use strict'
// Compares one `npm audit signatures --json` answer with one `npm-sigverify verify --json` answer.
// Agreement means: the same set of invalid name@version, the same set of missing name@version and
// the same exit code. Locations (npm lists every installed copy) are compared too, for the report.
//   usage: compare.js MODE NPM_JSON NPM_EXIT SV_JSON SV_EXIT [EXPECT_INVALID] [EXPECT_MISSING]
// npm aborts the whole run on an expired or unknown signing key (EEXPIREDSIGNATUREKEY,
// EMISSINGSIGNATUREKEY) and prints `{error: {code, summary}}` instead; npm-sigverify reports the
// package as invalid with the same code and goes on. Then agreement means: the same exit code, and
// npm-sigverify's invalid entries with npm's code are exactly the package npm's summary names.
// Prints one table row (tab separated) and a detail block on disagreement; exits 1 on any
// disagreement (including with the expected sets, when given), 0 otherwise.
const fs = require('node:fs')

const [mode, npmFile, npmExit, svFile, svExit, expInvalid = '', expMissing = ''] = process.argv.slice(2)

function load (file, who) {
  const text = fs.readFileSync(file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (e) {
    return { parseError: `${who}: output is not JSON (${e.message}): ${text.slice(0, 300)}` }
  }
}

const ids = (list) => new Set((list || []).map((p) => `${p.name}@${p.version}`))
const locs = (list) => new Set((list || []).map((p) => `${p.name}@${p.version} ${p.location}`))
const sorted = (s) => [...s].sort()
const minus = (a, b) => sorted(a).filter((x) => !b.has(x))
const fmt = (s) => (s.size ? sorted(s).join(',') : '-')

const npm = load(npmFile, 'npm')
const sv = load(svFile, 'npm-sigverify')
const problems = [npm.parseError, sv.parseError].filter(Boolean)
const aborted = npm.error && npm.error.code
if (aborted) {
  // npm's summary starts with the package: "<name>@<version> has a registry signature ...".
  npm.invalid = [{ name: npm.error.summary.split(' ')[0].replace(/@[^@]*$/, ''), version: npm.error.summary.split(' ')[0].replace(/^.*@/, ''), location: '(aborted)' }]
  npm.missing = []
  sv.invalid = (sv.invalid || []).filter((p) => p.code === aborted)
  problems.push(`npm aborted with ${aborted} (informational); npm-sigverify entries compared: those with ${aborted}`)
}
const sets = {
  invalid: [ids(npm.invalid), ids(sv.invalid), new Set(expInvalid.split(',').filter(Boolean))],
  missing: [ids(npm.missing), ids(sv.missing), new Set(expMissing.split(',').filter(Boolean))],
}
for (const [kind, [a, b, exp]] of Object.entries(sets)) {
  if (minus(a, b).length || minus(b, a).length) {
    problems.push(`${kind}: only npm: ${minus(a, b).join(' ') || '-'}; only npm-sigverify: ${minus(b, a).join(' ') || '-'}`)
  }
  if (process.argv.length > 7 && (minus(a, exp).length || minus(exp, a).length)) {
    problems.push(`${kind}: npm differs from the injected faults (${fmt(exp)})`)
  }
}
if (npmExit !== svExit) problems.push(`exit codes: npm ${npmExit}, npm-sigverify ${svExit}`)
for (const kind of ['invalid', 'missing']) {
  if (aborted) break // npm names no locations when it aborts
  const [a, b] = [locs(npm[kind]), locs(sv[kind])]
  if (minus(a, b).length || minus(b, a).length) {
    problems.push(`${kind} locations (informational): only npm: ${minus(a, b).join(' ') || '-'}; only npm-sigverify: ${minus(b, a).join(' ') || '-'}`)
  }
}
const verdict = problems.some((p) => !p.includes('informational')) ? 'DISAGREE' : 'agree'
console.log([mode, (aborted ? `${aborted}: ` : '') + fmt(sets.invalid[0]), fmt(sets.invalid[1]), fmt(sets.missing[0]), fmt(sets.missing[1]),
  npmExit, svExit, verdict].join('\t'))
for (const p of problems) console.log(`  ${mode}: ${p}`)
process.exit(verdict === 'agree' ? 0 : 1)
