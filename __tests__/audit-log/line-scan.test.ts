// The prefilter's pass over the bytes runs in WebAssembly (line-scan.wat). It must decide what
// the JavaScript prefilter decided at 61c6127 (support/reference-sorter.ts), line for line:
// which lines are handed on to be parsed, which are counted, and, for a line too long to
// keep, whether it may hold a key event. Both are run on lines made of the pieces that
// matter (every spelling of "key" and of its verbs, separators, JSON escapes of each kind,
// braces, blanks, list responses, effective_at fields, an identity's mentions), fed in reads
// cut at random places.
import { MAX_SEPARATORS } from '../../src/audit-log/key-types.js'
import { createLineSorter, type LineSorterOptions, type SortedLines } from '../../src/audit-log/line-sorter.js'
import { createLineSorter as createReferenceSorter, mayHoldKeyType } from '../support/reference-sorter.js'

const PIECES = [
  'key',
  'KEY',
  'Key',
  'kEy',
  'KeY',
  'api_',
  'key_',
  'key"',
  'k',
  'e',
  'y',
  '.',
  '_',
  '-',
  ':',
  '/',
  ' ',
  '._-:/ ._',
  '_\\u005f_-._/',
  '\t',
  '\r',
  'created',
  'CREATED',
  'Updated',
  'deLETed',
  'create',
  'updat',
  'cre\\u0061ted',
  'dele\\u0074ed',
  '\\u005f',
  '\\u002e',
  '\\u0020',
  '\\u0065',
  '\\u0045',
  '\\u006b',
  '\\u004B',
  '\\u0079',
  '\\u00e9',
  '\\u00',
  '\\u12',
  '\\uZZZZ',
  '\\\\',
  '\\"',
  '\\n',
  '\\',
  '"',
  '{',
  '}',
  '[',
  ']',
  ',',
  '{"object":"list"',
  '{"object":"lis',
  '"effective_at":1790000000',
  '"effective_at": 1690000000,',
  '"effective_at":"1790000000"',
  '\ufeff',
  'user-abc',
  'ann@example.com',
  // A mention with what a regular expression would read as syntax, and text it would then match.
  'a.b*(c)|d',
  'aXbc',
  'd',
  'é',
  'x',
  'monkey',
  'KEYS',
  '\n'
]

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** A text of lines made of random pieces; most lines shaped like one object, some not. */
function text(rand: () => number): string {
  const lines: string[] = []
  const count = 1 + Math.floor(rand() * 12)
  for (let line = 0; line < count; line++) {
    const parts: string[] = []
    const length = Math.floor(rand() * 14)
    for (let i = 0; i < length; i++) parts.push(PIECES[Math.floor(rand() * PIECES.length)]!)
    const body = parts.join('')
    const shape = rand()
    lines.push(shape < 0.6 ? `{"a":"${body}"}` : shape < 0.75 ? `  {${body}}\t` : shape < 0.85 ? '' : body)
  }
  return `${lines.join('\n')}\n`
}

const windows: Omit<LineSorterOptions, 'maxLineBytes'>[] = [
  {},
  { since: 1_700_000_000 },
  { until: 1_800_000_000 },
  { since: 1_600_000_000, until: 1_750_000_000 },
  { mentioning: ['user-abc', 'ann@example.com'] },
  { mentioning: ['user-abc'], since: 1_700_000_000 },
  { mentioning: ['a.b*(c)|d', 'ann@example.com', 'é'] }
]

/** What a sorter made of `bytes`, pushed in reads cut at `cuts`, then ended. */
function sortAll(
  sorter: { push(chunk: Buffer): SortedLines; end(): SortedLines },
  bytes: Buffer,
  cuts: number[]
): SortedLines {
  const out: SortedLines = { parse: [], unreadable: [], prefiltered: 0, skipped: 0 }
  const add = (sorted: SortedLines): void => {
    out.parse.push(...sorted.parse)
    out.unreadable.push(...sorted.unreadable)
    out.prefiltered += sorted.prefiltered
    out.skipped += sorted.skipped
  }
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    // Each read a buffer of its own, reused after: what is kept across reads must be a copy.
    const chunk = Buffer.from(bytes.subarray(from, cut))
    add(sorter.push(chunk))
    chunk.fill(0x7a)
    from = cut
  }
  add(sorter.end())
  return out
}

describe('the prefilter in WebAssembly', () => {
  it('hands on and counts the lines the JavaScript prefilter did: with and without a window or mentions, in reads cut anywhere', () => {
    const rand = random(16)
    let parsed = 0
    let skipped = 0
    let cutLines = 0
    for (let round = 0; round < 6000; round++) {
      const window = windows[round % windows.length]!
      // Now and then an unterminated last line: the export cut short.
      let body = text(rand)
      if (rand() < 0.1) body = body.trimEnd()
      const bytes = Buffer.from(body)
      const cuts = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * bytes.length)).sort(
        (a, b) => a - b
      )
      // A limit some lines pass: a line too long is reported, by both, the same way.
      const options = { ...window, maxLineBytes: rand() < 0.2 ? 24 : 1 << 20 }
      const expected = sortAll(createReferenceSorter(options), bytes, cuts)
      const got = sortAll(createLineSorter(options), bytes, cuts)
      expect({ body, cuts, options, got }).toEqual({ body, cuts, options, got: expected })
      parsed += expected.parse.length
      skipped += expected.skipped
      if (cuts.length > 0) cutLines += expected.parse.length
    }
    // Each kind was made in numbers: the comparison is not of empty lists.
    expect(parsed).toBeGreaterThan(5000)
    expect(skipped).toBeGreaterThan(2000)
    expect(cutLines).toBeGreaterThan(2000)
  })

  it('reads as many separators between "key" and its verb as key-types.ts allows, and no more', () => {
    const lines: string[] = []
    for (const separator of ['.', '_', '-', ':', '/', ' ', '\\u005f', '\\u002E', '=', '\\u003d'])
      for (let count = 0; count <= MAX_SEPARATORS + 1; count++)
        lines.push(`{"type":"api_KEY${separator.repeat(count)}Deleted"}`)
    const bytes = Buffer.from(`${lines.join('\n')}\n`)
    const expected = createReferenceSorter({ maxLineBytes: 1 << 20 }).push(bytes)
    const got = createLineSorter({ maxLineBytes: 1 << 20 }).push(bytes)
    expect(got.parse).toEqual(expected.parse)
    // Six separators, each up to the most, then two that are none ("=").
    expect(got.parse).toHaveLength(8 * (MAX_SEPARATORS + 1) + 2)
  })

  it('numbers the lines of a block sorted in several calls (more lines handed back than it has room for)', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) =>
      i % 3 === 0 ? `{"type":"api_key.created","n":${i}}` : `{"effective_at":${1_790_000_000 + i}}`
    )
    const bytes = Buffer.from(`${lines.join('\n')}\n`)
    for (const window of [{}, { since: 1_790_005_000 }, { mentioning: ['"n":9'] }]) {
      const expected = createReferenceSorter({ ...window, maxLineBytes: 1 << 20 }).push(bytes)
      const sorter = createLineSorter({ ...window, maxLineBytes: 1 << 20 })
      const got = sorter.push(bytes)
      expect(got.parse).toEqual(expected.parse)
      expect([got.prefiltered, got.skipped]).toEqual([expected.prefiltered, expected.skipped])
    }
  })

  it('finds the mentions in a block larger than the window it reads them in, where they straddle its edges', () => {
    // The mentions are read 60 KiB at a time (line-sorter.ts MENTION_WINDOW), the first window
    // from the first line: one across its edge, more every 60 KiB after (across or near the
    // edges of the windows that follow), in lines of every length around them, in reads cut
    // anywhere. (Seen to fail with the window's overlap taken out.)
    const window = 60 << 10
    const mention = 'user-0123456789ab'
    const rand = random(20)
    for (let round = 0; round < 40; round++) {
      let text = ''
      for (let edge = window; edge < 6 * window; edge += window) {
        // Filler lines up to a little before the edge, then a line with the mention across it.
        const shift = 1 + Math.floor(rand() * (mention.length - 1))
        while (text.length < edge - shift - 40) {
          const pad = Math.min(edge - shift - 40 - text.length, 1 + Math.floor(rand() * 900))
          text += `{"a":"${'x'.repeat(Math.max(0, pad - 9))}"}\n`
        }
        text += `{"b":"${'y'.repeat(edge - shift - text.length - 6)}${mention}"}\n`
      }
      const bytes = Buffer.from(text)
      const cuts = rand() < 0.5 ? [] : [Math.floor(rand() * bytes.length)]
      const options = { mentioning: [mention], maxLineBytes: 1 << 20 }
      const expected = sortAll(createReferenceSorter(options), bytes, cuts)
      expect(sortAll(createLineSorter(options), bytes, cuts)).toEqual(expected)
      expect(expected.parse).toHaveLength(5)
    }
  })

  it('says of a line too long to keep what the JavaScript prefilter said', () => {
    const rand = random(18)
    let keyEvents = 0
    for (let round = 0; round < 3000; round++) {
      const line = text(rand).replaceAll('\n', ' ').trimEnd()
      const bytes = Buffer.from(line)
      if (bytes.length < 2) continue
      const sorter = createLineSorter({ maxLineBytes: 1 })
      const unreadable = [...sorter.push(bytes).unreadable, ...sorter.push(Buffer.from('\n')).unreadable]
      const holds = mayHoldKeyType(bytes, 0, bytes.length)
      expect({ line, keyEvent: unreadable[0]?.keyEvent === true }).toEqual({ line, keyEvent: holds })
      if (holds) keyEvents++
    }
    expect(keyEvents).toBeGreaterThan(300)
  })

  it('sorts a line that spans two reads, and a block larger than its memory at first', () => {
    const key = `{"type":"api_key.created","pad":"${'x'.repeat(3 << 20)}"}`
    const sorter = createLineSorter({ maxLineBytes: 16 << 20 })
    const first = sorter.push(Buffer.from(`{"a":1}\n${key.slice(0, 1000)}`))
    const second = sorter.push(Buffer.from(`${key.slice(1000)}\n{"b":2}\n`))
    expect(first.parse).toEqual([])
    expect(second.parse.map((line) => line.line)).toEqual([2])
    expect(second.parse[0]!.text).toBe(key)
    expect(first.prefiltered + second.prefiltered).toBe(2)
  })
})
