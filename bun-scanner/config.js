'use strict'
// Bun's registry settings as `verify` reads them for a Bun project (crates/lockfile's
// config/bun.rs): `[install] registry` and `[install.scopes]` of `~/.bunfig.toml`, then the
// project's `bunfig.toml` (winning), then `BUN_CONFIG_REGISTRY`. A registry is a URL string or
// a table with `url` (credentials stay with the registry client: only URLs are read here);
// `$VAR` and `${VAR}` are expanded. `verifyPackage` reads `.npmrc` alone, so the scanner
// passes these on; where bunfig says nothing, `.npmrc` decides.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

/** `{ registry, scopes: { '@scope': url }, files }` for the project in `dir`. */
function bunRegistries (dir, env = process.env) {
  const home = env.HOME || os.homedir()
  const files = [home && path.join(home, '.bunfig.toml'), path.join(dir, 'bunfig.toml')]
    .filter((f) => f && isFile(f))
  const config = { registry: null, scopes: {}, files }
  for (const file of files) {
    const install = table(readToml(file).install)
    const at = (key) => `${file}: install.${key}`
    if (install.registry !== undefined) config.registry = urlOf(install.registry, at('registry'), env)
    for (const [scope, value] of Object.entries(table(install.scopes))) {
      config.scopes[`@${scope.replace(/^@/, '')}`] = urlOf(value, at(`scopes.${scope}`), env)
    }
  }
  if (env.BUN_CONFIG_REGISTRY) config.registry = env.BUN_CONFIG_REGISTRY
  return config
}

/**
 * What bunfig says for `name`: `scope`, its scope's registry (which wins over `.npmrc`'s), and
 * `registry`, the default one (an `.npmrc` `@scope:registry` still wins over it, as in `verify`).
 */
function bunRegistryFor (config, name) {
  const scope = name.startsWith('@') ? config.scopes[name.split('/')[0]] : null
  return { scope: scope ? withSlash(scope) : null, registry: config.registry ? withSlash(config.registry) : null }
}

function isFile (file) {
  try { return fs.statSync(file).isFile() } catch { return false }
}

function table (value) {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {}
}

function withSlash (url) {
  return url.endsWith('/') ? url : `${url}/`
}

function urlOf (value, at, env) {
  const raw = typeof value === 'string' ? value : table(value).url
  if (raw === undefined) return null
  if (typeof raw !== 'string') throw configError(`${at}: expected a URL or a table with a url`)
  return interpolate(raw, at, env)
}

/** `${NAME}`, `${NAME:-fallback}`, `${NAME-fallback}` and `$NAME`; an unset one is an error. */
function interpolate (text, at, env) {
  return text.replace(/\$(?:\{([^}]*)\}|([A-Za-z0-9_]+))/g, (all, braced, bare) => {
    const [, name, colon, fallback] = /^([^:-]*)(:?)(?:-(.*))?$/s.exec(braced ?? bare) || [null, braced]
    const value = env[name]
    if (value !== undefined && !(colon && value === '')) return value
    if (fallback !== undefined) return fallback
    throw configError(`${at}: environment variable ${name} is not set`)
  })
}

function configError (message) {
  return Object.assign(new Error(message), { code: 'ECONFIG' })
}

function readToml (file) {
  const text = fs.readFileSync(file, 'utf8')
  const bunToml = globalThis.Bun && globalThis.Bun.TOML
  try {
    return bunToml ? bunToml.parse(text) : parseToml(text)
  } catch (err) {
    throw configError(`${file}: ${err.message}`)
  }
}

/**
 * A TOML reader for when the scanner runs outside Bun (Bun has `Bun.TOML`): tables, dotted and
 * quoted keys, strings of the four kinds, inline tables and arrays; other values (numbers,
 * booleans, dates) are kept as their text. Enough for bunfig.toml's registry settings.
 */
function parseToml (text) {
  const root = {}
  let i = 0
  let current = root
  const fail = (what) => {
    const line = text.slice(0, i).split('\n').length
    throw new Error(`line ${line}: ${what}`)
  }
  const skip = (newlines) => {
    for (;;) {
      const c = text[i]
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) i++
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++
      else return
    }
  }
  const key = () => {
    const parts = []
    for (;;) {
      skip(false)
      if (text[i] === '"' || text[i] === "'") parts.push(string())
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i))
        if (!m) fail('expected a key')
        parts.push(m[0])
        i += m[0].length
      }
      skip(false)
      if (text[i] !== '.') return parts
      i++
    }
  }
  const child = (obj, k) => {
    if (obj[k] === undefined) obj[k] = {}
    if (typeof obj[k] !== 'object' || obj[k] === null) fail(`key ${k} is not a table`)
    return Array.isArray(obj[k]) ? obj[k][obj[k].length - 1] : obj[k]
  }
  const assign = (obj, parts, value) => {
    const last = parts.pop()
    const target = parts.reduce(child, obj)
    if (Object.prototype.hasOwnProperty.call(target, last)) fail(`key ${last} defined twice`)
    target[last] = value
  }
  const string = () => {
    const quote = text[i]
    const multi = text.startsWith(quote.repeat(3), i)
    const close = multi ? quote.repeat(3) : quote
    i += close.length
    if (multi && text[i] === '\n') i++
    let out = ''
    while (!text.startsWith(close, i)) {
      if (i >= text.length || (!multi && text[i] === '\n')) fail('unterminated string')
      if (quote === '"' && text[i] === '\\') {
        const e = text[i + 1]
        const simple = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' }
        if (simple[e] !== undefined) { out += simple[e]; i += 2 } else if (e === 'u' || e === 'U') {
          const len = e === 'u' ? 4 : 8
          out += String.fromCodePoint(parseInt(text.slice(i + 2, i + 2 + len), 16))
          i += 2 + len
        } else if (multi && /[ \t\r\n]/.test(e)) {
          i++
          while (/[ \t\r\n]/.test(text[i])) i++
        } else fail(`bad escape \\${e}`)
      } else out += text[i++]
    }
    i += close.length
    return out
  }
  const value = () => {
    skip(false)
    const c = text[i]
    if (c === '"' || c === "'") return string()
    if (c === '{') {
      i++
      const obj = {}
      skip(false)
      while (text[i] !== '}') {
        const parts = key()
        if (text[i++] !== '=') fail('expected =')
        assign(obj, parts, value())
        skip(false)
        if (text[i] === ',') { i++; skip(false) } else if (text[i] !== '}') fail('expected , or }')
      }
      i++
      return obj
    }
    if (c === '[') {
      i++
      const arr = []
      skip(true)
      while (text[i] !== ']') {
        arr.push(value())
        skip(true)
        if (text[i] === ',') { i++; skip(true) } else if (text[i] !== ']') fail('expected , or ]')
      }
      i++
      return arr
    }
    const m = /^[^\s,\]}#]+/.exec(text.slice(i))
    if (!m) fail('expected a value')
    i += m[0].length
    return m[0]
  }
  for (;;) {
    skip(true)
    if (i >= text.length) return root
    if (text[i] === '[') {
      const array = text[i + 1] === '['
      i += array ? 2 : 1
      const parts = key()
      if (text.slice(i, i + (array ? 2 : 1)) !== (array ? ']]' : ']')) fail('expected ]')
      i += array ? 2 : 1
      const last = parts.pop()
      const parent = parts.reduce(child, root)
      if (array) {
        if (parent[last] === undefined) parent[last] = []
        if (!Array.isArray(parent[last])) fail(`key ${last} is not an array of tables`)
        parent[last].push((current = {}))
      } else current = child(parent, last)
    } else {
      const parts = key()
      if (text[i++] !== '=') fail('expected =')
      assign(current, parts, value())
    }
    skip(false)
    if (i < text.length && text[i] !== '\n') fail('expected the end of the line')
  }
}

module.exports = { bunRegistries, bunRegistryFor, parseToml }
