'use strict'
// npm-sigverify as a Bun security scanner (Bun's `[install.security] scanner` API): `bun install`
// and `bun add` hand every package they are about to install to scan() BEFORE downloading it;
// each one the trust policy fails (bad or missing signature, provenance, policy rules) comes
// back as a `fatal` advisory, and Bun cancels the install. Evidence that cannot be obtained
// fails closed (fatal too). Enable it in bunfig.toml:
//
//   [install.security]
//   scanner = "npm-sigverify/bun-scanner"
//
// The policy is the project's own (.npm-sigverify.yaml, as `verify` finds it, with its
// environment from NPM_SIGVERIFY_ENV / NODE_ENV); the registry is the one each tarball comes
// from. A package `verify-package` would pass (exit 0: the policy passes or only warns, or the
// environment is in warn mode) gets no advisory; its findings go to stderr (Bun treats `warn`
// advisories as a stop outside a terminal, so warn mode must not return them).
const { verifyPackage } = require('../index.js')

const CONCURRENCY = 16

/** The registry a tarball URL belongs to: everything before `/<name>/-/`. */
function registryOf (name, tarball) {
  if (!/^https?:\/\//.test(tarball || '')) return null
  const marker = `/${name}/-/`
  const at = tarball.indexOf(marker)
  const escaped = tarball.indexOf(`/${name.replace('/', '%2f')}/-/`)
  const cut = at >= 0 ? at : escaped
  return cut >= 0 ? tarball.slice(0, cut + 1) : null
}

/** One package's advisory, or null when the policy accepts it. */
async function judge (pkg, options) {
  const registry = registryOf(pkg.name, pkg.tarball)
  if (!registry) return null // not from a registry: no registry signature to check here (verify covers it)
  let result
  try {
    result = await verifyPackage(`${pkg.name}@${pkg.version}`, { ...options, registry })
  } catch (err) {
    return advisory(pkg, `${err.code || 'ESIGVERIFY'}: ${err.message}`)
  }
  const decision = result.decision
  if (result.exitCode === 0) {
    if (decision && decision.outcome === 'fail') process.stderr.write(`npm-sigverify (not enforced in this environment): ${pkg.name}@${pkg.version} fails rule '${decision.rule}'\n`)
    return null
  }
  const failed = decision ? decision.checks.filter((c) => !c.passed && c.required) : []
  const why = failed.length
    ? failed.map((c) => `${c.check} ${c.code || ''}: ${c.message}`).join('; ')
    : `${result.code || result.status}: ${result.message || 'not verified'}`
  const fix = (decision && decision.remediation[0]) || result.remediation
  return advisory(pkg, `npm-sigverify: ${why}${fix ? ` (fix: ${fix})` : ''}`)
}

function advisory (pkg, description) {
  return { level: 'fatal', package: pkg.name, url: null, description: `${pkg.name}@${pkg.version}: ${description}` }
}

async function scan ({ packages }) {
  const options = { dir: process.cwd() }
  const advisories = []
  const queue = [...packages]
  const workers = Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
    for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
      const found = await judge(pkg, options)
      if (found) advisories.push(found)
    }
  })
  await Promise.all(workers)
  return advisories.sort((a, b) => a.package.localeCompare(b.package))
}

const scanner = { version: '1', scan }

module.exports = { scanner, registryOf }
