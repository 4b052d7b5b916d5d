// npm run bench: the file source and the rule over a synthetic export of 1,000,000 events,
// against a parse-everything baseline and a read-only pass, then the whole action (dist/)
// on the same files. Prints figures; asserts nothing.
//
// npm run bench -- --against REF: the scan of the sources at git REF (5cd408e, HEAD~3) too,
// built the same way in a temporary directory and run in turn with this one, so that both
// figures come from the same machine in the same minutes.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
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

function run(mode, path, cwd = '.') {
  const out = execFileSync(process.execPath, ['bench/child.mjs', mode, resolve(path)], { encoding: 'utf8', cwd })
  return JSON.parse(out.trim().split('\n').pop())
}

/** The run of the median time of `times` runs: one slow run (another job on the machine) does not decide. */
function median(times, pass) {
  const runs = Array.from({ length: times }, pass).sort((a, b) => a.ms - b.ms)
  return runs[Math.floor(times / 2)]
}

/** The sources of git REF, with their bench bundle built; the directory to run bench/child.mjs in. */
function checkout(ref) {
  const dir = mkdtempSync(join(tmpdir(), 'keywatch-bench-against-'))
  execFileSync('sh', [
    '-c',
    `git archive ${JSON.stringify(ref)} src bench package.json tsconfig.json | tar -x -C ${JSON.stringify(dir)}`
  ])
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'))
  execFileSync(
    process.execPath,
    ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', 'bench/entry.ts', '-o', join(dir, DATA, 'bundle'), '--quiet'],
    { stdio: 'inherit', cwd: dir }
  )
  return dir
}

const againstAt = process.argv.indexOf('--against')
const against = againstAt === -1 ? undefined : process.argv[againstAt + 1]
if (againstAt !== -1 && !against)
  throw new Error('--against needs a git commit or branch: npm run bench -- --against 5cd408e')

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
const other = against ? checkout(against) : undefined
// Each pass once to warm the page cache, so all of them read from memory; then each timed
// pass three times in turn, the median kept.
run('read', big)
const read = median(3, () => run('read', big))
const baseline = run('baseline', big)
const scans = Array.from({ length: 3 }, () => ({
  scan: run('scan', big),
  ...(other ? { before: run('scan', big, other) } : {}),
  read: run('read', big)
}))
const middle = (pick) => scans.map(pick).sort((a, b) => a.ms - b.ms)[1]
const scan = middle((turn) => turn.scan)
const before = other ? middle((turn) => turn.before) : undefined
const readInTurn = middle((turn) => turn.read)
const scanSmall = run('scan', small)
const scanFewKeys = run('scan', fewKeys)
const actionSmall = run('action', small)
const action = run('action', big)
if (other) rmSync(other, { recursive: true, force: true })

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
console.log(`read-only pass: ${s(read.ms)} s (${s(readInTurn.ms)} s in turn with the scans)`)
console.log(`baseline / scan: ${(baseline.ms / scan.ms).toFixed(2)}x faster (target >= 5x)`)
console.log(`scan / read-only: ${(scan.ms / readInTurn.ms).toFixed(2)}x (target <= 2x)`)
if (before) {
  console.log(
    `before (${against}): scan ${s(before.ms)} s, ${(before.ms / readInTurn.ms).toFixed(2)}x the read-only pass, ` +
      `${(baseline.ms / before.ms).toFixed(2)}x faster than the baseline, peak RSS ${mb(before.maxRssBytes)} MB ` +
      `(${before.events} events, ${before.keyEvents} key events, ${before.findings} findings, ${before.prefiltered} not parsed); ` +
      `after: ${s(scan.ms)} s (${(before.ms / scan.ms).toFixed(2)}x as fast)`
  )
}
console.log(
  `peak RSS: ${mb(scanSmall.maxRssBytes)} MB at ${SMALL.toLocaleString('en-US')} events, ` +
    `${mb(scan.maxRssBytes)} MB at ${BIG.toLocaleString('en-US')} events (target < 128 MB, flat)`
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
