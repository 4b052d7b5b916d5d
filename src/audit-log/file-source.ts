// Exported audit logs: JSONL (one event a line), a JSON array, or a saved list
// response {"object":"list","data":[...]}, each optionally gzip-compressed. Streamed:
// memory stays flat however large the file.
//
// JSONL is the fast path: most lines of a real export are not key events, and the byte
// prefilter in line-sorter.ts counts those without parsing them. Every line it cannot rule
// out is parsed here.
import { close as closeFile, createReadStream, open as openFile, read } from 'node:fs'
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { chainUnchecked } from 'stream-chain'
import { createGunzip } from 'node:zlib'
import parser from 'stream-json/parser.js'
import pick from 'stream-json/filters/pick.js'
import streamArray from 'stream-json/streamers/stream-array.js'
import { createLineSorter, type SortedLines } from './line-sorter.js'
import { newStatus, recordUnreadable, type AuditLogSource, type SourcedEvent } from './source.js'

const GZIP_MAGIC = [0x1f, 0x8b]
const CHUNK = 1 << 20
/** A line longer than this cannot be an audit-log event; it is reported, not buffered. */
export const MAX_LINE_BYTES = 16 << 20

const NEWLINE = 0x0a
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0)
    return bytesRead === 2 && buffer[0] === GZIP_MAGIC[0] && buffer[1] === GZIP_MAGIC[1]
  } finally {
    await handle.close()
  }
}

/**
 * The file's bytes in chunks, read into two buffers used in turn: memory stays the same
 * however large the file, and the next read runs while the caller works on this chunk.
 * A chunk is valid only until the caller asks for the next one.
 */
async function* readChunks(path: string, status: { bytes: number }): AsyncGenerator<Buffer> {
  // fs.read with a callback: a third faster than FileHandle.read at this many reads.
  const fd = await promisify(openFile)(path, 'r')
  const readInto = (buffer: Buffer): Promise<number> =>
    new Promise((resolve, reject) =>
      read(fd, buffer, 0, CHUNK, null, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)))
    )
  let pending: Promise<number> | undefined
  try {
    const buffers = [Buffer.allocUnsafeSlow(CHUNK), Buffer.allocUnsafeSlow(CHUNK)]
    let turn = 0
    pending = readInto(buffers[turn]!)
    for (;;) {
      const bytesRead = await pending
      if (bytesRead === 0) return
      status.bytes += bytesRead
      const chunk = buffers[turn]!.subarray(0, bytesRead)
      turn ^= 1
      pending = readInto(buffers[turn]!)
      yield chunk
    }
  } finally {
    // A read may still be running when the caller stops early: let it end before closing.
    await pending?.catch(() => undefined)
    await promisify(closeFile)(fd)
  }
}

function isGzipError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('Z_')
}

function isListResponse(raw: unknown): raw is { data: unknown[] } {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    (raw as { object?: unknown }).object === 'list' &&
    Array.isArray((raw as { data?: unknown }).data)
  )
}

export interface FileSourceOptions {
  /** [since, until) in Unix seconds, when given: events the prefilter skips are counted only inside it. */
  since?: number
  until?: number
}

type Format = 'jsonl' | 'array' | 'list' | 'empty'

export class FileSource implements AuditLogSource {
  readonly label: string
  readonly status = newStatus()

  constructor(
    private readonly path: string,
    private readonly options: FileSourceOptions = {}
  ) {
    this.label = `file ${path}`
  }

  async *events(): AsyncIterable<SourcedEvent> {
    const gzip = await isGzip(this.path)
    const file = gzip ? createReadStream(this.path, { highWaterMark: CHUNK }) : undefined
    const gunzip = file?.pipe(createGunzip({ chunkSize: CHUNK }))
    const input = gunzip ? gunzip[Symbol.asyncIterator]() : readChunks(this.path, this.status)
    const status = this.status
    const chunks: AsyncIterator<Buffer> = {
      async next() {
        const next = await input.next()
        if (file) status.bytes = file.bytesRead
        return next
      }
    }
    try {
      // The first bytes tell the format; they are kept and replayed to the reader chosen.
      const head: Buffer[] = []
      const format = await this.sniff(chunks, head)
      const replay = async function* (): AsyncGenerator<Buffer> {
        yield* head
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
      }
      // An export step that wrote nothing is not a quiet window: it cannot say the window is clean.
      if (format === 'empty') this.lost('the whole file: it is empty, it holds no events')
      else if (format === 'jsonl') yield* this.lines(replay())
      else yield* this.document(replay(), format)
    } catch (error) {
      if (!isGzipError(error)) throw error
      this.lost(`everything after the events read: the gzip data is corrupt or cut short (${(error as Error).message})`)
    } finally {
      await input.return?.(undefined)
      gunzip?.destroy()
      file?.destroy()
    }
  }

  /** Reads until the first non-blank byte and the end of that line (at most MAX_LINE_BYTES). */
  private async sniff(chunks: AsyncIterator<Buffer>, head: Buffer[]): Promise<Format> {
    let size = 0
    for (;;) {
      const joined = Buffer.concat(head, size)
      let first = 0
      while (
        first < joined.length &&
        (isBlank(joined[first]) || joined[first] === 0xef || joined[first] === 0xbb || joined[first] === 0xbf)
      )
        first++
      const newline = first < joined.length ? joined.indexOf(NEWLINE, first) : -1
      if (first < joined.length && (joined[first] === OPEN_BRACKET || newline !== -1 || size > MAX_LINE_BYTES)) {
        if (joined[first] === OPEN_BRACKET) return 'array'
        if (joined[first] !== OPEN_BRACE) return 'jsonl'
        const line = joined
          .subarray(first, newline === -1 ? joined.length : newline)
          .toString('utf8')
          .trim()
        return FileSource.looksLikeDocumentStart(line) ? 'list' : 'jsonl'
      }
      const next = await chunks.next()
      if (next.done) {
        const text = joined
          .toString('utf8')
          .replace(/^\ufeff/, '')
          .trim()
        if (text === '') return 'empty'
        return FileSource.looksLikeDocumentStart(text.split('\n')[0]!.trim()) ? 'list' : 'jsonl'
      }
      // A copy: the reader reuses its buffers.
      head.push(Buffer.from(next.value))
      size += next.value.length
    }
  }

  /**
   * A first line that opens an object without closing it on the same line, and whose first
   * key is one a list response has, is the start of a pretty-printed list response.
   * A first line that is a whole object is JSONL (a list response saved on one line is unwrapped there).
   */
  private static looksLikeDocumentStart(line: string): boolean {
    if (line === '{') return true
    if (!/^\{\s*"(object|data|first_id|last_id|has_more)"\s*:/.test(line)) return false
    try {
      JSON.parse(line)
      return false
    } catch {
      return true
    }
  }

  /** JSONL: the prefilter sorts the lines; those it cannot rule out are parsed here. */
  private async *lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<SourcedEvent> {
    const sorter = createLineSorter({
      since: this.options.since,
      until: this.options.until,
      maxLineBytes: MAX_LINE_BYTES
    })
    // Each chunk is sorted before the next is read: the reader reuses its memory.
    for await (const chunk of chunks) yield* this.take(sorter.push(chunk))
    yield* this.take(sorter.end())
  }

  private *take(sorted: SortedLines): Generator<SourcedEvent> {
    this.status.prefiltered += sorted.prefiltered
    for (const { line, reason } of sorted.unreadable) recordUnreadable(this.status, `line ${line}`, reason)
    for (const { line, text } of sorted.parse) {
      const where = `line ${line}`
      let raw: unknown
      try {
        raw = JSON.parse(text)
      } catch (error) {
        recordUnreadable(this.status, where, `not valid JSON (${(error as Error).message})`)
        continue
      }
      if (isListResponse(raw)) {
        for (let index = 0; index < raw.data.length; index++) {
          yield { raw: raw.data[index], where: `${where} item ${index + 1}` }
        }
      } else yield { raw, where }
    }
  }

  /** A JSON array of events, or a list response's `data`, streamed item by item. */
  private async *document(chunks: AsyncIterable<Buffer>, format: 'array' | 'list'): AsyncGenerator<SourcedEvent> {
    let sawData = format === 'array'
    // chainUnchecked: stream-json's stages are typed loosely; the items are checked by the scan.
    const items = chainUnchecked<Buffer, { key: number; value: unknown }>([
      Readable.from(chunks),
      parser(),
      ...(format === 'list' ? [pick({ filter: 'data' })] : []),
      // A list response without a `data` array has no events to give: an error, not a clean file.
      (token: unknown) => {
        sawData = true
        return token
      },
      streamArray()
    ])
    let count = 0
    try {
      for await (const item of items as AsyncIterable<{ key: number; value: unknown }>) {
        count++
        yield { raw: item.value, where: `item ${count}` }
      }
    } catch (error) {
      if (isGzipError(error)) throw error
      const after = count === 0 ? 'the whole file' : `everything after item ${count}`
      recordUnreadable(
        this.status,
        count === 0 ? this.label : `after item ${count}`,
        `not valid JSON (${(error as Error).message})`
      )
      this.lost(`${after}: it is not valid JSON (${(error as Error).message})`)
      return
    }
    if (!sawData) {
      const reason = 'it is not JSONL, a JSON array or a list response {"object":"list","data":[...]}'
      recordUnreadable(this.status, this.label, reason)
      this.lost(`the whole file: ${reason}`)
    }
  }

  /** Part of the file could not be read: the run cannot say the file is clean. */
  private lost(what: string): void {
    this.status.complete = false
    this.status.missing.push(`${this.label}, ${what}`)
  }
}
