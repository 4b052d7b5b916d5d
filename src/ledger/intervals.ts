// Spans of the audit log as sets of seconds: half-open [start, end) intervals, merged into
// their union, and what of a span they leave uncovered. Pure.
import type { Interval } from '../model/index.js'

/** The union of `intervals`, sorted, with no two that overlap or touch ([a, b) and [b, c) are [a, c)). */
export function union(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].filter((i) => i.start < i.end).sort((a, b) => a.start - b.start || a.end - b.end)
  const merged: Interval[] = []
  for (const interval of sorted) {
    const last = merged.at(-1)
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end)
    else merged.push({ start: interval.start, end: interval.end })
  }
  return merged
}

/** The parts of `span` that no interval of `covered` (a union, sorted) covers, in order. */
export function uncovered(span: Interval, covered: readonly Interval[]): Interval[] {
  const holes: Interval[] = []
  let from = span.start
  for (const interval of covered) {
    if (interval.end <= from) continue
    if (interval.start >= span.end) break
    if (interval.start > from) holes.push({ start: from, end: interval.start })
    from = Math.max(from, interval.end)
    if (from >= span.end) break
  }
  if (from < span.end) holes.push({ start: from, end: span.end })
  return holes
}

/** The parts of `intervals` inside `span`. */
export function within(intervals: readonly Interval[], span: Interval): Interval[] {
  return intervals.flatMap((i) => {
    const start = Math.max(i.start, span.start)
    const end = Math.min(i.end, span.end)
    return start < end ? [{ start, end }] : []
  })
}
