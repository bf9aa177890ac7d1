#!/usr/bin/env node
'use strict'
// Load test of the registry gate: many parallel `npm install`s of one project through two
// `npm-sigverify serve` replicas sharing a real redis-server, in front of the tests' loopback
// signing registry. Counts failures, samples each replica's memory, and writes the figures to
// bench/results/serve-load.json (run: node bench/serve-load.js [installs] [parallel]).
// Loopback only; bounded in count (installs) and time (each install has a timeout).
const fs = require('node:fs')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const { TestRegistry } = require(path.join(ROOT, '__test__/helpers/registry'))
const { Gate, startRedis } = require(path.join(ROOT, '__test__/helpers/gate'))
const { tempDir, writeProject } = require(path.join(ROOT, '__test__/helpers/project'))
const { run } = require(path.join(ROOT, '__test__/helpers/install'))

/** Adds `count` packages (`load-0` ... each with 3 versions, the later ones depending on earlier). */
function addPackages (registry, count) {
  const names = []
  for (let i = 0; i < count; i++) {
    const name = `load-${i}`
    const dependencies = i > 0 ? { [`load-${i - 1}`]: '^1.0.0' } : {}
    for (const version of ['1.0.0', '1.0.1', '1.1.0']) registry.addPackage({ name, version, dependencies: i % 5 === 0 ? {} : dependencies })
    names.push(name)
  }
  return names
}

/**
 * Runs `installs` npm installs of a project depending on `names`, `parallel` at a time, each
 * against the next gate in turn, with its own npm cache. Resolves to the figures.
 */
async function runLoad ({ gates, names, installs, parallel, timeoutMs = 180000 }) {
  const started = Date.now()
  const durations = []
  const failures = []
  const peaks = gates.map(() => 0)
  const sampler = setInterval(() => gates.forEach((g, i) => { peaks[i] = Math.max(peaks[i], g.memory().rssMiB) }), 100)
  let next = 0
  const worker = async () => {
    while (next < installs) {
      const n = next++
      const gate = gates[n % gates.length]
      const dir = writeProject(tempDir(`load-${n}`), { name: `load-project-${n}`, version: '1.0.0', dependencies: Object.fromEntries(names.map((x) => [x, '^1.0.0'])) })
      const env = { npm_config_registry: gate.url, npm_config_cache: tempDir(`load-cache-${n}`), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_fetch_timeout: String(timeoutMs) }
      const t0 = Date.now()
      const r = await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, env })
      durations.push(Date.now() - t0)
      const installed = names.every((x) => fs.existsSync(path.join(dir, 'node_modules', x, 'package.json')))
      if (r.status !== 0 || !installed) failures.push({ install: n, status: r.status, output: r.output.slice(-2000) })
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
  clearInterval(sampler)
  gates.forEach((g, i) => { peaks[i] = Math.max(peaks[i], g.memory().peakMiB) })
  durations.sort((a, b) => a - b)
  const pct = (p) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]
  return {
    installs,
    parallel,
    packagesPerInstall: names.length * 1,
    failures,
    wallMs: Date.now() - started,
    installMs: { p50: pct(0.5), p95: pct(0.95), max: durations[durations.length - 1] },
    peakRssMiB: peaks.map((p) => Math.round(p * 10) / 10),
  }
}

async function main () {
  const installs = Number(process.argv[2] || 24)
  const parallel = Number(process.argv[3] || 8)
  const registry = new TestRegistry()
  const names = addPackages(registry, 30)
  const upstream = await registry.start()
  const redis = await startRedis()
  const env = { NPM_SIGVERIFY_CACHE_KEY: 'bench-'.padEnd(40, 'k') }
  const gates = []
  try {
    for (let i = 0; i < 2; i++) gates.push(await Gate.start(['--upstream', upstream, '--cache', redis.url, '--packument-max-age', '30'], env))
    const figures = await runLoad({ gates, names, installs, parallel })
    const metrics = await Promise.all(gates.map((g) => g.metrics()))
    const count = (text, re) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0)
    figures.gateRequests = metrics.map((m) => count(m, /^sigverify_http_requests_total\{[^}]*\} (\d+)$/gm))
    figures.cacheHitRatio = metrics.map((m) => Number((m.match(/^sigverify_cache_hit_ratio (\S+)$/m) || [])[1]))
    figures.upstreamRequests = registry.stats.packuments + registry.stats.tarballs + registry.stats.keys
    figures.machine = { cpus: require('node:os').cpus().length, node: process.version, date: new Date().toISOString() }
    const out = path.join(__dirname, 'results', 'serve-load.json')
    fs.mkdirSync(path.dirname(out), { recursive: true })
    fs.writeFileSync(out, JSON.stringify(figures, null, 2) + '\n')
    console.log(JSON.stringify({ ...figures, failures: figures.failures.length }, null, 2))
    if (figures.failures.length) process.exitCode = 1
  } finally {
    for (const g of gates) await g.stop()
    redis.child.kill()
    await registry.close()
  }
}

if (require.main === module) main().catch((e) => { console.error(e); process.exit(1) })

module.exports = { runLoad, addPackages }
