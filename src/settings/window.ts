// The window a run reads, against the clock: [since, until) from since, until and lookback,
// checked for what would leave it empty, inverted or before 1970.
import type { TimeWindow } from '../model/index.js'
import { isoTime } from '../text.js'
import { SettingsError, type Settings } from './settings.js'
import { beforeUnixTime } from './values.js'

/** What the window is made of: since, until, lookback (and its words), and whether an export is read. */
export type WindowSettings = Pick<Settings, 'since' | 'until' | 'lookbackSeconds' | 'auditLogFile' | 'words'>

/** Where the API's window starts: `since`, else lookback before its `end`; never before 1970. */
function startOf(settings: WindowSettings, end: number): number {
  const start = settings.since ?? end - settings.lookbackSeconds
  if (start < 0) {
    // A Date holds times up to 8.64e15 ms either side of 1970; lookback can reach further.
    const to = start >= -8.64e12 ? `to ${isoTime(start)}` : 'past any date'
    throw beforeUnixTime('lookback', `is "${settings.words.lookback}", which reaches back ${to}`)
  }
  return start
}

/**
 * The window a run reads, [since, until) in Unix seconds. For the API: `since` or
 * now - lookback, up to `until` or now. For a file: only what `since`/`until` say.
 */
export function resolveWindow(settings: WindowSettings, nowSeconds: number): TimeWindow {
  const { since, until } = settings
  if (since !== undefined && since > nowSeconds) {
    throw new SettingsError(
      ['since'],
      (input) => `${input} (${isoTime(since)}) is in the future: the window would be empty.`
    )
  }
  if (since !== undefined && until !== undefined && since >= until) {
    throw new SettingsError(
      ['since', 'until'],
      (a, b) => `${a} (${isoTime(since)}) and ${b} (${isoTime(until)}) are inverted: since must be earlier than until.`
    )
  }
  if (settings.auditLogFile) return { since, until }
  const end = Math.min(until ?? nowSeconds, nowSeconds)
  const start = startOf(settings, end)
  if (start >= end) {
    throw until === undefined
      ? new SettingsError(
          ['since'],
          (input) => `${input} (${isoTime(start)}) leaves an empty window: it must be earlier than now.`
        )
      : new SettingsError(
          ['until'],
          (input) => `${input} (${isoTime(end)}) leaves an empty window: it must be later than since.`
        )
  }
  return { since: start, until: end }
}
