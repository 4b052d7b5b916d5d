// Long scans (backfills, big files) say how far they are every few seconds, inside one
// collapsible group that opens only when a scan runs long enough to need it. The log is
// injected: @actions/core in the action, stderr in the CLI, so the sources stay free of either.
import type { AuditLogSource } from '../audit-log/source.js'
import { plural } from '../text.js'

export interface ProgressLog {
  group(title: string): void
  line(text: string): void
  endGroup(): void
}

export const PROGRESS_EVERY_MS = 5000

function describe(source: AuditLogSource, events: number, startedAt: number, now: number): string {
  const { pages, bytes } = source.status
  const parts = [`${events.toLocaleString('en-US')} events read`]
  if (pages > 0) parts.push(plural(pages, 'page'))
  if (bytes > 0) parts.push(`${(bytes / 2 ** 20).toFixed(1)} MB`)
  parts.push(`${Math.round((now - startedAt) / 1000)} s elapsed`)
  return parts.join(', ')
}

/**
 * Logs progress every `everyMs` until the returned function is called. `eventsRead` counts
 * what the scan has seen; events the source skipped without parsing are added here.
 */
export function trackProgress(
  source: AuditLogSource,
  eventsRead: () => number,
  log: ProgressLog,
  everyMs = PROGRESS_EVERY_MS,
  clock: () => number = Date.now
): () => void {
  const startedAt = clock()
  let open = false
  const read = (): number => eventsRead() + source.status.prefiltered
  const timer = setInterval(() => {
    if (!open) log.group(`Reading audit logs from ${source.label}`)
    open = true
    log.line(describe(source, read(), startedAt, clock()))
  }, everyMs)
  timer.unref()
  return () => {
    clearInterval(timer)
    if (!open) return
    log.line(`Done: ${describe(source, read(), startedAt, clock())}`)
    log.endGroup()
  }
}
