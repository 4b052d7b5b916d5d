// The JSONL prefilter: splits bytes into lines and sorts each line into "must be parsed"
// or "cannot be a key event" (only counted). A line is skipped only when its bytes prove it
// is one well-formed JSON object that cannot be a key event:
// - no key event type in any spelling the scan reads (key-types.ts): every one holds "key",
//   written key, KEY or Key, then separators and created, updated or deleted;
// - no JSON escape that can spell a letter of "key" (k\u0065y); escapes elsewhere (\u005f
//   between "key" and its verb, \u00e9 in a name) are read where they stand;
// - not a saved list response ({"object":"list",...} on one line): it holds events of its own;
// - it starts with "{" and ends with "}": a line cut short is parsed and so reported as
//   malformed. (A full check of the JSON grammar would visit every byte in JavaScript and
//   triple the scan's time; a line that passes these checks without being valid JSON still
//   cannot be a key event, and is counted: two events of other types run together on one
//   line count as one. Two run together with a key event among them hold its type, and are
//   parsed, and reported.)
// A UTF-8 byte-order mark is never seen here: export-format.ts reads it where the text starts.
// Everything else is handed on in full. With since/until, a skipped line is counted only
// when its effective_at, read from its bytes, is inside; when it cannot be read for certain,
// the line is parsed. A last line without a newline is always handed on: it may be an
// export cut short, which the file source must see. A line too long to be an event is not
// kept, but its bytes are searched the same way as they pass: one that may be a key event
// is said to be, so that the window fails closed.
//
// The bytes are looked at by line-scan.wat, in WebAssembly: one SIMD pass over a block finds
// its newlines, backslashes and each "key", and decides each line there, handing back only
// the lines to parse (and, with a window or mentions, the plain lines too, whose effective_at
// and mentions are read here). The JavaScript searches it replaced, one per line for its
// newline and one per "key" (api_key actors and key_ ids put one in every third line), cost
// twice the read of the file itself (issue 16; npm run bench).
import { trimBlank } from './export-format.js'
import { KEY_SPELLINGS, KEY_VERBS, MAX_SEPARATORS, SEPARATOR_BYTES } from './key-types.js'
import { LINE_SCAN_WASM } from './line-scan-wasm.js'

const NEWLINE = 0x0a

const isBlank = (byte: number | undefined): boolean =>
  byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE

/** What line-scan.wat exports. */
interface LineScanExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number }
  input: { value: number }
  maxSeparators: { value: number }
  sort(start: number, end: number, flags: number): number
  holds(start: number, end: number): number
}

/** The part of the WebAssembly API used here: the project's lib (ES2023) does not declare it. */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object
      Instance: new (module: object) => { exports: LineScanExports }
    }
  }
).WebAssembly

/** line-scan.wat's flag: plain lines are handed back to be checked here (a window or mentions are given). */
const CHECKED = 1
/** Bytes after a block that the vector loads may read. */
const PADDING = 64
const PAGE = 65536

let compiled: object | undefined

/** line-scan.wat's module, or one error that says what this machine lacks. */
function compile(): object {
  try {
    return new wasm.Module(Buffer.from(LINE_SCAN_WASM, 'base64'))
  } catch (error) {
    throw new Error(
      `this Node.js cannot run the JSONL prefilter's WebAssembly (${(error as Error).message}): it needs WebAssembly SIMD ` +
        "(in Node.js since 16.4, where the processor has it): run the scan with Node.js 24, the action's runtime, on a GitHub-hosted runner or a machine like one"
    )
  }
}

/**
 * One instance of line-scan.wat, with key-types.ts's spellings, separators and verbs in its
 * tables. Its memory holds the block being sorted; it grows for a longer one (a line that
 * spans two reads), and is freed with the sorter.
 */
class LineScan {
  private readonly exports: LineScanExports
  private bytes: Uint8Array
  private ints: Int32Array
  readonly input: number

  constructor() {
    compiled ??= compile()
    this.exports = new wasm.Instance(compiled).exports
    this.input = this.exports.input.value
    ;[this.bytes, this.ints] = this.views()
    // Its pass finds "key" by k?y in any case, and has room for three spellings and three
    // verbs of at most seven letters: key-types.ts must not outgrow it unnoticed.
    if (KEY_SPELLINGS.length !== 3 || KEY_SPELLINGS.some((spelling) => spelling.toLowerCase() !== 'key'))
      throw new Error('internal: line-scan.wat reads three spellings of "key" only')
    if (KEY_VERBS.length !== 3 || KEY_VERBS.some((verb) => !/^[a-z]{1,7}$/.test(verb)))
      throw new Error('internal: line-scan.wat reads three verbs of at most seven lower-case letters')
    for (const byte of SEPARATOR_BYTES) this.bytes[256 + byte] = 1
    KEY_VERBS.forEach((verb, index) => {
      this.bytes[512 + index * 8] = verb.length
      this.bytes.set(Buffer.from(verb), 512 + index * 8 + 1)
    })
    this.bytes.set(Buffer.from(KEY_SPELLINGS.join('')), 544)
    this.exports.maxSeparators.value = MAX_SEPARATORS
  }

  private views(): [Uint8Array, Int32Array] {
    const { buffer } = this.exports.memory
    return [new Uint8Array(buffer), new Int32Array(buffer)]
  }

  /** Copies bytes [start, end) into the module's memory; their offset there is `input`. */
  load(bytes: Uint8Array, start: number, end: number): void {
    const needed = this.input + (end - start) + PADDING
    if (needed > this.bytes.length) {
      this.exports.memory.grow(Math.ceil((needed - this.bytes.length) / PAGE))
      ;[this.bytes, this.ints] = this.views()
    }
    this.bytes.set(bytes.subarray(start, end), this.input)
  }

  /** Sorts the lines loaded from `at` (an offset in memory); see line-scan.wat's $pass. */
  sort(at: number, end: number, flags: number): number {
    return this.exports.sort(at, end, flags)
  }

  /** What the last sort found: entries written, lines, lines skipped; entry i's fields. */
  get count(): number {
    return this.ints[0]!
  }
  get lines(): number {
    return this.ints[1]!
  }
  get skipped(): number {
    return this.ints[2]!
  }
  entry(index: number): [line: number, first: number, last: number, kind: number] {
    const at = 256 + index * 4
    return [this.ints[at]!, this.ints[at + 1]!, this.ints[at + 2]!, this.ints[at + 3]!]
  }

  /** May bytes [from, to) hold a key event type in a spelling the scan reads? For text not sorted line by line. */
  holds(bytes: Uint8Array, from: number, to: number): boolean {
    this.load(bytes, from, to)
    return this.exports.holds(this.input, this.input + (to - from)) === 1
  }
}

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
type BlockSorter = (bytes: Uint8Array, start: number, end: number) => SortedBlock

/** The bytes a mention search reads as text at a time: small enough to be a young string, collected cheaply. */
const MENTION_WINDOW = 60 << 10

/**
 * Whether the line [first, last) of `bytes` holds one of `mentioning`, or a backslash (a JSON
 * escape could spell one); lines asked in order. All are searched for at once, by one regular
 * expression over the block's bytes read as Latin-1 (one character a byte, so that it matches
 * the bytes as they are), a window at a time, again only past the last place found: one pass
 * over the block, where a search for each would make a pass each (ten identities' history
 * read the benchmark's export eleven times over). Each is a literal, escaped: the expression
 * cannot backtrack, and its time is linear in the block. Undefined when none are asked for
 * (the scan).
 */
function mentionsIn(mentioning: readonly string[] = [], bytes: Buffer, start: number, end: number) {
  const literals = mentioning.filter((text) => text !== '').map((text) => Buffer.from(text).toString('latin1'))
  if (literals.length === 0) return undefined
  const escaped = [...literals, '\\'].map((literal) => literal.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&'))
  const pattern = new RegExp(escaped.join('|'), 'g')
  // A window's text reaches this far past it: a mention that starts in it is read whole.
  const overlap = Math.max(...literals.map((literal) => literal.length))
  let windowStart = -1
  let text = ''
  /** Where the first mention at or after `from` starts, or -1. */
  const find = (from: number): number => {
    for (;;) {
      if (windowStart === -1 || from < windowStart || from >= windowStart + MENTION_WINDOW) {
        windowStart = from
        text = bytes.toString('latin1', from, Math.min(end, from + MENTION_WINDOW + overlap))
      }
      pattern.lastIndex = from - windowStart
      const found = pattern.exec(text)
      const last = windowStart + text.length >= end
      // One that starts past the window may not be the first: the next window says.
      if (found && (found.index < MENTION_WINDOW || last)) return windowStart + found.index
      if (last) return -1
      from = windowStart + MENTION_WINDOW
    }
  }
  // Where the next mention is (-1: none left in the block), once searched for.
  let next: number | undefined
  return (first: number, last: number): boolean => {
    if (next === undefined || (next !== -1 && next < first)) next = find(first)
    return next !== -1 && next < last
  }
}

function createBlockSorter(
  window: { since?: number; until?: number; mentioning?: readonly string[] },
  scan: LineScan
): BlockSorter {
  const EFFECTIVE_AT = Buffer.from('"effective_at"')
  const { since, until } = window
  const windowed = since !== undefined || until !== undefined

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

  // Whole lines in bytes [start, end); `end` is just after a newline. Line numbers count from
  // 1 within the block; the caller knows where the block starts.
  return (input: Uint8Array, start: number, end: number): SortedBlock => {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    if (bytes[end - 1] !== NEWLINE) throw new Error('internal: a block of lines must end with a newline')
    const out: SortedBlock = { parse: [], lines: 0, prefiltered: 0, skipped: 0 }
    scan.load(bytes, start, end)
    // A place in the module's memory is this far from the same byte in `bytes`.
    const shift = start - scan.input
    const stop = scan.input + (end - start)
    const mentioned = mentionsIn(window.mentioning, bytes, start, end)
    const flags = windowed || mentioned ? CHECKED : 0
    // Most blocks take one call; one with more lines to hand on than the module has room
    // for (a window or mentions given: every plain line is handed back) takes more.
    for (let at = scan.input; at < stop;) {
      at = scan.sort(at, stop, flags)
      for (let index = 0; index < scan.count; index++) {
        const [line, from, to, kind] = scan.entry(index)
        const first = from + shift
        const last = to + shift
        // A plain line handed back: skipped unless it mentions what is asked for, or (with a
        // window) its effective_at is not certain.
        const plain = kind === 1 && !mentioned?.(first, last)
        const effectiveAt = plain && windowed ? effectiveAtOf(bytes, first, last) : undefined
        if (plain && (!windowed || effectiveAt !== undefined)) {
          out.skipped++
          if (
            effectiveAt === undefined ||
            ((since === undefined || effectiveAt >= since) && (until === undefined || effectiveAt < until))
          ) {
            out.prefiltered++
          }
        } else out.parse.push({ line: out.lines + line, text: bytes.toString('utf8', first, last) })
      }
      out.lines += scan.lines
      out.skipped += scan.skipped
      out.prefiltered += scan.skipped
    }
    return out
  }
}

/**
 * What the splitter hands on: whole lines (a range of `bytes`), or a line too long to be an
 * event, and whether its bytes may hold a key event type. `unterminated`: the file's last
 * line, which had no newline.
 */
type Piece =
  { bytes: Buffer; start: number; end: number; unterminated?: true } | { overlong: true; mayBeKeyEvent: boolean }

/** Bytes kept from the end of one part of a long line, so that a type cut between two reads is seen. */
const OVERLAP = 128

/**
 * Cuts chunks into blocks of whole lines. A block is a range of the chunk itself (no copy)
 * or, for the line that spans two chunks, a buffer of its own. What is kept between calls is
 * copied: the caller may reuse a chunk's memory once the blocks from it are sorted. A line
 * past `maxLineBytes` is not kept: its bytes are searched for a key event type as they pass.
 */
function createLineSplitter(maxLineBytes: number, scan: LineScan) {
  let carry: Buffer[] = []
  let carried = 0
  let overlong = false
  let mayBeKeyEvent = false
  let tail = Buffer.alloc(0)
  const search = (part: Buffer): void => {
    if (mayBeKeyEvent) return
    const bytes = tail.length > 0 ? Buffer.concat([tail, part]) : part
    mayBeKeyEvent = scan.holds(bytes, 0, bytes.length)
    tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - OVERLAP)))
  }
  const keep = (rest: Buffer): void => {
    if (overlong) {
      search(rest)
      return
    }
    carry.push(Buffer.from(rest))
    carried += rest.length
    if (carried > maxLineBytes) {
      overlong = true
      for (const part of carry) search(part)
      carry = []
      carried = 0
    }
  }
  const reset = (): void => {
    ;[overlong, mayBeKeyEvent, carry, carried, tail] = [false, false, [], 0, Buffer.alloc(0)]
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
        if (overlong) {
          search(chunk.subarray(0, newline))
          pieces.push({ overlong: true, mayBeKeyEvent })
        } else {
          const line = Buffer.concat([...carry, chunk.subarray(0, newline + 1)])
          pieces.push({ bytes: line, start: 0, end: line.length })
        }
        reset()
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
      if (overlong) pieces.push({ overlong: true, mayBeKeyEvent })
      else if (carried > 0) {
        const line = Buffer.concat([...carry, Buffer.from([NEWLINE])])
        pieces.push({ bytes: line, start: 0, end: line.length, unterminated: true })
      }
      reset()
      return pieces
    }
  }
}

export interface SortedLines {
  /** Lines to parse, with their line numbers in the file (from 1); `unterminated`: the last, without a newline. */
  parse: { line: number; text: string; unterminated?: true }[]
  /** Lines too long to be an event, with their line numbers; `keyEvent`: its bytes may hold a key event type. */
  unreadable: { line: number; reason: string; keyEvent?: true }[]
  prefiltered: number
  /** Lines skipped as not key events, inside the window or outside it. */
  skipped: number
}

export interface LineSorterOptions {
  since?: number
  until?: number
  /**
   * Hand on to be parsed, key event or not, every line that mentions one of these (an
   * identity's ids and emails: its history needs its logins too), and every line with a JSON
   * escape, which could spell one.
   */
  mentioning?: readonly string[]
  /** A line longer than this is reported, not buffered. */
  maxLineBytes: number
}

/** The line number a sorted piece starts at, and what to say of a line too long. */
function numberer(maxLineBytes: number) {
  let base = 0
  const limit = `longer than ${Math.round(maxLineBytes / 2 ** 20)} MB`
  return (piece: SortedBlock | { overlong: true; mayBeKeyEvent: boolean }, into: SortedLines): void => {
    if ('overlong' in piece) {
      base++
      into.unreadable.push(
        piece.mayBeKeyEvent
          ? {
              line: base,
              reason: `${limit}, too long to read, and it holds what may be an API key event`,
              keyEvent: true
            }
          : { line: base, reason: `${limit}: not an audit-log event` }
      )
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
function unterminated(bytes: Buffer): SortedBlock {
  const text = trimBlank(bytes.toString('utf8', 0, bytes.length - 1))
  return { parse: text === '' ? [] : [{ line: 1, text, unterminated: true }], lines: 1, prefiltered: 0, skipped: 0 }
}

/** The JSONL prefilter as the file source uses it: chunks in, lines to parse and counts out. */
export function createLineSorter(options: LineSorterOptions) {
  const scan = new LineScan()
  const split = createLineSplitter(options.maxLineBytes, scan)
  const sort = createBlockSorter(options, scan)
  const number = numberer(options.maxLineBytes)
  const run = (pieces: Piece[]): SortedLines => {
    const out: SortedLines = { parse: [], unreadable: [], prefiltered: 0, skipped: 0 }
    for (const piece of pieces) {
      if ('overlong' in piece) number(piece, out)
      else if (piece.unterminated) number(unterminated(piece.bytes), out)
      else number(sort(piece.bytes, piece.start, piece.end), out)
    }
    return out
  }
  return { push: (chunk: Buffer) => run(split.push(chunk)), end: () => run(split.end()) }
}
