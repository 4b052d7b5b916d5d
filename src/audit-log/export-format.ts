// What an export is, from its first bytes: pure, over a bounded prefix. UTF-8 JSONL, a JSON
// array, a saved list response, or something the run cannot read (nothing, UTF-16 text, NUL
// bytes, an HTML page). This is also the one place a UTF-8 byte-order mark is read: at the
// very start of the text, and nowhere else, for every format alike.

/** How much of a file's start tells its format. */
export const SNIFF_BYTES = 1 << 20

export type Format = 'jsonl' | 'array' | 'list' | 'empty' | 'utf16' | 'binary' | 'html'

/** What the start of an export says: its format, and where its text begins (after a byte-order mark). */
export interface Sniffed {
  format: Format
  textStart: number
}

const NEWLINE = 0x0a
const OPEN_BRACE = 0x7b
const OPEN_BRACKET = 0x5b
const LESS_THAN = 0x3c
const UTF8_BOM = [0xef, 0xbb, 0xbf]

function isBlank(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d || byte === NEWLINE
}

/**
 * `text` without the blanks JSON allows around a value (space, tab, CR, LF) at either end.
 * Not String.prototype.trim, which drops U+FEFF (and other spaces JSON does not allow) too.
 */
export function trimBlank(text: string): string {
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '')
}

/** The length of the UTF-8 byte-order mark that starts `bytes`: 3, or 0 when there is none. */
export function bomLength(bytes: Uint8Array): number {
  return UTF8_BOM.every((byte, index) => bytes[index] === byte) ? UTF8_BOM.length : 0
}

/**
 * A first line that opens an object without closing it on the same line, and whose first
 * key is one a list response has, is the start of a pretty-printed list response.
 * A first line that is a whole object is JSONL (a list response saved on one line is unwrapped there).
 */
function looksLikeDocumentStart(line: string): boolean {
  if (line === '{') return true
  if (!/^\{\s*"(object|data|first_id|last_id|has_more)"\s*:/.test(line)) return false
  try {
    JSON.parse(line)
    return false
  } catch {
    return true
  }
}

/**
 * The format of an export from `prefix`, its first bytes (all of them when `whole`): its
 * first non-blank byte and the rest of that line, within SNIFF_BYTES. Undefined while more
 * bytes are needed to tell. Past SNIFF_BYTES the file is read as JSONL, whose reader skips
 * blank lines at any length: the work is bounded however the file starts (a megabyte of
 * newlines, or a gigabyte).
 */
export function sniffFormat(prefix: Buffer, whole: boolean): Sniffed | undefined {
  const textStart = bomLength(prefix)
  const sniffed = (format: Format): Sniffed => ({ format, textStart })
  // UTF-16 (what Windows PowerShell's > writes) starts with its byte-order mark; UTF-16
  // without one, UTF-32 and binary files hold NUL bytes, which UTF-8 JSON never does.
  if ((prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff)) return sniffed('utf16')
  const nul = prefix.indexOf(0)
  const firstNewline = prefix.indexOf(NEWLINE)
  if (nul !== -1 && (firstNewline === -1 || nul < firstNewline)) return sniffed('binary')
  let first = textStart
  while (first < prefix.length && isBlank(prefix[first])) first++
  const newline = first < prefix.length ? prefix.indexOf(NEWLINE, first) : -1
  if (first < prefix.length && (prefix[first] === OPEN_BRACKET || newline !== -1 || prefix.length >= SNIFF_BYTES)) {
    if (prefix[first] === OPEN_BRACKET) return sniffed('array')
    if (prefix[first] === LESS_THAN) return sniffed('html')
    if (prefix[first] !== OPEN_BRACE) return sniffed('jsonl')
    // A first line longer than the prefix is looked at as far as the prefix goes.
    const line = trimBlank(
      prefix.subarray(first, newline === -1 ? Math.min(prefix.length, first + SNIFF_BYTES) : newline).toString('utf8')
    )
    return sniffed(looksLikeDocumentStart(line) ? 'list' : 'jsonl')
  }
  if (prefix.length >= SNIFF_BYTES) return sniffed('jsonl')
  if (!whole) return undefined
  const text = trimBlank(prefix.toString('utf8', textStart))
  if (text === '') return sniffed('empty')
  if (text.startsWith('<')) return sniffed('html')
  return sniffed(looksLikeDocumentStart(trimBlank(text.split('\n')[0]!)) ? 'list' : 'jsonl')
}
