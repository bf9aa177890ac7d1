'use strict'
// X.509 v3 certificates (RFC 5280) built from parts with der.js and signed with node:crypto
// ECDSA keys. Only what a Fulcio-like CA issues: names of O/CN attributes, EC public keys,
// ECDSA-with-SHA256/384 signatures and a list of extensions.
const crypto = require('node:crypto')
const der = require('./der')

const OID = {
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  codeSigning: '1.3.6.1.5.5.7.3.3',
}

/** A Name of O and CN attributes (either may be absent; none gives the empty Name). */
function name ({ organization, commonName } = {}) {
  const rdn = (type, value) => der.set(der.seq(der.oid(type), der.utf8(value)))
  return der.seq(
    ...(organization ? [rdn(OID.organization, organization)] : []),
    ...(commonName ? [rdn(OID.commonName, commonName)] : []),
  )
}

/** SubjectPublicKeyInfo DER of a node KeyObject (public, or the public half of a private key). */
function spki (key) {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key
  return pub.export({ type: 'spki', format: 'der' })
}

/** The subjectPublicKey bits of an SPKI (what key identifiers hash). */
function publicKeyBits (spkiDer) {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }; for EC keys the BIT STRING is the
  // last 2 + 1 + point octets; read it structurally rather than assume a size.
  const inner = spkiDer.subarray(spkiDer[1] & 0x80 ? 2 + (spkiDer[1] & 0x7f) : 2)
  const algLen = inner[1] // AlgorithmIdentifier of an EC key is short-form
  const bits = inner.subarray(2 + algLen)
  const lenOctets = bits[1] & 0x80 ? 1 + (bits[1] & 0x7f) : 1
  return bits.subarray(1 + lenOctets + 1) // skip tag, length and the unused-bits octet
}

/** Key identifier (RFC 5280 4.2.1.2 method 1): SHA-1 of the subjectPublicKey bits. */
const keyId = (spkiDer) => crypto.createHash('sha1').update(publicKeyBits(spkiDer)).digest()

/** Signature algorithm and hash for an issuer key: P-384 signs with SHA-384, P-256 with SHA-256. */
function signatureAlgorithm (issuerKey) {
  const curve = issuerKey.asymmetricKeyDetails.namedCurve
  return curve === 'secp384r1' ? { oid: OID.ecdsaSha384, hash: 'sha384' } : { oid: OID.ecdsaSha256, hash: 'sha256' }
}

/** One Extension; `critical` is only encoded when true (DER omits the DEFAULT FALSE). */
function extension (type, valueDer, critical = false) {
  return der.seq(der.oid(type), ...(critical ? [der.bool(true)] : []), der.octet(valueDer))
}

const ext = {
  /** keyUsage from bit numbers (0 digitalSignature, 5 keyCertSign, 6 cRLSign); critical. */
  keyUsage (bits) {
    let value = 0
    for (const b of bits) value |= 0x80 >> b
    let unused = 0
    while (unused < 7 && !(value & (1 << unused))) unused++
    return extension(OID.keyUsage, der.bitString(Buffer.from([value]), unused), true)
  },
  basicConstraints: (pathLen) => extension(OID.basicConstraints, der.seq(der.bool(true), der.int(pathLen)), true),
  codeSigning: () => extension(OID.extKeyUsage, der.seq(der.oid(OID.codeSigning))),
  subjectKeyId: (spkiDer) => extension(OID.subjectKeyIdentifier, der.octet(keyId(spkiDer))),
  authorityKeyId: (issuerSpki) => extension(OID.authorityKeyIdentifier, der.seq(der.implicit(0, keyId(issuerSpki)))),
  /** subjectAltName with one URI (critical: the subject Name is empty, as in Fulcio certificates). */
  uri: (uri) => extension(OID.subjectAltName, der.seq(der.implicit(6, Buffer.from(uri, 'latin1'))), true),
  /** subjectAltName with one email address. */
  email: (email) => extension(OID.subjectAltName, der.seq(der.implicit(1, Buffer.from(email, 'latin1'))), true),
}

/** A random positive 20-octet serial number. */
function serial () {
  const bytes = crypto.randomBytes(20)
  bytes[0] &= 0x7f
  if (bytes[0] === 0) bytes[0] = 1
  return bytes
}

/**
 * TBSCertificate DER. `issuerKey` only chooses the signature algorithm; `extensions` are
 * complete Extension encodings (see `ext`, `extension`).
 */
function tbsCertificate ({ serialNumber = serial(), issuerKey, issuer, subject, notBefore, notAfter, subjectKey, extensions }) {
  const alg = signatureAlgorithm(issuerKey)
  return der.seq(
    der.explicit(0, der.int(2)), // v3
    der.int(serialNumber),
    der.seq(der.oid(alg.oid)),
    issuer,
    der.seq(der.time(notBefore), der.time(notAfter)),
    subject,
    spki(subjectKey),
    der.explicit(3, der.seq(...extensions)),
  )
}

/** Signs a TBSCertificate with the issuer's private key into a Certificate DER. */
function signCertificate (tbs, issuerKey) {
  const alg = signatureAlgorithm(issuerKey)
  const signature = crypto.sign(alg.hash, tbs, issuerKey) // DER ECDSA-Sig-Value
  return der.seq(tbs, der.seq(der.oid(alg.oid)), der.bitString(signature))
}

/** PEM text of a certificate DER (64-column base64 lines). */
function pem (certDer) {
  const lines = certDer.toString('base64').match(/.{1,64}/g)
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
}

module.exports = { OID, name, spki, keyId, extension, ext, serial, tbsCertificate, signCertificate, pem }
