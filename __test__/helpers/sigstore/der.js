'use strict'
// A small DER encoder (ITU-T X.690), just what X.509 certificates need. Every function returns
// the complete encoding (tag, length, content) as a Buffer, so values nest by plain calls:
// seq(int(2), oid('1.2.840.10045.4.3.3')). Encodings are canonical DER, which matters: the
// verifier re-encodes the TBS certificate to check the embedded SCT, and strict decoders reject
// non-minimal integers or an encoded DEFAULT value.

/** The length octets: short form below 128, else long form with minimal octets. */
function length (n) {
  if (n < 0x80) return Buffer.from([n])
  const bytes = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

/** One TLV with a single-octet tag. */
function tlv (tag, content) {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content])
}

const seq = (...items) => tlv(0x30, Buffer.concat(items))
const set = (...items) => tlv(0x31, Buffer.concat(items))
const nul = () => Buffer.from([0x05, 0x00])
const bool = (value) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]))
const octet = (bytes) => tlv(0x04, Buffer.from(bytes))
const utf8 = (text) => tlv(0x0c, Buffer.from(text, 'utf8'))
const printable = (text) => tlv(0x13, Buffer.from(text, 'latin1'))
const ia5 = (text) => tlv(0x16, Buffer.from(text, 'latin1'))

/** BIT STRING with `unused` trailing bits in the last octet (0 for keys and signatures). */
const bitString = (bytes, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]))

/** [n] EXPLICIT: a constructed context tag around a complete encoding. */
const explicit = (n, inner) => tlv(0xa0 | n, inner)

/** [n] IMPLICIT primitive: a context tag replacing the tag of a primitive value. */
const implicit = (n, content) => tlv(0x80 | n, Buffer.from(content))

/**
 * INTEGER from a non-negative number, bigint or big-endian magnitude (Buffer): leading zero
 * octets stripped, one 0x00 added when the top bit is set (so the value stays positive).
 */
function int (value) {
  let bytes
  if (Buffer.isBuffer(value)) {
    bytes = value
  } else {
    let hex = BigInt(value).toString(16)
    if (hex.length % 2) hex = '0' + hex
    bytes = Buffer.from(hex, 'hex')
  }
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  bytes = bytes.subarray(start)
  if (bytes.length === 0) bytes = Buffer.from([0])
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes])
  return tlv(0x02, bytes)
}

/** OBJECT IDENTIFIER from dotted text. */
function oid (dotted) {
  const arcs = dotted.split('.').map((a) => BigInt(a))
  const out = [Number(arcs[0] * 40n + arcs[1])]
  for (const arc of arcs.slice(2)) {
    const groups = []
    let v = arc
    do { groups.unshift(Number(v & 0x7fn)); v >>= 7n } while (v > 0n)
    groups.forEach((g, i) => out.push(i < groups.length - 1 ? g | 0x80 : g))
  }
  return tlv(0x06, Buffer.from(out))
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, UTC. */
function time (date) {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString() // YYYY-MM-DDTHH:MM:SS.000Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z'
  const year = date.getUTCFullYear()
  if (year < 1950 || year > 9999) throw new RangeError(`no X.509 time for year ${year}`)
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'latin1')) : tlv(0x18, Buffer.from(digits, 'latin1'))
}

module.exports = { length, tlv, seq, set, nul, bool, octet, utf8, printable, ia5, bitString, explicit, implicit, int, oid, time }
