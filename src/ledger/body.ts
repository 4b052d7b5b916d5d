// The status issue's body: for people, the last complete read, the coverage, the gaps and
// why, and the next window; for the next run, a hidden, versioned block of the same record,
// with a digest that tells a hand edit from the action's. Parsing takes any text GitHub may
// hold (a person may have edited or emptied it) and says what is wrong instead of throwing.
import { createHash } from 'node:crypto'
import type { Interval } from '../model/index.js'
import { markdownText, table, timeCell } from '../markdown/markdown.js'
import { plural, span } from '../text.js'
import { GAP_KINDS, holesOf, LEDGER_BOUNDS, type Gap, type GapKind, type Ledger } from './ledger.js'

/** The hidden marker that makes an issue the status issue (with the label and the action's authorship). */
export const LEDGER_MARKER = '<!-- openai-keywatch:ledger -->'
// A body edited on github.com comes back with CRLF line ends.
const MARKER_LINE = /^<!-- openai-keywatch:ledger -->\r?$/m
const DATA_LINE = /^<!-- openai-keywatch:ledger-data v(\d{1,4}) ([A-Za-z0-9_-]{0,60000}) ([0-9a-f]{64}) -->\r?$/gm

/** The version of the block this code writes and reads. */
export const LEDGER_VERSION = 1

export const LEDGER_TITLE = 'OpenAI keywatch: audit-log coverage (status)'

/** GitHub's limit of an issue body; a longer text is not one the action wrote. */
const BODY_LIMIT = 65_536

/** Whether a body carries the status issue's marker. */
export function isLedgerBody(body: string | null | undefined): boolean {
  return typeof body === 'string' && MARKER_LINE.test(body)
}

type Wire = {
  v: number
  since?: number
  covered: [number, number][]
  last?: [number, number]
  gaps: [number, number, GapKind, string, number][]
}

function digest(data: string): string {
  return createHash('sha256').update(`openai-keywatch:ledger:${data}`, 'utf8').digest('hex')
}

/** The hidden block: the record as base64url JSON, and its digest. */
export function dataLine(ledger: Ledger): string {
  const wire: Wire = {
    v: LEDGER_VERSION,
    ...(ledger.since !== undefined ? { since: ledger.since } : {}),
    covered: ledger.covered.map((i) => [i.start, i.end]),
    ...(ledger.last ? { last: [ledger.last.start, ledger.last.end] as [number, number] } : {}),
    gaps: ledger.gaps.map((g) => [g.start, g.end, g.kind, g.why, g.at])
  }
  const data = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url')
  return `<!-- openai-keywatch:ledger-data v${LEDGER_VERSION} ${data} ${digest(data)} -->`
}

/** A record read back, or what is wrong with it, in words. */
export type ParsedLedger = { ledger: Ledger } | { problem: string }

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

function interval(value: unknown): Interval | undefined {
  if (!Array.isArray(value) || value.length !== 2 || !isTime(value[0]) || !isTime(value[1])) return undefined
  return value[0] < value[1] ? { start: value[0], end: value[1] } : undefined
}

function gap(value: unknown): Gap | undefined {
  if (!Array.isArray(value) || value.length !== 5) return undefined
  const [start, end, kind, why, at] = value as unknown[]
  const span = interval([start, end])
  if (!span || !GAP_KINDS.includes(kind as GapKind) || typeof why !== 'string' || why.length > 1000 || !isTime(at))
    return undefined
  return { ...span, kind: kind as GapKind, why, at }
}

/** The record of a wire object, or undefined when any part of it is not what this code writes. */
function fromWire(wire: unknown): Ledger | undefined {
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) return undefined
  const { since, covered, last, gaps } = wire as Record<string, unknown>
  if (since !== undefined && !isTime(since)) return undefined
  if (!Array.isArray(covered) || covered.length > LEDGER_BOUNDS.intervals) return undefined
  if (!Array.isArray(gaps) || gaps.length > LEDGER_BOUNDS.gaps) return undefined
  const intervals = covered.map(interval)
  const notes = gaps.map(gap)
  const lastRead = last === undefined ? undefined : interval(last)
  if (intervals.includes(undefined) || notes.includes(undefined) || (last !== undefined && !lastRead)) return undefined
  return {
    ...(since !== undefined ? { since: since as number } : {}),
    covered: intervals as Interval[],
    ...(lastRead ? { last: lastRead } : {}),
    gaps: notes as Gap[]
  }
}

/** The record a status issue's body holds; a problem, in words, for anything else. */
export function parseLedger(body: string | null | undefined): ParsedLedger {
  if (typeof body !== 'string' || body.trim() === '') return { problem: 'its body is empty' }
  if (body.length > BODY_LIMIT) return { problem: `its body is ${body.length} characters, more than GitHub holds` }
  const lines = [...body.matchAll(DATA_LINE)]
  if (lines.length === 0)
    return { problem: 'its body has no record of the coverage (the hidden ledger-data line is gone)' }
  if (lines.length > 1)
    return { problem: `its body has ${lines.length} ledger-data lines, where the action writes one` }
  const [, version, data, sum] = lines[0]!
  if (Number(version) !== LEDGER_VERSION)
    return {
      problem: `its record is version ${version}, which this version of the action (${LEDGER_VERSION}) does not read`
    }
  if (digest(data!) !== sum) return { problem: 'its record was edited (its digest does not match)' }
  let wire: unknown
  try {
    wire = JSON.parse(Buffer.from(data!, 'base64url').toString('utf8'))
  } catch {
    return { problem: 'its record is not valid JSON' }
  }
  const ledger = fromWire(wire)
  return ledger ? { ledger } : { problem: 'its record holds values the action does not write' }
}

const GAP_WORDS: Record<GapKind, string> = {
  failed: 'a run could not read it',
  refused: 'the API refused part of it',
  'not-filed': 'read, but its findings were not all filed',
  'beyond-max-catch-up': 'beyond max-catch-up'
}

/** A note's words in a gap's row: why, when it was said, and its own span when it is not the whole gap's. */
function noteWords(gap: Gap, hole: Interval): string {
  const part = gap.start > hole.start || gap.end < hole.end ? ` ${timeCell(gap.start)} to ${timeCell(gap.end)}` : ''
  return `${GAP_WORDS[gap.kind]}${part} (said ${timeCell(gap.at)}): ${markdownText(gap.why, 400)}`
}

function gapRows(ledger: Ledger, now: number): string[][] {
  return holesOf(ledger, now).map(({ hole, gaps }) => {
    const why = gaps.length
      ? gaps.map((gap) => noteWords(gap, hole)).join('<br>')
      : 'no complete read covers it yet: the next run reads it'
    return [timeCell(hole.start), timeCell(hole.end), span(hole.end - hole.start), why]
  })
}

/** Where the next scheduled run starts, in words: the first second not read since the watch began, or the lookback. */
function nextWords(ledger: Ledger, words: LedgerWords, now: number): string {
  const lookback = `now − lookback (${markdownText(words.lookback, 20)})`
  const first = holesOf(ledger, now)[0]?.hole.start ?? ledger.covered.at(-1)?.end
  const from =
    ledger.since === undefined || first === undefined
      ? lookback
      : `${timeCell(first)} (the first second not read completely) or ${lookback}, whichever is earlier`
  return `from ${from}, to the time of the next run, reaching back at most max-catch-up (${markdownText(words.maxCatchUp, 20)})`
}

/** The words of the settings the next window depends on. */
export interface LedgerWords {
  lookback: string
  maxCatchUp: string
}

/** The most characters the action writes in the body, below GitHub's limit. */
export const BODY_BUDGET = 60_000

/**
 * The status issue's body: the record for people, and for the next run; within what GitHub
 * holds, the oldest gap notes (then intervals) dropped first when it would not fit. Dropping
 * a note loses a reason, never a gap; dropping coverage only makes runs read more.
 */
export function renderLedger(ledger: Ledger, words: LedgerWords, now: number): string {
  let fitted = ledger
  let body = bodyOf(fitted, words, now)
  while (body.length > BODY_BUDGET && (fitted.gaps.length > 0 || fitted.covered.length > 0)) {
    fitted =
      fitted.gaps.length > 0
        ? { ...fitted, gaps: fitted.gaps.slice(1) }
        : { ...fitted, covered: fitted.covered.slice(1) }
    body = bodyOf(fitted, words, now)
  }
  return body
}

function bodyOf(ledger: Ledger, words: LedgerWords, now: number): string {
  const lines = [
    LEDGER_MARKER,
    '## Audit-log coverage',
    'openai-keywatch keeps here the windows of the OpenAI audit log it has read completely, so that a run after a ' +
      'missed or failed one reads what was missed. Each run edits this body (an edit notifies nobody); it is never closed ' +
      'by the action. Do not edit it: a record edited by hand is not read, and the next run falls back to its lookback. ' +
      'Closing it does not stop it (the next run reopens it): set `ledger: false` for that. See docs/ledger.md.',
    [
      `- **Last complete read:** ${ledger.last ? `${timeCell(ledger.last.start)} to ${timeCell(ledger.last.end)} (${span(ledger.last.end - ledger.last.start)})` : 'none yet'}`,
      `- **Watched since:** ${ledger.since !== undefined ? timeCell(ledger.since) : 'no scheduled run has read a window yet'}`,
      `- **Next window:** ${nextWords(ledger, words, now)}`
    ].join('\n'),
    `### Read completely (the last ${span(LEDGER_BOUNDS.keepSeconds)}, UTC, from inclusive, to exclusive)`,
    ledger.covered.length
      ? table(
          ['From', 'To', 'Span'],
          ledger.covered.map((i) => [timeCell(i.start), timeCell(i.end), span(i.end - i.start)])
        )
      : 'Nothing yet.'
  ]
  const gaps = gapRows(ledger, now)
  lines.push(`### Gaps: ${gaps.length ? plural(gaps.length, 'gap') : 'none'}`)
  lines.push(
    gaps.length ? table(['From', 'To', 'Span', 'Why'], gaps) : 'Every second since the watch began has been read.'
  )
  lines.push(dataLine(ledger))
  return `${lines.join('\n\n')}\n`
}
