// Exported audit logs: JSONL (one event a line), a JSON array, or a saved list
// response {"object":"list","data":[...]}, each optionally gzip-compressed. Streamed:
// memory stays flat however large the file.
//
// JSONL is the fast path. Most lines of a real export are not key events, so a line is
// handed on without JSON.parse only when its bytes prove it is a well-formed event that
// cannot be one: no backslash (so no JSON escape can spell a type), no "api_key." anywhere,
// balanced strings and brackets, one object from the first byte to the last. Anything
// else is parsed in full, so a key event is never missed and a broken line is reported.
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { chainUnchecked } from 'stream-chain'
import { createGunzip } from 'node:zlib'
import parser from 'stream-json/parser.js'
import pick from 'stream-json/filters/pick.js'
import streamArray from 'stream-json/streamers/stream-array.js'
import { newStatus, recordUnreadable, type AuditLogSource, type SourcedEvent } from './source.js'

const GZIP_MAGIC = [0x1f, 0x8b]
const CHUNK = 1 << 20
/** A line longer than this cannot be an audit-log event; it is reported, not buffered. */
export const MAX_LINE_BYTES = 16 << 20

const NEWLINE = 0x0a
const BACKSLASH = 0x5c
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_BRACKET = 0x5b
const EFFECTIVE_AT = Buffer.from('"effective_at"')
const KEY_EVENT_NEEDLE = Buffer.from('api_key.')
/** The needle's last two bytes: rare in audit logs, so searched for first. */
const KEY_EVENT_TAIL = Buffer.from('y.')

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE
}

/**
 * True when bytes [start, end) hold exactly one JSON object with its strings closed and its
 * brackets balanced: what a line cut short, or two lines run together, never is. Strings are
 * taken to hold no backslash (the caller has checked). A newline MUST follow `end` in `bytes`:
 * it stops an unclosed string (checking the bounds here instead costs a third of the scan).
 */
export function isWholeObject(bytes: Uint8Array, start: number, end: number): boolean {
  // Byte values are written as literals: this loop sees nearly every byte of a JSONL file.
  if (bytes[start] !== 0x7b || bytes[end - 1] !== 0x7d) return false
  let depth = 0
  let at = start
  while (at < end) {
    let byte = bytes[at++]
    if (byte === 0x22) {
      do byte = bytes[at++]
      while (byte !== 0x22 && byte !== 0x0a)
      if (byte !== 0x22) return false
    } else if (byte === 0x7b || byte === 0x5b) depth++
    else if (byte === 0x7d || byte === 0x5d) {
      if (--depth <= 0 && (depth < 0 || at < end)) return false
    }
  }
  return depth === 0
}

/** Where the next "api_key." starts at or after `from`, or -1. */
function nextKeyEventNeedle(bytes: Buffer, from: number): number {
  const lead = KEY_EVENT_NEEDLE.length - KEY_EVENT_TAIL.length
  for (let at = bytes.indexOf(KEY_EVENT_TAIL, from + lead); at !== -1; at = bytes.indexOf(KEY_EVENT_TAIL, at + 1)) {
    if (bytes.compare(KEY_EVENT_NEEDLE, 0, lead, at - lead, at) === 0) return at - lead
  }
  return -1
}

/** The event's `effective_at` read from its bytes, or undefined when it cannot be read with certainty. */
export function effectiveAtOfBytes(bytes: Buffer, start: number, end: number): number | undefined {
  const at = bytes.indexOf(EFFECTIVE_AT, start)
  if (at === -1 || at >= end) return undefined
  // A second occurrence (a nested field) would make the first one ambiguous.
  const again = bytes.indexOf(EFFECTIVE_AT, at + 1)
  if (again !== -1 && again < end) return undefined
  let p = at + EFFECTIVE_AT.length
  while (isBlank(bytes[p])) p++
  if (bytes[p++] !== 0x3a) return undefined
  while (isBlank(bytes[p])) p++
  let value = 0
  let digits = 0
  while (p < end && bytes[p]! >= 0x30 && bytes[p]! <= 0x39 && digits < 15) {
    value = value * 10 + (bytes[p]! - 0x30)
    p++
    digits++
  }
  const next = bytes[p]
  if (digits === 0 || !(next === 0x2c || next === CLOSE_BRACE || isBlank(next))) return undefined
  return value
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

type Format = 'jsonl' | 'array' | 'list'

export class FileSource implements AuditLogSource {
  readonly label: string
  readonly status = newStatus()
  private lineNumber = 0
  /** Set when a line was a saved list response: pages saved one a line are parsed in full. */
  private parseEveryLine = false

  constructor(
    private readonly path: string,
    private readonly options: FileSourceOptions = {}
  ) {
    this.label = `file ${path}`
  }

  async *events(): AsyncIterable<SourcedEvent> {
    const gzip = await isGzip(this.path)
    const file = createReadStream(this.path, { highWaterMark: CHUNK })
    const gunzip = gzip ? file.pipe(createGunzip({ chunkSize: CHUNK })) : undefined
    const input: AsyncIterator<Buffer> = (gunzip ?? file)[Symbol.asyncIterator]()
    const status = this.status
    const chunks: AsyncIterator<Buffer> = {
      async next() {
        const next = await input.next()
        status.bytes = file.bytesRead
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
      if (format === 'jsonl') yield* this.lines(replay())
      else yield* this.document(replay(), format)
    } catch (error) {
      if (!isGzipError(error)) throw error
      this.lost(
        `from line ${this.lineNumber + 1} on: the gzip data is corrupt or cut short (${(error as Error).message})`
      )
    } finally {
      gunzip?.destroy()
      file.destroy()
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
        const text = joined.toString('utf8').trim()
        if (text.startsWith('[')) return 'array'
        return FileSource.looksLikeDocumentStart(text.split('\n')[0]!.trim()) ? 'list' : 'jsonl'
      }
      head.push(next.value)
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

  /** JSONL, split on Buffers: lines that cannot be key events are counted, not parsed. */
  private async *lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<SourcedEvent> {
    let carry: Buffer[] = []
    let carried = 0
    let overlong = false
    for await (const chunk of chunks) {
      let start = 0
      if (carried > 0 || overlong) {
        const newline = chunk.indexOf(NEWLINE)
        if (newline === -1) {
          if (!overlong) {
            carry.push(chunk)
            carried += chunk.length
            if (carried > MAX_LINE_BYTES) [overlong, carry, carried] = [true, [], 0]
          }
          continue
        }
        if (overlong) {
          this.lineNumber++
          recordUnreadable(
            this.status,
            `line ${this.lineNumber}`,
            `longer than ${MAX_LINE_BYTES >> 20} MB: not an audit-log event`
          )
          overlong = false
        } else {
          carry.push(chunk.subarray(0, newline + 1))
          const line = Buffer.concat(carry, carried + newline + 1)
          yield* this.block(line, 0, line.length)
        }
        carry = []
        carried = 0
        start = newline + 1
      }
      const last = chunk.lastIndexOf(NEWLINE)
      if (last >= start) {
        yield* this.block(chunk, start, last + 1)
        start = last + 1
      }
      if (start < chunk.length) {
        // The copy matters: the stream may reuse the chunk's memory.
        const rest = Buffer.from(chunk.subarray(start))
        carry.push(rest)
        carried += rest.length
        if (carried > MAX_LINE_BYTES) [overlong, carry, carried] = [true, [], 0]
      }
    }
    if (overlong) {
      this.lineNumber++
      recordUnreadable(
        this.status,
        `line ${this.lineNumber}`,
        `longer than ${MAX_LINE_BYTES >> 20} MB: not an audit-log event`
      )
    } else if (carried > 0) {
      const line = Buffer.concat([...carry, Buffer.from([NEWLINE])])
      yield* this.block(line, 0, line.length)
    }
  }

  /** Whole lines in bytes [start, end); `end` is just after a newline. */
  // A plain function, not a generator: V8 optimizes the byte loop inlined here far better.
  private block(bytes: Buffer, start: number, end: number): SourcedEvent[] {
    const parsed: SourcedEvent[] = []
    if (bytes[end - 1] !== NEWLINE) throw new Error('internal: a block of lines must end with a newline')
    const { since, until } = this.options
    const windowed = since !== undefined || until !== undefined
    // Where the next backslash and the next "api_key." are: one search per hit, not per line.
    let backslash = bytes.indexOf(BACKSLASH, start)
    let needle = nextKeyEventNeedle(bytes, start)
    let lineStart = start
    while (lineStart < end) {
      const newline = bytes.indexOf(NEWLINE, lineStart)
      const lineEnd = newline === -1 || newline >= end ? end : newline
      this.lineNumber++
      let first = lineStart
      let last = lineEnd
      while (first < last && isBlank(bytes[first])) first++
      while (last > first && isBlank(bytes[last - 1])) last--
      if (this.lineNumber === 1 && bytes[first] === 0xef && bytes[first + 1] === 0xbb && bytes[first + 2] === 0xbf) {
        first += 3
      }
      if (backslash !== -1 && backslash < lineStart) backslash = bytes.indexOf(BACKSLASH, lineStart)
      if (needle !== -1 && needle < lineStart) needle = nextKeyEventNeedle(bytes, lineStart)
      const lineNext = lineEnd + 1
      if (first < last) {
        // Without a backslash no escape can spell a type, and every key event's type holds "api_key.".
        const plain =
          !this.parseEveryLine &&
          (backslash === -1 || backslash >= last) &&
          (needle === -1 || needle >= last) &&
          isWholeObject(bytes, first, last)
        const effectiveAt = plain && windowed ? effectiveAtOfBytes(bytes, first, last) : undefined
        if (plain && (!windowed || effectiveAt !== undefined)) {
          const inside =
            effectiveAt === undefined ||
            ((since === undefined || effectiveAt >= since) && (until === undefined || effectiveAt < until))
          if (inside) this.status.prefiltered++
        } else this.parseLine(bytes.toString('utf8', first, last), parsed)
      }
      lineStart = lineNext
    }
    return parsed
  }

  private parseLine(text: string, into: SourcedEvent[]): void {
    const where = `line ${this.lineNumber}`
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (error) {
      recordUnreadable(this.status, where, `not valid JSON (${(error as Error).message})`)
      return
    }
    if (isListResponse(raw)) {
      this.parseEveryLine = true
      for (let index = 0; index < raw.data.length; index++)
        into.push({ raw: raw.data[index], where: `${where} item ${index + 1}` })
      return
    }
    into.push({ raw, where })
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
