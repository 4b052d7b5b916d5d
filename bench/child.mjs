// One measured pass in a fresh process, so each peak RSS is its own:
// node bench/child.mjs scan|action|baseline|read FILE. Prints one JSON line.
import { closeSync, createReadStream, mkdtempSync, openSync, read, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

const [mode, path] = process.argv.slice(2)
const started = performance.now()
let out
if (mode === 'scan') {
  const { scanFile } = await import('./.data/bundle/index.js')
  out = await scanFile(path)
} else if (mode === 'action') {
  // The whole action, as the runner starts it: scan, report, summary, outputs (no GitHub issues).
  const dir = mkdtempSync(join(tmpdir(), 'keywatch-bench-'))
  Object.assign(process.env, {
    'INPUT_AUDIT-LOG-FILE': path,
    'INPUT_CREATE-ISSUES': 'false',
    'INPUT_FAIL-ON': 'none',
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary')
  })
  writeFileSync(process.env.GITHUB_OUTPUT, '')
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, '')
  // Its log lines would bury the figures: they are counted, not printed.
  let logLines = 0
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk) => ((logLines += String(chunk).split('\n').length - 1), true)
  await import('../dist/index.js')
  process.stdout.write = write
  const outputs = readFileSync(process.env.GITHUB_OUTPUT, 'utf8')
  out = { findings: Number(/^findings<<.*\n(\d+)/m.exec(outputs)?.[1]), logLines }
  rmSync(dir, { recursive: true, force: true })
} else if (mode === 'baseline') {
  // What a straightforward reader does: split into lines, JSON.parse every one.
  let events = 0
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    if (line.trim() === '') continue
    JSON.parse(line)
    events++
  }
  out = { events }
} else if (mode === 'read') {
  // The floor: read the bytes the way the file source does (1 MB reads into two reused
  // buffers, the next read running while this one is looked at), and nothing else.
  const fd = openSync(path, 'r')
  const buffers = [Buffer.allocUnsafeSlow(1 << 20), Buffer.allocUnsafeSlow(1 << 20)]
  const readInto = (buffer) =>
    new Promise((resolve, reject) =>
      read(fd, buffer, 0, 1 << 20, null, (error, n) => (error ? reject(error) : resolve(n)))
    )
  let turn = 0
  let bytes = 0
  let pending = readInto(buffers[turn])
  for (;;) {
    const bytesRead = await pending
    if (bytesRead === 0) break
    bytes += bytesRead
    turn ^= 1
    pending = readInto(buffers[turn])
  }
  closeSync(fd)
  out = { bytes }
} else {
  throw new Error(`unknown mode ${mode}`)
}
const ms = performance.now() - started
console.log(JSON.stringify({ mode, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, ...out }))
