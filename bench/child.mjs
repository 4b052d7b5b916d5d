// One measured pass in a fresh process, so each peak RSS is its own:
// node bench/child.mjs scan|baseline|read FILE. Prints one JSON line.
import { createReadStream } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'

const [mode, path] = process.argv.slice(2)
const started = performance.now()
let out
if (mode === 'scan') {
  const { scanFile } = await import('./.data/bundle/index.js')
  out = await scanFile(path)
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
  // The floor: read the bytes, in the chunk size the file source reads them, and nothing else.
  let bytes = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) bytes += chunk.length
  out = { bytes }
} else {
  throw new Error(`unknown mode ${mode}`)
}
const ms = performance.now() - started
console.log(JSON.stringify({ mode, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, ...out }))
