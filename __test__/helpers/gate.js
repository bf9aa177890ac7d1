'use strict'
// Real servers for the registry gate tests: a redis-server and `npm-sigverify serve` replicas
// (the CLI through the addon, as users run it), each on a free loopback port. A missing
// redis-server fails with the command that installs it; SIGVERIFY_SKIP_REDIS=1 skips knowingly.
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const net = require('node:net')
const { BIN } = require('./project')

function freePort () {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function portOpen (port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true) }).on('error', () => resolve(false))
  })
}

/** Starts redis-server on a free port; resolves to { child, url }. */
async function startRedis () {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('redis-server is not on PATH: install it (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`), or set SIGVERIFY_SKIP_REDIS=1 to skip the Redis tests knowingly')
  }
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    if (await portOpen(port)) return { child, url: `redis://127.0.0.1:${port}/5` }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill()
  throw new Error('redis-server did not start within 5 s')
}

/** GET (or other method) on the loopback; resolves to { status, headers, body, aborted }. */
function request (url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks = []
      let aborted = false
      res.on('data', (c) => chunks.push(c))
      res.on('aborted', () => { aborted = true })
      res.on('error', () => { aborted = true })
      res.on('close', () => resolve({ status: res.statusCode, statusMessage: res.statusMessage, headers: res.headers, body: Buffer.concat(chunks), aborted: aborted || !res.complete }))
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

/** A running `npm-sigverify serve`: its URLs, its log lines, and stop() (SIGTERM). */
class Gate {
  /** Starts a replica with these extra flags and environment; resolves once /readyz is 200. */
  static async start (args, env = {}) {
    const [port, opsPort] = [await freePort(), await freePort()]
    const gate = new Gate()
    gate.url = `http://127.0.0.1:${port}/`
    gate.opsUrl = `http://127.0.0.1:${opsPort}/`
    gate.lines = []
    const argv = [BIN, 'serve', '--listen', `127.0.0.1:${port}`, '--ops-listen', `127.0.0.1:${opsPort}`, ...args]
    gate.child = spawn(process.execPath, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    gate.exited = new Promise((resolve) => gate.child.on('exit', (code, signal) => resolve({ code, signal })))
    let buffered = ''
    gate.child.stdout.on('data', (c) => {
      buffered += c
      const lines = buffered.split('\n')
      buffered = lines.pop()
      gate.lines.push(...lines.filter(Boolean))
    })
    gate.stderr = ''
    gate.child.stderr.on('data', (c) => { gate.stderr += c })
    for (let i = 0; i < 300; i++) {
      const ready = await request(`${gate.opsUrl}readyz`).catch(() => null)
      if (ready && ready.status === 200) return gate
      if (gate.child.exitCode !== null) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    gate.child.kill('SIGKILL')
    throw new Error(`npm-sigverify serve did not become ready:\n${gate.stderr}\n${gate.lines.join('\n')}`)
  }

  /** The parsed JSON log lines. */
  logs () {
    return this.lines.map((l) => { try { return JSON.parse(l) } catch { return { unparsed: l } } })
  }

  /** The /metrics text. */
  async metrics () {
    return (await request(`${this.opsUrl}metrics`)).body.toString()
  }

  /** Resident memory now and at peak, in MiB (Linux /proc). */
  memory () {
    try {
      const status = fs.readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
      const kb = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0)
      return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 }
    } catch {
      return { rssMiB: 0, peakMiB: 0 }
    }
  }

  /** SIGTERM, then the exit code (a graceful shutdown exits 0). */
  async stop () {
    if (this.child.exitCode !== null) return { code: this.child.exitCode }
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30000)
    const exit = await this.exited
    clearTimeout(timer)
    return exit
  }
}

module.exports = { Gate, startRedis, request, freePort }
