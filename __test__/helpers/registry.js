'use strict'
// A loopback npm registry for the tests: serves packuments of synthetic packages signed with a
// test ECDSA P-256 key (and real recorded packuments as they were served), the keys endpoint,
// tarballs, and fault knobs (tamper, drop, unknown key, bad base64, HTTP errors, timeouts,
// truncated JSON). Listens on 127.0.0.1 only and counts requests.
//
// With a test Sigstore (`useSigstore(new TestSigstore())`, see ./sigstore), addPackage() can also
// publish versions with real, verifiable npm attestations: `provenance` (keyless, from a GitHub
// Actions run it describes) and the registry's publish attestation (signed with this registry's
// key), advertised in `dist.attestations` and served at /-/npm/v1/attestations/<name>@<version>.
//
// Fault injection: `fault(target, ...steps)` scripts the next answers of one target; each request
// to it takes the next step (the list is consumed; once empty, the target answers normally).
// Targets: a package name for its packument ('beta', '@acme/scoped'), '/-/npm/v1/keys',
// 'attestations:<name>@<version>' for an attestations document, and a tarball's URL path
// ('/beta/-/beta-1.0.0.tgz', '/@acme/scoped/-/scoped-1.0.0.tgz'). Steps:
// - 'status:NNN'  HTTP NNN with a small JSON error body (404, 429, 500, 503...)
// - 'timeout'     never answer (the request hangs until the client gives up)
// - 'truncated'   200 with a fixed, cut-off packument JSON ('{"name":"<target>","versions":...')
// - 'reset'       reset the connection (TCP RST) without answering
// - 'empty'       200 with an empty body (the usual Content-Type)
// - 'garbage'     200 with 512 bytes of binary garbage (the usual Content-Type)
// - 'html'        200 text/html: a captive portal's sign-in page
// - 'half'        200 with the first half of the real body (a consistent Content-Length)
// - 'cut'         the real headers (full Content-Length), half the body, then the socket closes
// - 'stall'       the real headers (full Content-Length), half the body, then nothing more
// - 'flip'        the real body with its middle byte flipped (same length)
// - 'gzip'        the real body gzip-encoded (Content-Encoding: gzip): a valid answer
// - 'gzip-truncated'  the gzip-encoded real body cut in half (Content-Encoding: gzip)
// - 'type:<content-type>'  the real body under another Content-Type
// - 'slow:<ms>'   the real answer, <ms> milliseconds late
// - `{ status = 200, type, headers, body, delay }`: this answer instead (a lying registry);
//   `body` is a string, a Buffer, or a function of the real body (a Buffer) returning one.
// `stats.byTarget[target]` counts the requests of every target (packuments also in
// `stats.byName`). `packumentWith(name, edit)` is a packument's JSON after `edit(doc)`, for
// lying packuments served with an object step.
const crypto = require('node:crypto')
const http = require('node:http')
const zlib = require('node:zlib')
const { tarball } = require('./tarball')

const CORGI = 'application/vnd.npm.install-v1+json'

/** 512 fixed bytes that are neither JSON, gzip nor UTF-8 text. */
const GARBAGE = Buffer.concat(Array.from({ length: 8 }, (_, i) => crypto.createHash('sha512').update(`garbage ${i}`).digest()))
const CAPTIVE_PORTAL = '<!doctype html>\n<html><head><title>Sign in to the network</title></head><body><form action="/login">Please sign in</form></body></html>\n'

/** npm keyid: OpenSSH SHA256 fingerprint of the P-256 key. */
function sshFingerprint (publicKey) {
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  const point = spki.subarray(spki.length - 65)
  const str = (b) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b])
  const blob = Buffer.concat([str(Buffer.from('ecdsa-sha2-nistp256')), str(Buffer.from('nistp256')), str(point)])
  return 'SHA256:' + crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

function newKey () {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return { privateKey, publicKey, keyid: sshFingerprint(publicKey) }
}

/** `_npmUser` of a version: npm's trusted-publisher (OIDC) shape, or the value given. */
function npmUserOf (trustedPublisher, npmUser) {
  if (!trustedPublisher) return npmUser
  const publisher = trustedPublisher === true ? { id: 'github', oidcConfigId: `oidc:${crypto.randomUUID()}` } : trustedPublisher
  return { name: 'GitHub Actions', email: 'npm-oidc-no-reply@github.com', trustedPublisher: publisher }
}

class TestRegistry {
  constructor () {
    this.key = newKey()
    this.otherKey = newKey()
    this.keysDocument = { keys: [this.keyEntry(this.key)] }
    this.versions = new Map() // name -> Map(version -> manifest)
    this.tarballs = new Map() // url path -> Buffer
    this.recorded = new Map() // name -> raw packument string
    this.attestationDocs = new Map() // name@version -> raw attestations document
    this.tamper = new Set()
    this.drop = new Set()
    this.unknownKey = new Set()
    this.badBase64 = new Set()
    this.cacheControl = null // a Cache-Control header for packuments (registry.npmjs.org: 'public, max-age=300')
    this.extraSignatures = new Map() // name@version -> more dist.signatures entries (internal keys)
    this.maintainers = new Map() // name -> [{ name, email }], in full packuments only (as npm's)
    this.faults = new Map() // target -> fault steps (see the top of this file)
    this.stats = { keys: 0, packuments: 0, tarballs: 0, byName: {}, byTarget: {} }
  }

  keyEntry ({ publicKey, keyid }) {
    const key = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    return { expires: null, keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key }
  }

  /** Lets addPackage() publish attestations made by this test Sigstore deployment. */
  useSigstore (sigstore) {
    this.sigstore = sigstore
    return this
  }

  /** The trusted_root.json path of the Sigstore in use (for `provenance: { trustedRoot }`). */
  trustedRootPath () {
    if (!this.sigstore) throw new Error('no test Sigstore: call useSigstore() first')
    return this.sigstore.trustedRootPath()
  }

  /**
   * Adds a synthetic package version; returns its integrity.
   *
   * Attestation options (need useSigstore()):
   * - `provenance`: the GitHub Actions run that built it, `{ repository: 'owner/repo',
   *   repositoryId, owner, ownerId, workflow, ref, issuer, integratedTime, ... }` (see
   *   sigstore/github.js run() and TestSigstore#provenance; `integratedTime` defaults to
   *   `publishedAt`). Without `repository` in the options, package.json names that repository.
   * - `publishAttestation`: add the registry's publish attestation (default: with provenance),
   *   or an object of TestSigstore#publishAttestation options.
   * - `trustedPublisher`: `_npmUser` says a trusted publisher (OIDC) published it (true or
   *   `{ id, oidcConfigId }`); `npmUser`: any other `_npmUser` value (a token publish).
   */
  addPackage ({ name, version, dependencies = {}, scripts, bin, files, publishedAt, repository, maintainers, provenance, publishAttestation, trustedPublisher, npmUser, bundleDependencies }) {
    if (maintainers) this.maintainers.set(name, maintainers)
    if (provenance && !repository) repository = { type: 'git', url: `git+https://github.com/${provenance.repository}.git` }
    const manifest = { name, version, dependencies, ...(scripts ? { scripts } : {}), ...(bin ? { bin } : {}), ...(repository ? { repository } : {}), ...(bundleDependencies ? { bundleDependencies } : {}) }
    const content = { 'package.json': JSON.stringify(manifest, null, 2), 'index.js': `module.exports = '${name}@${version}'\n`, ...files }
    const tgz = tarball(content)
    const base = name.startsWith('@') ? name.split('/')[1] : name
    const path = `/${name}/-/${base}-${version}.tgz`
    this.tarballs.set(path, tgz)
    const integrity = 'sha512-' + crypto.createHash('sha512').update(tgz).digest('base64')
    const shasum = crypto.createHash('sha1').update(tgz).digest('hex')
    const entry = { ...manifest, hasInstallScript: scripts ? true : undefined, _path: path, dist: { integrity, shasum }, publishedAt: publishedAt || new Date('2024-05-01T00:00:00Z').toISOString() }
    const publisher = npmUserOf(trustedPublisher, npmUser)
    if (publisher) entry._npmUser = publisher
    entry._attestations = this.attest({ name, version, integrity, publishedAt: entry.publishedAt, provenance, publishAttestation })
    if (!this.versions.has(name)) this.versions.set(name, new Map())
    this.versions.get(name).set(version, entry)
    return integrity
  }

  /**
   * Makes and stores the attestations document of a version; returns what `dist.attestations`
   * advertises (`{ provenance: { predicateType } }`, `{}` for publish only), or undefined.
   */
  attest ({ name, version, integrity, publishedAt, provenance, publishAttestation = !!provenance }) {
    if (!provenance && !publishAttestation) return undefined
    if (!this.sigstore) throw new Error('attestations need a test Sigstore: call useSigstore() first')
    const attestations = []
    const integratedTime = (provenance && provenance.integratedTime) || publishedAt
    if (provenance) attestations.push(this.sigstore.provenance({ integratedTime, ...provenance, name, version, integrity }))
    if (publishAttestation) {
      const options = typeof publishAttestation === 'object' ? publishAttestation : {}
      const publish = this.sigstore.publishAttestation({ key: this.key, integratedTime, ...options, name, version, integrity })
      attestations.push(publish)
    }
    const doc = { attestations: attestations.map(({ predicateType, bundle }) => ({ predicateType, bundle })) }
    this.attestationDocs.set(`${name}@${version}`, JSON.stringify(doc))
    return provenance ? { provenance: { predicateType: attestations[0].predicateType } } : {}
  }

  /** Serves a real recorded packument exactly as recorded (its own signatures). */
  addRecorded (name, raw) {
    this.recorded.set(name, raw)
  }

  fault (target, ...steps) {
    this.faults.set(target, steps)
  }

  sign (id, integrity, key) {
    return crypto.sign('sha256', Buffer.from(`${id}:${integrity}`), key.privateKey).toString('base64')
  }

  signatures (name, version, integrity) {
    const id = `${name}@${version}`
    const extra = this.extraSignatures.get(id) || []
    if (this.drop.has(id)) return extra.length ? extra : undefined
    if (this.badBase64.has(id)) return [{ keyid: this.key.keyid, sig: 'not base64 at all!' }]
    const key = this.unknownKey.has(id) ? this.otherKey : this.key
    const signed = this.tamper.has(id) ? 'sha512-tampered' : integrity
    return [{ keyid: key.keyid, sig: this.sign(id, signed, key) }, ...extra]
  }

  packument (name, corgi) {
    const versions = {}
    const time = {}
    for (const [version, entry] of this.versions.get(name)) {
      const { _path, publishedAt, dist, _attestations, ...manifest } = entry
      const signatures = this.signatures(name, version, dist.integrity)
      const attestations = _attestations && { url: `${this.url}/-/npm/v1/attestations/${name.replace('/', '%2f')}@${version}`, ..._attestations }
      versions[version] = { ...manifest, dist: { ...dist, tarball: this.url + _path, ...(signatures ? { signatures } : {}), ...(attestations ? { attestations } : {}) } }
      time[version] = publishedAt
    }
    const latest = Object.keys(versions).pop()
    const doc = { name, 'dist-tags': { latest }, versions }
    if (!corgi) {
      Object.assign(doc, { _id: name, time: { created: '2020-01-01T00:00:00.000Z', modified: '2024-06-01T00:00:00.000Z', ...time } })
      if (this.maintainers.has(name)) doc.maintainers = this.maintainers.get(name)
    }
    return JSON.stringify(doc)
  }

  /**
   * Applies the next scripted fault for a target; returns true when it answered. `answer`
   * (optional) returns the normal answer `{ status, headers, body }`, which the steps that
   * change a real answer start from.
   */
  applyFault (target, res, answer) {
    this.stats.byTarget[target] = (this.stats.byTarget[target] || 0) + 1
    const steps = this.faults.get(target)
    if (!steps || steps.length === 0) return false
    const step = steps.shift()
    if (step === 'timeout') return true // never answer
    if (step === 'truncated') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"name":"' + target + '","versions":{"1.0.0":{"dist":{"integ')
      return true
    }
    if (typeof step === 'string' && step.startsWith('status:')) {
      res.writeHead(Number(step.split(':')[1]))
      res.end('{"error":"scripted fault"}')
      return true
    }
    const real = () => {
      const a = answer ? answer() : { status: 404, headers: {}, body: '{}' }
      return { status: a.status, headers: { ...a.headers }, body: Buffer.from(a.body || '') }
    }
    const send = ({ status, headers, body }) => {
      res.writeHead(status, { ...headers, 'content-length': body.length })
      res.end(body)
    }
    if (typeof step === 'object') {
      const a = real()
      const body = typeof step.body === 'function' ? step.body(a.body) : step.body
      const headers = { ...a.headers, ...(step.type ? { 'content-type': step.type } : {}), ...step.headers }
      const out = { status: step.status || 200, headers, body: Buffer.from(body === undefined ? a.body : body) }
      if (step.delay) setTimeout(() => send(out), step.delay)
      else send(out)
      return true
    }
    const colon = step.indexOf(':')
    const kind = colon < 0 ? step : step.slice(0, colon)
    const arg = colon < 0 ? '' : step.slice(colon + 1)
    const socket = res.socket
    switch (kind) {
      case 'reset':
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
        else socket.destroy()
        return true
      case 'empty': send({ ...real(), status: 200, body: Buffer.alloc(0) }); return true
      case 'garbage': send({ ...real(), status: 200, body: GARBAGE }); return true
      case 'html': send({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(CAPTIVE_PORTAL) }); return true
      case 'half': { const a = real(); send({ ...a, body: a.body.subarray(0, a.body.length >> 1) }); return true }
      case 'cut':
      case 'stall': {
        const a = real()
        res.writeHead(a.status, { ...a.headers, 'content-length': a.body.length })
        res.write(a.body.subarray(0, a.body.length >> 1))
        if (kind === 'cut') setTimeout(() => socket.destroy(), 20)
        return true
      }
      case 'flip': {
        const a = real()
        const body = Buffer.from(a.body)
        body[body.length >> 1] ^= 0x01
        send({ ...a, body })
        return true
      }
      case 'gzip':
      case 'gzip-truncated': {
        const a = real()
        let body = zlib.gzipSync(a.body)
        if (kind === 'gzip-truncated') body = body.subarray(0, body.length >> 1)
        send({ ...a, headers: { ...a.headers, 'content-encoding': 'gzip' }, body })
        return true
      }
      case 'type': { const a = real(); send({ ...a, headers: { ...a.headers, 'content-type': arg } }); return true }
      case 'slow': { const a = real(); setTimeout(() => send(a), Number(arg)); return true }
      default: throw new Error(`unknown fault step ${JSON.stringify(step)}`)
    }
  }

  /** The JSON of a packument as this registry serves it, after `edit(doc)` changed it. */
  packumentWith (name, edit, { corgi = false } = {}) {
    const doc = JSON.parse(this.recorded.get(name) || this.packument(name, corgi))
    const edited = edit(doc)
    return JSON.stringify(edited === undefined ? doc : edited)
  }

  handle (req, res) {
    const path = decodeURIComponent(req.url.split('?')[0])
    if (path === '/-/npm/v1/keys') return this.serveKeys(res)
    if (path.startsWith('/-/npm/v1/attestations/')) return this.serveAttestations(path.slice(23), res)
    if (path.includes('/-/')) return this.serveTarball(path, res)
    const name = path.slice(1)
    this.stats.packuments++
    this.stats.byName[name] = (this.stats.byName[name] || 0) + 1
    const corgi = (req.headers.accept || '').includes(CORGI)
    const answer = () => {
      const body = this.recorded.get(name) || (this.versions.has(name) ? this.packument(name, corgi) : null)
      if (!body) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{"error":"Not found"}' }
      return { status: 200, headers: { 'content-type': 'application/json', ...(this.cacheControl ? { 'cache-control': this.cacheControl } : {}) }, body }
    }
    if (this.applyFault(name, res, answer)) return
    const { status, headers, body } = answer()
    res.writeHead(status, headers)
    res.end(body)
  }

  serveKeys (res) {
    this.stats.keys++
    const answer = () => this.keysDocument
      ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.keysDocument) }
      : { status: 404, headers: {}, body: '{}' }
    if (this.applyFault('/-/npm/v1/keys', res, answer)) return
    const { status, headers, body } = answer()
    res.writeHead(status, headers)
    res.end(body)
  }

  serveAttestations (spec, res) {
    this.stats.attestations = (this.stats.attestations || 0) + 1
    const answer = () => {
      const doc = this.attestationDocs.get(spec)
      if (!doc) return { status: 404, headers: {}, body: '{}' }
      return { status: 200, headers: { 'content-type': 'application/json' }, body: doc }
    }
    if (this.applyFault(`attestations:${spec}`, res, answer)) return
    const { status, headers, body } = answer()
    res.writeHead(status, headers)
    res.end(body)
  }

  serveTarball (path, res) {
    this.stats.tarballs++
    const answer = () => {
      const tgz = this.tarballs.get(path)
      if (!tgz) return { status: 404, headers: {}, body: '' }
      return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: tgz }
    }
    if (this.applyFault(path, res, answer)) return
    const { status, headers, body } = answer()
    res.writeHead(status, headers)
    res.end(body)
  }

  /** Listens on loopback; `tls` ({ key, cert }, PEM) serves HTTPS instead of HTTP. */
  start ({ tls } = {}) {
    this.sockets = new Set()
    const handler = (req, res) => this.handle(req, res)
    this.server = tls ? require('node:https').createServer(tls, handler) : http.createServer(handler)
    this.server.on(tls ? 'secureConnection' : 'connection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)) })
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => {
      this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${this.server.address().port}`
      resolve(this.url + '/')
    }))
  }

  close () {
    for (const s of this.sockets) s.destroy()
    return new Promise((resolve) => this.server.close(resolve))
  }
}

module.exports = { TestRegistry, sshFingerprint }
