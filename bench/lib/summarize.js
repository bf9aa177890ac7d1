#!/usr/bin/env node
'use strict'
// Summarizes bench/run.sh results (label, run, wall ms, peak RSS KiB, exit, requests, 304s; tab
// separated):
// median, min and max wall time, median peak RSS (MiB: KiB / 1024), registry requests and exit
// codes per command,
// and the speed ratio against a baseline (tree: npm audit signatures with an empty npm cache;
// synth: the addon CLI, cold), and for warm runs against npm audit signatures with its cache
// kept. Warm-up runs are left out.
const fs = require('node:fs')

const rows = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => l.split('\t'))
const groups = new Map()
for (const [label, run, ms, rss, exit, reqs, r304 = '0'] of rows) {
  if (run === 'warmup') continue
  if (!groups.has(label)) groups.set(label, [])
  groups.get(label).push({ ms: +ms, rss: +rss, exit, reqs: +reqs, r304: +r304 })
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const stat = (label) => {
  const g = groups.get(label)
  return g && { n: g.length, ms: median(g.map((r) => r.ms)), min: Math.min(...g.map((r) => r.ms)), max: Math.max(...g.map((r) => r.ms)), rss: median(g.map((r) => r.rss)), reqs: median(g.map((r) => r.reqs)), r304: median(g.map((r) => r.r304)), exits: [...new Set(g.map((r) => r.exit))].join(',') }
}
// Each input's baseline: what a user of that installer runs today (the synthetic lockfiles have
// no installed tree for npm or pnpm to audit: the addon CLI's cold run on the npm lockfile).
const baseline = { tree: 'npm-audit/tree/cold', pnpm: 'pnpm-audit/pnpm/cold', synth: 'addon/synth/cold', 'synth-pnpm': 'addon/synth/cold' }
const names = { 'npm-audit': 'npm audit signatures', 'pnpm-audit': 'pnpm audit signatures', addon: 'npm-sigverify (addon CLI)', bin: 'npm-sigverify (Rust binary)' }
const table = [['input', 'command', 'cache', 'runs', 'median s', 'min-max s', 'peak RSS MiB', 'requests (304)', 'exit', 'speed vs baseline', 'vs npm audit cold', 'vs npm audit warm']]
for (const label of groups.keys()) {
  const [tool, input, mode] = label.split('/')
  const s = stat(label)
  const base = stat(baseline[input])
  const ratio = base ? (label === baseline[input] ? 'baseline' : `${(base.ms / s.ms).toFixed(1)}x`) : '-'
  // The same dependencies installed by npm or pnpm: every row also against npm's cold run.
  const npm = stat(baseline.tree)
  const vsNpm = npm && (input === 'tree' || input === 'pnpm') ? `${(npm.ms / s.ms).toFixed(1)}x` : '-'
  // A warm run also against npm's warm run (its npm cache kept): like against like.
  const npmWarm = stat('npm-audit/tree/warm')
  const vsNpmWarm = npmWarm && mode === 'warm' && (input === 'tree' || input === 'pnpm') ? `${(npmWarm.ms / s.ms).toFixed(1)}x` : '-'
  table.push([input, names[tool] || tool, mode, String(s.n), (s.ms / 1000).toFixed(2),
    `${(s.min / 1000).toFixed(2)}-${(s.max / 1000).toFixed(2)}`, (s.rss / 1024).toFixed(0), `${s.reqs} (${s.r304})`, s.exits, ratio, vsNpm, vsNpmWarm])
}
// The warm floor, when run.sh measured its parts (FLOOR_ADDON_START_MS, FLOOR_STAT_WALK_MS,
// FLOOR_CORES): the addon CLI's start plus the stat walk split over the cores, against 50x npm's
// warm median.
const floor = ['FLOOR_ADDON_START_MS', 'FLOOR_STAT_WALK_MS', 'FLOOR_CORES'].map((k) => Number(process.env[k]))
const npmWarmRun = stat('npm-audit/tree/warm')
if (floor.every((x) => x > 0) && npmWarmRun) {
  const [start, walk, cores] = floor
  const spread = Math.round(walk / cores)
  console.log(`warm floor: addon CLI start (node, addon, --version) ${start} ms + stat walk of the tree ${walk} ms / ${cores} cores = ${start + spread} ms for the addon CLI, ${spread} ms for the binary; 50x npm's warm median is ${Math.round(npmWarmRun.ms / 50)} ms`)
}
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)))
const line = (r) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
console.log(line(table[0]))
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
for (const r of table.slice(1)) console.log(line(r))
