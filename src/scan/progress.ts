// Long scans (backfills, big files) say how far they are every few seconds, inside one
// collapsible group that opens only when a scan runs long enough to need it. The log is
// injected: @actions/core in the action, stderr in the CLI, so the sources stay free of either.
import { plural } from '../text.js'

export interface ProgressLog {
  group(title: string): void
  line(text: string): void
  endGroup(): void
}

/** How far a scan has come: the events read (those the source only counted included), pages, bytes. */
export interface ScanProgress {
  events: number
  pages: number
  bytes: number
}

export const PROGRESS_EVERY_MS = 5000

function describe(progress: ScanProgress, startedAt: number, now: number): string {
  const parts = [`${progress.events.toLocaleString('en-US')} events read`]
  if (progress.pages > 0) parts.push(plural(progress.pages, 'page'))
  if (progress.bytes > 0) parts.push(`${(progress.bytes / 2 ** 20).toFixed(1)} MB`)
  parts.push(`${Math.round((now - startedAt) / 1000)} s elapsed`)
  return parts.join(', ')
}

/** A scan's progress as it is told, and the end of it. */
export interface ProgressTracker {
  /** Where the scan says how far it has come. */
  tell(progress: ScanProgress): void
  /** The scan is done: the closing line, if any line was written. */
  stop(): void
}

/**
 * Logs how far the read of `label` has come every `everyMs`, from what it was last told,
 * until stopped.
 */
export function trackProgress(
  label: string,
  log: ProgressLog,
  everyMs = PROGRESS_EVERY_MS,
  clock: () => number = Date.now
): ProgressTracker {
  const startedAt = clock()
  let open = false
  let latest: ScanProgress = { events: 0, pages: 0, bytes: 0 }
  const timer = setInterval(() => {
    if (!open) log.group(`Reading audit logs from ${label}`)
    open = true
    log.line(describe(latest, startedAt, clock()))
  }, everyMs)
  timer.unref()
  return {
    tell: (progress) => void (latest = progress),
    stop: () => {
      clearInterval(timer)
      if (!open) return
      log.line(`Done: ${describe(latest, startedAt, clock())}`)
      log.endGroup()
    }
  }
}
