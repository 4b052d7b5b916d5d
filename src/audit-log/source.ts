// What the sources of audit-log events (the Admin API, an exported file) share: the status
// a read starts from, and the bound on the records it lists. What a source is and hands on
// is the model's (model/source.ts).
import type { SourceStatus } from '../model/index.js'

/** The status of a read that has found nothing amiss yet. */
export function newStatus(): SourceStatus {
  return {
    complete: true,
    missing: [],
    notRead: [],
    unreadable: [],
    unreadableCount: 0,
    prefiltered: 0,
    pages: 0,
    bytes: 0
  }
}

export const MAX_LISTED_UNREADABLE = 100

export function recordUnreadable(status: SourceStatus, where: string, reason: string): void {
  status.unreadableCount++
  if (status.unreadable.length < MAX_LISTED_UNREADABLE) status.unreadable.push({ where, reason })
}
