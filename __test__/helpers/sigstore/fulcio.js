'use strict'
// A Fulcio-like certificate authority: a self-signed root, an intermediate, and short-lived
// code-signing leaf certificates for ephemeral keys, carrying the OIDC identity as a SAN and
// Fulcio's extensions (arc 1.3.6.1.4.1.57264.1, see sigstore/fulcio docs/oid-info.md), with an
// embedded SCT from a CT log. Layout follows real Fulcio leaf certificates: empty subject,
// critical keyUsage digitalSignature, EKU codeSigning, SKI, AKI, critical SAN, then the Fulcio
// extensions in OID order, then the SCT list.
const crypto = require('node:crypto')
const der = require('./der')
const x509 = require('./x509')
const { CtLog } = require('./ct')

const FULCIO_ARC = '1.3.6.1.4.1.57264.1'
const MINUTE = 60 * 1000

/** Extensions .1.1 to .1.6 hold the bare value (Fulcio's first, deprecated, encoding). */
const LEGACY = new Set([1, 2, 3, 4, 5, 6])

/** Encodes one Fulcio extension: bare bytes for the legacy numbers, a DER UTF8String after. */
function fulcioExtension (number, value) {
  const encoded = LEGACY.has(number) ? Buffer.from(value, 'utf8') : der.utf8(value)
  return x509.extension(`${FULCIO_ARC}.${number}`, encoded)
}

class FulcioCA {
  /**
   * @param {object} [options]
   * @param {string} [options.organization] O= of the CA names
   * @param {Date} [options.notBefore] start of the CA certificates (default 2015-01-01)
   * @param {Date} [options.notAfter] end of the CA certificates (default 2045-01-01)
   * @param {CtLog} [options.ctLog] the CT log whose SCT goes into each leaf (default: a new one)
   */
  constructor ({ organization = 'sigstore.test', notBefore = new Date('2015-01-01T00:00:00Z'), notAfter = new Date('2045-01-01T00:00:00Z'), ctLog = new CtLog(), uri = 'https://fulcio.sigstore.test' } = {}) {
    this.organization = organization
    this.notBefore = notBefore
    this.notAfter = notAfter
    this.ctLog = ctLog
    this.uri = uri
    this.rootKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey
    this.intermediateKey = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey
    this.rootName = x509.name({ organization, commonName: 'sigstore' })
    this.intermediateName = x509.name({ organization, commonName: 'sigstore-intermediate' })
    this.rootSpki = x509.spki(this.rootKey)
    this.intermediateSpki = x509.spki(this.intermediateKey)
    this.root = this.caCertificate(this.rootName, this.rootKey, this.rootName, this.rootKey, 1, null)
    this.intermediate = this.caCertificate(this.rootName, this.rootKey, this.intermediateName, this.intermediateKey, 0, this.rootSpki)
  }

  caCertificate (issuer, issuerKey, subject, subjectKey, pathLen, issuerSpki) {
    const extensions = [
      x509.ext.keyUsage([5, 6]),
      ...(issuerSpki ? [x509.ext.codeSigning()] : []), // Fulcio's intermediate is restricted to code signing
      x509.ext.basicConstraints(pathLen),
      x509.ext.subjectKeyId(x509.spki(subjectKey)),
      ...(issuerSpki ? [x509.ext.authorityKeyId(issuerSpki)] : []),
    ]
    const tbs = x509.tbsCertificate({ issuerKey, issuer, subject, subjectKey, notBefore: this.notBefore, notAfter: this.notAfter, extensions })
    return x509.signCertificate(tbs, issuerKey)
  }

  /** The chain as a trusted root lists it: intermediate first, root last (DER). */
  chain () {
    return [this.intermediate, this.root]
  }

  /**
   * Issues a leaf certificate for `publicKey`.
   * @param {object} request
   * @param {crypto.KeyObject} request.publicKey the ephemeral signing key
   * @param {string} [request.uri] SAN URI identity (GitHub: the workflow ref URI)
   * @param {string} [request.email] SAN email identity (instead of a URI)
   * @param {string} request.issuer the OIDC issuer (extensions .1.1 and .1.8)
   * @param {Object<number,string>} [request.claims] other Fulcio extensions by number (.1.2-.1.6, .1.9-.1.24)
   * @param {Date} request.notBefore start of validity (Fulcio: the time of issuance)
   * @param {Date} [request.notAfter] end of validity (default notBefore + 10 minutes)
   * @param {boolean} [request.sct] embed an SCT (default true)
   * @returns {Buffer} the certificate DER
   */
  issue ({ publicKey, uri, email, issuer, claims = {}, notBefore, notAfter = new Date(notBefore.getTime() + 10 * MINUTE), sct = true }) {
    const all = { 1: issuer, 8: issuer, ...claims }
    const numbers = Object.keys(all).map(Number).filter((n) => all[n] !== undefined && all[n] !== null).sort((a, b) => a - b)
    const extensions = [
      x509.ext.keyUsage([0]),
      x509.ext.codeSigning(),
      x509.ext.subjectKeyId(x509.spki(publicKey)),
      x509.ext.authorityKeyId(this.intermediateSpki),
      email ? x509.ext.email(email) : x509.ext.uri(uri),
      ...numbers.map((n) => fulcioExtension(n, String(all[n]))),
    ]
    const fields = {
      serialNumber: x509.serial(),
      issuerKey: this.intermediateKey,
      issuer: this.intermediateName,
      subject: x509.name(),
      subjectKey: publicKey,
      notBefore,
      notAfter,
    }
    if (sct) {
      // The SCT signs the certificate as it is without the SCT list (the precertificate TBS).
      const precert = x509.tbsCertificate({ ...fields, extensions })
      extensions.push(CtLog.extension([this.ctLog.sct(precert, this.intermediateSpki, notBefore)]))
    }
    return x509.signCertificate(x509.tbsCertificate({ ...fields, extensions }), this.intermediateKey)
  }
}

module.exports = { FulcioCA, FULCIO_ARC }
