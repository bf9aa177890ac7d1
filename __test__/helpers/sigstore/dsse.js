'use strict'
// DSSE envelopes (secure-systems-lab/dsse v1): the signature covers the pre-authentication
// encoding PAE = "DSSEv1" SP len(type) SP type SP len(body) SP body, with ECDSA P-256/SHA-256
// (DER signature, as Sigstore clients produce).
const crypto = require('node:crypto')

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'

/** PAE(type, body) as bytes. */
function pae (payloadType, body) {
  const type = Buffer.from(payloadType, 'utf8')
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body])
}

/**
 * Signs `payload` (Buffer or string) into an envelope `{ payload, payloadType, signatures: [{ sig,
 * keyid }] }` (base64 fields). `keyid` is written as given: npm's provenance envelopes carry an
 * empty keyid, publish attestations the registry key's id.
 */
function signEnvelope (payload, privateKey, { payloadType = IN_TOTO_PAYLOAD_TYPE, keyid = '' } = {}) {
  const body = Buffer.from(payload)
  const sig = crypto.sign('sha256', pae(payloadType, body), privateKey)
  return { payload: body.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64'), keyid }] }
}

module.exports = { IN_TOTO_PAYLOAD_TYPE, pae, signEnvelope }
