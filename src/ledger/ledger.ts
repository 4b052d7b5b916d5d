// The coverage ledger as values: the windows of the audit log read completely (merged), when
// the watch began, and the gaps with why each exists; the window a run reads from it; and
// what a run adds to it. Pure: the status issue (status-issue.ts) reads and writes it.
import { LEDGER_KEEP_SECONDS, type Interval } from '../model/index.js'
import { union, uncovered, within } from './intervals.js'

/** Why a span was not read: a run that failed, a refusal, issues not filed, or beyond max-catch-up. */
export type GapKind = 'failed' | 'refused' | 'not-filed' | 'beyond-max-catch-up'

export const GAP_KINDS: readonly GapKind[] = ['failed', 'refused', 'not-filed', 'beyond-max-catch-up']

/** A span not read completely, why, and when a run said so (Unix seconds). */
export interface Gap extends Interval {
  kind: GapKind
  /** In the run's words (scrubbed of secrets, cut): what failed or was refused. */
  why: string
  at: number
}

export interface Ledger {
  /** Where the watch began: the start of the first window a scheduled run read (lookback, not a backfill). Gaps count from here. */
  since?: number
  /** The windows read completely: a union, sorted. */
  covered: Interval[]
  /** The window of the last complete read. */
  last?: Interval
  /** The spans not read and why, newest noted last. */
  gaps: Gap[]
}

/** How far back the ledger keeps its record, and how many entries: its size is bounded whatever happens. */
export const LEDGER_BOUNDS = { keepSeconds: LEDGER_KEEP_SECONDS, intervals: 200, gaps: 50 }

export const EMPTY_LEDGER: Ledger = { covered: [], gaps: [] }

/** The window a scheduled run reads, and what it catches up or leaves out. */
export interface LedgerWindow extends Interval {
  /** Seconds before now - lookback the window reaches back to, to read what was missed. */
  caughtUp: number
  /** The missed spans older than the window's start (beyond max-catch-up): reported, not read. */
  beyond: Interval[]
}

/**
 * The window of a scheduled run at `now`: from the earlier of now - lookback and the first
 * second since the watch began that no complete read covers, reaching back at most
 * max-catch-up; up to now. A hole left by a failed run is read again; one older than
 * max-catch-up is reported. A ledger with no watch yet gives now - lookback.
 */
export function nextWindow(
  ledger: Ledger | undefined,
  clock: { now: number; lookback: number; maxCatchUp: number }
): LedgerWindow {
  const { now, lookback, maxCatchUp } = clock
  const base = now - lookback
  if (!ledger || ledger.since === undefined || ledger.since >= now)
    return { start: base, end: now, caughtUp: 0, beyond: [] }
  const holes = uncovered({ start: ledger.since, end: now }, ledger.covered)
  const first = holes[0]?.start ?? now
  const start = Math.max(0, Math.min(base, Math.max(first, now - maxCatchUp)))
  return { start, end: now, caughtUp: base - start, beyond: within(holes, { start: -Infinity, end: start }) }
}

/** What one run read, as the ledger records it. */
export interface RunRecord {
  window: Interval
  /** A scheduled run's window (lookback, the ledger's), not a backfill's (since/until). */
  scheduled: boolean
  /** Read completely, every key event type, and every finding filed: the window is covered. */
  covered: boolean
  /** Why not, when not covered. */
  gap?: { kind: GapKind; why: string }
  /** Missed spans the run left out (beyond max-catch-up). */
  beyond: Interval[]
  /** When the run ran (Unix seconds). */
  at: number
}

/** The words of a gap beyond max-catch-up: what it is and what to do. */
export function beyondWords(maxCatchUp: string): string {
  return `missed, and older than max-catch-up (${maxCatchUp}) when a run caught up: not read; backfill it with since/until`
}

/** The ledger with one run's record added: its window covered, or noted as a gap. */
export function recordRun(ledger: Ledger, run: RunRecord, maxCatchUp: string): Ledger {
  const gaps = [...ledger.gaps]
  if (!run.covered && run.gap) gaps.push({ ...run.window, ...run.gap, at: run.at })
  for (const span of run.beyond)
    gaps.push({ ...span, kind: 'beyond-max-catch-up', why: beyondWords(maxCatchUp), at: run.at })
  const since =
    run.scheduled && (ledger.since === undefined || run.window.start < ledger.since) ? run.window.start : ledger.since
  return normalised(
    {
      since,
      covered: run.covered ? [...ledger.covered, run.window] : ledger.covered,
      last: run.covered ? run.window : ledger.last,
      gaps
    },
    run.at
  )
}

/** Two records of the ledger as one: the union of what each says was read (two runs at once keep both). */
export function mergeLedgers(a: Ledger, b: Ledger, now: number): Ledger {
  const since = [a.since, b.since].filter((s): s is number => s !== undefined)
  const last = [a.last, b.last].filter((l): l is Interval => l !== undefined).sort((x, y) => y.end - x.end)[0]
  return normalised(
    {
      since: since.length ? Math.min(...since) : undefined,
      covered: [...a.covered, ...b.covered],
      last,
      gaps: [...a.gaps, ...b.gaps]
    },
    now
  )
}

/**
 * The ledger in its one form: coverage merged, nothing older than the kept past, no gap
 * note for what has been read since (the rest of it kept), one note per span and kind, and
 * at most so many entries, the oldest dropped first (dropping coverage only makes runs read more).
 */
export function normalised(ledger: Ledger, now: number): Ledger {
  const past = now - LEDGER_BOUNDS.keepSeconds
  const covered = within(union(ledger.covered), { start: past, end: Infinity }).slice(-LEDGER_BOUNDS.intervals)
  const seen = new Set<string>()
  const gaps: Gap[] = []
  for (const gap of [...ledger.gaps].sort((x, y) => x.at - y.at)) {
    for (const part of uncovered(gap, covered).filter((part) => part.end > past)) {
      const key = `${part.start}-${part.end}-${gap.kind}`
      if (seen.has(key)) continue
      seen.add(key)
      gaps.push({ ...gap, start: Math.max(part.start, past), end: part.end })
    }
  }
  const since = ledger.since === undefined ? undefined : Math.max(ledger.since, past)
  const last = ledger.last && ledger.last.end > past ? ledger.last : undefined
  return {
    ...(since !== undefined ? { since } : {}),
    covered,
    ...(last ? { last } : {}),
    gaps: gaps.slice(-LEDGER_BOUNDS.gaps)
  }
}

/** The spans since the watch began that no complete read covers, each with the notes that say why. */
export function holesOf(ledger: Ledger, now: number): { hole: Interval; gaps: Gap[] }[] {
  if (ledger.since === undefined) return []
  return uncovered({ start: ledger.since, end: now }, ledger.covered).map((hole) => ({
    hole,
    gaps: ledger.gaps.filter((gap) => gap.start < hole.end && gap.end > hole.start)
  }))
}
