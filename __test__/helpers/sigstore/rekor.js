'use strict'
// A Rekor-v1-like transparency log: entries of kind `dsse` 0.0.1 and `intoto` 0.0.2 in the
// canonical form Rekor stores (RFC 8785 JSON, the body that is logged and hashed), an RFC 6962
// Merkle tree over those bodies, signed checkpoints (transparency-dev signed note: origin, size,
// base64 root, blank line, "— <name> <base64(4-byte key hint || signature)>"), and the signed
// entry timestamp (SET) over the canonical JSON {body, integratedTime, logID, logIndex}.
//
// Integrated times are chosen by the caller (to backdate a release), so unlike a real log the
// times need not grow with the index. Nothing here checks that an entry is well formed: the
// log is also the tool to make malformed evidence.
const crypto = require('node:crypto')
const merkle = require('./merkle')

/** RFC 8785 (JCS) for the values used here: sorted object keys, no whitespace. */
function canonicalJson (value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

const sha256hex = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex')
const b64 = (bytes) => Buffer.from(bytes).toString('base64')

/** The DSSE envelope as JSON, the way the bundle and Rekor carry it. */
const envelopeJson = (env) => ({ payload: env.payload, payloadType: env.payloadType, signatures: env.signatures })

/**
 * `dsse` 0.0.1 body: hashes of the envelope and of the payload (hex), and each signature with
 * its verifier (base64 of the PEM certificate or public key).
 */
function dsseBody (envelope, verifierPem) {
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256hex(canonicalJson(envelopeJson(envelope))) },
      payloadHash: { algorithm: 'sha256', value: sha256hex(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((s) => ({ signature: s.sig, verifier: b64(verifierPem) })),
    },
  }
}

/**
 * `intoto` 0.0.2 body: the envelope without its payload, with each signature base64-encoded a
 * second time and its verifier as base64 PEM (Rekor's double encoding), plus the hashes.
 */
function intotoBody (envelope, verifierPem) {
  return {
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: {
          payloadType: envelope.payloadType,
          signatures: envelope.signatures.map((s) => ({ keyid: s.keyid || undefined, publicKey: b64(verifierPem), sig: b64(s.sig) })),
        },
        hash: { algorithm: 'sha256', value: sha256hex(canonicalJson(envelopeJson(envelope))) },
        payloadHash: { algorithm: 'sha256', value: sha256hex(Buffer.from(envelope.payload, 'base64')) },
      },
    },
  }
}

class TransparencyLog {
  /**
   * @param {object} [options]
   * @param {string} [options.origin] checkpoint origin name (Rekor: "<host>")
   * @param {string} [options.treeId] tree ID printed after the origin (Rekor: "<host> - <treeID>")
   */
  constructor ({ origin = 'rekor.sigstore.test', treeId = '1193050959916656506', baseUrl = 'https://rekor.sigstore.test' } = {}) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = privateKey
    this.publicKey = publicKey
    this.origin = origin
    this.treeId = treeId
    this.baseUrl = baseUrl
    this.spki = publicKey.export({ type: 'spki', format: 'der' })
    /** Log ID: SHA-256 of the log key's SPKI DER (the trusted root's logId.keyId). */
    this.logId = crypto.createHash('sha256').update(this.spki).digest()
    this.entries = [] // { body: Buffer, kind, version, integratedTime: number (seconds) }
    this.leafHashes = []
  }

  /**
   * Appends a canonicalized body; returns its index.
   * @param {object} body the entry body (canonicalized here)
   * @param {Date|number} integratedTime a Date or Unix seconds
   */
  append (body, integratedTime) {
    const bytes = Buffer.from(canonicalJson(body))
    const seconds = typeof integratedTime === 'number' ? integratedTime : Math.floor(integratedTime.getTime() / 1000)
    this.entries.push({ body: bytes, kind: body.kind, version: body.apiVersion, integratedTime: seconds })
    this.leafHashes.push(merkle.leafHash(bytes))
    return this.entries.length - 1
  }

  /** Logs a DSSE envelope as `dsse` 0.0.1 or `intoto` 0.0.2; returns the index. */
  addEnvelope (envelope, verifierPem, integratedTime, kind = 'dsse') {
    const body = kind === 'intoto' ? intotoBody(envelope, verifierPem) : dsseBody(envelope, verifierPem)
    return this.append(body, integratedTime)
  }

  /** SET: signature over canonical {body (base64), integratedTime, logID (hex), logIndex}. */
  signedEntryTimestamp (index) {
    const entry = this.entries[index]
    const payload = canonicalJson({ body: b64(entry.body), integratedTime: entry.integratedTime, logID: this.logId.toString('hex'), logIndex: index })
    return crypto.sign('sha256', Buffer.from(payload), this.privateKey)
  }

  /** The signed checkpoint (signed note text) for the tree of the first `size` entries. */
  checkpoint (size = this.entries.length) {
    const rootHash = merkle.root(this.leafHashes.slice(0, size))
    const body = `${this.origin} - ${this.treeId}\n${size}\n${rootHash.toString('base64')}\n`
    const signature = crypto.sign('sha256', Buffer.from(body), this.privateKey)
    const hint = this.logId.subarray(0, 4) // key hint: first 4 octets of SHA-256(SPKI)
    return `${body}\n\u2014 ${this.origin} ${Buffer.concat([hint, signature]).toString('base64')}\n`
  }

  /** Inclusion proof of entry `index` in the tree of the first `size` entries (bundle JSON). */
  inclusionProof (index, size = this.entries.length) {
    const tree = this.leafHashes.slice(0, size)
    return {
      logIndex: String(index),
      rootHash: merkle.root(tree).toString('base64'),
      treeSize: String(size),
      hashes: merkle.inclusionPath(index, tree).map((h) => h.toString('base64')),
      checkpoint: { envelope: this.checkpoint(size) },
    }
  }

  /**
   * The bundle's `tlogEntries[]` element for entry `index`: log ID, kind, integrated time,
   * SET, inclusion proof against the tree of `size` entries (default: the whole log now).
   */
  tlogEntry (index, { size = this.entries.length } = {}) {
    const entry = this.entries[index]
    return {
      logIndex: String(index),
      logId: { keyId: this.logId.toString('base64') },
      kindVersion: { kind: entry.kind, version: entry.version },
      integratedTime: String(entry.integratedTime),
      inclusionPromise: { signedEntryTimestamp: this.signedEntryTimestamp(index).toString('base64') },
      inclusionProof: this.inclusionProof(index, size),
      canonicalizedBody: entry.body.toString('base64'),
    }
  }
}

module.exports = { TransparencyLog, canonicalJson, dsseBody, intotoBody }
