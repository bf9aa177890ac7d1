'use strict'
// Real package managers for the tests: pnpm 9/10/12, Yarn 1, Yarn 4 (@yarnpkg/cli-dist) and
// Bun, pinned with integrity in __test__/managers/package-lock.json and installed there once
// (`npm ci`, no install scripts: Bun's binary comes from its platform package). A manager that
// cannot be installed fails the tests that need it, with the command to run; only
// SIGVERIFY_SKIP_MANAGERS=1 skips them, knowingly.
const fs = require('node:fs')
const path = require('node:path')
const { run } = require('./install')

const DIR = path.join(__dirname, '..', 'managers')
const MODULES = path.join(DIR, 'node_modules')

let ready = null

/** Installs the pinned managers (once per process); rejects with what to run when it cannot. */
function ensureManagers () {
  if (!ready) ready = install()
  return ready
}

async function install () {
  if (!fs.existsSync(path.join(MODULES, '.package-lock.json'))) {
    const r = await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: DIR, env: { npm_config_update_notifier: 'false' } })
    if (r.status !== 0) {
      throw new Error(`could not install the package managers the tests use; run: npm ci --ignore-scripts --prefix ${DIR}\n${r.output}`)
    }
  }
  return {
    pnpm10: [process.execPath, path.join(MODULES, 'pnpm', 'bin', 'pnpm.cjs')],
    pnpm9: [process.execPath, path.join(MODULES, 'pnpm9', 'bin', 'pnpm.cjs')],
    pnpm12: [process.execPath, path.join(MODULES, 'pnpm12', 'bin', 'pnpm.mjs')],
    yarn1: [process.execPath, path.join(MODULES, 'yarn', 'bin', 'yarn.js')],
    yarn4: [process.execPath, path.join(MODULES, '@yarnpkg', 'cli-dist', 'bin', 'yarn.js')],
    bun: [bunBinary()],
  }
}

function bunBinary () {
  const platform = `bun-${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}`
  const file = path.join(MODULES, '@oven', platform, 'bin', process.platform === 'win32' ? 'bun.exe' : 'bun')
  if (!fs.existsSync(file)) throw new Error(`no Bun binary for this platform at ${file}`)
  return file
}

/** The environment every manager run gets: no telemetry, no CI-only immutability, private caches. */
function managerEnv (registry, cacheDir) {
  return {
    npm_config_registry: registry,
    npm_config_cache: path.join(cacheDir, 'npm'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_IMMUTABLE_INSTALLS: '0',
    YARN_ENABLE_GLOBAL_CACHE: '0',
    YARN_CACHE_FOLDER: path.join(cacheDir, 'yarn1'),
    // Berry keeps registry metadata in its global folder: a per-run folder, so metadata
    // recorded from another run's registry (another port) is never reused.
    YARN_GLOBAL_FOLDER: path.join(cacheDir, 'yarn-berry'),
    BUN_INSTALL_CACHE_DIR: path.join(cacheDir, 'bun'),
    DO_NOT_TRACK: '1',
  }
}

/**
 * The installs the tests compare, by name: each writes its own configuration into the project
 * (the registry for the manager) and installs with scripts off.
 */
const INSTALLS = {
  npm: { files: () => ({}), args: () => ['npm', 'install', '--ignore-scripts'] },
  pnpm10: pnpmInstall('pnpm10'),
  pnpm9: pnpmInstall('pnpm9'),
  pnpm10hoisted: pnpmInstall('pnpm10', 'node-linker=hoisted\n'),
  yarn1: { files: (url) => ({ '.yarnrc': `registry "${url}"\n` }), args: (m, url, cache) => [...m.yarn1, 'install', '--ignore-scripts', '--non-interactive', '--registry', url, '--cache-folder', path.join(cache, 'yarn1')] },
  yarn4: berryInstall('node-modules'),
  yarn4pnp: berryInstall('pnp'),
  yarn4pnpm: berryInstall('pnpm'),
  bun: { files: (url) => ({ 'bunfig.toml': `[install]\nregistry = "${url}"\n` }), args: (m) => [...m.bun, 'install', '--ignore-scripts', '--linker', 'hoisted'] },
  bunisolated: { files: (url) => ({ 'bunfig.toml': `[install]\nregistry = "${url}"\n` }), args: (m) => [...m.bun, 'install', '--ignore-scripts', '--linker', 'isolated'] },
}

function pnpmInstall (which, npmrc = '') {
  return {
    files: (url) => ({ '.npmrc': `registry=${url}\n${npmrc}` }),
    args: (m, url, cache) => [...m[which], 'install', '--ignore-scripts', '--store-dir', path.join(cache, `store-${which}`), '--config.confirmModulesPurge=false'],
  }
}

function berryInstall (linker) {
  return {
    files: (url) => ({
      '.yarnrc.yml': `npmRegistryServer: "${url}"\nunsafeHttpWhitelist: ["127.0.0.1"]\nnodeLinker: ${linker}\nenableGlobalCache: false\nenableTelemetry: false\nenableScripts: false\n`,
      'yarn.lock': '',
    }),
    args: (m) => [...m.yarn4, 'install'],
  }
}

/**
 * Installs `dir` (package.json already written) with the named install against `registry`.
 * `keepLockfile`: a lockfile already in `dir` is installed from, not replaced.
 */
async function installWith (name, dir, registry, cacheDir, { keepLockfile = false } = {}) {
  const managers = await ensureManagers()
  const spec = INSTALLS[name]
  for (const [rel, content] of Object.entries(spec.files(registry))) {
    const file = path.join(dir, rel)
    if (keepLockfile && rel.endsWith('.lock') && fs.existsSync(file)) continue
    fs.writeFileSync(file, content)
  }
  const [file, ...args] = spec.args(managers, registry, cacheDir)
  const r = await run(file, args, { cwd: dir, env: managerEnv(registry, cacheDir) })
  if (r.status !== 0) throw new Error(`${name} install failed in ${dir} (${r.status}):\n${r.output}`)
  return r
}

module.exports = { ensureManagers, installWith, managerEnv, INSTALLS }
