// Coverage: which spans of the audit log a run read completely, and what the coverage
// ledger (the status issue) made of a run, for the report and the summary.

/**
 * A half-open span of the audit log, [start, end) in Unix seconds: what the Admin API reads
 * with effective_at[gte]=start and effective_at[lt]=end.
 */
export interface Interval {
  start: number
  end: number
}

/** How far back the coverage ledger keeps its record: no run catches up further (max-catch-up is at most this). */
export const LEDGER_KEEP_SECONDS = 30 * 86_400

/** What the coverage ledger did in a run: read, the window it gave, and what it wrote. */
export interface LedgerNote {
  /** Why the ledger is not kept this run (ledger: false, an export was scanned, ...); nothing else is then set. */
  off?: string
  /** The status issue read or written. */
  issue?: { number: number; url: string }
  /** Why the ledger could not be read: the run read its lookback only. Said once. */
  unread?: string
  /** Seconds the window reaches back before now - lookback, to read what was missed. */
  caughtUp: number
  /** Spans not read although missed: older than max-catch-up. */
  beyond: Interval[]
  /** What the run adds to the ledger: its window as read completely, or as a gap and why. */
  adds?: { covered: boolean; window: Interval; why?: string }
  /** What was done with the status issue: pending until the GitHub phase is over. */
  written: 'pending' | 'created' | 'updated' | 'reopened' | 'unchanged' | 'not-written' | 'dry-run'
  /** Why it was not written, and anything else worth saying once (an issue not trusted, a replaced record). */
  notes: string[]
}
