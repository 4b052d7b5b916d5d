// The JavaScript prefilter as it was before its pass over the bytes moved into WebAssembly
// (line-sorter.ts at 61c6127, unchanged but for its imports): the oracle that
// audit-log/line-scan.test.ts compares the WebAssembly prefilter with, line for line, on
// generated text cut into reads at random places.
// The JSONL prefilter: splits bytes into lines and sorts each line into "must be parsed"
// or "cannot be a key event" (only counted). A line is skipped only when its bytes prove it
// is one well-formed JSON object that cannot be a key event:
// - no key event type in any spelling the scan reads (key-types.ts): every one holds "key",
//   written key, KEY or Key, then separators and created, updated or deleted. Those three
//   words are searched for across the whole block at native speed, and each place one is
//   found is looked at; most lines have none, and cost one search for their newline;
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
import { trimBlank } from '../../src/audit-log/export-format.js'
import { KEY_SPELLINGS, KEY_VERBS, MAX_SEPARATORS, SEPARATOR_BYTES } from '../../src/audit-log/key-types.js'

const NEWLINE = 0x0a
const BACKSLASH = 0x5c
/**
 * What is searched for: "key" as written. KEY is found by its last two bytes, EY: a search
 * runs at the speed of its first byte's rarity, and K is common in logs (user agents say
 * "KHTML"), E is not. `lead`: the bytes of the spelling before the needle.
 */
const KEY_NEEDLES = KEY_SPELLINGS.map((spelling) =>
  spelling === 'KEY'
    ? { bytes: Buffer.from('EY'), lead: 1, first: 0x4b }
    : { bytes: Buffer.from(spelling), lead: 0, first: 0 }
)
const VERBS = KEY_VERBS.map((verb) => Buffer.from(verb))

const isBlank = (byte: number | undefined): boolean =>
  byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE

const hexValue = (byte: number | undefined): number =>
  byte === undefined
    ? -1
    : byte >= 0x30 && byte <= 0x39
      ? byte - 0x30
      : byte >= 0x61 && byte <= 0x66
        ? byte - 0x57
        : byte >= 0x41 && byte <= 0x46
          ? byte - 0x37
          : -1

/** The character at `at` (a JSON escape read as what it stands for) and where the next begins; -1 for none. */
function charAt(bytes: Buffer, at: number, end: number): [number, number] {
  if (at >= end) return [-1, at]
  const byte = bytes[at]!
  if (byte !== BACKSLASH) return [byte, at + 1]
  if (bytes[at + 1] !== 0x75 /* u */) return [bytes[at + 1] ?? -1, at + 2]
  let code = 0
  for (let i = 2; i < 6; i++) {
    const digit = hexValue(bytes[at + i])
    if (digit < 0) return [-1, at + 2]
    code = code * 16 + digit
  }
  return [code, at + 6]
}

/**
 * Does a key event type in a spelling the scan reads start with the "key" at `at`? That is:
 * up to MAX_SEPARATORS separators, then created, updated or deleted in any case, each
 * character written as it is or as a JSON escape.
 */
function keyTypeAt(bytes: Buffer, at: number, end: number): boolean {
  // Most "key"s in a log end a string ("api_key") or start an id ("key_abc"): told at once.
  const following = bytes[at + 3]
  if (following === 0x22 || following === undefined) return false
  let next = at + 3
  let [char, after] = charAt(bytes, next, end)
  for (let count = 0; count < MAX_SEPARATORS && SEPARATOR_BYTES.has(char); count++) {
    next = after
    ;[char, after] = charAt(bytes, next, end)
  }
  for (const verb of VERBS) {
    let position = next
    let index = 0
    for (; index < verb.length; index++) {
      const [letter, following] = charAt(bytes, position, end)
      // ASCII letters only: | 0x20 folds upper case onto lower.
      if (letter < 0x41 || letter > 0x7a || (letter | 0x20) !== verb[index]) break
      position = following
    }
    if (index === verb.length) return true
  }
  return false
}

/** Does a JSON escape in bytes [from, to) stand for a letter of "key" (k\u0065y), which no byte search can see? */
function escapedKeyLetter(bytes: Buffer, from: number, to: number): boolean {
  for (let at = bytes.indexOf(BACKSLASH, from); at !== -1 && at < to;) {
    const [char, next] = charAt(bytes, at, to)
    const lower = char | 0x20
    if (bytes[at + 1] === 0x75 && (lower === 0x6b || lower === 0x65 || lower === 0x79)) return true
    at = bytes.indexOf(BACKSLASH, Math.max(next, at + 1))
  }
  return false
}

/** May bytes [from, to) hold a key event type in a spelling the scan reads? For text not sorted line by line. */
export function mayHoldKeyType(bytes: Buffer, from: number, to: number): boolean {
  for (const needle of KEY_NEEDLES) {
    for (let at = bytes.indexOf(needle.bytes, from); at !== -1 && at < to; at = bytes.indexOf(needle.bytes, at + 1)) {
      if (spelled(bytes, needle, at) && keyTypeAt(bytes, at - needle.lead, to)) return true
    }
  }
  return escapedKeyLetter(bytes, from, to)
}

/** Is the needle found at `at` the spelling it stands for (the K before EY)? */
function spelled(bytes: Buffer, needle: (typeof KEY_NEEDLES)[number], at: number): boolean {
  return needle.lead === 0 || bytes[at - 1] === needle.first
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

/**
 * Whether the line [lineStart, last) of `bytes` holds one of `mentions`, or a JSON escape
 * (`backslash`: where the next one is), which could spell one; lines asked in order, each
 * mention searched for once per block and again only past where it was found.
 */
function mentionsIn(mentioning: readonly string[] = [], bytes: Buffer, start: number) {
  const mentions = mentioning.filter((text) => text !== '').map((text) => Buffer.from(text))
  // None asked for (the scan): no call per line at all.
  if (mentions.length === 0) return undefined
  const at = mentions.map((needle) => bytes.indexOf(needle, start))
  return (lineStart: number, last: number, backslash: number): boolean => {
    let found = backslash !== -1 && backslash < last
    for (let m = 0; m < mentions.length; m++) {
      if (at[m] !== -1 && at[m]! < lineStart) at[m] = bytes.indexOf(mentions[m]!, lineStart)
      if (at[m] !== -1 && at[m]! < last) found = true
    }
    return found
  }
}

function createBlockSorter(window: { since?: number; until?: number; mentioning?: readonly string[] }): BlockSorter {
  const LIST = Buffer.from('{"object":"list"')
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

  // {"object":"list",... : its 12th byte is the "l" of list, which first rules out nearly every line cheaply.
  const isListResponse = (bytes: Buffer, first: number, last: number): boolean =>
    bytes[first + 11] === 0x6c &&
    last - first > LIST.length &&
    bytes.compare(LIST, 0, LIST.length, first, first + LIST.length) === 0

  // Whole lines in bytes [start, end); `end` is just after a newline. Line numbers count from
  // 1 within the block; the caller knows where the block starts.
  return (input: Uint8Array, start: number, end: number): SortedBlock => {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    if (bytes[end - 1] !== NEWLINE) throw new Error('internal: a block of lines must end with a newline')
    const out: SortedBlock = { parse: [], lines: 0, prefiltered: 0, skipped: 0 }
    let lineNumber = 0
    // Where the next backslash and "key" (in each spelling) are: one search per find, not per line.
    let backslash = bytes.indexOf(BACKSLASH, start)
    const keys = KEY_NEEDLES.map((needle) => bytes.indexOf(needle.bytes, start))
    const mentioned = mentionsIn(window.mentioning, bytes, start)
    let lineStart = start
    while (lineStart < end) {
      // A run of empty lines is counted without a search for each.
      if (bytes[lineStart] === NEWLINE) {
        let run = lineStart
        while (run < end && bytes[run] === NEWLINE) run++
        lineNumber += run - lineStart
        lineStart = run
        continue
      }
      const newline = bytes.indexOf(NEWLINE, lineStart)
      const lineEnd = newline === -1 || newline >= end ? end : newline
      lineNumber++
      let first = lineStart
      let last = lineEnd
      while (first < last && isBlank(bytes[first])) first++
      while (last > first && isBlank(bytes[last - 1])) last--
      if (backslash !== -1 && backslash < lineStart) backslash = bytes.indexOf(BACKSLASH, lineStart)
      // Each "key" in this line is looked at once; one that starts a key event type ends the search.
      let mayBeKeyEvent = false
      for (let k = 0; k < keys.length; k++) {
        const needle = KEY_NEEDLES[k]!
        let at = keys[k]!
        if (at !== -1 && at < lineStart) at = bytes.indexOf(needle.bytes, lineStart)
        while (at !== -1 && at < last && !mayBeKeyEvent) {
          if (spelled(bytes, needle, at) && keyTypeAt(bytes, at - needle.lead, last)) mayBeKeyEvent = true
          else at = bytes.indexOf(needle.bytes, at + 1)
        }
        keys[k] = at
      }
      if (first < last) {
        const plain =
          !mayBeKeyEvent &&
          !mentioned?.(lineStart, last, backslash) &&
          bytes[first] === 0x7b &&
          bytes[last - 1] === 0x7d &&
          !isListResponse(bytes, first, last) &&
          (backslash === -1 || backslash >= last || !escapedKeyLetter(bytes, backslash, last))
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
function createLineSplitter(maxLineBytes: number) {
  let carry: Buffer[] = []
  let carried = 0
  let overlong = false
  let mayBeKeyEvent = false
  let tail = Buffer.alloc(0)
  const search = (part: Buffer): void => {
    if (mayBeKeyEvent) return
    const bytes = tail.length > 0 ? Buffer.concat([tail, part]) : part
    mayBeKeyEvent = mayHoldKeyType(bytes, 0, bytes.length)
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
  const split = createLineSplitter(options.maxLineBytes)
  const sort = createBlockSorter(options)
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
