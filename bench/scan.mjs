// npm run bench: the file source and the rule over a synthetic export of 1,000,000 events,
// against a parse-everything baseline and a read-only pass, then the whole action (dist/)
// on the same files. Prints figures; asserts nothing.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generate } from './generate.mjs'

const DATA = 'bench/.data'
const BIG = 1_000_000
const SMALL = 100_000
mkdirSync(DATA, { recursive: true })

async function dataFile(count, keyShare = 0.03) {
  // v2: OpenAI's scope names, and a line in 50 JSON-escaped.
  const path = join(DATA, keyShare === 0.03 ? `audit-${count}.v2.jsonl` : `audit-${count}-keys-${keyShare}.v2.jsonl`)
  if (!existsSync(path)) {
    process.stdout.write(`writing ${path} ... `)
    await generate(path, count, { keyShare })
    console.log('done')
  }
  return path
}

function run(mode, path) {
  const out = execFileSync(process.execPath, ['bench/child.mjs', mode, path], { encoding: 'utf8' })
  return JSON.parse(out.trim().split('\n').pop())
}

const big = await dataFile(BIG)
const small = await dataFile(SMALL)
// The same million events with a tenth of the key events: memory follows the findings kept
// for the report, not the size of the file.
const fewKeys = await dataFile(BIG, 0.003)
// The sources as the action ships them, bundled the way dist/ is.
execFileSync(
  process.execPath,
  ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', 'bench/entry.ts', '-o', join(DATA, 'bundle'), '--quiet'],
  { stdio: 'inherit' }
)

const bytes = statSync(big).size
// Each pass once to warm the page cache, so all three read from memory.
run('read', big)
const read = run('read', big)
const baseline = run('baseline', big)
const scan = run('scan', big)
const scanSmall = run('scan', small)
const scanFewKeys = run('scan', fewKeys)
const actionSmall = run('action', small)
const action = run('action', big)

const mb = (value) => (value / 2 ** 20).toFixed(1)
const s = (ms) => (ms / 1000).toFixed(2)
console.log(
  `node ${process.version}, ${BIG.toLocaleString('en-US')} events, ${mb(bytes)} MB (${Math.round(bytes / BIG)} bytes an event)`
)
console.log(
  `scan (file source + rule): ${s(scan.ms)} s, ${(bytes / 2 ** 20 / (scan.ms / 1000)).toFixed(0)} MB/s, ` +
    `${Math.round(scan.events / (scan.ms / 1000)).toLocaleString('en-US')} events/s ` +
    `(${scan.events} events, ${scan.keyEvents} key events, ${scan.findings} findings, ` +
    `${scan.prefiltered} not parsed, ${scan.unreadable} unreadable)`
)
console.log(`baseline (lines + JSON.parse each): ${s(baseline.ms)} s (${baseline.events} events)`)
console.log(`read-only pass: ${s(read.ms)} s`)
console.log(`baseline / scan: ${(baseline.ms / scan.ms).toFixed(2)}x faster (target >= 2x)`)
console.log(`scan / read-only: ${(scan.ms / read.ms).toFixed(2)}x (target <= 3x)`)
console.log(
  `peak RSS: ${mb(scanSmall.maxRssBytes)} MB at ${SMALL.toLocaleString('en-US')} events, ` +
    `${mb(scan.maxRssBytes)} MB at ${BIG.toLocaleString('en-US')} events (target < 256 MB, flat)`
)
console.log(
  `  findings kept for the report: ${scanSmall.findings} at ${SMALL.toLocaleString('en-US')}, ${scan.findings} at ` +
    `${BIG.toLocaleString('en-US')}; ${BIG.toLocaleString('en-US')} events with ${scanFewKeys.findings} findings: ` +
    `${mb(scanFewKeys.maxRssBytes)} MB peak, ${s(scanFewKeys.ms)} s`
)
console.log(
  `the whole action (dist/index.js: scan, JSON report, summary, outputs; no issues): ` +
    `${s(actionSmall.ms)} s and ${mb(actionSmall.maxRssBytes)} MB peak at ${SMALL.toLocaleString('en-US')} events, ` +
    `${s(action.ms)} s and ${mb(action.maxRssBytes)} MB peak at ${BIG.toLocaleString('en-US')} events (${action.findings} findings)`
)
