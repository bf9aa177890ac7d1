#!/usr/bin/env node
'use strict'
// The bench's loopback signing registry. It serves packuments from on-disk stores with
// `dist.signatures` made by a local test ECDSA P-256 key, publishes that key at /-/npm/v1/keys,
// rewrites every `dist.tarball` to point at itself (so lockfiles resolve to 127.0.0.1) and serves
// tarballs from the store. Only when UPSTREAM is set does it fill store misses from the upstream
// registry (that is how `setup.sh` records the tree once); otherwise a miss is a 404 and nothing
// leaves the machine.
//
// Environment:
//   PORT     port on 127.0.0.1 (required; a fixed port keeps recorded lockfile URLs valid)
//   STORES   colon list of store folders: `packuments/<encodeURIComponent(name)>.json` (full
//            packuments as the upstream served them) and `tarballs/<encodeURIComponent(name)>/<file>`
//   KEYDIR   where the test key lives; created on first use
//   UPSTREAM registry to fill misses from (unset: offline, misses are 404)
//   TAMPER   comma list of name@version signed over a wrong integrity
//   DROP     comma list of name@version served without signatures
//   EXPIRE   comma list of name@version signed by the retired key although published after it
//            expired (KEYSET=npm only)
//   UNKNOWN  comma list of name@version signed by a key the keys endpoint does not list
//   DELAY_MS milliseconds every answer waits before it is sent (default 0): a network's round trip
//            on loopback (the stats endpoint answers at once)
//   KEYSET   `npm` (default): like registry.npmjs.org, two keys, a retired one with `expires`
//            (2025-01-29) that signs the versions published before then, and a current one without
//            `expires` that signs the rest; verifiers then need full packuments (publish times) as
//            they do against npm's registry. `single`: one key without `expires` signs everything
//            (abbreviated packuments suffice).
// Packuments carry strong ETags and answer 304 to a matching If-None-Match, as the public registry
// does. GET /-/bench/stats answers request counters. Everything is signed before the port opens, so
// timed runs never pay for first-use signing.
const crypto = require('node:crypto')
const fs = require('node:fs')
const http = require('node:http')
const https = require('node:https')
const path = require('node:path')

const CORGI = 'application/vnd.npm.install-v1+json'
// Fields the public registry keeps in abbreviated ("corgi") version documents.
const CORGI_FIELDS = ['name', 'version', 'deprecated', 'dependencies', 'optionalDependencies',
  'devDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bundleDependencies',
  'bundledDependencies', 'bin', 'directories', 'engines', 'os', 'cpu', 'funding', 'license',
  'dist', '_hasShrinkwrap', 'hasInstallScript', 'libc']

const env = process.env
const PORT = Number(env.PORT)
const BASE = `http://127.0.0.1:${PORT}`
const STORES = (env.STORES || '').split(':').filter(Boolean).map((s) => path.resolve(s))
const UPSTREAM = (env.UPSTREAM || '').replace(/\/$/, '')
const list = (s) => new Set((s || '').split(',').filter(Boolean))
const TAMPER = list(env.TAMPER)
const DROP = list(env.DROP)
const EXPIRE = list(env.EXPIRE)
const UNKNOWN = list(env.UNKNOWN)

/** Loads (or creates) the test key and derives npm's keyid (OpenSSH SHA256 fingerprint). */
function loadKey (dir, name, expires) {
  const file = path.join(dir, name)
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true })
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }))
  }
  const privateKey = crypto.createPrivateKey(fs.readFileSync(file))
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  const q = spki.subarray(spki.length - 65)
  const str = (b) => { const n = Buffer.alloc(4); n.writeUInt32BE(b.length); return Buffer.concat([n, b]) }
  const wire = Buffer.concat([str(Buffer.from('ecdsa-sha2-nistp256')), str(Buffer.from('nistp256')), str(q)])
  const keyid = 'SHA256:' + crypto.createHash('sha256').update(wire).digest('base64').replace(/=+$/, '')
  return { privateKey, keyid, expires, spki: spki.toString('base64') }
}

const KEYDIR = path.resolve(env.KEYDIR || 'key')
const KEYSET = env.KEYSET || 'npm'
const key = loadKey(KEYDIR, 'key.pem', null)
const retired = KEYSET === 'npm' ? loadKey(KEYDIR, 'retired.pem', '2025-01-29T00:00:00.000Z') : null
const stranger = loadKey(KEYDIR, 'unlisted.pem', null) // never published at /-/npm/v1/keys
const keysDoc = JSON.stringify({
  keys: [retired, key].filter(Boolean).map((k) => ({
    expires: k.expires, keyid: k.keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: k.spki,
  })),
})

/** The key that signed a version: the retired key for what was published before it expired. */
function signerOf (doc, version) {
  const id = `${doc.name}@${version}`
  if (UNKNOWN.has(id)) return stranger
  if (retired && EXPIRE.has(id)) return retired
  if (!retired) return key
  // npm takes 2015-01-01 as the publish time of versions without one.
  const published = Date.parse((doc.time && doc.time[version]) || '2015-01-01T00:00:00.000Z')
  return published < Date.parse(retired.expires) ? retired : key
}
const stats = { keys: 0, packuments: 0, corgi: 0, full: 0, tarballs: 0, attestations: 0, notModified: 0, notFound: 0, upstream: 0, errors: 0 }
const served = new Map() // name -> { full, corgi } (signed JSON strings)
const tarballOrigin = new Map() // served tarball path -> upstream URL (for filling)

function get (url) {
  const mod = url.startsWith('https:') ? https : http
  return new Promise((resolve, reject) => {
    mod.get(url, { headers: { accept: 'application/json' } }, (res) => {
      const bufs = []
      res.on('data', (d) => bufs.push(d))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(bufs) }))
    }).on('error', reject)
  })
}

const storeFile = (kind, rel) => STORES.map((s) => path.join(s, kind, rel)).find((f) => fs.existsSync(f))
const tarballRel = (name, file) => path.join(encodeURIComponent(name), file)

// ECDSA signatures are randomized: remember each one (KEYDIR/signatures.json) so a restarted
// registry serves byte-identical packuments, ETags stay valid across restarts, and a cache test
// sees a change exactly where a fault was injected.
const sigFile = path.join(KEYDIR, 'signatures.json')
const sigs = new Map(fs.existsSync(sigFile) ? Object.entries(JSON.parse(fs.readFileSync(sigFile, 'utf8'))) : [])
let sigsAdded = 0
function signatureOf (signer, message) {
  const k = `${signer.keyid} ${message}`
  if (!sigs.has(k)) {
    sigs.set(k, crypto.sign('sha256', Buffer.from(message), signer.privateKey).toString('base64'))
    sigsAdded++
  }
  return sigs.get(k)
}

/** Signs every version (or tampers/drops as asked) and points tarballs at this registry. */
function sign (doc) {
  for (const [version, manifest] of Object.entries(doc.versions || {})) {
    const dist = manifest.dist
    if (!dist || !dist.integrity) continue
    const id = `${doc.name}@${version}`
    if (dist.tarball) {
      const file = path.posix.basename(new URL(dist.tarball).pathname)
      const local = `/${doc.name}/-/${file}`
      tarballOrigin.set(local, dist.tarball)
      dist.tarball = BASE + local
    }
    delete dist.signatures
    delete dist.attestations // the upstream mirror strips them anyway; never serve stale ones
    if (DROP.has(id)) continue
    const integrity = TAMPER.has(id) ? 'sha512-tampered' : dist.integrity
    const signer = signerOf(doc, version)
    dist.signatures = [{ keyid: signer.keyid, sig: signatureOf(signer, `${id}:${integrity}`) }]
  }
  return doc
}

/** The abbreviated form npm asks for during install and audit. */
function abbreviate (doc) {
  const versions = {}
  for (const [v, m] of Object.entries(doc.versions || {})) {
    const out = {}
    for (const f of CORGI_FIELDS) if (m[f] !== undefined) out[f] = m[f]
    const s = m.scripts || {}
    if (out.hasInstallScript === undefined && (s.preinstall || s.install || s.postinstall)) out.hasInstallScript = true
    versions[v] = out
  }
  return { name: doc.name, modified: doc.modified || (doc.time && doc.time.modified), 'dist-tags': doc['dist-tags'], versions }
}

function remember (raw) {
  const doc = sign(JSON.parse(raw))
  // Kept as encoded bytes: a CDN sends stored bytes, so encoding 80 MB of strings per run would
  // put a cost on the client's machine that the public registry does not.
  const entry = { full: Buffer.from(JSON.stringify(doc)), corgi: Buffer.from(JSON.stringify(abbreviate(doc))) }
  // Strong ETags as the public registry sends, so caches can revalidate (304) instead of refetch.
  const tag = (body) => '"' + crypto.createHash('sha1').update(body).digest('hex') + '"'
  entry.etag = { full: tag(entry.full), corgi: tag(entry.corgi) }
  served.set(doc.name, entry)
  return entry
}

async function packument (name) {
  if (served.has(name)) return served.get(name)
  const rel = encodeURIComponent(name) + '.json'
  const file = storeFile('packuments', rel)
  if (file) return remember(fs.readFileSync(file))
  if (!UPSTREAM) return null
  stats.upstream++
  const r = await get(`${UPSTREAM}/${name.replace('/', '%2f')}`)
  if (r.status !== 200) return null
  const dest = path.join(STORES[0], 'packuments', rel)
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  fs.writeFileSync(dest, r.body)
  return remember(r.body)
}

/** `/<name>/-/<file>` with `name` possibly scoped. */
function parseTarballPath (p) {
  const m = /^\/((?:@[^/]+\/)?[^/]+)\/-\/([^/]+\.tgz)$/.exec(p)
  return m && { name: m[1], file: m[2] }
}

async function tarball (p) {
  const t = parseTarballPath(p)
  if (!t) return null
  const rel = tarballRel(t.name, t.file)
  const file = storeFile('tarballs', rel)
  if (file) return fs.readFileSync(file)
  if (!UPSTREAM) return null
  if (!tarballOrigin.has(p)) await packument(t.name)
  const origin = tarballOrigin.get(p)
  if (!origin) return null
  stats.upstream++
  const r = await get(origin.replace(/^https?:\/\/[^/]+/, UPSTREAM))
  if (r.status !== 200) return null
  const dest = path.join(STORES[0], 'tarballs', rel)
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  fs.writeFileSync(dest, r.body)
  return r.body
}

// Packuments carry the Cache-Control registry.npmjs.org sends (CACHE_CONTROL= to change it).
const CACHE_CONTROL = process.env.CACHE_CONTROL || 'public, max-age=300'

function send (res, status, body, type = 'application/json', headers = {}) {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

const DELAY_MS = Number(process.env.DELAY_MS || 0)

async function handle (req, res) {
  const p = decodeURIComponent(req.url.split('?')[0])
  if (p === '/-/bench/stats') return send(res, 200, JSON.stringify(stats))
  if (DELAY_MS > 0) await new Promise((resolve) => setTimeout(resolve, DELAY_MS))
  if (p === '/-/npm/v1/keys') { stats.keys++; return send(res, 200, keysDoc) }
  if (p.startsWith('/-/npm/v1/attestations/')) { stats.attestations++; return send(res, 404, '{}') }
  if (p.includes('/-/')) {
    stats.tarballs++
    const body = await tarball(p)
    if (!body) { stats.notFound++; return send(res, 404, '{}') }
    return send(res, 200, body, 'application/octet-stream')
  }
  stats.packuments++
  const entry = await packument(p.slice(1))
  if (!entry) { stats.notFound++; return send(res, 404, '{"error":"not found"}') }
  const corgi = (req.headers.accept || '').startsWith(CORGI)
  const form = corgi ? 'corgi' : 'full'
  stats[form]++
  const etag = entry.etag[form]
  if (req.headers['if-none-match'] === etag) {
    stats.notModified++
    res.writeHead(304, { etag, 'cache-control': CACHE_CONTROL })
    return res.end()
  }
  return send(res, 200, entry[form], corgi ? CORGI : 'application/json', { etag, 'cache-control': CACHE_CONTROL })
}

/** Signs everything already in the stores so the first timed run pays no signing cost. */
function preload () {
  for (const store of STORES) {
    const dir = path.join(store, 'packuments')
    if (!fs.existsSync(dir)) continue
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith('.json') && !served.has(decodeURIComponent(f.slice(0, -5)))) {
        remember(fs.readFileSync(path.join(dir, f)))
      }
    }
  }
}

function saveSignatures () {
  if (!sigsAdded) return
  fs.writeFileSync(sigFile + '.tmp', JSON.stringify(Object.fromEntries(sigs)))
  fs.renameSync(sigFile + '.tmp', sigFile)
  sigsAdded = 0
}

if (!PORT) { console.error('registry: PORT is required'); process.exit(2) }
if (!STORES.length) { console.error('registry: STORES is required'); process.exit(2) }
preload()
saveSignatures()
http.createServer((req, res) => {
  handle(req, res).catch((e) => { stats.errors++; send(res, 500, JSON.stringify({ error: String(e) })) })
}).on('error', (e) => { console.error(`registry: ${e.message}`); process.exit(1) })
  .listen(PORT, '127.0.0.1', () => {
    console.log(`registry ready ${BASE} keyset ${KEYSET} keyids ${[retired, key].filter(Boolean).map((k) => k.keyid).join(' ')} packuments ${served.size}`)
  })
