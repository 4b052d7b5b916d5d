// The JSON report: the Report as JSON.stringify(report, null, 2) would write it, produced a
// key at a time (a backfill's report runs to tens of megabytes) and written owner-only, in
// place of what was at its path, never through a link.
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { open, rename, rm, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
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
 * Writes the report to `path`, readable by its owner only, without following a link planted
 * there: it goes to a new file next to it (created exclusively, so no file or link waiting
 * at that name is opened), which then replaces `path` in one rename. A rename replaces a
 * link or a file itself, never what a link points to, and a reader never sees half a report.
 * Blocks are gathered in a buffer outside the heap and written a megabyte at a time.
 */
export async function writeReport(path: string, report: Report): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`)
  const file = await open(temporary, EXCLUSIVE, 0o600)
  try {
    try {
      // Owner-only whatever the umask.
      await file.chmod(0o600)
      await writeBlocks(file, report)
    } finally {
      await file.close()
    }
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}

/** A new file only, never through a link (O_NOFOLLOW, where the system has it). */
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0)

async function writeBlocks(file: FileHandle, report: Report): Promise<void> {
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
}
