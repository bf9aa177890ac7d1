'use strict'
// npm's attestation statements (in-toto): the SLSA provenance the npm CLI signs in CI and the
// publish attestation the registry signs. Subject: `pkg:npm/<name>@<version>` (a scope's `@`
// encoded as %40, as npm-package-arg's toPurl does) with the sha512 of the tarball in hex.

const PUBLISH_V01 = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1'
const STATEMENT_V1 = 'https://in-toto.io/Statement/v1'
const STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1'

/** npm's package URL of a version. */
function purl (name, version) {
  return `pkg:npm/${name.startsWith('@') ? '%40' + name.slice(1) : name}@${version}`
}

/** Hex of the sha512 an SRI string names (`sha512-<base64>`). */
function sha512Hex (integrity) {
  const entry = integrity.split(/\s+/).find((e) => e.startsWith('sha512-'))
  if (!entry) throw new TypeError(`no sha512 in integrity ${integrity}`)
  return Buffer.from(entry.slice(7).split('?')[0], 'base64').toString('hex')
}

const subject = (name, version, integrity) => [{ name: purl(name, version), digest: { sha512: sha512Hex(integrity) } }]

/** The provenance statement (in-toto v1) around a predicate of `predicateType`. */
function provenanceStatement ({ name, version, integrity, predicateType, predicate }) {
  return { _type: STATEMENT_V1, subject: subject(name, version, integrity), predicateType, predicate }
}

/** The registry's publish attestation statement (in-toto v0.1, as npm's registry signs it). */
function publishStatement ({ name, version, integrity, registry = 'https://registry.npmjs.org' }) {
  return { _type: STATEMENT_V01, subject: subject(name, version, integrity), predicateType: PUBLISH_V01, predicate: { name, version, registry } }
}

module.exports = { PUBLISH_V01, STATEMENT_V1, STATEMENT_V01, purl, sha512Hex, provenanceStatement, publishStatement }
