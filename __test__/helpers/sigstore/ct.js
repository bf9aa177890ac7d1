'use strict'
// A Certificate Transparency log that only issues SCTs (RFC 6962 section 3.2), the way Fulcio
// embeds one in every certificate: the log signs the precertificate entry, i.e. the
// TBSCertificate WITHOUT the SCT-list extension plus the SHA-256 of the issuer's SPKI, and the
// SCT goes into extension 1.3.6.1.4.1.11129.2.4.2 of the final certificate.
const crypto = require('node:crypto')
const der = require('./der')
const { extension } = require('./x509')

const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2'

const u16 = (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u24 = (n) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff])
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b }

class CtLog {
  /** A CT log with a fresh ECDSA P-256 key. */
  constructor ({ baseUrl = 'https://ctfe.sigstore.test' } = {}) {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = privateKey
    this.publicKey = publicKey
    this.baseUrl = baseUrl
    this.spki = publicKey.export({ type: 'spki', format: 'der' })
    /** RFC 6962 log ID: SHA-256 of the log's SPKI DER. */
    this.logId = crypto.createHash('sha256').update(this.spki).digest()
  }

  /**
   * One serialized SCT (v1, precert entry, no extensions) for `precertTbs` issued by the holder
   * of `issuerSpki`, at `timestamp` (a Date; milliseconds are kept).
   */
  sct (precertTbs, issuerSpki, timestamp) {
    const ms = timestamp.getTime()
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // version v1, signature_type certificate_timestamp
      u64(ms),
      u16(1), // entry_type precert_entry
      crypto.createHash('sha256').update(issuerSpki).digest(),
      u24(precertTbs.length), precertTbs,
      u16(0), // no extensions
    ])
    const signature = crypto.sign('sha256', signed, this.privateKey)
    return Buffer.concat([
      Buffer.from([0]), this.logId, u64(ms), u16(0),
      Buffer.from([4, 3]), // SignatureAndHashAlgorithm: sha256, ecdsa
      u16(signature.length), signature,
    ])
  }

  /** The SCT-list extension holding these SCTs (TLS list inside an OCTET STRING). */
  static extension (scts) {
    const items = Buffer.concat(scts.map((s) => Buffer.concat([u16(s.length), s])))
    return extension(SCT_LIST_OID, der.octet(Buffer.concat([u16(items.length), items])))
  }
}

module.exports = { CtLog, SCT_LIST_OID }
