'use strict'
// RFC 6962 section 2.1 Merkle hash trees over SHA-256: leaf hash H(0x00 || leaf), node hash
// H(0x01 || left || right), the tree of n leaves split at the largest power of two below n.
// Recursive on purpose: test logs hold a handful of entries, and the code reads like the RFC.
const crypto = require('node:crypto')

const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest()

/** MTH({leaf}) = SHA-256(0x00 || leaf). */
const leafHash = (leaf) => sha256(Buffer.from([0]), leaf)

/** SHA-256(0x01 || left || right). */
const nodeHash = (left, right) => sha256(Buffer.from([1]), left, right)

/** The largest power of two strictly below n (n >= 2). */
function split (n) {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** MTH(D[n]) over already hashed leaves. */
function root (leafHashes) {
  const n = leafHashes.length
  if (n === 0) return sha256()
  if (n === 1) return leafHashes[0]
  const k = split(n)
  return nodeHash(root(leafHashes.slice(0, k)), root(leafHashes.slice(k)))
}

/** PATH(m, D[n]): the audit path of leaf m, bottom-up, as RFC 6962 2.1.1 defines it. */
function inclusionPath (m, leafHashes) {
  const n = leafHashes.length
  if (m < 0 || m >= n) throw new RangeError(`leaf ${m} is not in a tree of ${n}`)
  if (n === 1) return []
  const k = split(n)
  if (m < k) return [...inclusionPath(m, leafHashes.slice(0, k)), root(leafHashes.slice(k))]
  return [...inclusionPath(m - k, leafHashes.slice(k)), root(leafHashes.slice(0, k))]
}

/** Recomputes the root from a leaf hash and its path (RFC 9162 2.1.3.2), for self-checks. */
function rootFromPath (index, size, hash, path) {
  let fn = index
  let sn = size - 1
  let r = hash
  for (const p of path) {
    if (sn === 0) throw new Error('path too long')
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1 }
    } else {
      r = nodeHash(r, p)
    }
    fn >>= 1
    sn >>= 1
  }
  if (sn !== 0) throw new Error('path too short')
  return r
}

module.exports = { leafHash, nodeHash, root, inclusionPath, rootFromPath }
