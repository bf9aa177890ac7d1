'use strict'
// Helpers of the attack tests (attacks.test.js): publishing versions whose package.json carries
// `main`/`bin`/`exports` (TestRegistry#addPackage writes a minimal one), editing a copied tree
// the way an attacker would, and reading a package's verdict from `--json` and verifyTree().
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { readJson, writeJson } = require('./project')

/**
 * Publishes `name@version` on a TestRegistry with extra package.json fields (`main`, `bin`,
 * `exports`...), both in the tarball's package.json and in the packument (npm links bins from
 * the packument's manifest); returns its integrity.
 */
function publish (registry, { name, version, dependencies = {}, scripts, extra = {}, files = {} }) {
  const manifest = { name, version, dependencies, ...(scripts ? { scripts } : {}), ...extra }
  const integrity = registry.addPackage({ name, version, dependencies, scripts, files: { 'package.json': JSON.stringify(manifest, null, 2), ...files } })
  Object.assign(registry.versions.get(name).get(version), extra)
  return integrity
}

/** The tarball bytes the registry serves for `name@version` (and its URL path). */
function tarballOf (registry, name, version) {
  const entry = registry.versions.get(name).get(version)
  return { path: entry._path, bytes: registry.tarballs.get(entry._path) }
}

/** Edits `<dir>/package-lock.json` in place: `fn(packages, lock)`. */
function editLock (dir, fn) {
  const file = path.join(dir, 'package-lock.json')
  const lock = readJson(file)
  fn(lock.packages, lock)
  writeJson(file, lock)
}

/** Writes `<dir>/<rel>` (folders created). */
function put (dir, rel, content) {
  const file = path.join(dir, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, content)
}

/** Replaces `<dir>/<rel>` (a file or link) by a symlink to `target`. */
function relink (dir, rel, target) {
  const file = path.join(dir, rel)
  fs.rmSync(file, { force: true, recursive: true })
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.symlinkSync(target, file)
}

/** The path of a tarball in npm's cacache folder, from its sha512 SRI. */
function cacachePath (cache, integrity) {
  const sha512 = integrity.split(/\s+/).find((h) => h.startsWith('sha512-'))
  const hex = Buffer.from(sha512.slice(7), 'base64').toString('hex')
  return path.join(cache, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
}

/** A `sha512-...` SRI of some bytes. */
function sri (bytes, algorithm = 'sha512') {
  return `${algorithm}-${crypto.createHash(algorithm).update(bytes).digest('base64')}`
}

const BUCKETS = ['invalid', 'missing', 'skipped', 'verified']

/** `{ status, code, entry }` of the package at `location` in a `--json` document, or null. */
function jsonVerdict (doc, location) {
  for (const status of BUCKETS) {
    const entry = (doc[status] || []).find((p) => p.location === location)
    if (entry) return { status, code: entry.code ?? null, entry }
  }
  return null
}

/** Every file under `dir` (relative paths), links not followed. */
function listFiles (dir, base = dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) listFiles(full, base, out)
    else out.push(path.relative(base, full))
  }
  return out
}

module.exports = { publish, tarballOf, editLock, put, relink, cacachePath, sri, jsonVerdict, listFiles }
