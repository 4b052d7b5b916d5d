// Exported audit logs: JSONL (one event a line), a JSON array, or a saved list
// response {"object":"list","data":[...]}, each optionally gzip-compressed (gunzip.ts), with
// events as they are or in a pipeline's envelopes however nested ({"_source": event},
// {"export": {"events": [...]}}: see envelope.ts; documents are read record by record by
// document.ts). Streamed: memory stays flat however large the file.
//
// JSONL is the fast path: most lines of a real export are not key events, and the byte
// prefilter in line-sorter.ts counts those without parsing them. Every line it cannot rule
// out is parsed here.
//
// It fails closed: a record that may be a key event but cannot be read (broken, nested too
// deep, a line too long), a file cut short in its last line, gzip data that is broken in any
// way, text that is not UTF-8 (a UTF-16 byte-order mark, NUL bytes), an HTML page, or a file
// with no event in it at all leave the run incomplete, with one message that says what was
// not understood and what to do.
import { close as closeFile, open as openFile, read } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { chainUnchecked, flushable, many, none } from 'stream-chain'
import parser, { type Token } from 'stream-json/parser.js'
import { plural } from '../text.js'
import { isOneEvent, MAX_NESTING, mayMentionKeyEvent, mentionsKeyEvent, recordsIn } from './envelope.js'
import { DocumentError, DocumentReader, type DocumentPart } from './document.js'
import { gunzip, GZIP_ADVICE, GzipError } from './gunzip.js'
import { createLineSorter, type SortedLines } from './line-sorter.js'
import type { AuditLogSource, ReadSoFar, SourcedEvent, SourceStatus } from '../model/index.js'
import { readEvent } from './normalize.js'
import { newStatus, recordUnreadable } from './source.js'

const GZIP_MAGIC = [0x1f, 0x8b]
const CHUNK = 1 << 20
/** A line longer than this cannot be an audit-log event; it is reported, not buffered. */
export const MAX_LINE_BYTES = 16 << 20
/** How much of a file's start tells its format. */
const SNIFF_BYTES = 1 << 20

const NEWLINE = 0x0a
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const LESS_THAN = 0x3c

/** What to do about an export the run could not read whole. */
const EXPORT_AGAIN = 'export the audit log again as UTF-8 (JSONL, a JSON array or a list response) and scan it again'

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE
}

/**
 * A path the file source cannot read as an export: missing, a directory, a named pipe (which
 * would block until something writes to it) or another special file. Its message says why
 * and what to do; the pipeline names the input.
 */
export class ExportFileError extends Error {
  override name = 'ExportFileError'
}

/** Refuses, before opening it, a path that is not a regular file. */
async function checkExportFile(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ExportFileError(
        `there is no such file (${resolve(path)}): check the path; in a workflow, the step that writes the export must run before this one, in the same job.`
      )
    }
    if (code === 'EACCES') throw new ExportFileError('the file cannot be read (permission denied).')
    throw new ExportFileError(`the file cannot be read (${(error as Error).message}).`)
  }
  if (info.isDirectory()) throw new ExportFileError('it is a directory: give the path of the export file inside it.')
  if (info.isFIFO()) {
    throw new ExportFileError(
      'it is a named pipe (FIFO), not a file: reading it would wait for a writer, possibly forever. Write the export to a file first (with the CLI, pipe it in with --file -).'
    )
  }
  if (!info.isFile())
    throw new ExportFileError('it is not a regular file (a device or a socket): give the path of an export file.')
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

/** Chunks of a stream (standard input), gunzipped when they start with gzip's magic bytes. */
async function* streamChunks(stream: Readable, status: { bytes: number }): AsyncGenerator<Buffer> {
  const input = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const head: Buffer[] = []
  let size = 0
  let done = false
  while (size < 2 && !done) {
    const next = await input.next()
    if (next.done) done = true
    else {
      head.push(next.value)
      size += next.value.length
    }
  }
  const first = Buffer.concat(head)
  async function* raw(): AsyncGenerator<Buffer> {
    status.bytes += first.length
    if (first.length > 0) yield first
    if (done) return
    for (let next = await input.next(); !next.done; next = await input.next()) {
      status.bytes += next.value.length
      yield next.value
    }
  }
  if (first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1]) yield* gunzip(raw(), CHUNK)
  else yield* raw()
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

/** A gzip file the run could not read whole, in words: what was not read, what went wrong, and what to do. */
function gzipProblem(error: GzipError): string {
  const what =
    error.problem === 'header'
      ? 'the whole file: '
      : error.problem === 'trailing'
        ? ''
        : 'everything after the events read: '
  return `${what}${error.message}; ${GZIP_ADVICE}`
}

export interface FileSourceOptions {
  /** [since, until) in Unix seconds, when given: events the prefilter skips are counted only inside it. */
  since?: number
  until?: number
  /** Read this stream instead of the path (the CLI's --file -). */
  stdin?: Readable
}

type Format = 'jsonl' | 'array' | 'list' | 'empty' | 'utf16' | 'binary' | 'html'

export class FileSource implements AuditLogSource {
  readonly label: string
  private readonly status = newStatus()
  private progress?: (read: ReadSoFar) => void
  /** What could not be read, in words: the parts of the one message the run gives. */
  private readonly problems: string[] = []
  /** Records that may be key events but could not be read, and the first few of them. */
  private notUnderstood = 0
  private readonly examples: string[] = []
  /** Events found: records with a type, and the lines skipped as not key events. */
  private found = 0
  /** Records that are not events, for the message when no event is found at all. */
  private strays = 0

  constructor(
    private readonly path: string,
    private readonly options: FileSourceOptions = {}
  ) {
    this.label = options.stdin ? 'standard input' : `file ${path}`
  }

  async *events(progress?: (read: ReadSoFar) => void): AsyncGenerator<SourcedEvent, SourceStatus, undefined> {
    this.progress = progress
    const { stdin } = this.options
    if (!stdin) await checkExportFile(this.path)
    const gzip = stdin ? false : await isGzip(this.path)
    // status.bytes counts what is read from the file: compressed bytes, for a gzip file.
    const chunks = stdin
      ? streamChunks(stdin, this.status)
      : gzip
        ? gunzip(readChunks(this.path, this.status), CHUNK)
        : readChunks(this.path, this.status)
    let format: Format | undefined
    try {
      // The first bytes tell the format; they are kept and replayed to the reader chosen.
      const head: Buffer[] = []
      format = await this.sniff(chunks, head)
      const replay = async function* (): AsyncGenerator<Buffer> {
        yield* head
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
      }
      // An export step that wrote nothing is not a quiet window: it cannot say the window is clean.
      if (format === 'empty') this.lost('the whole file: it is empty, it holds no events')
      else if (format === 'utf16') {
        this.lost(
          "the whole file: it is UTF-16 text (it starts with a UTF-16 byte-order mark, as Windows PowerShell's > writes), " +
            'not UTF-8: convert it (iconv -f UTF-16 -t UTF-8, or in PowerShell Get-Content IN | Set-Content -Encoding utf8 OUT) and scan it again'
        )
      } else if (format === 'binary') this.nulBytes(0)
      else if (format === 'html') {
        this.lost(
          `the whole file: it is an HTML or XML page, not an audit-log export (an error or sign-in page saved in its place?): ${EXPORT_AGAIN}`
        )
      } else if (format === 'jsonl') yield* this.lines(replay())
      else yield* this.document(replay())
    } catch (error) {
      if (!(error instanceof GzipError)) throw error
      this.lost(gzipProblem(error))
    } finally {
      await chunks.return(undefined)
    }
    // Even when nothing could be decompressed (a broken gzip header), the file is concluded on.
    this.conclude(format)
    this.tell()
    return this.status
  }

  /** How far the read has come, to the progress the caller asked for. */
  private tell(): void {
    this.progress?.({ pages: 0, bytes: this.status.bytes, prefiltered: this.status.prefiltered })
  }

  /**
   * The format, from the start of the file: its first non-blank byte and the rest of that
   * line, within SNIFF_BYTES. What is read for it is kept in `head`, to be read again. Past
   * SNIFF_BYTES the file is read as JSONL, whose reader skips blank lines at any length: the
   * work here is bounded however the file starts (a megabyte of newlines, or a gigabyte).
   */
  private async sniff(chunks: AsyncIterator<Buffer>, head: Buffer[]): Promise<Format> {
    let size = 0
    // The first byte not yet known to be blank (or part of a UTF-8 byte-order mark).
    let first = 0
    let joined = Buffer.alloc(0)
    for (;;) {
      // UTF-16 (what Windows PowerShell's > writes) starts with its byte-order mark; UTF-16
      // without one, UTF-32 and binary files hold NUL bytes, which UTF-8 JSON never does.
      if ((joined[0] === 0xff && joined[1] === 0xfe) || (joined[0] === 0xfe && joined[1] === 0xff)) return 'utf16'
      const nul = joined.indexOf(0)
      const firstNewline = joined.indexOf(NEWLINE)
      if (nul !== -1 && (firstNewline === -1 || nul < firstNewline)) return 'binary'
      while (
        first < joined.length &&
        (isBlank(joined[first]) || joined[first] === 0xef || joined[first] === 0xbb || joined[first] === 0xbf)
      )
        first++
      const newline = first < joined.length ? joined.indexOf(NEWLINE, first) : -1
      if (first < joined.length && (joined[first] === OPEN_BRACKET || newline !== -1 || size >= SNIFF_BYTES)) {
        if (joined[first] === OPEN_BRACKET) return 'array'
        if (joined[first] === LESS_THAN) return 'html'
        if (joined[first] !== OPEN_BRACE) return 'jsonl'
        // A first line longer than the prefix is looked at as far as the prefix goes.
        const line = joined
          .subarray(first, newline === -1 ? Math.min(joined.length, first + SNIFF_BYTES) : newline)
          .toString('utf8')
          .trim()
        return FileSource.looksLikeDocumentStart(line) ? 'list' : 'jsonl'
      }
      if (size >= SNIFF_BYTES) return 'jsonl'
      const next = await chunks.next()
      if (next.done) {
        const text = joined
          .toString('utf8')
          .replace(/^\ufeff/, '')
          .trim()
        if (text === '') return 'empty'
        if (text.startsWith('<')) return 'html'
        return FileSource.looksLikeDocumentStart(text.split('\n')[0]!.trim()) ? 'list' : 'jsonl'
      }
      // A copy: the reader reuses its buffers.
      head.push(Buffer.from(next.value))
      size += next.value.length
      // At most SNIFF_BYTES and a read: joined a few times at most.
      joined = Buffer.concat(head, size)
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
    let offset = 0
    // Each chunk is sorted before the next is read: the reader reuses its memory.
    for await (const chunk of chunks) {
      // UTF-8 JSON never holds a NUL byte (one search a megabyte): from the first one on, the
      // file is not text the scan can read (UTF-16 without a byte-order mark, a binary file,
      // or an end that was never written). What came before it is read; the rest is not.
      const nul = chunk.indexOf(0)
      if (nul !== -1) {
        yield* this.take(sorter.push(chunk.subarray(0, nul)))
        this.nulBytes(offset + nul)
        return
      }
      offset += chunk.length
      yield* this.take(sorter.push(chunk))
    }
    yield* this.take(sorter.end())
  }

  private *take(sorted: SortedLines): Generator<SourcedEvent> {
    this.status.prefiltered += sorted.prefiltered
    this.tell()
    this.found += sorted.skipped
    for (const { line, reason, keyEvent } of sorted.unreadable) {
      if (keyEvent) this.misread(`line ${line}`, reason)
      else {
        this.strays++
        recordUnreadable(this.status, `line ${line}`, reason)
      }
    }
    for (const { line, text, unterminated } of sorted.parse) {
      const where = `line ${line}`
      let raw: unknown
      try {
        raw = JSON.parse(text)
      } catch (error) {
        const reason = `not valid JSON (${(error as Error).message})`
        if (unterminated) {
          // The last line, without a newline, does not parse: the export stopped part-way.
          recordUnreadable(this.status, where, reason)
          this.lost(
            `${where}, its last, is cut short (no newline at its end, and not valid JSON): the export did not finish, ` +
              `so events after it may be missing; ${EXPORT_AGAIN}`
          )
        } else if (mayMentionKeyEvent(text)) this.misread(where, `${reason}, and it may be an API key event`)
        else {
          this.strays++
          recordUnreadable(this.status, where, reason)
        }
        continue
      }
      if (isOneEvent(raw)) {
        this.found++
        yield { reading: readEvent(raw), where }
      } else yield* this.records(raw, where)
    }
  }

  /** The events of one parsed record: itself, or what its envelopes and arrays hold. */
  private *records(value: unknown, where: string): Generator<SourcedEvent> {
    for (const found of recordsIn(value)) {
      const place = `${where}${found.at}`
      if (found.kind === 'too-deep') {
        this.misread(
          place,
          `nested more than ${MAX_NESTING} levels deep: it cannot be read whole, and may hold an API key event`
        )
      } else if (found.kind === 'event') {
        this.found++
        yield { reading: readEvent(found.raw), where: place }
      } else if (mentionsKeyEvent(found.raw)) {
        this.misread(place, 'not an audit-log event (no type), though it mentions an API key event')
      } else {
        // Not an event and no key event in it: the scan lists it as malformed.
        this.strays++
        yield { reading: readEvent(found.raw), where: place }
      }
    }
  }

  /**
   * A JSON document: an array of events, or an object holding arrays of them however deep (a
   * list response, a pipeline's export), streamed record by record (document.ts); what is
   * left of an object when its arrays are taken out is looked into last.
   */
  private async *document(chunks: AsyncIterable<Buffer>): AsyncGenerator<SourcedEvent> {
    const reader = new DocumentReader()
    // Nothing packed: keys and strings come in chunks, so that none is held whole past the
    // reader's bound. chainUnchecked: stream-json's stages are typed loosely.
    const parts = chainUnchecked<Buffer, DocumentPart>([
      Readable.from(chunks),
      parser({ packValues: false, streamValues: true }),
      flushable((token: Token | typeof none) => (token === none ? many(reader.end()) : many(reader.push(token))))
    ])
    let lastItem = ''
    try {
      for await (const part of parts as AsyncIterable<DocumentPart>) {
        this.tell()
        if ('problem' in part) {
          this.misread(part.at, `${part.problem}: it cannot be read whole, and may hold an API key event`)
          lastItem = part.at
        } else if (part.rest) {
          yield* this.rest(part.value, reader.handedOn > 0)
        } else {
          lastItem = part.at
          yield* this.records(part.value, part.at)
        }
      }
    } catch (error) {
      if (error instanceof GzipError) throw error
      const reason =
        error instanceof DocumentError ? (error as Error).message : `it is not valid JSON (${(error as Error).message})`
      const after = lastItem === '' ? 'the whole file' : `everything after ${lastItem}`
      recordUnreadable(this.status, lastItem === '' ? this.label : `after ${lastItem}`, reason)
      this.lost(`${after}: ${reason}`)
      return
    }
  }

  /**
   * What is left of a document once its arrays of records are taken out: a single event, or
   * envelopes around one. When records came from its arrays, a rest with no event in it is
   * only the wrapper (a list response's first_id, has_more).
   */
  private *rest(value: unknown, handedOn: boolean): Generator<SourcedEvent> {
    const found = [...recordsIn(value)]
    // A wrapper's own fields (a list response's has_more, a search's query) are not records.
    if (handedOn && found.length === 1 && found[0]!.kind === 'stray' && found[0]!.at === '') return
    if (!handedOn && found.length === 1 && found[0]!.kind === 'stray' && !mentionsKeyEvent(value)) {
      const reason =
        'it is not JSONL, a JSON array or a list response {"object":"list","data":[...]}, and holds no array of events'
      recordUnreadable(this.status, this.label, reason)
      this.lost(`the whole file: ${reason}`)
      return
    }
    yield* this.records(value, 'the document')
  }

  /** A record that may be a key event could not be read: listed, and counted for the message. */
  private misread(where: string, reason: string): void {
    this.notUnderstood++
    if (this.examples.length < 3) this.examples.push(where)
    recordUnreadable(this.status, where, reason)
  }

  private nulBytes(offset: number): void {
    const from = offset === 0 ? 'the whole file' : `everything from byte ${offset}`
    this.lost(
      `${from}: it holds NUL bytes, so it is not UTF-8 text (UTF-16 without a byte-order mark, a binary file, ` +
        `or a file whose end was never written); ${EXPORT_AGAIN}`
    )
  }

  /** The one message for the file: every part not read, and the records not understood. */
  private conclude(format: Format | undefined): void {
    if (this.notUnderstood > 0) {
      const more = this.notUnderstood > this.examples.length ? ', ...' : ''
      this.problems.push(
        `${plural(this.notUnderstood, 'record')} that may be API key events could not be read ` +
          `(${this.examples.join(', ')}${more}; each is listed under the skipped records): ` +
          `fix ${this.notUnderstood === 1 ? 'it' : 'them'} or ${EXPORT_AGAIN}`
      )
    }
    if (this.problems.length === 0 && this.found === 0 && format !== 'empty') {
      // Like an empty file: an export that holds no event cannot say the window is clean.
      this.problems.push(
        this.strays === 0
          ? 'the whole file: it holds no events (an empty list)'
          : `the whole file: no record in it is an audit-log event (${plural(this.strays, 'record')} not understood; ` +
              `plain text, or an export in another format?): check that it is the audit-log export, then ${EXPORT_AGAIN}`
      )
    }
    if (this.problems.length === 0) return
    this.status.complete = false
    this.status.missing.push(`${this.label}, ${this.problems.join('; ')}`)
  }

  /** Part of the file could not be read: the run cannot say the file is clean (said once, at the end). */
  private lost(what: string): void {
    this.problems.push(what)
  }
}
