// The ledger's pure core: intervals merged into their union, the window a scheduled run
// reads, what a run adds, and the record's bounded size.
import { union, uncovered, within } from '../../src/ledger/intervals.js'
import {
  LEDGER_BOUNDS,
  mergeLedgers,
  nextWindow,
  normalised,
  recordRun,
  type Ledger,
  type RunRecord
} from '../../src/ledger/ledger.js'

const H = 3600
const NOW = 1_796_000_000
const clock = { now: NOW, lookback: H, maxCatchUp: 7 * 24 * H }

function run(record: Partial<RunRecord> & Pick<RunRecord, 'window'>): RunRecord {
  return { scheduled: true, covered: true, beyond: [], at: NOW, ...record }
}

describe('intervals', () => {
  it('merge into their union: overlapping and touching ones join, empty and inverted ones go', () => {
    expect(
      union([
        { start: 10, end: 20 },
        { start: 0, end: 5 },
        { start: 20, end: 30 },
        { start: 15, end: 18 },
        { start: 40, end: 40 },
        { start: 50, end: 45 },
        { start: 31, end: 35 }
      ])
    ).toEqual([
      { start: 0, end: 5 },
      { start: 10, end: 30 },
      { start: 31, end: 35 }
    ])
  })

  it('leave the holes of a span, half-open: [a, b) and [b, c) leave nothing between them', () => {
    const covered = union([
      { start: 10, end: 20 },
      { start: 20, end: 30 },
      { start: 40, end: 50 }
    ])
    expect(uncovered({ start: 0, end: 60 }, covered)).toEqual([
      { start: 0, end: 10 },
      { start: 30, end: 40 },
      { start: 50, end: 60 }
    ])
    expect(uncovered({ start: 12, end: 28 }, covered)).toEqual([])
    expect(within(covered, { start: 15, end: 45 })).toEqual([
      { start: 15, end: 30 },
      { start: 40, end: 45 }
    ])
  })
})

describe('nextWindow', () => {
  it('is now - lookback without a ledger, or before the watch began', () => {
    expect(nextWindow(undefined, clock)).toEqual({ start: NOW - H, end: NOW, caughtUp: 0, beyond: [] })
    expect(nextWindow({ covered: [], gaps: [] }, clock)).toMatchObject({ start: NOW - H, caughtUp: 0 })
  })

  it('starts where complete coverage ends, when that is earlier than now - lookback', () => {
    const ledger: Ledger = { since: NOW - 10 * H, covered: [{ start: NOW - 10 * H, end: NOW - 5 * H }], gaps: [] }
    expect(nextWindow(ledger, clock)).toEqual({ start: NOW - 5 * H, end: NOW, caughtUp: 4 * H, beyond: [] })
  })

  it('keeps its lookback when coverage reaches later', () => {
    const ledger: Ledger = { since: NOW - 10 * H, covered: [{ start: NOW - 10 * H, end: NOW - 60 }], gaps: [] }
    expect(nextWindow(ledger, clock)).toEqual({ start: NOW - H, end: NOW, caughtUp: 0, beyond: [] })
  })

  it('reads a hole a fallback run left behind it, not only what follows the last coverage', () => {
    const ledger: Ledger = {
      since: NOW - 10 * H,
      covered: [
        { start: NOW - 10 * H, end: NOW - 6 * H },
        { start: NOW - 3 * H, end: NOW - 60 }
      ],
      gaps: []
    }
    expect(nextWindow(ledger, clock)).toMatchObject({ start: NOW - 6 * H, caughtUp: 5 * H })
  })

  it('reaches back at most max-catch-up: what is older is beyond, not read', () => {
    const ledger: Ledger = { since: NOW - 30 * H, covered: [{ start: NOW - 30 * H, end: NOW - 20 * H }], gaps: [] }
    expect(nextWindow(ledger, { ...clock, maxCatchUp: 10 * H })).toEqual({
      start: NOW - 10 * H,
      end: NOW,
      caughtUp: 9 * H,
      beyond: [{ start: NOW - 20 * H, end: NOW - 10 * H }]
    })
  })

  it('never reaches back less than lookback, whatever max-catch-up says', () => {
    const ledger: Ledger = { since: NOW - 30 * H, covered: [{ start: NOW - 30 * H, end: NOW - 20 * H }], gaps: [] }
    expect(nextWindow(ledger, { now: NOW, lookback: 24 * H, maxCatchUp: H })).toEqual({
      start: NOW - 24 * H,
      end: NOW,
      caughtUp: 0,
      beyond: []
    })
  })
})

describe('recordRun', () => {
  const empty: Ledger = { covered: [], gaps: [] }

  it('adds a complete read; a scheduled one starts the watch, a backfill does not', () => {
    const window = { start: NOW - 5 * 86_400, end: NOW - 4 * 86_400 }
    const backfill = recordRun(empty, run({ window, scheduled: false }), '7d')
    expect(backfill).toEqual({ covered: [window], last: window, gaps: [] })
    const scheduled = recordRun(backfill, run({ window: { start: NOW - H, end: NOW } }), '7d')
    expect(scheduled.since).toBe(NOW - H)
    expect(scheduled.covered).toEqual([window, { start: NOW - H, end: NOW }])
    expect(scheduled.last).toEqual({ start: NOW - H, end: NOW })
  })

  it('adds nothing for an incomplete read, but notes the gap and why; a later complete read clears the note', () => {
    const failed = recordRun(
      empty,
      run({
        window: { start: NOW - 2 * H, end: NOW - H },
        covered: false,
        gap: { kind: 'failed', why: 'page 2 failed' }
      }),
      '7d'
    )
    expect(failed.covered).toEqual([])
    expect(failed.since).toBe(NOW - 2 * H)
    expect(failed.gaps).toEqual([{ start: NOW - 2 * H, end: NOW - H, kind: 'failed', why: 'page 2 failed', at: NOW }])
    const read = recordRun(failed, run({ window: { start: NOW - 2 * H, end: NOW } }), '7d')
    expect(read.gaps).toEqual([])
    expect(read.covered).toEqual([{ start: NOW - 2 * H, end: NOW }])
  })

  it('notes what it left beyond max-catch-up once, however often it is said', () => {
    const beyond = [{ start: NOW - 20 * H, end: NOW - 10 * H }]
    const once = recordRun(empty, run({ window: { start: NOW - 10 * H, end: NOW }, beyond }), '10h')
    const twice = recordRun(once, run({ window: { start: NOW - 10 * H, end: NOW }, beyond }), '10h')
    expect(twice.gaps).toHaveLength(1)
    expect(twice.gaps[0]).toMatchObject({ kind: 'beyond-max-catch-up', start: NOW - 20 * H, end: NOW - 10 * H })
  })
})

describe('mergeLedgers', () => {
  it('keeps the union of what two runs read, not the last writer', () => {
    const a: Ledger = { since: NOW - 5 * H, covered: [{ start: NOW - 5 * H, end: NOW - 2 * H }], gaps: [] }
    const b: Ledger = {
      since: NOW - 3 * H,
      covered: [{ start: NOW - 3 * H, end: NOW - H }],
      last: { start: NOW - 3 * H, end: NOW - H },
      gaps: []
    }
    expect(mergeLedgers(a, b, NOW)).toEqual({
      since: NOW - 5 * H,
      covered: [{ start: NOW - 5 * H, end: NOW - H }],
      last: { start: NOW - 3 * H, end: NOW - H },
      gaps: []
    })
    expect(mergeLedgers(b, a, NOW)).toEqual(mergeLedgers(a, b, NOW))
  })
})

describe('normalised: the size of the record is bounded', () => {
  it('keeps the last 30 days, at most so many intervals and gap notes, the newest', () => {
    const covered = Array.from({ length: 5000 }, (_, n) => ({
      start: NOW - 40 * 86_400 + n * 600,
      end: NOW - 40 * 86_400 + n * 600 + 300
    }))
    const gaps = Array.from({ length: 500 }, (_, n) => ({
      start: NOW - 20 * 86_400 + n * 60,
      end: NOW - 20 * 86_400 + n * 60 + 30,
      kind: 'failed' as const,
      why: 'x',
      at: n
    }))
    const ledger = normalised({ since: 0, covered, gaps }, NOW)
    expect(ledger.covered).toHaveLength(LEDGER_BOUNDS.intervals)
    expect(ledger.gaps).toHaveLength(LEDGER_BOUNDS.gaps)
    expect(ledger.since).toBe(NOW - LEDGER_BOUNDS.keepSeconds)
    expect(ledger.covered.every((i) => i.end > NOW - LEDGER_BOUNDS.keepSeconds)).toBe(true)
    // The newest kept: dropping coverage only makes runs read more.
    expect(ledger.covered.at(-1)).toEqual(covered.at(-1))
    expect(ledger.gaps.at(-1)!.at).toBe(499)
  })
})
