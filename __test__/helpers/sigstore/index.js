'use strict'
// A private, test-only Sigstore deployment: a Fulcio-like CA (root + intermediate, P-384) with a
// CT log that embeds SCTs, a Rekor-like transparency log (dsse 0.0.1 / intoto 0.0.2 entries,
// SETs, RFC 6962 inclusion proofs, signed checkpoints), the trusted_root.json that trusts them,
// and Sigstore bundles (v0.3 by default) of npm attestations signed with them:
//
//   const sigstore = new TestSigstore()
//   const { predicateType, bundle } = sigstore.provenance({ name, version, integrity,
//     repository: 'owner/repo', integratedTime: new Date('2024-05-01T12:00:00Z') })
//   verifyPackage(..., { provenance: { trustedRoot: sigstore.trustedRootPath() } })
//
// Every key is made fresh per instance; nothing is fetched. Times are chosen by the caller:
// integrated times may lie in the past (a backdated release) but not in the future (the
// verifier rejects those). The CA, CT log and tlog are valid from `validFrom` (default
// 2015-01-01) in the trusted root and in the CA certificates.
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { CtLog } = require('./ct')
const { FulcioCA } = require('./fulcio')
const { TransparencyLog } = require('./rekor')
const { signEnvelope } = require('./dsse')
const github = require('./github')
const npm = require('./npm')
const x509 = require('./x509')

const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1'
const BUNDLE_MEDIA_TYPES = {
  0.2: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
  0.3: 'application/vnd.dev.sigstore.bundle.v0.3+json',
}

/** A Date from a Date, an ISO string or Unix seconds. */
function toDate (value) {
  if (value instanceof Date) return value
  if (typeof value === 'number') return new Date(value * 1000)
  return new Date(value)
}

const publicKeyEntry = (spki, validFrom) => ({
  rawBytes: spki.toString('base64'),
  keyDetails: 'PKIX_ECDSA_P256_SHA_256',
  validFor: { start: validFrom.toISOString() },
})

class TestSigstore {
  /**
   * @param {object} [options]
   * @param {Date} [options.validFrom] start of every validity window (default 2015-01-01)
   * @param {number} [options.seedEntries] unrelated entries logged first, so that inclusion
   *   proofs have a path and log indexes are not 0 (default 5)
   */
  constructor ({ validFrom = new Date('2015-01-01T00:00:00Z'), seedEntries = 5 } = {}) {
    this.validFrom = validFrom
    this.ctLog = new CtLog()
    this.fulcio = new FulcioCA({ ctLog: this.ctLog, notBefore: validFrom })
    this.rekor = new TransparencyLog()
    for (let i = 0; i < seedEntries; i++) {
      const filler = { apiVersion: '0.0.1', kind: 'hashedrekord', spec: { data: { hash: { algorithm: 'sha256', value: crypto.randomBytes(32).toString('hex') } } } }
      this.rekor.append(filler, validFrom)
    }
  }

  /** The trusted_root.json document (protobuf-specs TrustedRoot) trusting this deployment. */
  trustedRoot () {
    const start = this.validFrom.toISOString()
    return {
      mediaType: TRUSTED_ROOT_MEDIA_TYPE,
      tlogs: [{
        baseUrl: this.rekor.baseUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: publicKeyEntry(this.rekor.spki, this.validFrom),
        logId: { keyId: this.rekor.logId.toString('base64') },
      }],
      certificateAuthorities: [{
        subject: { organization: this.fulcio.organization, commonName: 'sigstore' },
        uri: this.fulcio.uri,
        certChain: { certificates: this.fulcio.chain().map((c) => ({ rawBytes: c.toString('base64') })) },
        validFor: { start },
      }],
      ctlogs: [{
        baseUrl: this.ctLog.baseUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: publicKeyEntry(this.ctLog.spki, this.validFrom),
        logId: { keyId: this.ctLog.logId.toString('base64') },
      }],
      timestampAuthorities: [],
    }
  }

  /** Writes trusted_root.json once into a temporary folder; returns its path. */
  trustedRootPath () {
    if (!this._trustedRootPath) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigverify-sigstore-'))
      this._trustedRootPath = path.join(dir, 'trusted_root.json')
      fs.writeFileSync(this._trustedRootPath, JSON.stringify(this.trustedRoot(), null, 2))
    }
    return this._trustedRootPath
  }

  /**
   * Signs an in-toto statement keylessly: a fresh P-256 key, a certificate for `identity` from
   * `ca`, a DSSE envelope with an empty keyid, logged at `integratedTime`.
   * @param {object} statement the in-toto statement (JSON-serialized as is)
   * @param {object} o
   * @param {{uri?: string, email?: string, issuer: string, claims?: object}} o.identity
   * @param {Date|string|number} o.integratedTime
   * @param {'dsse'|'intoto'} [o.kind] Rekor entry kind (default dsse 0.0.1)
   * @param {'0.2'|'0.3'} [o.bundleVersion] (default 0.3: `certificate`; 0.2: a one-certificate chain)
   * @param {FulcioCA} [o.ca] issuing CA (default this deployment's; another one is not trusted)
   * @param {Date} [o.notBefore] certificate start (default 20 s before the integrated time)
   * @param {Date} [o.notAfter] certificate end (default notBefore + 10 minutes)
   * @param {boolean} [o.sct] embed an SCT (default true)
   */
  signKeyless (statement, { identity, integratedTime, kind = 'dsse', bundleVersion = '0.3', ca = this.fulcio, notBefore, notAfter, sct = true }) {
    const at = toDate(integratedTime)
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const start = notBefore || new Date(at.getTime() - 20 * 1000)
    const cert = ca.issue({ publicKey, ...identity, notBefore: start, notAfter, sct })
    const envelope = signEnvelope(JSON.stringify(statement), privateKey)
    const index = this.rekor.addEnvelope(envelope, x509.pem(cert), at, kind)
    const material = bundleVersion === '0.2'
      ? { x509CertificateChain: { certificates: [{ rawBytes: cert.toString('base64') }] } }
      : { certificate: { rawBytes: cert.toString('base64') } }
    return this.bundle(bundleVersion, material, index, envelope)
  }

  /**
   * Signs an in-toto statement with a managed key (npm's publish attestation): DSSE keyid and
   * bundle `publicKey.hint` = `key.keyid`, logged with the PEM public key as verifier.
   * @param {object} statement
   * @param {object} o
   * @param {{privateKey: crypto.KeyObject, publicKey: crypto.KeyObject, keyid: string}} o.key
   * @param {Date|string|number} o.integratedTime
   * @param {'dsse'|'intoto'} [o.kind] (default intoto 0.0.2, what npm's registry logs)
   * @param {'0.2'|'0.3'} [o.bundleVersion] (default 0.3)
   */
  signWithKey (statement, { key, integratedTime, kind = 'intoto', bundleVersion = '0.3' }) {
    const envelope = signEnvelope(JSON.stringify(statement), key.privateKey, { keyid: key.keyid })
    const pem = key.publicKey.export({ type: 'spki', format: 'pem' })
    const index = this.rekor.addEnvelope(envelope, pem, toDate(integratedTime), kind)
    return this.bundle(bundleVersion, { publicKey: { hint: key.keyid } }, index, envelope)
  }

  bundle (version, material, index, envelope) {
    const mediaType = BUNDLE_MEDIA_TYPES[version]
    if (!mediaType) throw new TypeError(`unsupported bundle version ${version}`)
    return {
      mediaType,
      verificationMaterial: { ...material, tlogEntries: [this.rekor.tlogEntry(index)] },
      dsseEnvelope: envelope,
    }
  }

  /**
   * npm provenance for a package version built by a GitHub Actions run: a SLSA v1 statement
   * signed keylessly with the run's Fulcio identity. Returns `{ predicateType, bundle, run }`
   * (`run`: the normalized run, see github.js).
   * @param {object} o name, version, integrity (the tarball's SRI), integratedTime, the run
   *   options of github.run (repository, repositoryId, owner, ownerId, workflow, ref, issuer,
   *   ...), signing options of signKeyless (kind, bundleVersion, ca, notBefore, notAfter, sct),
   *   and `editStatement(statement)` to change the statement before it is signed.
   */
  provenance ({ name, version, integrity, integratedTime, editStatement, kind, bundleVersion, ca, notBefore, notAfter, sct, ...runOptions }) {
    const run = github.run(runOptions)
    const statement = npm.provenanceStatement({ name, version, integrity, predicateType: github.SLSA_V1, predicate: github.slsaPredicate(run) })
    if (editStatement) editStatement(statement)
    const identity = github.certificateIdentity(run)
    const bundle = this.signKeyless(statement, { identity, integratedTime, kind, bundleVersion, ca, notBefore, notAfter, sct })
    return { predicateType: github.SLSA_V1, bundle, run }
  }

  /**
   * npm's publish attestation for a version, signed by a registry key `{ privateKey, publicKey,
   * keyid }`. Returns `{ predicateType, bundle }`.
   * @param {object} o name, version, integrity, key, integratedTime, registry (the predicate's
   *   registry URL), kind, bundleVersion, editStatement
   */
  publishAttestation ({ name, version, integrity, key, integratedTime, registry, kind, bundleVersion, editStatement }) {
    const statement = npm.publishStatement({ name, version, integrity, registry })
    if (editStatement) editStatement(statement)
    const bundle = this.signWithKey(statement, { key, integratedTime, kind, bundleVersion })
    return { predicateType: npm.PUBLISH_V01, bundle }
  }
}

module.exports = { TestSigstore, FulcioCA, CtLog, TransparencyLog, toDate, github, npm }
