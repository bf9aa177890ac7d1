'use strict'
// Builds npm package tarballs (gzipped ustar, entries under `package/`) for the tests' registry.
const zlib = require('node:zlib')

function octal (value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

function header (path, size, mode) {
  const block = Buffer.alloc(512)
  block.write(path, 0, 100, 'utf8')
  block.write(octal(mode, 8), 100, 'ascii')
  block.write(octal(0, 8), 108, 'ascii')
  block.write(octal(0, 8), 116, 'ascii')
  block.write(octal(size, 12), 124, 'ascii')
  block.write(octal(1700000000, 12), 136, 'ascii')
  block.write('        ', 148, 'ascii')
  block.write('0', 156, 'ascii')
  block.write('ustar\u000000', 257, 'ascii')
  let sum = 0
  for (const byte of block) sum += byte
  block.write(octal(sum, 7) + ' ', 148, 'ascii')
  return block
}

/** A gzipped tarball of `files` ({ 'index.js': '...' }), each under `package/`. */
function tarball (files) {
  const parts = []
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content)
    parts.push(header(`package/${name}`, data.length, 0o644), data)
    const pad = (512 - (data.length % 512)) % 512
    parts.push(Buffer.alloc(pad))
  }
  parts.push(Buffer.alloc(1024))
  return zlib.gzipSync(Buffer.concat(parts))
}

module.exports = { tarball }
