'use strict'
// Jest matchers for npm-sigverify reports:
//   const { verifyTree } = require('npm-sigverify')
//   require('npm-sigverify/jest')            // registers the matchers on Jest's global expect
//   expect(await verifyTree({ dir })).toHaveNoSignatureFailures()
//   expect(report).toHaveVerifiedProvenance('esbuild')
//   expect(report).toPassPolicy()            // the policy's verdict: what `verify` would exit

const FAILED = new Set(['invalid', 'missing'])

/** The package entries of a report (or a single package result). */
function entriesOf (received) {
  if (received && Array.isArray(received.packages)) return received.packages
  if (received && typeof received.status === 'string' && typeof received.name === 'string') return [received]
  return null
}

function notAReport (matcher, received) {
  const got = received === null ? 'null' : typeof received
  return { pass: false, message: () => `${matcher}: expected an npm-sigverify report (from verifyTree) or package result, got ${got}` }
}

/** One failing entry: name@version (location), code, message, remediation. */
function describeEntry (p, { code, message, remediation }) {
  const where = p.location ? ` (${p.location})` : ''
  const lines = [`  ${p.name}@${p.version}${where}${code ? ` ${code}` : ''}: ${message}`]
  if (remediation) lines.push(`    fix: ${remediation}`)
  return lines.join('\n')
}

function signatureFailure (p) {
  return { code: p.code, message: p.message || p.status, remediation: p.remediation }
}

function toHaveNoSignatureFailures (received) {
  const entries = entriesOf(received)
  if (!entries) return notAReport('toHaveNoSignatureFailures', received)
  const failures = entries.filter((p) => FAILED.has(p.status))
  const count = (s) => entries.filter((p) => p.status === s).length
  if (failures.length === 0) {
    return {
      pass: true,
      message: () => `expected signature failures, but none of the ${entries.length} packages failed ` +
        `(${count('verified')} verified, ${count('skipped')} skipped)`,
    }
  }
  const list = failures.map((p) => describeEntry(p, signatureFailure(p))).join('\n')
  return {
    pass: false,
    message: () => `expected no signature failures, but ${failures.length} of ${entries.length} packages failed:\n${list}`,
  }
}

/** Why one entry does not have verified provenance, or null when it does. */
function provenanceProblem (p) {
  if (p.provenance === 'verified') return null
  if (p.provenance === undefined) {
    return {
      message: 'has no provenance field: this npm-sigverify report does not include provenance results',
      remediation: 'use an npm-sigverify version that verifies provenance, and check the report came from verifyTree',
    }
  }
  // Provenance details may come as their own fields; else the entry's code/message explain it.
  const code = p.provenanceCode || (p.status !== 'verified' ? p.code : undefined)
  const detail = p.provenanceMessage || (p.status !== 'verified' ? p.message : undefined)
  return {
    code,
    message: `provenance is '${p.provenance}'${detail ? `: ${detail}` : ''}`,
    remediation: p.provenanceRemediation || (code === p.code ? p.remediation : undefined),
  }
}

function toHaveVerifiedProvenance (received, name) {
  const entries = entriesOf(received)
  if (!entries) return notAReport('toHaveVerifiedProvenance', received)
  const wanted = name === undefined
    ? entries.filter((p) => p.source === undefined || p.source === 'registry')
    : entries.filter((p) => p.name === name)
  const label = name === undefined ? 'every registry package' : name
  if (wanted.length === 0) {
    const what = name === undefined ? 'no registry packages' : `no package named ${name}`
    return { pass: false, message: () => `toHaveVerifiedProvenance: the report has ${what}` }
  }
  const problems = wanted.map((p) => [p, provenanceProblem(p)]).filter(([, why]) => why)
  if (problems.length === 0) {
    const ids = wanted.map((p) => `${p.name}@${p.version}`).join(', ')
    return { pass: true, message: () => `expected ${label} not to have verified provenance, but it does: ${ids}` }
  }
  const list = problems.map(([p, why]) => describeEntry(p, why)).join('\n')
  return {
    pass: false,
    message: () => `expected verified provenance for ${label}, but ${problems.length} of ${wanted.length} packages lack it:\n${list}`,
  }
}

/**
 * The exit code the CLI would give for `received`: a report's (`verify`), or a `verifyPackage`
 * result's (`verify-package`); undefined for a package entry of a tree report, which has none.
 */
function exitCodeOf (received) {
  if (Array.isArray(received.packages)) return received.exitCode
  return typeof received.exitCode === 'number' ? received.exitCode : undefined
}

/** Whether `received` carries the CLI's verdict (a report, or a `verifyPackage` result). */
function hasExitCode (received) {
  return Array.isArray(received.packages) || typeof received.exitCode === 'number'
}

/** The packages whose policy decision fails; none when the CLI's exit code is 0. */
function policyFailures (received, entries) {
  if (hasExitCode(received) && exitCodeOf(received) === 0) return []
  return entries.filter((p) => !p.decision || p.decision.outcome === 'fail')
}

/** One package the policy fails: its failing required checks, the rule, exception, fix. */
function describeDecision (p) {
  const d = p.decision
  if (!d) return describeEntry(p, { code: p.code, message: `${p.status}, and no policy decision`, remediation: p.remediation })
  const failed = d.checks.filter((c) => !c.passed && c.required)
  const lines = [`  ${p.name}@${p.version}${p.location ? ` (${p.location})` : ''} fails rule '${d.rule}':`]
  for (const c of failed) lines.push(`    ${c.check}${c.code ? ` ${c.code}` : ''}: ${c.message}`)
  if (d.exception) lines.push(`    exception ${d.exception.applied ? 'applied' : 'not applied'}: ${d.exception.reason || ''}`)
  for (const fix of d.remediation) lines.push(`    fix: ${fix}`)
  return lines.join('\n')
}

/**
 * The policy's verdict, the same as the CLI's: a report passes when its exit code is 0 (`verify`
 * would exit 0: every package passes or warns, or the environment only warns), and so does a
 * `verifyPackage` result (`verify-package`'s exit code); a package entry of a tree report, which
 * has no exit code of its own, passes when its decision is not `fail`.
 */
function toPassPolicy (received) {
  const entries = entriesOf(received)
  if (!entries) return notAReport('toPassPolicy', received)
  const failures = policyFailures(received, entries)
  const judged = hasExitCode(received)
  const exit = judged ? ` (exit code ${exitCodeOf(received)})` : ''
  if (failures.length === 0 && !(judged && exitCodeOf(received) !== 0)) {
    return { pass: true, message: () => `expected the policy to fail, but it passes all ${entries.length} packages${exit}` }
  }
  const list = failures.map(describeDecision).join('\n')
  return {
    pass: false,
    message: () => `expected the policy to pass, but it fails ${failures.length} of ${entries.length} packages${exit}:\n${list}`,
  }
}

const matchers = { toHaveNoSignatureFailures, toHaveVerifiedProvenance, toPassPolicy }

// Register on Jest's global expect when loaded inside a Jest run.
if (typeof expect !== 'undefined' && typeof expect.extend === 'function') {
  expect.extend(matchers)
}

module.exports = { matchers, toHaveNoSignatureFailures, toHaveVerifiedProvenance, toPassPolicy }
