// The JSONL prefilter: splits bytes into lines and sorts each line into "must be parsed"
// or "cannot be a key event" (only counted). A line is skipped only when its bytes prove it
// is one well-formed JSON object that cannot be a key event:
// - no backslash: no JSON escape can spell a type ("api\u005fkey.created");
// - no "api_key.": every key event type holds it, written plainly when nothing is escaped;
// - not a saved list response ({"object":"list",...} on one line): it holds events of its own;
// - it starts with "{", ends with "}" and holds no "}{": a line cut short, or two lines run
//   together, is parsed and so reported as malformed. (A full check of the JSON grammar
//   would visit every byte in JavaScript and triple the scan's time; a line that passes
//   these checks without being valid JSON still cannot be a key event, and is counted.)
// Everything else is handed on in full. With since/until, a skipped line is counted only
// when its effective_at, read from its bytes, is inside; when it cannot be read for certain,
// the line is parsed. A last line without a newline is always handed on: it may be an
// export cut short, which the file source must see.

interface SortedBlock {
  /** Lines to parse, numbered from 1 within the block. */
  parse: { line: number; text: string; unterminated?: true }[]
  /** Lines in the block, blank ones included. */
  lines: number
  /** Lines skipped as not key events (inside the window, when one was given). */
  prefiltered: number
  /** Lines skipped as not key events, inside the window or not: events all the same. */
  skipped: number
}

/** Sorts the whole lines in bytes [start, end) of a block; `end` is just after a newline. */
type BlockSorter = (bytes: Uint8Array, start: number, end: number, firstBlock: boolean) => SortedBlock

function createBlockSorter(window: { since?: number; until?: number }): BlockSorter {
  const NEWLINE = 0x0a
  const BACKSLASH = 0x5c
  const NEEDLE = Buffer.from('api_key.')
  // The needle's last two bytes: rare in audit logs, so they are searched for first.
  const NEEDLE_TAIL = Buffer.from('y.')
  const LIST = Buffer.from('{"object":"list"')
  const EFFECTIVE_AT = Buffer.from('"effective_at"')
  const RUN_TOGETHER = Buffer.from('}{')
  const { since, until } = window
  const windowed = since !== undefined || until !== undefined

  const isBlank = (byte: number | undefined): boolean =>
    byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE

  // The top-level effective_at, or undefined unless it is certain (one occurrence, an integer).
  const effectiveAtOf = (bytes: Buffer, start: number, end: number): number | undefined => {
    const at = bytes.indexOf(EFFECTIVE_AT, start)
    if (at === -1 || at >= end) return undefined
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
    if (digits === 0 || !(next === 0x2c || next === 0x7d || isBlank(next))) return undefined
    return value
  }

  // Where the next "api_key." starts at or after `from`, or -1.
  const nextNeedle = (bytes: Buffer, from: number): number => {
    const lead = NEEDLE.length - NEEDLE_TAIL.length
    for (let at = bytes.indexOf(NEEDLE_TAIL, from + lead); at !== -1; at = bytes.indexOf(NEEDLE_TAIL, at + 1)) {
      if (bytes.compare(NEEDLE, 0, lead, at - lead, at) === 0) return at - lead
    }
    return -1
  }

  // {"object":"list",... : its 12th byte is the "l" of list, which first rules out nearly every line cheaply.
  const isListResponse = (bytes: Buffer, first: number, last: number): boolean =>
    bytes[first + 11] === 0x6c &&
    last - first > LIST.length &&
    bytes.compare(LIST, 0, LIST.length, first, first + LIST.length) === 0

  // Whole lines in bytes [start, end); `end` is just after a newline. Line numbers count from
  // 1 within the block; the caller knows where the block starts.
  return (input: Uint8Array, start: number, end: number, firstBlock: boolean): SortedBlock => {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    if (bytes[end - 1] !== NEWLINE) throw new Error('internal: a block of lines must end with a newline')
    const out: SortedBlock = { parse: [], lines: 0, prefiltered: 0, skipped: 0 }
    let lineNumber = 0
    // Where the next backslash and the next "api_key." are: one search per hit, not per line.
    let backslash = bytes.indexOf(BACKSLASH, start)
    let needle = nextNeedle(bytes, start)
    let runTogether = bytes.indexOf(RUN_TOGETHER, start)
    let lineStart = start
    while (lineStart < end) {
      const newline = bytes.indexOf(NEWLINE, lineStart)
      const lineEnd = newline === -1 || newline >= end ? end : newline
      lineNumber++
      let first = lineStart
      let last = lineEnd
      while (first < last && isBlank(bytes[first])) first++
      while (last > first && isBlank(bytes[last - 1])) last--
      if (
        firstBlock &&
        lineNumber === 1 &&
        bytes[first] === 0xef &&
        bytes[first + 1] === 0xbb &&
        bytes[first + 2] === 0xbf
      ) {
        first += 3
      }
      if (backslash !== -1 && backslash < lineStart) backslash = bytes.indexOf(BACKSLASH, lineStart)
      if (needle !== -1 && needle < lineStart) needle = nextNeedle(bytes, lineStart)
      if (runTogether !== -1 && runTogether < lineStart) runTogether = bytes.indexOf(RUN_TOGETHER, lineStart)
      if (first < last) {
        const plain =
          (backslash === -1 || backslash >= last) &&
          (needle === -1 || needle >= last) &&
          (runTogether === -1 || runTogether >= last) &&
          bytes[first] === 0x7b &&
          bytes[last - 1] === 0x7d &&
          !isListResponse(bytes, first, last)
        const effectiveAt = plain && windowed ? effectiveAtOf(bytes, first, last) : undefined
        if (plain && (!windowed || effectiveAt !== undefined)) {
          out.skipped++
          if (
            effectiveAt === undefined ||
            ((since === undefined || effectiveAt >= since) && (until === undefined || effectiveAt < until))
          ) {
            out.prefiltered++
          }
        } else out.parse.push({ line: lineNumber, text: bytes.toString('utf8', first, last) })
      }
      lineStart = lineEnd + 1
    }
    out.lines = lineNumber
    return out
  }
}

/**
 * What the splitter hands on: whole lines (a range of `bytes`), or a line too long to be an
 * event. `unterminated`: the file's last line, which had no newline.
 */
type Piece = { bytes: Buffer; start: number; end: number; unterminated?: true } | { overlong: true }

/**
 * Cuts chunks into blocks of whole lines. A block is a range of the chunk itself (no copy)
 * or, for the line that spans two chunks, a buffer of its own. What is kept between calls is
 * copied: the caller may reuse a chunk's memory once the blocks from it are sorted.
 */
function createLineSplitter(maxLineBytes: number) {
  const NEWLINE = 0x0a
  let carry: Buffer[] = []
  let carried = 0
  let overlong = false
  const keep = (rest: Buffer): void => {
    if (overlong) return
    carry.push(Buffer.from(rest))
    carried += rest.length
    if (carried > maxLineBytes) [overlong, carry, carried] = [true, [], 0]
  }
  return {
    push(chunk: Buffer): Piece[] {
      const pieces: Piece[] = []
      let start = 0
      if (carried > 0 || overlong) {
        const newline = chunk.indexOf(NEWLINE)
        if (newline === -1) {
          keep(chunk)
          return pieces
        }
        if (overlong) pieces.push({ overlong: true })
        else {
          const line = Buffer.concat([...carry, chunk.subarray(0, newline + 1)])
          pieces.push({ bytes: line, start: 0, end: line.length })
        }
        ;[overlong, carry, carried] = [false, [], 0]
        start = newline + 1
      }
      const last = chunk.lastIndexOf(NEWLINE)
      if (last >= start) {
        if (start < chunk.length && last + 1 < chunk.length) keep(chunk.subarray(last + 1))
        pieces.push({ bytes: chunk, start, end: last + 1 })
      } else if (start < chunk.length) keep(chunk.subarray(start))
      return pieces
    },
    end(): Piece[] {
      const pieces: Piece[] = []
      if (overlong) pieces.push({ overlong: true })
      else if (carried > 0) {
        const line = Buffer.concat([...carry, Buffer.from([NEWLINE])])
        pieces.push({ bytes: line, start: 0, end: line.length, unterminated: true })
      }
      ;[overlong, carry, carried] = [false, [], 0]
      return pieces
    }
  }
}

export interface SortedLines {
  /** Lines to parse, with their line numbers in the file (from 1); `unterminated`: the last, without a newline. */
  parse: { line: number; text: string; unterminated?: true }[]
  /** Lines too long to be an event, with their line numbers. */
  unreadable: { line: number; reason: string }[]
  prefiltered: number
  /** Lines skipped as not key events, inside the window or outside it. */
  skipped: number
}

export interface LineSorterOptions {
  since?: number
  until?: number
  /** A line longer than this is reported, not buffered. */
  maxLineBytes: number
}

/** The line number a sorted piece starts at, and what to say of a line too long. */
function numberer(maxLineBytes: number) {
  let base = 0
  return (piece: SortedBlock | { overlong: true }, into: SortedLines): void => {
    if ('overlong' in piece) {
      base++
      into.unreadable.push({
        line: base,
        reason: `longer than ${Math.round(maxLineBytes / 2 ** 20)} MB: not an audit-log event`
      })
      return
    }
    for (const { line, text, unterminated } of piece.parse)
      into.parse.push(unterminated ? { line: base + line, text, unterminated } : { line: base + line, text })
    into.prefiltered += piece.prefiltered
    into.skipped += piece.skipped
    base += piece.lines
  }
}

/** The last line of a file, without its newline: handed on to be parsed unless it is blank. */
function unterminated(bytes: Buffer, firstBlock: boolean): SortedBlock {
  let text = bytes.toString('utf8', 0, bytes.length - 1)
  if (firstBlock) text = text.replace(/^\ufeff/, '')
  text = text.trim()
  return { parse: text === '' ? [] : [{ line: 1, text, unterminated: true }], lines: 1, prefiltered: 0, skipped: 0 }
}

/** The JSONL prefilter as the file source uses it: chunks in, lines to parse and counts out. */
export function createLineSorter(options: LineSorterOptions) {
  const split = createLineSplitter(options.maxLineBytes)
  const sort = createBlockSorter(options)
  const number = numberer(options.maxLineBytes)
  let first = true
  const run = (pieces: Piece[]): SortedLines => {
    const out: SortedLines = { parse: [], unreadable: [], prefiltered: 0, skipped: 0 }
    for (const piece of pieces) {
      if ('overlong' in piece) number(piece, out)
      else if (piece.unterminated) number(unterminated(piece.bytes, first), out)
      else number(sort(piece.bytes, piece.start, piece.end, first), out)
      first = false
    }
    return out
  }
  return { push: (chunk: Buffer) => run(split.push(chunk)), end: () => run(split.end()) }
}
