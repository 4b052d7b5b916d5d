// Exported audit logs: JSONL (one event a line), a JSON array, or a saved list
// response {"object":"list","data":[...]}, each optionally gzip-compressed (gunzip.ts), with
// events as they are or in a pipeline's envelopes however nested ({"_source": event},
// {"export": {"events": [...]}}: see envelope.ts; documents are read record by record by
// document.ts). Streamed: memory stays flat however large the file. Three parts: the one
// byte reader (export-bytes.ts), the format told from the first bytes (export-format.ts),
// and a reader for the format, which returns what its read came to (export-tally.ts).
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
import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { Readable } from 'node:stream'
import { chainUnchecked, flushable, many, none } from 'stream-chain'
import parser, { type Token } from 'stream-json/parser.js'
import type { AuditLogSource, ReadSoFar, SourcedEvent, SourceStatus } from '../model/index.js'
import { DocumentError, DocumentReader, type DocumentPart } from './document.js'
import { isOneEvent, MAX_NESTING, mayMentionKeyEvent, mentionsKeyEvent, recordsIn } from './envelope.js'
import { exportBytes } from './export-bytes.js'
import { sniffFormat, type Format, type Sniffed } from './export-format.js'
import { EXPORT_AGAIN, ExportTally, gzipProblem } from './export-tally.js'
import { GzipError } from './gunzip.js'
import { createLineSorter } from './line-sorter.js'
import { readEvent } from './normalize.js'

/** A line longer than this cannot be an audit-log event; it is reported, not buffered. */
export const MAX_LINE_BYTES = 16 << 20

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

export interface FileSourceOptions {
  /** [since, until) in Unix seconds, when given: events the prefilter skips are counted only inside it. */
  since?: number
  until?: number
  /** Read this stream instead of the path (the CLI's --file -). */
  stdin?: Readable
  /**
   * Hand on the events that mention one of these too (an identity's ids and emails), not only
   * those that may be key events: what an identity's history reads. JSONL lines are sorted by
   * their bytes; a document's records are all parsed anyway.
   */
  mentioning?: readonly string[]
}

export class FileSource implements AuditLogSource {
  readonly label: string

  constructor(
    private readonly path: string,
    private readonly options: FileSourceOptions = {}
  ) {
    this.label = options.stdin ? 'standard input' : `file ${path}`
  }

  async *events(
    progress?: (read: ReadSoFar) => void
  ): AsyncGenerator<readonly SourcedEvent[], SourceStatus, undefined> {
    const { stdin } = this.options
    if (!stdin) await checkExportFile(this.path)
    // Bytes read from the file (compressed bytes, for gzip), and lines counted without parsing.
    let bytes = 0
    let prefiltered = 0
    const tell = (): void => progress?.({ pages: 0, bytes, prefiltered })
    const chunks = exportBytes(stdin ? { stream: stdin } : { path: this.path }, (read) => {
      bytes += read
      tell()
    })
    let format: Format | undefined
    let tally: ExportTally
    try {
      const start = await sniff(chunks)
      format = start.format
      const text = replayed(start.head.subarray(start.textStart), chunks)
      if (format === 'jsonl') {
        const counted = (count: number): void => {
          prefiltered = count
          tell()
        }
        tally = yield* jsonlEvents(text, { ...this.options, offset: start.textStart }, counted)
      } else if (format === 'array' || format === 'list') tally = yield* documentEvents(text, this.label)
      else tally = refused(format)
    } catch (error) {
      // The gzip header is read with the first bytes: nothing could be decompressed.
      if (!(error instanceof GzipError)) throw error
      tally = new ExportTally()
      tally.lose(gzipProblem(error))
    } finally {
      await chunks.return(undefined)
    }
    return tally.conclude(this.label, format, bytes)
  }
}

/** The format, from as many first bytes as tell it (at most SNIFF_BYTES and a read), and those bytes (a copy). */
async function sniff(chunks: AsyncIterator<Buffer>): Promise<Sniffed & { head: Buffer }> {
  let head: Buffer = Buffer.alloc(0)
  for (;;) {
    const sniffed = sniffFormat(head, false)
    if (sniffed) return { ...sniffed, head }
    const next = await chunks.next()
    if (next.done) return { ...sniffFormat(head, true)!, head }
    // A copy, as the reader reuses its buffers; joined a few times at most (SNIFF_BYTES is a read).
    head = Buffer.concat([head, next.value])
  }
}

/** `head`, then the rest of the chunks. */
async function* replayed(head: Buffer, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer, void, undefined> {
  if (head.length > 0) yield head
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value
}

/** A file of a format that holds no events to read: what the run says of it. */
function refused(format: Exclude<Format, 'jsonl' | 'array' | 'list'>): ExportTally {
  const tally = new ExportTally()
  // An export step that wrote nothing is not a quiet window: it cannot say the window is clean.
  if (format === 'empty') tally.lose('the whole file: it is empty, it holds no events')
  else if (format === 'utf16') {
    tally.lose(
      "the whole file: it is UTF-16 text (it starts with a UTF-16 byte-order mark, as Windows PowerShell's > writes), " +
        'not UTF-8: convert it (iconv -f UTF-16 -t UTF-8, or in PowerShell Get-Content IN | Set-Content -Encoding utf8 OUT) and scan it again'
    )
  } else if (format === 'binary') tally.loseToNulBytes(0)
  else {
    tally.lose(
      `the whole file: it is an HTML or XML page, not an audit-log export (an error or sign-in page saved in its place?): ${EXPORT_AGAIN}`
    )
  }
  return tally
}

/**
 * JSONL: the prefilter sorts the lines; those it cannot rule out are parsed here, and a
 * chunk's events are handed on together (one step of the generators a chunk, not one an
 * event). `offset`: where in the file the text starts; `counted` is told the lines counted
 * without parsing.
 */
async function* jsonlEvents(
  chunks: AsyncIterable<Buffer>,
  options: { since?: number; until?: number; mentioning?: readonly string[]; offset: number },
  counted: (prefiltered: number) => void
): AsyncGenerator<readonly SourcedEvent[], ExportTally, undefined> {
  const tally = new ExportTally()
  const sorter = createLineSorter({
    since: options.since,
    until: options.until,
    mentioning: options.mentioning,
    maxLineBytes: MAX_LINE_BYTES
  })
  let offset = options.offset
  try {
    // Each chunk is sorted before the next is read: the reader reuses its memory.
    for await (const chunk of chunks) {
      // UTF-8 JSON never holds a NUL byte (one search a megabyte): from the first one on, the
      // file is not text the scan can read (UTF-16 without a byte-order mark, a binary file,
      // or an end that was never written). What came before it is read; the rest is not.
      const nul = chunk.indexOf(0)
      if (nul !== -1) {
        const events = sortedEvents(sorter.push(chunk.subarray(0, nul)), tally)
        if (events.length > 0) yield events
        counted(tally.prefiltered)
        tally.loseToNulBytes(offset + nul)
        return tally
      }
      offset += chunk.length
      const events = sortedEvents(sorter.push(chunk), tally)
      if (events.length > 0) yield events
      counted(tally.prefiltered)
    }
    const events = sortedEvents(sorter.end(), tally)
    if (events.length > 0) yield events
    counted(tally.prefiltered)
  } catch (error) {
    if (!(error instanceof GzipError)) throw error
    tally.lose(gzipProblem(error))
  }
  return tally
}

/** The events of lines the prefilter sorted: those it counted, and those it handed on, parsed. */
function sortedEvents(
  sorted: ReturnType<ReturnType<typeof createLineSorter>['push']>,
  tally: ExportTally
): SourcedEvent[] {
  const events: SourcedEvent[] = []
  tally.countPrefiltered(sorted.prefiltered)
  tally.countEvents(sorted.skipped)
  for (const { line, reason, keyEvent } of sorted.unreadable) {
    if (keyEvent) tally.misread(`line ${line}`, reason)
    else tally.countStray(`line ${line}`, reason)
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
        tally.unreadable(where, reason)
        tally.lose(
          `${where}, its last, is cut short (no newline at its end, and not valid JSON): the export did not finish, ` +
            `so events after it may be missing; ${EXPORT_AGAIN}`
        )
      } else if (mayMentionKeyEvent(text)) tally.misread(where, `${reason}, and it may be an API key event`)
      else tally.countStray(where, reason)
      continue
    }
    if (isOneEvent(raw)) {
      tally.countEvents()
      events.push({ reading: readEvent(raw), where })
    } else recordEvents(raw, where, tally, events)
  }
  return events
}

/** The events of one parsed record, added to `events`: itself, or what its envelopes and arrays hold. */
function recordEvents(value: unknown, where: string, tally: ExportTally, events: SourcedEvent[] = []): SourcedEvent[] {
  for (const record of recordsIn(value)) {
    const place = `${where}${record.at}`
    if (record.kind === 'too-deep') {
      tally.misread(
        place,
        `nested more than ${MAX_NESTING} levels deep: it cannot be read whole, and may hold an API key event`
      )
    } else if (record.kind === 'event') {
      tally.countEvents()
      events.push({ reading: readEvent(record.raw), where: place })
    } else if (mentionsKeyEvent(record.raw)) {
      tally.misread(place, 'not an audit-log event (no type), though it mentions an API key event')
    } else {
      // Not an event and no key event in it: the scan lists it as malformed.
      tally.countStray()
      events.push({ reading: readEvent(record.raw), where: place })
    }
  }
  return events
}

/**
 * A JSON document: an array of events, or an object holding arrays of them however deep (a
 * list response, a pipeline's export), streamed record by record (document.ts); what is
 * left of an object when its arrays are taken out is looked into last.
 */
async function* documentEvents(
  chunks: AsyncIterable<Buffer>,
  label: string
): AsyncGenerator<readonly SourcedEvent[], ExportTally, undefined> {
  const tally = new ExportTally()
  const reader = new DocumentReader()
  // Nothing packed: keys and strings come in chunks, so that none is held whole past the
  // reader's bound. ignoreBOM: the byte-order mark is export-format.ts's to read, once; the
  // parser must not drop a second one. chainUnchecked: stream-json's stages are typed loosely.
  const parts = chainUnchecked<Buffer, DocumentPart>([
    Readable.from(chunks),
    parser({ packValues: false, streamValues: true, ignoreBOM: true }),
    flushable((token: Token | typeof none) => (token === none ? many(reader.end()) : many(reader.push(token))))
  ])
  let lastItem = ''
  try {
    for await (const part of parts as AsyncIterable<DocumentPart>) {
      if ('problem' in part) {
        tally.misread(part.at, `${part.problem}: it cannot be read whole, and may hold an API key event`)
        lastItem = part.at
      } else if (part.rest) {
        yield restEvents(part.value, reader.handedOn > 0, label, tally)
      } else {
        lastItem = part.at
        yield recordEvents(part.value, part.at, tally)
      }
    }
  } catch (error) {
    if (error instanceof GzipError) tally.lose(gzipProblem(error))
    else {
      const reason =
        error instanceof DocumentError ? (error as Error).message : `it is not valid JSON (${(error as Error).message})`
      const after = lastItem === '' ? 'the whole file' : `everything after ${lastItem}`
      tally.unreadable(lastItem === '' ? label : `after ${lastItem}`, reason)
      tally.lose(`${after}: ${reason}`)
    }
  }
  return tally
}

/**
 * What is left of a document once its arrays of records are taken out: a single event, or
 * envelopes around one. When records came from its arrays, a rest with no event in it is
 * only the wrapper (a list response's first_id, has_more).
 */
function restEvents(value: unknown, handedOn: boolean, label: string, tally: ExportTally): SourcedEvent[] {
  const records = [...recordsIn(value)]
  const onlyStray = records.length === 1 && records[0]!.kind === 'stray' && records[0]!.at === ''
  // A wrapper's own fields (a list response's has_more, a search's query) are not records.
  if (handedOn && onlyStray) return []
  if (!handedOn && records.length === 1 && records[0]!.kind === 'stray' && !mentionsKeyEvent(value)) {
    const reason =
      'it is not JSONL, a JSON array or a list response {"object":"list","data":[...]}, and holds no array of events'
    tally.unreadable(label, reason)
    tally.lose(`the whole file: ${reason}`)
    return []
  }
  return recordEvents(value, 'the document', tally)
}
