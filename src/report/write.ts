// The JSON report: the Report as JSON.stringify(report, null, 2) would write it, produced a
// key at a time (a backfill's report runs to tens of megabytes) and written owner-only.
import { open } from 'node:fs/promises'
import type { Report } from './report.js'

const indent = (json: string, pad: string): string => json.replaceAll('\n', `\n${pad}`)

/**
 * The report as `JSON.stringify(report, null, 2)` writes it, in blocks of whole lines (to
 * be joined by newlines): a backfill's report runs to tens of megabytes, and is written a
 * key at a time instead of being built as one string.
 */
export function* reportLines(report: Report): Generator<string> {
  const fields = Object.entries(report).filter(([, value]) => value !== undefined)
  yield '{'
  for (const [index, [name, value]] of fields.entries()) {
    const comma = index < fields.length - 1 ? ',' : ''
    const key = `  ${JSON.stringify(name)}: `
    if (!Array.isArray(value) || value.length === 0) {
      yield `${key}${indent(JSON.stringify(value, null, 2), '  ')}${comma}`
      continue
    }
    yield `${key}[`
    for (const [at, item] of value.entries()) {
      yield `    ${indent(JSON.stringify(item, null, 2) ?? 'null', '    ')}${at < value.length - 1 ? ',' : ''}`
    }
    yield `  ]${comma}`
  }
  yield '}'
}

/**
 * Writes the report to `path`, readable by its owner only. Blocks are gathered in a buffer
 * outside the heap and written a megabyte at a time.
 */
export async function writeReport(path: string, report: Report): Promise<void> {
  const file = await open(path, 'w', 0o600)
  try {
    const batch = Buffer.allocUnsafeSlow(1 << 20)
    let used = 0
    for (const block of reportLines(report)) {
      const text = `${block}\n`
      const size = Buffer.byteLength(text, 'utf8')
      if (used + size > batch.length) {
        await file.write(batch, 0, used)
        used = 0
      }
      if (size > batch.length) await file.write(text)
      else used += batch.write(text, used, 'utf8')
    }
    await file.write(batch, 0, used)
  } finally {
    await file.close()
  }
}
