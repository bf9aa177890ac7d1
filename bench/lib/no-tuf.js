'use strict'
// Preloaded into npm (`node -r bench/lib/no-tuf.js npm-cli.js audit signatures ...`) so that
// `npm audit signatures` can run without the Sigstore TUF CDN, which is unreachable here.
// npm first asks TUF for the registry's keys and, when TUF says "no such target"
// (TUF_FIND_TARGET_ERROR), falls back to GET <registry>/-/npm/v1/keys: exactly its behaviour for
// every registry other than registry.npmjs.org. Only that lookup changes; npm's verification code
// runs unmodified from the installed npm.
const Module = require('node:module')

const offlineTuf = {
  async getTarget (target) {
    const err = new Error(`no TUF target ${target} (offline bench)`)
    err.code = 'TUF_FIND_TARGET_ERROR'
    throw err
  },
}

const load = Module._load
Module._load = function (request, parent, isMain) {
  const mod = load.apply(this, arguments)
  if (request === '@sigstore/tuf' && mod && typeof mod.initTUF === 'function') {
    return { ...mod, initTUF: async () => offlineTuf }
  }
  return mod
}
