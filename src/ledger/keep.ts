// A run's use of the ledger, in two steps around the scan: before it, the status issue is
// read (within a time limit) and gives a scheduled run its window; after the scan and the
// issues, what the run read is written back, once. Each step says what it did in a
// LedgerNote for the report; neither throws: a ledger that fails costs a longer read next
// time, never the run.
import type { Interval, LedgerNote } from '../model/index.js'
import { renderLedger, type LedgerWords } from './body.js'
import { union, uncovered } from './intervals.js'
import { EMPTY_LEDGER, mergeLedgers, nextWindow, recordRun, type GapKind, type LedgerWindow } from './ledger.js'
import { readLedger, writeLedger, type LedgerRead, type LedgerTarget } from './status-issue.js'
import { cut, isoTime, span } from '../text.js'

export interface LedgerOptions {
  target: LedgerTarget
  /** Seconds. */
  lookback: number
  maxCatchUp: number
  words: LedgerWords
  dryRun: boolean
}

/** What the read before the scan gave: the window, and what to write back after it. */
export interface LedgerPlan {
  options: LedgerOptions
  now: number
  window: Interval
  /** Whether the window is a scheduled run's (lookback; the ledger may widen it), not a backfill's. */
  scheduled: boolean
  read: LedgerRead
  next?: LedgerWindow
  note: LedgerNote
}

/** Spans of `beyond` that no earlier run has reported already: only those are warned about. */
function newlyBeyond(read: LedgerRead, beyond: readonly Interval[]): Interval[] {
  const said = union((read.ledger?.gaps ?? []).filter((gap) => gap.kind === 'beyond-max-catch-up'))
  return beyond.flatMap((part) => uncovered(part, said))
}

/**
 * Reads the ledger and gives the run its window: for a scheduled run, from where complete
 * coverage ends (nextWindow); for a backfill, its own. A ledger that cannot be read leaves
 * the window as it is (the lookback), said once with why.
 */
export async function planFromLedger(
  options: LedgerOptions,
  run: { now: number; window: Interval; scheduled: boolean },
  warn: (line: string) => void
): Promise<LedgerPlan> {
  const read = await readLedger(options.target, run.now)
  const note: LedgerNote = {
    caughtUp: 0,
    beyond: [],
    written: options.dryRun ? 'dry-run' : 'pending',
    notes: [...read.notes],
    ...(read.issue ? { issue: { number: read.issue.number, url: read.issue.url } } : {})
  }
  for (const line of read.notes) warn(line)
  if (read.problem) {
    note.unread = read.problem
    warn(
      `The coverage ledger could not be read: ${read.problem}. This run reads its ${run.scheduled ? `lookback (${options.words.lookback})` : 'window'} only; anything missed before it is read again once the ledger can be read.`
    )
  }
  const plan: LedgerPlan = { options, now: run.now, window: run.window, scheduled: run.scheduled, read, note }
  if (!run.scheduled || !read.ledger) return plan
  const next = nextWindow(read.ledger, { now: run.now, lookback: options.lookback, maxCatchUp: options.maxCatchUp })
  note.caughtUp = next.caughtUp
  note.beyond = next.beyond
  for (const part of newlyBeyond(read, next.beyond)) {
    warn(
      `The audit log from ${isoTime(part.start, true)} to ${isoTime(part.end, true)} (${span(part.end - part.start)}) was missed and is older than max-catch-up (${options.words.maxCatchUp}): it was not read. Backfill it with since and until.`
    )
  }
  return { ...plan, window: { start: next.start, end: next.end }, next }
}

/** What the run's read came to, for the ledger: its window covered, or a gap and why. */
export type RunOutcome = { covered: true } | { covered: false; kind: GapKind; why: string }

/** Writes back what the run read (nothing in a dry run); the note of the whole run. */
export async function keepLedger(
  plan: LedgerPlan,
  outcome: RunOutcome,
  warn: (line: string) => void
): Promise<LedgerNote> {
  const { options, now } = plan
  const adds = { covered: outcome.covered, window: plan.window, ...(outcome.covered ? {} : { why: outcome.why }) }
  const base: LedgerNote = { ...plan.note, adds }
  if (options.dryRun) return { ...base, written: 'dry-run' }
  const record = {
    window: plan.window,
    scheduled: plan.scheduled,
    covered: outcome.covered,
    ...(outcome.covered ? {} : { gap: { kind: outcome.kind, why: cut(outcome.why, 300) } }),
    beyond: plan.next?.beyond ?? [],
    at: now
  }
  const written = await writeLedger(
    options.target,
    (current) =>
      recordRun(mergeLedgers(current, plan.read.ledger ?? EMPTY_LEDGER, now), record, options.words.maxCatchUp),
    (ledger) => renderLedger(ledger, options.words, now),
    now
  )
  const fresh = written.notes.filter((line) => !plan.note.notes.includes(line))
  for (const line of fresh) warn(line)
  return {
    ...base,
    ...(written.issue ? { issue: written.issue } : {}),
    written: written.action,
    notes: [...plan.note.notes, ...fresh]
  }
}
