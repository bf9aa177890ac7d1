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
// environment from NPM_SIGVERIFY_ENV / NODE_ENV). The registry is the one the project's
// configuration assigns to the package's name (bunfig.toml's `[install] registry` and scopes,
// else `.npmrc`), never one read from the tarball URL (which nothing signs): a package Bun would
// download from anywhere else, or not from a registry tarball at all, is a fatal
// ELOCKFILESOURCE advisory, as `verify` fails that lockfile entry. Local folders and tarballs
// (`file:`, `link:`, paths) download nothing and get no advisory.
// A package `verify-package` would pass (exit 0: the policy passes or only warns, or the
// environment is in warn mode) gets no advisory; its findings go to stderr (Bun treats `warn`
// advisories as a stop outside a terminal, so warn mode must not return them).
const { verifyPackage } = require('../index.js')
const { bunRegistries, bunRegistryFor } = require('./config.js')

const CONCURRENCY = 16

/**
 * The registry a tarball URL belongs to, as `verify` reads a lockfile's `resolved`: the base of
 * `<base><name>/-/<unscoped>-<version>.tgz` (also `@scope%2fname`, and Artifactory's
 * `<name>/-/@scope/name-<version>.tgz`), without credentials or query; null for any other URL.
 */
function registryOf (name, tarball, version) {
  const m = /^(https?):\/\/([^/?#]*)(\/[^?#]*)(\?[^#]*)?$/.exec(tarball || '')
  if (!m) return null
  const host = m[2].slice(m[2].lastIndexOf('@') + 1)
  if (!/^[A-Za-z0-9.\-_:[\]]+$/.test(host)) return null
  const prefix = registryPrefix(m[3], name, version)
  return prefix === null ? null : `${m[1]}://${host}${prefix}`
}

function registryPrefix (path, name, version) {
  const unscoped = name.split('/').pop()
  const file = (f) => version === undefined
    ? new RegExp(`/-/${escape(f)}-[^/]+\\.tgz$`).exec(path)
    : path.endsWith(`/-/${f}-${version}.tgz`) && [`/-/${f}-${version}.tgz`]
  const found = [unscoped, name].map(file).find(Boolean)
  if (!found) return null
  const dir = path.slice(0, -found[0].length)
  let prefix = null
  if (dir.endsWith(name)) prefix = dir.slice(0, -name.length)
  else if (name.includes('/') && dir.endsWith(unscoped)) {
    const scope = name.split('/')[0]
    const encoded = dir.slice(0, -unscoped.length)
    if (/%2f$/i.test(encoded) && encoded.slice(0, -3).endsWith(scope)) prefix = encoded.slice(0, -3 - scope.length)
  }
  return prefix !== null && prefix.endsWith('/') ? prefix : null
}

function escape (text) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** A registry URL for comparison: no credentials, query or default port; case and slash free. */
function normalize (url) {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`.toLowerCase().replace(/\/+$/, '')
  } catch {
    return String(url).toLowerCase().replace(/\/+$/, '')
  }
}

/** A URL fit to print: no credentials, no query (tokens travel in either). */
function shown (url) {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '')
  }
}

/** Nothing to download: a `file:`/`link:` folder (Bun gives no tarball) or a local tarball path. */
function isLocal (pkg) {
  const tarball = pkg.tarball || ''
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(tarball)) return false
  return tarball !== '' || /^(file|link|workspace):/.test(pkg.version || '')
}

/** Why Bun's source for `pkg` is not a registry tarball of `configured`, or null when it is. */
function sourceProblem (pkg, configured) {
  const base = registryOf(pkg.name, pkg.tarball, pkg.version)
  if (base && configured && normalize(base) === normalize(configured)) return null
  if (base && !configured) return null // the configuration could not be read: that error decides
  const from = pkg.tarball ? shown(pkg.tarball) : `no registry tarball (requested as ${pkg.requestedRange || pkg.version})`
  const where = configured ? `${shown(configured)}, the registry the project's configuration assigns to it` : 'the registry the project configures for it'
  const what = base
    ? `Bun would download it from ${from}, another registry than ${where}`
    : `Bun would install it from ${from}, which is not a registry tarball of ${pkg.name}@${pkg.version} on ${where}`
  return `${what}; its registry signature and the policy's pinned keys were not checked against it`
}

function sourceAdvisory (pkg, why) {
  const fix = 'install it from the configured registry (see bun.lock, and `registry`/`@scope:registry` ' +
    'in .npmrc or bunfig.toml); if this source is the one you mean, configure it as the registry for ' +
    'this name, or check the package with `npm-sigverify verify` and install it without the scanner'
  return advisory(pkg, `npm-sigverify: source ELOCKFILESOURCE: ${why} (fix: ${fix})`)
}

/** One package's advisory, or null when the policy accepts it. */
async function judge (pkg, options, bun) {
  if (isLocal(pkg)) return null
  // 1. The registry the project's configuration assigns to the name: bunfig's are passed on
  // (verifyPackage reads .npmrc alone), and verifyPackage reports the one it used.
  const bunfig = bun.error ? {} : bunRegistryFor(bun.config, pkg.name)
  const override = bunfig.scope || bunfig.registry
  let result, error
  try {
    if (bun.error) throw bun.error
    result = await verifyPackage(`${pkg.name}@${pkg.version}`, override ? { ...options, registry: override } : options)
  } catch (err) {
    error = err
  }
  const configured = bunfig.scope || (result && result.registry)
  // 2. The tarball Bun downloads must be that registry's: nothing signs the URL.
  const why = sourceProblem(pkg, configured)
  if (why) return sourceAdvisory(pkg, why)
  if (error) return advisory(pkg, `${error.code || 'ESIGVERIFY'}: ${error.message}`)
  if (normalize(result.registry) !== normalize(configured)) {
    // An .npmrc `@scope:registry` shadows the bunfig scope Bun uses: verified elsewhere.
    return advisory(pkg, `npm-sigverify: registry-signature ENOTCHECKED: verified against ${shown(result.registry)} ` +
      `(.npmrc) while Bun downloads it from ${shown(configured)} (bunfig.toml) (fix: give the scope the same registry in both files)`)
  }
  // 3. The policy's decision, as verify-package would exit.
  const decision = result.decision
  if (result.exitCode === 0) {
    if (decision && decision.outcome === 'fail') process.stderr.write(`npm-sigverify (not enforced in this environment): ${pkg.name}@${pkg.version} fails rule '${decision.rule}'\n`)
    return null
  }
  const failed = decision ? decision.checks.filter((c) => !c.passed && c.required) : []
  const reason = failed.length
    ? failed.map((c) => `${c.check} ${c.code || ''}: ${c.message}`).join('; ')
    : `${result.code || result.status}: ${result.message || 'not verified'}`
  const fix = (decision && decision.remediation[0]) || result.remediation
  return advisory(pkg, `npm-sigverify: ${reason}${fix ? ` (fix: ${fix})` : ''}`)
}

function advisory (pkg, description) {
  return { level: 'fatal', package: pkg.name, url: null, description: `${pkg.name}@${pkg.version}: ${description}` }
}

/** Bun's registry settings, read once per scan; an unreadable bunfig fails every package. */
function loadBun (dir) {
  try {
    return { config: bunRegistries(dir) }
  } catch (err) {
    return { error: err }
  }
}

async function scan ({ packages }) {
  const options = { dir: process.cwd() }
  const bun = loadBun(options.dir)
  const advisories = []
  const queue = [...packages]
  const workers = Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
    for (let pkg = queue.shift(); pkg; pkg = queue.shift()) {
      const found = await judge(pkg, options, bun)
      if (found) advisories.push(found)
    }
  })
  await Promise.all(workers)
  return advisories.sort((a, b) => a.package.localeCompare(b.package))
}

const scanner = { version: '1', scan }

module.exports = { scanner, registryOf }
