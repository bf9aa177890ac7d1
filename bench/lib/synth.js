#!/usr/bin/env node
'use strict'
// Generates the synthetic project: COUNT distinct packages `synth-pkg-0000...`, each with one
// version 1.0.0 and a real (tiny, deterministic) tarball, written as a registry store
// (`OUT/store/packuments`, `OUT/store/tarballs`) for bench/lib/registry.js to sign and serve, and
// a lockfile v3 project (`OUT/project/package.json`, `package-lock.json`) whose resolved URLs
// point at REGISTRY.   usage: synth.js OUT REGISTRY [COUNT]
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')

const [out, registry, countArg] = process.argv.slice(2)
if (!out || !registry) { console.error('usage: synth.js OUT REGISTRY [COUNT]'); process.exit(2) }
const COUNT = Number(countArg || 5000)
const base = registry.replace(/\/$/, '')
const TIME = '2024-01-01T00:00:00.000Z'

/** One ustar header block for a regular file. */
function tarHeader (name, size) {
  const h = Buffer.alloc(512)
  const field = (off, len, s) => h.write(s, off, len, 'ascii')
  field(0, 100, name)
  field(100, 8, '0000644\0')
  field(108, 8, '0000000\0')
  field(116, 8, '0000000\0')
  field(124, 12, size.toString(8).padStart(11, '0') + '\0')
  field(136, 12, '00000000000\0')
  field(148, 8, '        ') // checksum is computed with this field as spaces
  field(156, 1, '0')
  field(257, 8, 'ustar\u000000')
  let sum = 0
  for (const b of h) sum += b
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
  return h
}

/** A gzipped tarball holding package/package.json, as npm packs it. */
function tarball (manifest) {
  const body = Buffer.from(JSON.stringify(manifest, null, 2) + '\n')
  const pad = Buffer.alloc((512 - (body.length % 512)) % 512)
  const tar = Buffer.concat([tarHeader('package/package.json', body.length), body, pad, Buffer.alloc(1024)])
  return zlib.gzipSync(tar, { level: 9 })
}

function writePackage (i, lock) {
  const name = `synth-pkg-${String(i).padStart(4, '0')}`
  const manifest = { name, version: '1.0.0', description: 'synthetic bench package', license: 'MIT' }
  const tgz = tarball(manifest)
  const integrity = 'sha512-' + crypto.createHash('sha512').update(tgz).digest('base64')
  const file = `${name}-1.0.0.tgz`
  const tarballUrl = `${base}/${name}/-/${file}`
  const doc = {
    name,
    'dist-tags': { latest: '1.0.0' },
    time: { created: TIME, modified: TIME, '1.0.0': TIME },
    versions: { '1.0.0': { ...manifest, dist: { integrity, tarball: tarballUrl } } },
  }
  fs.writeFileSync(path.join(out, 'store/packuments', `${name}.json`), JSON.stringify(doc))
  fs.mkdirSync(path.join(out, 'store/tarballs', name), { recursive: true })
  fs.writeFileSync(path.join(out, 'store/tarballs', name, file), tgz)
  lock.packages[`node_modules/${name}`] = { version: '1.0.0', resolved: tarballUrl, integrity, license: 'MIT' }
  lock.packages[''].dependencies[name] = '1.0.0'
}

fs.rmSync(out, { recursive: true, force: true })
for (const d of ['store/packuments', 'store/tarballs', 'project']) fs.mkdirSync(path.join(out, d), { recursive: true })
const root = { name: 'synth-project', version: '1.0.0', dependencies: {} }
const lock = { name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages: { '': root } }
for (let i = 0; i < COUNT; i++) writePackage(i, lock)
fs.writeFileSync(path.join(out, 'project/package.json'), JSON.stringify({ ...root, private: true }, null, 2) + '\n')
fs.writeFileSync(path.join(out, 'project/package-lock.json'), JSON.stringify(lock, null, 2) + '\n')
console.log(`synth: ${COUNT} packages in ${out}`)
